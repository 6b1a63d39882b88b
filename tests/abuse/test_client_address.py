"""One client address for everything: with PROXY_COUNT=0 X-Forwarded-For is ignored, with PROXY_COUNT=1 only the
value the proxy appended counts; request.remote_addr, the rate limits and the session protection agree, and a
forged header (a different value, or values prepended to the real one) never resets a limit."""
from __future__ import annotations

import pytest
from flask import request

from tests import factories
from tests.conftest import csrf_token_from, app_on_empty_tables

PROXY = "10.0.0.2"          # the reverse proxy, as the app's socket sees it
CLIENT = "198.51.100.7"     # the citizen behind it
FORGED = ["203.0.113.1", "203.0.113.2, 203.0.113.3", "unknown", "127.0.0.1", " , ", "::1"]


@pytest.fixture
def proxied_app(_schema_ready):
    """The app behind one trusted proxy (PROXY_COUNT=1), with small limits."""
    with app_on_empty_tables(PROXY_COUNT=1, LOGIN_RATE_LIMIT="3 per minute",
                     LOGIN_ACCOUNT_RATE_LIMIT="100 per minute") as app:
        yield app


def seen_address(client, **kwargs) -> tuple[str, str | None]:
    """request.remote_addr and the X-Forwarded-For header as the app saw them."""
    with client:
        client.get("/login", **kwargs)
        return request.remote_addr, request.headers.get("X-Forwarded-For")


def login_attempt(client, email: str, *, remote: str, forwarded: str | None = None):
    headers = {"Accept-Language": "en"}
    if forwarded is not None:
        headers["X-Forwarded-For"] = forwarded
    environ = {"REMOTE_ADDR": remote}
    token = csrf_token_from(client.get("/login", environ_base=environ).get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "email": email, "password": "wrong password"},
                       headers=headers, environ_base=environ)


def test_without_a_proxy_the_header_is_ignored_and_dropped(app):
    client = app.test_client()
    for forged in FORGED:
        assert seen_address(client, headers={"X-Forwarded-For": forged},
                            environ_base={"REMOTE_ADDR": CLIENT}) == (CLIENT, None)


def test_behind_one_proxy_the_address_is_the_one_the_proxy_appended(proxied_app):
    client = proxied_app.test_client()
    environ = {"REMOTE_ADDR": PROXY}
    assert seen_address(client, headers={"X-Forwarded-For": CLIENT}, environ_base=environ) == (CLIENT, None)
    for forged in FORGED:
        prepended = f"{forged}, {CLIENT}"
        assert seen_address(client, headers={"X-Forwarded-For": prepended}, environ_base=environ) == (CLIENT, None)
    # A request that reached the app without the proxy's header keeps the socket's address.
    assert seen_address(client, environ_base=environ) == (PROXY, None)


def test_without_a_proxy_forged_headers_do_not_reset_the_sign_in_limit(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    statuses = [login_attempt(client, f"n{n}@example.gov.cn", remote=CLIENT, forwarded=FORGED[n % len(FORGED)])
                .status_code for n in range(6)]
    assert statuses == [400, 400, 400, 429, 429, 429]
    # Another address has its own allowance: the limit is per address, not global.
    assert login_attempt(client, "other@example.gov.cn", remote="198.51.100.99").status_code == 400


def test_behind_a_proxy_prepended_values_do_not_reset_the_sign_in_limit(proxied_app):
    client = proxied_app.test_client()
    statuses = [login_attempt(client, f"n{n}@example.gov.cn", remote=PROXY,
                              forwarded=f"{FORGED[n % len(FORGED)]}, {CLIENT}").status_code for n in range(6)]
    assert statuses == [400, 400, 400, 429, 429, 429]
    # Every citizen comes through the same proxy, yet each has their own allowance.
    assert login_attempt(client, "other@example.gov.cn", remote=PROXY, forwarded="198.51.100.8").status_code == 400


def test_behind_a_proxy_registrations_are_limited_per_citizen_not_per_proxy(proxied_app):
    proxied_app.config["PUBLIC_WRITE_RATE_LIMIT"] = "2 per minute"
    meeting = factories.make_meeting(registration_required=True, capacity=50)
    client = proxied_app.test_client()

    def register(forwarded: str, n: int) -> int:
        environ = {"REMOTE_ADDR": PROXY}
        page = client.get(f"/meetings/{meeting.id}/register", environ_base=environ).get_data(as_text=True)
        return client.post(f"/meetings/{meeting.id}/register", environ_base=environ,
                           headers={"X-Forwarded-For": forwarded},
                           data={"csrf_token": csrf_token_from(page), "name": f"市民{n}",
                                 "mobile": f"1380013{n:04d}"}).status_code

    assert [register(f"203.0.113.{n}, {CLIENT}", n) for n in range(4)] == [200, 200, 429, 429]
    assert register("198.51.100.8", 10) == 200


def test_a_stolen_session_cookie_does_not_pass_session_protection_by_forging_the_victims_address(app):
    """Flask-Login's strong session protection hashes the client address; it must be the trusted one, or a
    thief replaying the cookie from elsewhere passes by sending X-Forwarded-For with the victim's address."""
    official = factories.make_user("official")
    victim = app.test_client()
    token = csrf_token_from(victim.get("/login", environ_base={"REMOTE_ADDR": CLIENT}).get_data(as_text=True))
    response = victim.post("/login", environ_base={"REMOTE_ADDR": CLIENT}, data={
        "csrf_token": token, "email": official.email, "password": factories.DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert victim.get("/manage/", environ_base={"REMOTE_ADDR": CLIENT}).status_code == 200
    # The same cookie, sent from another address with the victim's address in the header.
    response = victim.get("/manage/", environ_base={"REMOTE_ADDR": "203.0.113.66"},
                          headers={"X-Forwarded-For": CLIENT})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
