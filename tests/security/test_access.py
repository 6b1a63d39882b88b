"""Access sweeps over app.url_map with real objects: private tokens of another kind, object or person get
the very same 404 as a missing token; staff objects of another meeting are 404 under this meeting's URL;
staff of another department are refused wherever app/*/permissions.py scopes by department.
(Which roles get through every method is swept in test_get_safety.py and test_csrf.py.)"""
from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import url_for

from app.security import Role
from tests.helpers import sign_in
from tests.security.routes import TOKEN_KIND, token_kind, url_arguments, url_of
from tests.security.sweep import (
    client_for,
    csrf_token,
    describe,
    header_problems,
    rules_with,
    staff_roles_for,
)
from tests.security.world import build_world, snapshot
from tests.test_security import ACCESS, AUTOMATIC_METHODS, TOKEN

MISSING = "A" * 43  # shaped like a real token, matching nothing


@pytest.fixture
def world(app):
    return build_world()


def token_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if "token" in rule.arguments),
                  key=lambda rule: rule.endpoint)


def test_every_endpoint_with_a_token_argument_is_a_token_endpoint(app):
    with_token = {rule.endpoint for rule in token_rules(app)}
    table = {endpoint for endpoint, rule in ACCESS.items() if rule == TOKEN}
    assert with_token == table, (f"take a <token> but are not TOKEN in ACCESS: {sorted(with_token - table)}; "
                                 f"TOKEN without a <token>: {sorted(table - with_token)}")
    for endpoint in sorted(with_token):
        token_kind(endpoint)
    assert set(TOKEN_KIND) == with_token, sorted(set(TOKEN_KIND) - with_token)


def _forged(token: str) -> str:
    """The same token with its second-to-last character changed: a broken signature or an unknown hash.
    (Not the last one: in base64 its low bits can be padding, and a change there may decode to the same bytes.)"""
    return token[:-2] + ("B" if token[-2] != "B" else "C") + token[-1]


def foreign_tokens(world, kind: str) -> dict[str, str]:
    """Tokens that must not open a `kind` page: every other kind (another person's link), the same kind
    with one character changed, and the other department's token when it is not of this kind."""
    tokens = {f"a {name} token": token for name, token in world.tokens.items() if name != kind}
    tokens.update({f"another meeting's {name} token": token for name, token in world.other_tokens.items()
                   if name != kind})
    tokens[f"a forged {kind} token"] = _forged(world.tokens[kind])
    return tokens


def _normalised(response, token: str) -> str:
    """The body with this request's own address (echoed in the language links) and token taken out."""
    body = response.get_data(as_text=True)
    for path in (response.request.path, quote(response.request.path, safe=""), quote(response.request.path)):
        body = body.replace(path, "PATH")
    return body.replace(token, "TOKEN")


def _same_404(reference, response, token: str, missing_body: str) -> list[str]:
    problems = []
    if response.status_code != 404:
        problems.append(f"{describe(response)} (expected 404)")
    elif _normalised(response, token) != missing_body:
        problems.append(f"{describe(response)}: the 404 page differs from the one for a missing token")
    for header in ("Content-Type", "Cache-Control", "Referrer-Policy"):
        if response.headers.get(header) != reference.headers.get(header):
            problems.append(f"{describe(response)}: {header} {response.headers.get(header)!r} differs from "
                            f"{reference.headers.get(header)!r} for a missing token")
    return problems


def test_a_foreign_or_forged_token_gets_the_same_404_as_a_missing_one(app, world):
    client = app.test_client()
    before = snapshot()
    problems: list[str] = []
    for rule in token_rules(app):
        kind = token_kind(rule.endpoint)
        for method in sorted(rule.methods - AUTOMATIC_METHODS - {"HEAD"}):
            with app.test_request_context():
                missing_url = url_of(world, rule, token=MISSING)
            data = {"csrf_token": csrf_token(client)} if method == "POST" else None
            missing = client.open(missing_url, method=method, data=data)
            if missing.status_code != 404:
                problems.append(f"{rule.endpoint}: {describe(missing)} for a missing token (expected 404)")
                continue
            problems += header_problems(rule.endpoint, missing)
            missing_body = _normalised(missing, MISSING)
            for label, token in foreign_tokens(world, kind).items():
                with app.test_request_context():
                    url = url_of(world, rule, token=token)
                response = client.open(url, method=method, data=data)
                problems += [f"{rule.endpoint} with {label}: {p}" for p in _same_404(missing, response, token,
                                                                                      missing_body)]
    assert not problems, "\n".join(problems)
    assert snapshot() == before


def test_an_invitation_to_follow_one_item_opens_no_other(app, world):
    """The one token whose URL also names an object: the invitation under another item's URL, or under
    an item that does not exist, is the same 404 as an unknown invitation."""
    client = app.test_client()
    token = world.tokens["invite"]
    with app.test_request_context():
        missing = client.get(url_for("actions.confirm_follow", action_id=world.ids["action"], token=MISSING))
        urls = {"another item": url_for("actions.confirm_follow", action_id=world.ids["done_action"], token=token),
                "another department's item": url_for("actions.confirm_follow", action_id=world.ids["other_action"],
                                                     token=token),
                "no item": url_for("actions.confirm_follow", action_id=999_999, token=token)}
    assert missing.status_code == 404
    body = _normalised(missing, MISSING)
    before = snapshot()
    for label, url in urls.items():
        for method in ("GET", "POST"):
            data = {"csrf_token": csrf_token(client)} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            assert not _same_404(missing, response, token, body), (label, method)
    assert snapshot() == before


# ---------------------------------------------------------------------------- staff objects under another meeting

def _nested_rules(app):
    """Staff rules naming a meeting and one of its objects (registration, question, version...)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        others = [name for name in rule.arguments if name.endswith("_id") and name != "meeting_id"]
        if "meeting_id" in rule.arguments and others:
            yield rule, others


def test_an_object_of_another_meeting_is_404_under_this_meetings_url(app, world):
    """An admin may open both meetings, so a 404 here is the object lookup, not the permission."""
    client = client_for(app, world, Role.ADMIN.value)
    before = snapshot()
    problems, checked = [], 0
    for rule, others in _nested_rules(app):
        for name in others:
            key = "other_" + name.removesuffix("_id")
            if key not in world.ids:
                problems.append(f"{rule.endpoint}: the world has no {key} for <{name}> (add one to "
                                f"tests/security/world.py)")
                continue
            with app.test_request_context():
                url = url_of(world, rule, **{name: world.ids[key]})
            for method in sorted(rule.methods - AUTOMATIC_METHODS - {"HEAD"}):
                data = {"csrf_token": csrf_token(client)} if method == "POST" else None
                response = client.open(url, method=method, data=data)
                checked += 1
                if response.status_code != 404:
                    problems.append(f"{rule.endpoint}: {describe(response)} for meeting B's {name} under "
                                    f"meeting A's URL (expected 404)")
    assert checked >= 15
    assert not problems, "\n".join(problems)
    assert snapshot() == before


# ---------------------------------------------------------------------------- department scoping

# Staff endpoints that load no meeting or action item (lists filter by the user; creation checks the
# meeting named in its query string, below), and the one object page that is not scoped by department:
# an action item's staff page, which shows only public facts, is open to all staff.
UNSCOPED = {"actions_manage.detail"}


def _scoped_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if isinstance(ACCESS.get(rule.endpoint), frozenset) and rule.endpoint not in UNSCOPED and (
                "meeting_id" in rule.arguments or "action_id" in rule.arguments):
            yield rule


@pytest.mark.parametrize("role", [Role.CLERK, Role.OFFICIAL])
def test_staff_of_another_department_are_refused_every_method_on_this_departments_objects(app, world, role):
    client = app.test_client()
    sign_in(client, world.other_staff[role])
    before = snapshot()
    problems, checked = [], 0
    for rule in _scoped_rules(app):
        if role not in staff_roles_for(rule.endpoint):
            continue
        with app.test_request_context():
            url = url_of(world, rule)
        for method in sorted(rule.methods - AUTOMATIC_METHODS - {"HEAD"}):
            data = {"csrf_token": csrf_token(client)} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            checked += 1
            if response.status_code != 403:
                problems.append(f"{rule.endpoint}: {describe(response)} for a {role} of another department "
                                f"(expected 403)")
    assert checked >= 20
    assert not problems, "\n".join(problems)
    assert snapshot() == before


def test_action_items_cannot_be_created_for_another_departments_meeting_or_question(app, world):
    client = app.test_client()
    sign_in(client, world.other_staff[Role.OFFICIAL])
    before = snapshot()
    for query in ({"meeting": world.meetings["past"].id}, {"question": world.ids["question"]}):
        with app.test_request_context():
            url = url_for("actions_manage.new", **query)
        assert client.get(url).status_code == 403, query
        assert client.post(url, data={"csrf_token": csrf_token(client), "title": "越权"}).status_code == 403, query
    assert snapshot() == before


def test_the_lists_show_staff_only_their_departments_meetings(app, world):
    """The pages without an object id filter by department instead: meeting B's staff do not see A's
    drafts, registrants or questions."""
    client = app.test_client()
    sign_in(client, world.other_staff[Role.OFFICIAL])
    for endpoint in ("dashboard.index", "meetings_manage.index", "questions_manage.overdue", "actions_manage.index"):
        with app.test_request_context():
            url = url_for(endpoint)
        body = client.get(url).get_data(as_text=True)
        assert "安全检查 draft" not in body, endpoint
    with app.test_request_context():
        url = url_for("meetings_manage.index", status="draft")
    assert "安全检查 draft" not in client.get(url).get_data(as_text=True)


def test_url_arguments_point_at_real_objects(app, world):
    """The sweeps open real pages: every rule's arguments resolve (the world has an object for each)."""
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            url_arguments(world, rule)
    assert rules_with(app, "POST")
