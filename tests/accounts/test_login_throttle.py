"""Sign-in throttling per account: guesses at one account spread over many addresses are slowed, the
lock-out page is readable in the user's language, the right password does not get through while it lasts,
and signing in works again once it is over."""
from __future__ import annotations

import limits.storage.memory
import pytest

from tests import factories
from tests.conftest import csrf_token_from
from tests.helpers import text_of

EMAIL = "official@example.gov.cn"
LOCKED_EN = "Too many sign-in attempts with this email address or from your network"
LOCKED_ZH = "该邮箱地址或您所在网络的登录尝试次数过多"


class Clock:
    """The clock of the in-memory rate-limit store, moved forward by the test instead of waiting."""

    def __init__(self):
        import time

        self._time = time
        self.offset = 0.0

    def time(self) -> float:
        return self._time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    return clock


@pytest.fixture
def official(app):
    app.config.update(LOGIN_RATE_LIMIT="100 per minute", LOGIN_ACCOUNT_RATE_LIMIT="3 per minute;10 per hour")
    return factories.make_user("official", email=EMAIL)


def attempt(client, email, password="wrong password", *, address="198.51.100.1", language="en"):
    environ = {"REMOTE_ADDR": address}
    token = csrf_token_from(client.get("/login", environ_base=environ).get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password},
                       environ_base=environ, headers={"Accept-Language": language})


def test_guesses_from_many_addresses_at_one_account_are_locked_out(client, official):
    statuses = [attempt(client, EMAIL, address=f"203.0.113.{n}").status_code for n in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    locked = attempt(client, EMAIL, factories.DEFAULT_PASSWORD, address="192.0.2.200")
    assert locked.status_code == 429
    body = text_of(locked)
    assert LOCKED_EN in body and "try again in 1 minute" in body and "Traceback" not in body
    assert int(locked.headers["Retry-After"]) > 0
    assert client.get("/manage/", environ_base={"REMOTE_ADDR": "192.0.2.200"}).status_code == 302


def test_the_lock_out_page_is_in_the_users_language(client, official):
    for n in range(3):
        attempt(client, EMAIL, address=f"203.0.113.{n}")
    body = text_of(attempt(client, EMAIL, language="zh-CN"))
    assert LOCKED_ZH in body and "请求过于频繁" in body


def test_other_accounts_are_not_locked_out(client, official):
    for n in range(4):
        attempt(client, EMAIL, address=f"203.0.113.{n}")
    other = factories.make_user("clerk", email="clerk@example.gov.cn")
    assert attempt(client, other.email, factories.DEFAULT_PASSWORD).status_code == 302


def test_spelling_the_email_differently_does_not_give_fresh_attempts(client, official):
    for n, spelling in enumerate([EMAIL, EMAIL.upper(), f"  {EMAIL}\u200b "]):
        assert attempt(client, spelling, address=f"203.0.113.{n}").status_code == 400
    assert attempt(client, f"\u200b{EMAIL.title()}", address="203.0.113.9").status_code == 429


def test_signing_in_works_again_once_the_lock_out_is_over(client, official, clock):
    for n in range(4):
        attempt(client, EMAIL, address=f"203.0.113.{n}")
    assert attempt(client, EMAIL, factories.DEFAULT_PASSWORD).status_code == 429
    clock.advance(61)
    response = attempt(client, EMAIL, factories.DEFAULT_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/manage/"
    assert client.get("/manage/", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 200


def test_the_hourly_allowance_locks_out_for_longer(client, official, clock):
    for minute in range(3):
        statuses = [attempt(client, EMAIL, address=f"203.0.{minute}.{n}").status_code for n in range(3)]
        assert statuses == [400, 400, 400]
        clock.advance(61)
    assert attempt(client, EMAIL).status_code == 400       # the tenth attempt of the hour
    locked = attempt(client, EMAIL, factories.DEFAULT_PASSWORD)
    assert locked.status_code == 429 and "minutes" in text_of(locked)
    clock.advance(3600)
    assert attempt(client, EMAIL, factories.DEFAULT_PASSWORD).status_code == 302
