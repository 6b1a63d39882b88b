"""No endpoint tells whether a given email or mobile number registered for a meeting, asked a question, can
follow an action item, or has a staff account: for a known and an unknown contact the response (status,
headers, redirect target, and the body apart from the echoed input) is the same. The kind message for the
person who owns the contact goes to them by email instead."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import werkzeug.security

from app.accounts import models as account_models
from app.accounts import services as account_services
from app.extensions import db
from app.notify.models import OutboxMessage
from app.registrations import services as registration_services
from app.registrations.models import Registration
from tests import factories
from tests.actions.builders import make_item
from tests.conftest import CSRF_RE, csrf_token_from
from tests.minutes.builders import add_registrant

# Values that differ between any two requests, whoever sends them.
VOLATILE_HEADERS = {"Date", "Content-Length", "X-RateLimit-Reset", "Retry-After"}
TOKEN_IN_LINK = re.compile(r"(/questions/t/|/registrations/)[A-Za-z0-9_-]{16,}")
_addresses = iter(f"198.51.100.{n}" for n in range(1, 250))


def fingerprint(response, *echoed: str) -> tuple:
    """What a response tells: status, redirect target, headers and cookies (names and attributes), and the
    body with the echoed input, CSRF tokens and private-link tokens blanked out."""
    body = response.get_data(as_text=True)
    for n, value in enumerate(echoed):
        body = body.replace(value, f"<echo {n}>")
    body = TOKEN_IN_LINK.sub(r"\1<token>", CSRF_RE.sub('name="csrf_token" value="<csrf>"', body))
    headers = sorted((name, value) for name, value in response.headers.items()
                     if name not in VOLATILE_HEADERS and name != "Set-Cookie")
    cookies = sorted(re.sub(r"=[^;]*", "=<value>", cookie, count=1)
                     for cookie in response.headers.getlist("Set-Cookie"))
    return response.status_code, response.headers.get("Location"), headers, cookies, body


def visitor(app):
    """A new browser from a new address, so that neither cookies nor rate-limit counters carry over."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = next(_addresses)
    return client


def post_form(client, form_url: str, data: dict, post_url: str | None = None, language: str = "en"):
    page = client.get(form_url, headers={"Accept-Language": language}).get_data(as_text=True)
    fields = {"csrf_token": csrf_token_from(page), **data}
    submission = re.search(r'name="submission_id"[^>]*value="([^"]+)"', page)
    if submission:
        fields.setdefault("submission_id", submission.group(1))
    return client.post(post_url or form_url, data=fields, headers={"Accept-Language": language})


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


@pytest.fixture
def meeting(app):
    return factories.make_meeting(registration_required=True, capacity=50, title="社区议事会")


def registered(meeting, *, email: str = "", mobile: str = "") -> Registration:
    data = registration_services.RegistrationInput(name="原登记人", email=email, mobile=mobile)
    return registration_services.register_citizen(meeting, data, submission_id=None).registration


# ---------------------------------------------------------------------------- registration

@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_registering_with_a_registered_email_looks_the_same_as_with_a_new_one(app, meeting, language):
    registered(meeting, email="known@example.cn")
    before = len(outbox())
    url = f"/meetings/{meeting.id}/register"
    known = post_form(visitor(app), url, {"name": "张三", "email": "known@example.cn"}, language=language)
    fresh = post_form(visitor(app), url, {"name": "张三", "email": "fresh@example.cn"}, language=language)
    assert known.status_code == 200
    assert fingerprint(known, "known@example.cn") == fingerprint(fresh, "fresh@example.cn")
    # The owner of the registered address is told kindly, by email; the new address gets its confirmation.
    mails = outbox()[before:]
    assert [(m.to_address, "fresh private link" in m.body_text or "新的专属链接" in m.body_text) for m in mails] == [
        ("known@example.cn", True), ("fresh@example.cn", False)]


def test_registering_with_a_registered_mobile_looks_the_same_as_with_a_new_one(app, meeting):
    registered(meeting, mobile="13800138000")
    url = f"/meetings/{meeting.id}/register"
    known = post_form(visitor(app), url, {"name": "李四", "mobile": "13800138000"})
    fresh = post_form(visitor(app), url, {"name": "李四", "mobile": "13900139000"})
    assert known.status_code == 200
    assert fingerprint(known, "13800138000") == fingerprint(fresh, "13900139000")


def test_the_registration_page_shows_no_code_or_private_link_of_anyone(app, meeting):
    """The code and link go only to the email address: the page cannot show them for a new registration
    without showing, by their absence, that the contact was registered already."""
    response = post_form(visitor(app), f"/meetings/{meeting.id}/register",
                         {"name": "王五", "email": "wangwu@example.cn"})
    registration = db.session.execute(sa.select(Registration)).scalar_one()
    body = response.get_data(as_text=True)
    assert registration.code not in body and "/registrations/" not in body
    assert "wangwu@example.cn" in body  # the address it went to, to spot a typo


# ---------------------------------------------------------------------------- questions

def test_asking_with_an_email_that_asked_before_looks_the_same_as_with_a_new_one(app, meeting):
    url = f"/meetings/{meeting.id}/questions"
    question = {"body": "小区停车位什么时候划线？", "topic": "urban_management", "confirmed": "1"}
    post_form(visitor(app), url, {**question, "contact_email": "asker@example.cn"})
    known = post_form(visitor(app), url, {**question, "contact_email": "asker@example.cn"})
    fresh = post_form(visitor(app), url, {**question, "contact_email": "other@example.cn"})
    assert known.status_code == 200
    assert fingerprint(known, "asker@example.cn") == fingerprint(fresh, "other@example.cn")


# ---------------------------------------------------------------------------- action items

def test_following_an_action_item_with_a_participants_email_looks_the_same_as_with_a_strangers(app):
    department = factories.make_department()
    official = factories.make_user("official", department=department)
    meeting = factories.make_meeting(starts_in=-timedelta(days=3), department_id=department.id, created_by=official)
    add_registrant(meeting, 1, email="resident@example.cn")
    item = make_item(official, meeting)
    url = f"/actions/{item.id}"
    answers = {}
    for email in ("resident@example.cn", "stranger@example.cn"):
        client = visitor(app)
        response = post_form(client, url, {"email": email}, post_url=f"{url}/follow")
        answers[email] = (fingerprint(response, email), fingerprint(client.get(response.headers["Location"])))
    assert answers["resident@example.cn"][0][0] == 303
    assert answers["resident@example.cn"] == answers["stranger@example.cn"]
    assert [m.to_address for m in outbox()] == ["resident@example.cn"]  # the invitation goes to the owner only


# ---------------------------------------------------------------------------- staff accounts

def sign_in(client, email: str, password: str):
    return post_form(client, "/login", {"email": email, "password": password})


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(app):
    factories.make_user("official", email="staff@example.gov.cn")
    wrong = sign_in(visitor(app), "staff@example.gov.cn", "not the password")
    unknown = sign_in(visitor(app), "nobody@example.gov.cn", "not the password")
    assert wrong.status_code == 400
    assert fingerprint(wrong, "staff@example.gov.cn") == fingerprint(unknown, "nobody@example.gov.cn")


def test_an_accounts_recent_sign_ins_do_not_show_in_the_answer_to_a_stranger(app):
    """Sign-ins count against the account (right or wrong): the rate-limit headers must not report that
    counter, or a stranger's first try would show whether, and how often, the owner signed in just now."""
    factories.make_user("official", email="staff@example.gov.cn")
    owner = visitor(app)
    for _ in range(2):
        assert sign_in(owner, "staff@example.gov.cn", factories.DEFAULT_PASSWORD).status_code == 302
        owner.post("/logout", data={"csrf_token": csrf_token_from(owner.get("/manage/").get_data(as_text=True))})
    known = sign_in(visitor(app), "staff@example.gov.cn", "not the password")
    unknown = sign_in(visitor(app), "nobody@example.gov.cn", "not the password")
    assert known.headers["X-RateLimit-Remaining"]  # the headers are there: the client's own address's counter
    assert fingerprint(known, "staff@example.gov.cn") == fingerprint(unknown, "nobody@example.gov.cn")


def test_a_locked_out_account_and_a_locked_out_unknown_email_get_the_same_answer(app):
    app.config.update(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="2 per minute")
    factories.make_user("official", email="staff@example.gov.cn")
    answers = {}
    for email in ("staff@example.gov.cn", "nobody@example.gov.cn"):
        statuses = [sign_in(visitor(app), email, "not the password").status_code for _ in range(2)]
        assert statuses == [400, 400]
        answers[email] = sign_in(visitor(app), email, "not the password")
    assert answers["staff@example.gov.cn"].status_code == 429
    assert (fingerprint(answers["staff@example.gov.cn"], "staff@example.gov.cn")
            == fingerprint(answers["nobody@example.gov.cn"], "nobody@example.gov.cn"))


@pytest.fixture
def password_checks(monkeypatch):
    """Every password hash checked, by its method (e.g. scrypt:32768:8:1): the work a sign-in does."""
    methods = []
    real = werkzeug.security.check_password_hash

    def spy(pwhash, password):
        methods.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(account_models, "check_password_hash", spy)
    monkeypatch.setattr(account_services, "check_password_hash", spy)
    return methods


def test_an_unknown_email_costs_the_same_password_hashing_as_a_wrong_password(app, password_checks):
    user = factories.make_user("official", email="staff@example.gov.cn", password="a real password 2030")
    method = user.password_hash.split("$", 1)[0]
    factories.make_user("clerk", email="gone@example.gov.cn", is_active=False, password="a real password 2030")
    for email in ("staff@example.gov.cn", "nobody@example.gov.cn", "gone@example.gov.cn"):
        password_checks.clear()
        assert sign_in(visitor(app), email, "not the password").status_code == 400
        assert password_checks == [method], email
