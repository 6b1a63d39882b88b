"""Staff sign-in and sign-out: safe `next` redirects, the rate limit, and sessions that end when an account
is deactivated or its password is reset."""
from __future__ import annotations

import pytest

from app.extensions import db
from tests import factories
from tests.conftest import csrf_token_from
from tests.helpers import page_token, sign_in, text_of


def post_login(client, email, password, **extra):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password, **extra},
                       headers={"Accept-Language": "en"})


@pytest.fixture
def official(app):
    return factories.make_user("official", email="official@example.gov.cn")


def test_signing_in_opens_the_dashboard(client, official):
    response = post_login(client, "official@example.gov.cn", factories.DEFAULT_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/manage/"
    assert client.get("/manage/").status_code == 200


def test_a_wrong_password_shows_one_message_next_to_the_password_and_signs_nobody_in(client, official):
    response = post_login(client, "official@example.gov.cn", "not the password")
    assert response.status_code == 400
    assert "Email or password is not correct" in text_of(response)
    assert client.get("/manage/").status_code == 302


def test_an_unknown_email_gets_the_same_message_as_a_wrong_password(client, official):
    unknown = text_of(post_login(client, "nobody@example.gov.cn", "whatever password"))
    wrong = text_of(post_login(client, "official@example.gov.cn", "whatever password"))
    assert "Email or password is not correct" in unknown and "Email or password is not correct" in wrong


def test_a_deactivated_account_cannot_sign_in(client):
    factories.make_user("official", email="gone@example.gov.cn", is_active=False)
    assert post_login(client, "gone@example.gov.cn", factories.DEFAULT_PASSWORD).status_code == 400
    assert client.get("/manage/").status_code == 302


def test_a_signed_in_user_visiting_login_goes_to_the_dashboard(client, official):
    sign_in(client, official)
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/manage/"


def test_signing_out_ends_the_session(client, official):
    sign_in(client, official)
    response = client.post("/logout", data={"csrf_token": page_token(client)})
    assert response.status_code == 302
    assert client.get("/manage/").status_code == 302


def test_signing_out_needs_a_post_with_a_token(client, official):
    sign_in(client, official)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/manage/").status_code == 200


def test_a_staff_page_sends_anonymous_visitors_to_sign_in_and_back(client, official):
    response = client.get("/manage/meetings/?status=draft")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next"' in login_page
    response = post_login(client, "official@example.gov.cn", factories.DEFAULT_PASSWORD,
                          next="/manage/meetings/?status=draft")
    assert response.headers["Location"] == "/manage/meetings/?status=draft"


@pytest.mark.parametrize("target", [
    "//evil.com", "https://evil.com", "http://evil.com/manage/", "/\\evil.com", "\\\\evil.com", "javascript:alert(1)",
    "JavaScript:alert(1)", "///evil.com", " //evil.com", "/\t/evil.com", "/\r\nLocation: https://evil.com",
    "evil.com", "https:evil.com", "//evil.com/%2F..", "data:text/html,hi",
])
def test_next_never_leads_off_the_site(client, official, target):
    response = post_login(client, "official@example.gov.cn", factories.DEFAULT_PASSWORD, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"


def test_next_from_the_query_string_is_also_checked(client, official):
    page = client.get("/login?next=//evil.com").get_data(as_text=True)
    assert 'value="//evil.com"' in page  # carried in the form as data, checked when used
    token = csrf_token_from(page)
    response = client.post("/login", data={"csrf_token": token, "email": "official@example.gov.cn",
                                           "password": factories.DEFAULT_PASSWORD, "next": "//evil.com"})
    assert response.headers["Location"] == "/manage/"


# ---------------------------------------------------------------------------- rate limit

def test_repeated_sign_in_attempts_from_one_address_are_limited_with_a_readable_page(app, client, official):
    """Per address (LOGIN_RATE_LIMIT, 10 a minute): guesses at many accounts are limited too. The per-account
    limit is tests/accounts/test_login_throttle.py."""
    statuses = [post_login(client, f"guess{n}@example.gov.cn", f"wrong {n}").status_code for n in range(10)]
    assert statuses == [400] * 10
    response = post_login(client, "official@example.gov.cn", factories.DEFAULT_PASSWORD)
    assert response.status_code == 429
    body = text_of(response)
    assert "Too many requests" in body and "Too many sign-in attempts" in body and "try again in 1 minute" in body
    assert "<html" in body and "Traceback" not in body
    assert client.get("/manage/").status_code == 302  # the right password did not get through


def test_the_rate_limit_does_not_block_reading_the_sign_in_page(client, official):
    for n in range(11):
        post_login(client, f"guess{n}@example.gov.cn", f"wrong {n}")
    assert client.get("/login").status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_limit(client, official):
    for n in range(10):
        post_login(client, f"guess{n}@example.gov.cn", f"wrong {n}")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "email": "official@example.gov.cn",
                                           "password": factories.DEFAULT_PASSWORD},
                           headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 429


# ---------------------------------------------------------------------------- sessions that end

@pytest.fixture
def admin_client(app):
    admin = factories.make_user("admin")
    client = app.test_client()
    sign_in(client, admin)
    return client


def test_a_deactivated_user_is_signed_out_on_their_next_request(client, admin_client, official):
    sign_in(client, official)
    assert client.get("/manage/").status_code == 200
    response = admin_client.post(f"/manage/users/{official.id}/deactivate",
                                 data={"csrf_token": page_token(admin_client)})
    assert response.status_code == 302
    response = client.get("/manage/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/manage/meetings/").status_code == 302


def test_a_password_reset_signs_the_user_out_everywhere(client, admin_client, official):
    sign_in(client, official)
    response = admin_client.post(f"/manage/users/{official.id}/password",
                                 data={"csrf_token": page_token(admin_client), "password": "the new password 2030"})
    assert response.status_code == 302
    assert client.get("/manage/").status_code == 302
    assert post_login(client, "official@example.gov.cn", factories.DEFAULT_PASSWORD).status_code == 400
    assert post_login(client, "official@example.gov.cn", "the new password 2030").status_code == 302


def test_a_role_change_takes_effect_on_the_next_request(client, admin_client, official):
    sign_in(client, official)
    assert client.get("/manage/meetings/new").status_code == 200
    response = admin_client.post(f"/manage/users/{official.id}", data={
        "csrf_token": page_token(admin_client), "name": official.name, "role": "clerk",
        "department_id": str(official.department_id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert client.get("/manage/meetings/new").status_code == 302  # signed out, must sign in again
    sign_in(client, official)
    assert client.get("/manage/meetings/new").status_code == 403


def test_a_session_from_before_sign_in_is_not_reused(client, official):
    """A fresh session on sign-in: a value planted before signing in does not survive it."""
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, official)
    with client.session_transaction() as session:
        assert "planted" not in session
