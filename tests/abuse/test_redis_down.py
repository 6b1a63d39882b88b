"""Redis down: with REDIS_URL pointing where nothing listens, or with Redis frozen or stopped while the app runs,
every page and every rate-limited write still works (never a 500), the limits fall back to each process's
memory, a warning is logged, and the app goes back to Redis once it answers again. Real gunicorn processes
on a database made by the migrations; the frozen and stopped Redis is a private redis-server."""
from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
import redis

from tests.abuse.live import (ADMIN_EMAIL, Browser, RedisServer, app_context, app_servers, free_port,
                              migrated_database, page_paths, seed_city, server_env)
from tests.factories import DEFAULT_PASSWORD
from tests.test_security import ACCESS, PUBLIC

WARNING = "Rate limit storage unreachable - falling back to in-memory storage"
# Staff writes that are rate-limited (the door); every public write is too.
LIMITED_STAFF_WRITES = {"registrations_manage.do_check_in", "registrations_manage.add_walk_in"}
# Pages that answer with a redirect or a 404 for the seeded objects (and are fine, as long as it is not a 5xx).
NOT_A_200 = {"site.set_language",            # redirects back
             "minutes_manage.edit",          # no draft is open: the published minutes are not editable
             "minutes_manage.hearing_edit"}  # neither meeting is a hearing


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    directory = tmp_path_factory.mktemp("redis-down")
    with migrated_database(directory) as url:
        with app_context(url) as app:
            ids = seed_city()
            paths = page_paths(app, ids)
            public_writes = {rule.endpoint for rule in app.url_map.iter_rules()
                             if "POST" in rule.methods and ACCESS.get(rule.endpoint) == PUBLIC}
        yield SimpleNamespace(url=url, directory=directory, ids=ids, paths=paths, public_writes=public_writes)


def crawl(browser: Browser, server, paths) -> dict[str, int]:
    return {path: browser.get(server.url + path).status for _endpoint, path in paths}


def sign_in(browser: Browser, server, email: str = ADMIN_EMAIL, password: str = DEFAULT_PASSWORD):
    return browser.submit(f"{server.url}/login", {"email": email, "password": password})


def register(browser: Browser, server, meeting_id: int, n: int):
    return browser.submit(f"{server.url}/meetings/{meeting_id}/register",
                          {"name": f"访客{n}", "mobile": f"1390013{n:04d}", "neighbourhood": "水果湖"})


def every_write(city, server) -> dict[str, int]:
    """One request to each rate-limited write, as a citizen and as staff; returns endpoint -> status."""
    ids, base = city.ids, server.url
    citizen, staff = Browser(language="en"), Browser(language="en")
    token = citizen.token(f"{base}/login")

    def post(path: str, data: dict | None = None) -> int:
        return citizen.post(base + path, {"csrf_token": token, **(data or {})}).status

    meeting, reg, question = ids["meeting_id"], ids["registration_token"], ids["question_token"]
    statuses = {
        "registrations.register": register(citizen, server, meeting, 9000).status,
        "registrations.update_needs": post(f"/registrations/{reg}/needs", {"needs_large_print": "y"}),
        "questions.ask": post(f"/meetings/{meeting}/questions", {
            "body": "小区门口的公交站能不能加个雨棚？", "topic": "transport", "confirmed": "1"}),
        "questions.vote": post(f"/questions/{ids['question_id']}/vote"),
        "questions.stop_emails": post(f"/questions/t/{question}/stop-emails"),
        "actions.follow": post(f"/actions/{ids['action_id']}/follow", {"email": "someone@example.cn"}),
        "actions.confirm_follow": post(f"/actions/{ids['action_id']}/follow/{ids['invite_token']}"),
        "actions.follower": post(f"/actions/f/{ids['follower_token']}", {"value": "satisfied"}),
        "actions.unsubscribe": post(f"/actions/unsubscribe/{ids['follower_token']}"),
        "calendar.unsubscribe": post(f"/notifications/unsubscribe/{ids['unsubscribe_token']}"),
        "accounts.login": sign_in(citizen, server, password="not the password").status,
    }
    assert sign_in(staff, server).status == 302
    door = f"{base}/manage/meetings/{meeting}/check-in"
    statuses["registrations_manage.do_check_in"] = staff.submit(
        door, {}, post_url=f"{door}/{ids['registration_ids'][1]}").status
    statuses["registrations_manage.add_walk_in"] = staff.submit(
        door, {"name": "临时来访", "neighbourhood": ""}, post_url=f"{base}/manage/meetings/{meeting}/walk-ins").status
    statuses["accounts.logout"] = staff.submit(f"{base}/manage/", {}, post_url=f"{base}/logout").status
    statuses["registrations.cancel"] = post(f"/registrations/{reg}/cancel")
    return statuses


EXPECTED_WRITES = {
    "registrations.register": 200, "registrations.update_needs": 302, "registrations.cancel": 200,
    "questions.ask": 200, "questions.vote": 303, "questions.stop_emails": 303,
    "actions.follow": 303, "actions.confirm_follow": 303, "actions.follower": 303, "actions.unsubscribe": 303,
    "calendar.unsubscribe": 302, "accounts.login": 400, "accounts.logout": 302,
    "registrations_manage.do_check_in": 302, "registrations_manage.add_walk_in": 302,
}


def test_the_write_list_covers_every_public_write(city):
    assert city.public_writes - {"accounts.logout"} <= set(EXPECTED_WRITES), "add the new public write to every_write"
    assert LIMITED_STAFF_WRITES <= set(EXPECTED_WRITES)


def test_with_nothing_listening_at_redis_url_every_page_and_write_works_and_limits_fall_back_to_memory(city):
    env = server_env(city.url, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
                     PUBLIC_WRITE_RATE_LIMIT="6 per minute")
    with app_servers(1, env, city.directory) as [server]:
        anonymous = crawl(Browser(language="en"), server, city.paths)
        staff = Browser()
        assert sign_in(staff, server).status == 302
        signed_in = crawl(staff, server, city.paths)
        for path, status in {**anonymous, **signed_in}.items():
            assert status < 500, (path, status, server.log()[-3000:])
        served = {endpoint for endpoint, path in city.paths if signed_in[path] == 200 or anonymous[path] == 200}
        missing = {endpoint for endpoint, _path in city.paths} - served - NOT_A_200
        assert not missing, f"never served with a 200: {sorted(missing)}"

        assert every_write(city, server) == EXPECTED_WRITES

        # The limits still hold, counted in this process's memory: one registration above, five more here.
        browser = Browser(language="en")
        statuses = [register(browser, server, city.ids["meeting_id"], n).status for n in range(7)]
        assert statuses == [200] * 5 + [429, 429]
        refused = register(browser, server, city.ids["meeting_id"], 99)
        assert refused.status == 429 and "Too many requests" in refused.text and "Traceback" not in refused.text
        assert WARNING in server.log()
        assert " 500 " not in server.log()


@pytest.mark.redis
def test_redis_freezing_and_stopping_mid_run_fails_no_request_and_the_app_goes_back_to_it(city):
    own = RedisServer(city.directory)
    own.start()
    try:
        env = server_env(city.url, REDIS_URL=own.url, PUBLIC_WRITE_RATE_LIMIT="3 per minute", REDIS_TIMEOUT="1")
        counters = redis.Redis(port=own.port, socket_timeout=10)
        pattern = f"*{env['RATELIMIT_KEY_PREFIX']}*"
        meeting = city.ids["meeting_id"]
        with app_servers(1, env, city.directory) as [server]:
            browser = Browser(language="en")
            assert [register(browser, server, meeting, 100 + n).status for n in range(2)] == [200, 200]
            assert list(counters.scan_iter(pattern)), "the registrations were not counted in Redis"

            # Frozen: the kernel accepts connections, Redis never answers; after REDIS_TIMEOUT the process
            # gives up on it for this request and the ones after (the client would give up after 30 s).
            own.pause()
            assert register(browser, server, meeting, 110).status == 200
            assert WARNING in server.log()
            # Counted in memory from here: two more, then refused.
            assert [register(browser, server, meeting, 111 + n).status for n in range(3)] == [200, 200, 429]

            own.resume()
            own.stop()
            assert register(browser, server, meeting, 120).status == 429
            assert browser.get(f"{server.url}/meetings/{meeting}").status == 200

            # Redis is back (empty): within Flask-Limiter's back-off the process counts there again.
            own.start()
            deadline = time.monotonic() + 90
            while not list(counters.scan_iter(pattern)):
                assert time.monotonic() < deadline, "the app did not go back to Redis"
                browser.get(f"{server.url}/meetings/{meeting}/questions/similar?q=elevator")
                time.sleep(1)
            assert register(browser, server, meeting, 130).status == 200
            assert " 500 " not in server.log()
    finally:
        own.stop()
