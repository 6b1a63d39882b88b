"""Rate limits hold across two app processes sharing Redis: two gunicorn processes behind a (simulated)
trusted proxy, PROXY_COUNT=1, requests sent alternately to each. Every limit is counted once for both, the
request beyond it gets a readable 429 page in the user's language (never a 500), values a client prepends
to X-Forwarded-For do not give it a new allowance, and both access logs show the client's address."""
from __future__ import annotations

import os
import re
from types import SimpleNamespace

import pytest
import redis
import sqlalchemy as sa

from tests.abuse.live import (ADMIN_EMAIL, OFFICIAL_EMAIL, Browser, app_context, app_servers,
                              migrated_database, seed_city, server_env)
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.redis

LIMITS = {"PUBLIC_WRITE_RATE_LIMIT": "5 per minute", "QUESTION_VOTE_RATE_LIMIT": "4 per minute",
          "LOGIN_RATE_LIMIT": "6 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "4 per minute",
          "CHECK_IN_RATE_LIMIT": "5 per minute"}
TOO_MANY_ZH = "您在短时间内操作次数过多，请稍候再试。"
LOCKED_ZH = "该邮箱地址或您所在网络的登录尝试次数过多"
LOCKED_EN = "Too many sign-in attempts with this email address or from your network"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    directory = tmp_path_factory.mktemp("shared-limits")
    with migrated_database(directory) as url:
        with app_context(url):
            ids = seed_city()
        env = server_env(url, REDIS_URL=os.environ["REDIS_URL"], PROXY_COUNT="1", **LIMITS)
        try:
            with app_servers(2, env, directory) as servers:
                yield SimpleNamespace(servers=servers, ids=ids, url=url)
        finally:
            store = redis.Redis.from_url(os.environ["REDIS_URL"])
            keys = list(store.scan_iter(f"*{env['RATELIMIT_KEY_PREFIX']}*"))
            if keys:
                store.delete(*keys)
            store.close()


def alternately(cluster, count: int, send) -> list:
    """`send(server_url, n)` for n in range(count), to the two processes in turn."""
    return [send(cluster.servers[n % 2].url, n) for n in range(count)]


def assert_readable_429(response, *texts: str) -> None:
    assert response.status == 429, response.status
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text and "Traceback" not in response.text
    for text in texts:
        assert text in response.text, text


def registrations(cluster) -> int:
    from app.extensions import db
    from app.registrations.models import Registration

    with app_context(cluster.url):
        return db.session.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one()


def test_registrations_are_counted_once_across_both_processes_whatever_the_client_prepends(cluster):
    meeting = cluster.ids["meeting_id"]
    before = registrations(cluster)

    def register(base: str, n: int):
        # The client sends its own X-Forwarded-For; the proxy appends the address it sees.
        browser = Browser(forwarded_for=f"203.0.113.{n}, 198.51.100.10")
        return browser.submit(f"{base}/meetings/{meeting}/register",
                              {"name": f"居民{n}", "email": f"shared{n}@example.cn"})

    responses = alternately(cluster, 7, register)
    assert [r.status for r in responses] == [200] * 5 + [429, 429]
    assert_readable_429(responses[-1], "请求过于频繁", TOO_MANY_ZH)
    assert registrations(cluster) == before + 5
    # Someone else behind the same proxy still registers.
    other = Browser(forwarded_for="198.51.100.11").submit(
        f"{cluster.servers[1].url}/meetings/{meeting}/register", {"name": "邻居", "email": "neighbour@example.cn"})
    assert other.status == 200
    # Both processes logged the client's address, never the one it prepended.
    for server in cluster.servers:
        log = server.log()
        assert re.search(rf'^198\.51\.100\.10 .*"POST /meetings/{meeting}/register ', log, re.M), server.name
        assert "203.0.113." not in log


def test_votes_are_counted_once_per_voter_across_both_processes(cluster):
    question = cluster.ids["question_id"]
    browser = Browser(language="en", forwarded_for="198.51.100.20")
    vote = f"/questions/{question}/vote"
    token = browser.token(f"{cluster.servers[0].url}/meetings/{cluster.ids['meeting_id']}/questions")
    first = browser.post(cluster.servers[0].url + vote, {"csrf_token": token})
    assert first.status == 303  # this sets the voter cookie, which keys the limit from now on
    responses = alternately(cluster, 5, lambda base, n: browser.post(base + vote, {"csrf_token": token}))
    assert [r.status for r in responses] == [303, 303, 303, 303, 429]
    assert_readable_429(responses[-1], "Too many requests", "Please wait a moment and try again")


def test_sign_in_attempts_from_one_address_are_counted_once_across_both_processes(cluster):
    def attempt(base: str, n: int):
        return Browser(forwarded_for=f"10.{n}.0.1, 198.51.100.30").submit(
            f"{base}/login", {"email": f"guess{n}@example.gov.cn", "password": "wrong password"})

    responses = alternately(cluster, 8, attempt)
    assert [r.status for r in responses] == [400] * 6 + [429, 429]
    assert_readable_429(responses[-1], LOCKED_ZH)


def test_guesses_at_one_account_from_many_addresses_are_counted_once_across_both_processes(cluster):
    def attempt(base: str, n: int):
        return Browser(language="en", forwarded_for=f"192.0.2.{n + 1}").submit(
            f"{base}/login", {"email": OFFICIAL_EMAIL, "password": "wrong password"})

    responses = alternately(cluster, 5, attempt)
    assert [r.status for r in responses] == [400] * 4 + [429]
    assert_readable_429(responses[-1], LOCKED_EN)
    right = Browser(forwarded_for="192.0.2.200").submit(
        f"{cluster.servers[1].url}/login", {"email": OFFICIAL_EMAIL, "password": DEFAULT_PASSWORD})
    assert right.status == 429  # locked out: even the right password waits


def test_check_ins_are_counted_once_across_both_processes(cluster):
    staff = Browser(forwarded_for="198.51.100.40")
    assert staff.submit(f"{cluster.servers[0].url}/login",
                        {"email": ADMIN_EMAIL, "password": DEFAULT_PASSWORD}).status == 302
    meeting, people = cluster.ids["meeting_id"], cluster.ids["registration_ids"]

    def check_in(base: str, n: int):
        door = f"{base}/manage/meetings/{meeting}/check-in"
        return staff.submit(door, {}, post_url=f"{door}/{people[n % len(people)]}")

    responses = alternately(cluster, 7, check_in)
    assert [r.status for r in responses] == [302] * 5 + [429, 429]
    assert_readable_429(responses[-1], "请求过于频繁")
    assert staff.get(f"{cluster.servers[1].url}/manage/").status == 200  # still signed in, on both
