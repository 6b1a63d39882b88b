"""Pages behind a private link, the ticket PDF and the door's search and undo are rate-limited: past the
limit a client gets a readable 429 page in its language, not the page (and not a 500)."""
from __future__ import annotations

import html
import re
import secrets

import pytest

from app.registrations import services as registration_services
from tests import factories
from tests.helpers import page_token

FAKE = "x" * 43  # shaped like a token, matching nothing: what someone guessing would send


def readable_429(response, language: str) -> bool:
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())
    if language == "en":
        return "Too many requests" in text and "Please wait a moment and try again." in text
    return "您在短时间内操作次数过多，请稍候再试。" in text


@pytest.fixture
def registration_token(app):
    meeting = factories.make_meeting(registration_required=True, capacity=10)
    result = registration_services.register_citizen(
        meeting, registration_services.RegistrationInput(name="张三", mobile="13800138000"),
        submission_id=secrets.token_urlsafe(32))
    return result.token


PRIVATE_PAGES = [
    # (config key, url pattern, status of an allowed request)
    ("PRIVATE_LINK_RATE_LIMIT", "/registrations/{token}", 200),
    ("TICKET_RATE_LIMIT", "/registrations/{token}/ticket.pdf", 200),
    ("PRIVATE_LINK_RATE_LIMIT", "/registrations/{fake}", 404),
    ("PRIVATE_LINK_RATE_LIMIT", "/questions/t/{fake}", 404),
    ("PRIVATE_LINK_RATE_LIMIT", "/actions/f/{fake}", 404),
    ("PRIVATE_LINK_RATE_LIMIT", "/actions/unsubscribe/{fake}", 404),
    ("PRIVATE_LINK_RATE_LIMIT", "/actions/1/follow/{fake}", 404),
    ("PRIVATE_LINK_RATE_LIMIT", "/notifications/unsubscribe/{fake}", 404),
]


@pytest.mark.parametrize("key, pattern, allowed", PRIVATE_PAGES, ids=[p[1] for p in PRIVATE_PAGES])
@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_private_link_pages_answer_429_with_a_readable_page_past_their_limit(app, client, registration_token,
                                                                            key, pattern, allowed, language):
    app.config[key] = "3 per minute"
    url = pattern.format(token=registration_token, fake=FAKE)
    headers = {"Accept-Language": language}
    statuses = [client.get(url, headers=headers).status_code for _ in range(3)]
    assert statuses == [allowed] * 3
    refused = client.get(url, headers=headers)
    assert refused.status_code == 429
    assert refused.mimetype == "text/html" and readable_429(refused, "en" if language == "en" else "zh")


def test_guessing_tokens_is_limited_across_different_wrong_tokens(app, client):
    app.config["PRIVATE_LINK_RATE_LIMIT"] = "5 per minute"
    statuses = [client.get(f"/registrations/{secrets.token_urlsafe(32)}").status_code for _ in range(7)]
    assert statuses == [404] * 5 + [429] * 2


def test_the_default_limits_let_a_citizen_use_their_link_normally(app, client, registration_token):
    statuses = {client.get(f"/registrations/{registration_token}").status_code for _ in range(10)}
    statuses |= {client.get(f"/registrations/{registration_token}/ticket.pdf").status_code for _ in range(5)}
    assert statuses == {200}


@pytest.fixture
def door(app, login_as):
    meeting = factories.make_meeting(registration_required=True, capacity=10)
    result = registration_services.register_citizen(
        meeting, registration_services.RegistrationInput(name="李四", mobile="13900139000"),
        submission_id=secrets.token_urlsafe(32))
    clerk = login_as("clerk", department_id=meeting.department_id)
    registration_services.check_in(clerk, result.registration)
    return meeting, result.registration


def test_the_door_search_is_rate_limited(app, client, door):
    meeting, _registration = door
    app.config["CHECK_IN_RATE_LIMIT"] = "3 per minute"
    url = f"/manage/meetings/{meeting.id}/check-in"
    statuses = [client.get(url, query_string={"q": f"李{n}"}).status_code for n in range(3)]
    assert statuses == [200, 200, 200]
    refused = client.get(url, query_string={"q": "李四"}, headers={"Accept-Language": "en"})
    assert refused.status_code == 429 and readable_429(refused, "en")


def test_undoing_check_ins_is_rate_limited(app, client, door):
    meeting, registration = door
    token = page_token(client, f"/manage/meetings/{meeting.id}/registrations")
    app.config["CHECK_IN_RATE_LIMIT"] = "2 per minute"
    url = f"/manage/meetings/{meeting.id}/check-in/{registration.id}/undo"
    statuses = [client.post(url, data={"csrf_token": token}).status_code for _ in range(2)]
    assert statuses == [302, 302]
    refused = client.post(url, data={"csrf_token": token}, headers={"Accept-Language": "zh-CN"})
    assert refused.status_code == 429 and readable_429(refused, "zh")
