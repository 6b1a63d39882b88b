"""No GET changes the database, whoever sends it: every GET endpoint in app.url_map, with real arguments
(each meeting state, query-string variants), as an anonymous visitor, a citizen holding the private
links, a clerk, an official and an admin. The same sweep checks who gets through (the right visitors get
the page, the wrong ones are refused or sent to sign in) and the security headers of every response."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import url_for

from app.extensions import db
from app.security import Role
from tests.security.routes import MEETING_OF, url_arguments, url_of
from tests.security.sweep import (
    ANONYMOUS,
    TOKEN_HOLDER,
    VISITORS,
    client_for,
    describe,
    header_problems,
    is_sign_in_redirect,
    is_staff_endpoint,
    may_use,
    rules_with,
)
from tests.security.world import build_world, changed_tables, snapshot
from tests.test_security import ACCESS, TOKEN

# Staff roles that open only the main URL of each endpoint (the admin, who may open everything, and the
# visitors without an account open every variant too).
VARIANTLESS = {Role.CLERK.value, Role.OFFICIAL.value}

# What a successful GET of each endpoint answers, when it is not 200.
STATUS = {"site.set_language": 302}

# Query strings worth a GET of their own: filters, searches, alternative views.
QUERIES = {
    "meetings.index": [{"when": "past"}, {"type": "hearing", "q": "安全"}, {"page": "2"}],
    "calendar.feed": [{"type": "town_hall", "from": "2020-01-01"}],
    "questions.index": [{"sort": "new"}, {"topic": "health"}],
    "questions.similar": [{"q": "电梯补贴"}],
    "questions.projector": [{"refresh": "off"}],
    "actions.index": [{"status": "open"}],
    "meetings_manage.index": [{"status": "draft"}, {"mine": "1"}],
    "registrations_manage.index": [{"q": "市民", "status": "confirmed"}],
    "registrations_manage.check_in": [{"q": "市民1"}],
    "questions_manage.queue": [{"view": "approved"}, {"view": "rejected"}],
    "actions_manage.new": [{"meeting": "past"}, {"question": "question"}],
    "site.set_language": [{"next": "/meetings"}],
}


def _query(world, query: dict) -> dict:
    values = dict(query)
    if values.get("meeting") in world.meetings:
        values["meeting"] = world.meetings[values["meeting"]].id
    if values.get("question") in world.ids:
        values["question"] = world.ids[values["question"]]
    return values


def get_urls(app, world, visitor: str) -> list[tuple[str, str, bool]]:
    return list(_get_urls(app, world, visitor))


def _get_urls(app, world, visitor: str):
    """(endpoint, url, is_main) for every GET: the main URL of each rule (what the visitor may open), then
    the variants: every other meeting, the other department's meeting and tokens, the query strings."""
    rules = rules_with(app, "GET")
    with app.test_request_context():
        for rule in rules:
            overrides = {}
            if rule.endpoint in ACCESS and ACCESS[rule.endpoint] == TOKEN and visitor != TOKEN_HOLDER:
                overrides["token"] = "A" * 43  # a visitor without the link
            yield rule.endpoint, url_of(world, rule, **overrides), True
        for rule in rules:
            if visitor in VARIANTLESS or (visitor in (ANONYMOUS, TOKEN_HOLDER) and is_staff_endpoint(rule.endpoint)):
                continue  # the main URLs settle who gets through; the admin opens every variant
            if "meeting_id" in rule.arguments:
                main = MEETING_OF.get(rule.endpoint, "upcoming")
                for key, meeting in world.meetings.items():
                    if key != main:
                        yield rule.endpoint, url_of(world, rule, meeting_id=meeting.id), False
                yield rule.endpoint, url_of(world, rule, meeting_id=world.other_meeting.id), False
            if "token" in rule.arguments and visitor == TOKEN_HOLDER:
                for token in world.other_tokens.values():
                    yield rule.endpoint, url_of(world, rule, token=token), False
            for query in QUERIES.get(rule.endpoint, []):
                yield rule.endpoint, url_for(rule.endpoint, **url_arguments(world, rule), **_query(world, query)), \
                    False


def _expected_problem(visitor: str, endpoint: str, response) -> str | None:
    if may_use(visitor, endpoint):
        if ACCESS[endpoint] == TOKEN and visitor != TOKEN_HOLDER:
            return None if response.status_code == 404 else "expected 404 without the link"
        expected = STATUS.get(endpoint, 200)
        if endpoint == "accounts.login" and visitor not in (ANONYMOUS, TOKEN_HOLDER):
            expected = 302  # signed in already: on to the dashboard
        return None if response.status_code == expected else f"expected {expected}"
    if visitor in (ANONYMOUS, TOKEN_HOLDER):
        return None if is_sign_in_redirect(response) else "expected a redirect to the sign-in page"
    return None if response.status_code == 403 else "expected 403"


class WriteCatcher:
    """The SQL writes (INSERT, UPDATE, DELETE) sent while it listens, to name the statement in a failure."""

    def __init__(self):
        self.writes: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE",
                                                             "ALTER", "CREATE", "DROP"}:
            self.writes.append(" ".join(statement.split())[:160])

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self)


@pytest.mark.parametrize("visitor", VISITORS)
def test_no_get_changes_the_database_and_each_visitor_gets_what_the_table_says(app, visitor):
    world = build_world()
    client = client_for(app, world, visitor)
    seen = set()
    problems: list[str] = []
    before = snapshot()
    with WriteCatcher() as catcher:
        for endpoint, url, is_main in get_urls(app, world, visitor):
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            response.close()
            if catcher.writes:
                problems.append(f"{endpoint}: GET {url} wrote to the database: {catcher.writes}")
                catcher.writes.clear()
            if response.status_code >= 500:
                problems.append(f"{endpoint}: {describe(response)}")
            if is_main:
                problem = _expected_problem(visitor, endpoint, response)
                if problem:
                    problems.append(f"{endpoint} as {visitor}: {describe(response)}, {problem}")
            if response.status_code < 500 and (is_main or not is_staff_endpoint(endpoint)):
                problems += header_problems(endpoint, response)
    after = snapshot()
    if after != before:
        problems.append(f"the GETs changed {changed_tables(before, after)}")
    assert len(seen) > 50
    assert not problems, "\n".join(problems)
