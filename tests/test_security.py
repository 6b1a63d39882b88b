"""Who may open what. Every endpoint in app.url_map is classified below; a new endpoint fails the first test
until someone decides who may use it. Every staff endpoint then refuses anonymous users and wrong roles,
for every HTTP method it accepts, and every form POST needs a CSRF token."""
from __future__ import annotations

import pytest
from flask import url_for

from app.security import Role
from tests import factories
from tests.helpers import page_token, row_counts, sign_in

PUBLIC = "public"
TOKEN = "token"  # citizens through a private link: the token in the URL is the credential
SIGNED_IN = "signed-in"  # any signed-in staff member (sign-out)
ALL_STAFF = frozenset({Role.ADMIN, Role.OFFICIAL, Role.CLERK})
PLANNERS = frozenset({Role.ADMIN, Role.OFFICIAL})
ADMINS = frozenset({Role.ADMIN})

ACCESS = {
    "static": PUBLIC,
    "site.set_language": PUBLIC,
    "meetings.index": PUBLIC,
    "meetings.detail": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.logout": SIGNED_IN,
    "registrations.register": PUBLIC,
    "registrations.manage": TOKEN,            # private link: the token is the credential
    "registrations.update_needs": TOKEN,
    "registrations.cancel": TOKEN,
    "registrations.ticket": TOKEN,
    "reports.summary": PUBLIC,               # 404 until minutes are published
    "reports.notice": PUBLIC,
    "reports_manage.summary_draft": ALL_STAFF,
    "dashboard.index": ALL_STAFF,
    "meetings_manage.index": ALL_STAFF,
    "meetings_manage.preview": ALL_STAFF,
    "meetings_manage.new": PLANNERS,
    "meetings_manage.edit": PLANNERS,
    "meetings_manage.publish": PLANNERS,
    "meetings_manage.reschedule": PLANNERS,
    "meetings_manage.cancel": PLANNERS,
    "registrations_manage.index": ALL_STAFF,
    "registrations_manage.capacity": ALL_STAFF,
    "registrations_manage.cancel": ALL_STAFF,
    "registrations_manage.export_csv": ALL_STAFF,
    "registrations_manage.signin_sheet": ALL_STAFF,
    "registrations_manage.check_in": ALL_STAFF,
    "registrations_manage.do_check_in": ALL_STAFF,
    "registrations_manage.undo_check_in": ALL_STAFF,
    "registrations_manage.add_walk_in": ALL_STAFF,
    "calendar.meeting_ics": PUBLIC,
    "calendar.feed": PUBLIC,
    "calendar.meetings_atom": PUBLIC,
    "calendar.minutes_atom": PUBLIC,
    "calendar.unsubscribe": TOKEN,            # signed link: the token is the credential
    "questions.index": PUBLIC,
    "questions.ask": PUBLIC,
    "questions.vote": PUBLIC,
    "questions.similar": PUBLIC,
    "questions.projector": PUBLIC,
    "questions.follow": TOKEN,                # private link: the token is the credential
    "questions.stop_emails": TOKEN,
    "questions_manage.queue": ALL_STAFF,      # clerks moderate (DESIGN.md)
    "questions_manage.save_settings": ALL_STAFF,
    "questions_manage.enter": ALL_STAFF,
    "questions_manage.detail": ALL_STAFF,
    "questions_manage.approve": ALL_STAFF,
    "questions_manage.reject": ALL_STAFF,
    "questions_manage.edit": ALL_STAFF,
    "questions_manage.merge": ALL_STAFF,
    "questions_manage.console": ALL_STAFF,
    "questions_manage.now_answering": ALL_STAFF,
    "questions_manage.clear_current": ALL_STAFF,
    "questions_manage.answered_live": ALL_STAFF,
    "questions_manage.overdue": ALL_STAFF,
    "questions_manage.respond": PLANNERS,     # an outcome is an official's answer
    "minutes.show": PUBLIC,
    "minutes_manage.overview": ALL_STAFF,
    "minutes_manage.start": ALL_STAFF,
    "minutes_manage.edit": ALL_STAFF,           # clerks write the drafts
    "minutes_manage.submit": ALL_STAFF,
    "minutes_manage.correction": ALL_STAFF,
    "minutes_manage.approve": PLANNERS,         # officials approve (never their own) and publish
    "minutes_manage.publish": PLANNERS,
    "minutes_manage.send_back": PLANNERS,
    "minutes_manage.hearing_record": ALL_STAFF,
    "minutes_manage.hearing_start": ALL_STAFF,
    "minutes_manage.hearing_edit": ALL_STAFF,
    "minutes_manage.participant_state": ALL_STAFF,  # refusals: officials only (checked by the service)
    "actions.index": PUBLIC,
    "actions.figures": PUBLIC,
    "actions.detail": PUBLIC,
    "actions.follow": PUBLIC,                 # neutral answer; the confirmation goes by email
    "actions.confirm_follow": TOKEN,          # signed link: the token is the credential
    "actions.follower": TOKEN,                # private link: the token is the credential
    "actions.unsubscribe": TOKEN,             # signed link: the token is the credential
    "actions_manage.index": ALL_STAFF,
    "actions_manage.new": ALL_STAFF,          # clerks record items for their own department (service checks)
    "actions_manage.detail": ALL_STAFF,
    "actions_manage.post_update": ALL_STAFF,  # clerks of the owning department post progress (service checks)
    "actions_manage.change_status": PLANNERS,
    "actions_manage.extend": PLANNERS,
    "accounts_manage.users": ADMINS,
    "accounts_manage.new_user": ADMINS,
    "accounts_manage.edit_user": ADMINS,
    "accounts_manage.deactivate_user": ADMINS,
    "accounts_manage.activate_user": ADMINS,
    "accounts_manage.reset_password": ADMINS,
    "accounts_manage.audit": ADMINS,
}

STAFF_ENDPOINTS = sorted(e for e, rule in ACCESS.items() if isinstance(rule, frozenset))
WRONG_ROLE_CASES = [(e, role) for e in STAFF_ENDPOINTS for role in Role if role not in ACCESS[e]]
# OPTIONS is answered by Flask itself (an empty response listing the methods) without running the view.
AUTOMATIC_METHODS = {"OPTIONS"}


def rules_of(app, endpoint):
    rules = list(app.url_map.iter_rules(endpoint))
    assert rules, f"{endpoint} is in the access table but not in app.url_map"
    return rules


@pytest.fixture
def objects(app):
    """Something for every URL argument to point at."""
    meeting = factories.make_meeting(status="draft")
    user = factories.make_user("official")
    return {"meeting_id": meeting.id, "user_id": user.id, "token": "x" * 32, "code": "en",
            "filename": "css/none.css"}


def url_of(rule, objects) -> str:
    """The rule's URL, pointing at `objects`; other ids (a registration, a question) need not exist, since
    access is checked before anything is loaded."""
    return url_for(rule.endpoint, **{arg: objects.get(arg, 1) for arg in rule.arguments})


def urls_and_methods(app, endpoint, objects):
    with app.test_request_context():
        for rule in rules_of(app, endpoint):
            url = url_of(rule, objects)
            for method in sorted(rule.methods - AUTOMATIC_METHODS):
                yield url, method


# ---------------------------------------------------------------------------- the table itself

def test_every_endpoint_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unclassified = sorted(endpoints - set(ACCESS))
    assert not unclassified, f"add these endpoints to ACCESS in tests/test_security.py: {unclassified}"
    stale = sorted(set(ACCESS) - endpoints)
    assert not stale, f"these endpoints no longer exist: {stale}"


def test_the_table_matches_the_decorators_on_the_views(app):
    for endpoint, expected in ACCESS.items():
        view = app.view_functions[endpoint]
        if endpoint == "static":
            continue
        if expected == PUBLIC:
            assert getattr(view, "is_public", False), f"{endpoint} should be marked @public"
            assert not getattr(view, "is_private_link", False), f"{endpoint} is marked @private_link: use TOKEN"
            assert not hasattr(view, "allowed_roles"), endpoint
        elif expected == TOKEN:
            assert getattr(view, "is_public", False), f"{endpoint} should be marked @public"
            assert getattr(view, "is_private_link", False), f"{endpoint} should be marked @private_link"
            assert not hasattr(view, "allowed_roles"), endpoint
        elif expected == SIGNED_IN:
            assert not getattr(view, "is_public", False) and not hasattr(view, "allowed_roles"), endpoint
        else:
            assert not getattr(view, "is_public", False), endpoint
            actual = getattr(view, "allowed_roles", None)
            assert actual == expected, f"{endpoint}: {actual}"


def test_every_manage_url_is_a_staff_endpoint(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/manage"):
            assert isinstance(ACCESS[rule.endpoint], frozenset), rule.rule


# ---------------------------------------------------------------------------- anonymous visitors

@pytest.mark.parametrize("endpoint", STAFF_ENDPOINTS + ["accounts.logout"])
def test_anonymous_visitors_are_sent_to_sign_in_for_every_method(app, client, objects, endpoint):
    token = page_token(client, "/login")
    before = row_counts()
    for url, method in urls_and_methods(app, endpoint, objects):
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code in (302, 401), (method, url, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), (method, url)
    assert row_counts() == before


def test_options_requests_reveal_nothing(app, client, objects):
    for endpoint in STAFF_ENDPOINTS:
        with app.test_request_context():
            url = url_of(rules_of(app, endpoint)[0], objects)
        response = client.options(url)
        assert response.get_data() == b"", endpoint


# ---------------------------------------------------------------------------- signed in with the wrong role

@pytest.mark.parametrize("endpoint, role", WRONG_ROLE_CASES, ids=[f"{e}-{r}" for e, r in WRONG_ROLE_CASES])
def test_staff_with_the_wrong_role_are_refused_for_every_method(app, client, objects, endpoint, role):
    sign_in(client, factories.make_user(role.value))
    token = page_token(client, "/manage/")
    before = row_counts()
    for url, method in urls_and_methods(app, endpoint, objects):
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 403, (method, url, response.status_code)
    assert row_counts() == before


@pytest.mark.parametrize("role", list(Role))
def test_every_staff_role_reaches_the_pages_open_to_it(app, client, role):
    user = factories.make_user(role.value)
    meeting = factories.make_meeting(status="draft", department_id=user.department_id, created_by=user)
    sign_in(client, user)
    pages = {"dashboard.index": {}, "meetings_manage.index": {}, "meetings_manage.preview": {"meeting_id": meeting.id},
             "meetings_manage.new": {}, "meetings_manage.edit": {"meeting_id": meeting.id},
             "accounts_manage.users": {}, "accounts_manage.audit": {}}
    for endpoint, values in pages.items():
        with app.test_request_context():
            url = url_for(endpoint, **values)
        expected = 200 if role in ACCESS[endpoint] else 403
        assert client.get(url).status_code == expected, (role, endpoint)


def test_public_pages_are_open_to_anonymous_visitors(client):
    meeting = factories.make_meeting()
    for url in ("/", "/meetings", "/meetings?when=past", f"/meetings/{meeting.id}", "/login"):
        assert client.get(url).status_code == 200, url
    assert client.get("/language/en").status_code == 302


# ---------------------------------------------------------------------------- CSRF on every form

def post_endpoints(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            yield rule


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(app, client, objects):
    sign_in(client, factories.make_user("admin"))
    before = row_counts()
    checked = 0
    for rule in post_endpoints(app):
        with app.test_request_context():
            url = url_of(rule, objects)
        response = client.post(url, data={"reason": "无令牌", "title": "无令牌", "password": "x" * 12})
        assert response.status_code == 400, (rule.endpoint, response.status_code)
        checked += 1
    assert checked >= 10
    assert row_counts() == before


def test_a_post_with_another_sessions_csrf_token_is_refused(app, client):
    admin = factories.make_user("admin")
    victim = factories.make_user("official")
    stranger = app.test_client()
    foreign_token = page_token(stranger, "/login")
    sign_in(client, admin)
    response = client.post(f"/manage/users/{victim.id}/deactivate", data={"csrf_token": foreign_token})
    assert response.status_code == 400
    assert row_counts()["audit_events"] == 0


def test_the_csrf_error_page_is_readable(client):
    response = client.post("/login", data={"email": "a@example.org", "password": "x"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "Please reload the page and try again" in response.get_data(as_text=True)
