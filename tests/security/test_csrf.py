"""CSRF on every state-changing endpoint in app.url_map: for every visitor who may use it, a POST with real
objects and a body the view accepts is refused with a 400 and changes nothing (row counts and a checksum of
every row) when the CSRF token is missing or comes from another session; the same POST with the visitor's
own token then gets through (the right roles are not refused) and does its work, so the refusals above
were the token's doing."""
from __future__ import annotations

import pytest

from tests.security.routes import POSTS, form_fields, post_spec, url_of
from tests.security.sweep import (
    ANONYMOUS,
    TOKEN_HOLDER,
    VISITORS,
    client_for,
    csrf_token,
    describe,
    header_problems,
    is_sign_in_redirect,
    may_use,
    rules_with,
    staff_roles_for,
)
from tests.security.world import build_world, changed_tables, snapshot
from tests.test_security import ACCESS, PUBLIC, TOKEN


def post_endpoints(app) -> list[str]:
    return sorted({rule.endpoint for rule in rules_with(app, "POST")})


def test_every_post_endpoint_has_a_body_that_succeeds(app):
    missing = []
    for endpoint in post_endpoints(app):
        try:
            post_spec(endpoint)
        except AssertionError as error:
            missing.append(str(error))
    assert not missing, "\n".join(missing)
    stale = sorted(set(POSTS) - set(post_endpoints(app)))
    assert not stale, f"POSTS in tests/security/routes.py names endpoints that take no POST: {stale}"


def _rule(app, endpoint):
    return next(rule for rule in rules_with(app, "POST") if rule.endpoint == endpoint)


def _body(app, client, world, endpoint: str) -> tuple[str, dict]:
    """The URL and form body of a POST that succeeds (the form read from its page when it has one)."""
    spec = post_spec(endpoint)
    with app.test_request_context():
        url = url_of(world, _rule(app, endpoint))
    data = {}
    if spec.form_page == "same":
        page = client.get(url)
        assert page.status_code == 200, f"{endpoint}: {describe(page)} for its form page"
        data = form_fields(page.get_data(as_text=True), url)
    data.update(spec.data(world))
    data.update(spec.extra)
    return url, data


def _anonymous_may_post(endpoint: str) -> bool:
    return ACCESS[endpoint] in (PUBLIC, TOKEN)


@pytest.mark.parametrize("visitor", VISITORS)
def test_a_post_without_its_sessions_csrf_token_is_refused_and_changes_nothing(app, visitor):
    world = build_world()
    client = client_for(app, world, visitor)
    stranger = app.test_client()
    foreign = csrf_token(stranger)
    before = snapshot()
    problems, checked = [], 0
    for endpoint in post_endpoints(app):
        if not may_use(visitor, endpoint) or (visitor == TOKEN_HOLDER and ACCESS[endpoint] != TOKEN) or (
                visitor == ANONYMOUS and ACCESS[endpoint] == TOKEN):
            continue  # the anonymous visitor posts the public forms; the token holder the private ones
        url, data = _body(app, client, world, endpoint)
        for label, token in (("no CSRF token", None), ("another session's CSRF token", foreign)):
            body = dict(data, csrf_token=token) if token else data
            response = client.post(url, data=body)
            checked += 1
            if response.status_code != 400:
                problems.append(f"{endpoint} as {visitor} with {label}: {describe(response)} (expected 400)")
            problems += header_problems(endpoint, response)
            after = snapshot()
            if after != before:
                problems.append(f"{endpoint} as {visitor} with {label}: changed {changed_tables(before, after)}")
                before = after
    assert checked >= 6
    assert not problems, "\n".join(problems)


def _visitors_of(endpoint: str) -> list[str]:
    if _anonymous_may_post(endpoint):
        return [ANONYMOUS]
    return [role.value for role in staff_roles_for(endpoint)]


@pytest.mark.parametrize("post_endpoint", sorted(POSTS))
def test_a_post_with_its_own_csrf_token_gets_through_for_every_visitor_who_may_use_it(app, post_endpoint):
    """The first visitor (the least powerful role that may) must succeed and write; the others after it
    must get through too (not refused, not sent to sign in), whatever the new state answers."""
    world = build_world()
    problems = []
    for index, visitor in enumerate(_visitors_of(post_endpoint)):
        client = client_for(app, world, visitor)
        url, data = _body(app, client, world, post_endpoint)
        spec = post_spec(post_endpoint)
        before = snapshot()
        response = client.post(url, data=dict(data, csrf_token=csrf_token(client)))
        problems += header_problems(post_endpoint, response)
        if response.status_code in (401, 403) or is_sign_in_redirect(response):
            problems.append(f"{post_endpoint} as {visitor}: {describe(response)}, refused")
        elif index == 0:
            after = snapshot()
            if response.status_code not in spec.ok:
                problems.append(f"{post_endpoint} as {visitor}: {describe(response)}, expected {spec.ok}: "
                                f"{response.get_data(as_text=True)[:300]}")
            elif spec.writes and after == before:
                problems.append(f"{post_endpoint} as {visitor}: {describe(response)} but nothing was written: "
                                f"{response.get_data(as_text=True)[:500]}")
            elif not spec.writes and after != before:
                problems.append(f"{post_endpoint} as {visitor}: changed {changed_tables(before, after)}")
    assert not problems, "\n".join(problems)
