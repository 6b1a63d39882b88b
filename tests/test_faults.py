"""Database faults, through the real HTTP views: the database fails at each statement of a use case in
turn, and at its COMMIT. The user always gets a 503 page in their language; before the commit nothing at
all was written (every table is compared) and no email was queued; after it, the change is complete and
the page says so.

Each statement is failed in two ways: once (a transient error; the next statements work again) and for
good (the server is gone: that statement and every later one fail, so the error page itself must not
need the database). See tests/faults.py for how.
"""
from __future__ import annotations

import itertools
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import url_for
from flask_babel import force_locale
from werkzeug.security import generate_password_hash

from app import create_app
from app.actions.models import ActionFollower
from app.errors import ERROR_TEXTS, ERROR_TITLES, SAVED_BUT_UNAVAILABLE
from app.extensions import db, limiter
from app.minutes import services as minutes_services
from app.registrations.codes import hash_token, new_token
from app.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.actions.builders import make_item
from tests.conftest import csrf_token_from
from tests.faults import Fault, FaultInjector, rows_added, snapshot
from tests.helpers import sign_in as sign_in_with_password
from tests.minutes.builders import add_registrant, past_meeting, submitted

LANGUAGES = ("zh_CN", "en")


# ---------------------------------------------------------------------------- use cases

@dataclass
class Request:
    """One prepared POST (its CSRF token already fetched) from its own client, and the emails it queues."""

    client: object
    url: str
    data: dict
    outbox_added: int


@dataclass
class UseCase:
    name: str
    prepare: Callable[[object], Request]  # builds the data and signs in as needed; gets the test client


def _form_fields(client, url: str) -> dict:
    html = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    fields = {"csrf_token": csrf_token_from(html)}
    submission = re.search(r'name="submission_id"[^>]*value="([^"]+)"', html)
    if submission:
        fields["submission_id"] = submission.group(1)
    return fields


_seq = itertools.count(1)
# The database is rebuilt and the staff member signed in again after every fault past the commit: a cheap
# hash keeps that from costing a real password check each time.
_QUICK_HASH = generate_password_hash(factories.DEFAULT_PASSWORD, method="pbkdf2:sha256:1000")


def sign_in(client, user) -> None:
    user.password_hash = _QUICK_HASH
    db.session.commit()
    sign_in_with_password(client, user)


def _registration(meeting, *, status=RegistrationStatus.CONFIRMED, email="", token=None) -> Registration:
    n = next(_seq)
    registration = Registration(
        meeting_id=meeting.id, code=f"F{n:06d}", token_hash=hash_token(token or new_token()), name=f"市民{n}",
        email=email, email_normalized=email or None, mobile=f"1391111{n:04d}", mobile_normalized=f"1391111{n:04d}",
        status=status, queue_number=n, language="en" if n % 2 else "zh_CN")
    db.session.add(registration)
    meeting.queue_counter = max(meeting.queue_counter, n)
    if status == RegistrationStatus.CONFIRMED:
        meeting.seats_taken += 1
    db.session.commit()
    return registration


def _open_meeting(capacity: int):
    return factories.make_meeting(registration_required=True, capacity=capacity, title="加装电梯座谈会")


def register_confirmed(client) -> Request:
    meeting = _open_meeting(capacity=5)
    url = f"/meetings/{meeting.id}/register"
    return Request(client, url, {**_form_fields(client, url), "name": "张三", "email": "zhang.san@example.cn",
                         "mobile": "", "neighbourhood": "水果湖街道", "needs_wheelchair": "y"}, outbox_added=1)


def register_waitlisted(client) -> Request:
    meeting = _open_meeting(capacity=1)
    _registration(meeting)
    url = f"/meetings/{meeting.id}/register"
    return Request(client, url, {**_form_fields(client, url), "name": "李四", "email": "li.si@example.cn",
                         "mobile": "13900001111", "neighbourhood": ""}, outbox_added=1)


def cancel_promotes(client) -> Request:
    meeting = _open_meeting(capacity=1)
    token = new_token()
    _registration(meeting, email="holder@example.cn", token=token)
    _registration(meeting, status=RegistrationStatus.WAITLISTED, email="waiting@example.cn")
    fields = _form_fields(client, f"/registrations/{token}")
    return Request(client, f"/registrations/{token}/cancel", {"csrf_token": fields["csrf_token"]}, outbox_added=1)


def ask_question(client) -> Request:
    meeting = factories.make_meeting(title="社区医院座谈会")
    url = f"/meetings/{meeting.id}/questions"
    return Request(client, url, {**_form_fields(client, url), "body": "社区医院什么时候开门？", "topic": "health",
                         "asker_name": "王五", "contact_email": "wang.wu@example.cn", "contact_mobile": ""},
                   outbox_added=1)


def approve_minutes(client) -> Request:
    setting = past_meeting()
    version = submitted(setting)
    sign_in(client, setting.official)
    base = f"/manage/meetings/{setting.meeting.id}/minutes"
    return Request(client, f"{base}/versions/{version.id}/approve", {"csrf_token": _form_fields(client, base)["csrf_token"]},
                   outbox_added=0)


def publish_minutes(client) -> Request:
    setting = past_meeting()
    add_registrant(setting.meeting, next(_seq), email="reader.one@example.cn", language="zh_CN")
    add_registrant(setting.meeting, next(_seq), email="reader.two@example.cn", language="en")
    version = submitted(setting)
    minutes_services.approve_minutes(setting.second_official, version)
    sign_in(client, setting.official)
    base = f"/manage/meetings/{setting.meeting.id}/minutes"
    return Request(client, f"{base}/versions/{version.id}/publish", {"csrf_token": _form_fields(client, base)["csrf_token"]},
                   outbox_added=2)


def update_action(client) -> Request:
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official, hosts=[official])
    item = make_item(official, meeting=meeting)
    for n, language in enumerate(LANGUAGES):
        db.session.add(ActionFollower(action_item_id=item.id, email=f"follower{n}@example.cn",
                                      token_hash=hash_token(new_token()), language=language))
    db.session.commit()
    sign_in(client, official)
    url = f"/manage/actions/{item.id}"
    return Request(client, f"{url}/updates", {"csrf_token": _form_fields(client, url)["csrf_token"],
                                      "body": "已派人勘察，下周施工。"}, outbox_added=2)


USE_CASES = [
    UseCase("register (confirmed)", register_confirmed),
    UseCase("register (waitlisted)", register_waitlisted),
    UseCase("cancel (promotes the waitlisted)", cancel_promotes),
    UseCase("ask a question", ask_question),
    UseCase("approve minutes", approve_minutes),
    UseCase("publish minutes", publish_minutes),
    UseCase("post action progress", update_action),
]


# ---------------------------------------------------------------------------- checks

def expected_texts(language: str, *, saved: bool) -> tuple[str, str]:
    with force_locale("zh_Hans_CN" if language == "zh_CN" else "en"):
        return str(ERROR_TITLES[503]), str(SAVED_BUT_UNAVAILABLE if saved else ERROR_TEXTS[503])


def assert_unavailable_page(response, language: str, *, saved: bool, where: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, f"{where}: {response.status_code}\n{body[:1500]}"
    title, text = expected_texts(language, saved=saved)
    assert response.mimetype == "text/html", where
    assert f'lang="{"zh-Hans" if language == "zh_CN" else "en"}"' in body, where
    assert title in body and text in body, f"{where}: {body[:1500]}"
    if language == "zh_CN":
        assert re.search(r"[\u4e00-\u9fff]", title) and re.search(r"[\u4e00-\u9fff]", text), f"{where}: not translated"
    assert response.headers.get("Retry-After"), where


def post(request: Request, language: str):
    """POST as a fresh request would in production: a new session and fresh rate limits. (The tests keep an
    app context open, so the session would otherwise outlive the request.)"""
    db.session.remove()
    limiter.reset()
    return request.client.post(request.url, data=request.data, headers={"Accept-Language": language})


def run_use_case(app, use_case: UseCase) -> dict:
    """Returns the figures of the sweep (statements before and after the commit, requests made)."""
    app.config["TESTING_RENDER_UNEXPECTED"] = True
    injector = FaultInjector(db.engine)

    # A clean run: the statements the use case sends, where its commit comes, and the rows it adds.
    request = use_case.prepare(app.test_client())
    before = snapshot()
    with injector.watching():
        response = post(request, "en")
    assert response.status_code in (200, 302, 303), (use_case.name, response.status_code)
    clean = list(injector.statements)
    committed_after = injector.commit_after
    assert committed_after is not None, f"{use_case.name}: no commit"
    added = rows_added(before, snapshot())
    assert added and added.get("outbox_messages", 0) == request.outbox_added, (use_case.name, added)

    # Every fault runs on a new set of objects built next to the earlier ones (so that nothing has to be
    # deleted); a fault that changed nothing leaves them as they were, ready for the next one.
    request = use_case.prepare(app.test_client())
    initial = snapshot()
    requests = 0
    languages = itertools.cycle(LANGUAGES)
    faults = [Fault(at=n, down=down) for n in range(1, committed_after + 1) for down in (False, True)]
    faults += [Fault(commit=1), Fault(commit=1, down=True)]
    faults += [Fault(at=n, down=down) for n in range(committed_after + 1, len(clean) + 1) for down in (False, True)]
    for fault in faults:
        where = f"{use_case.name}, {fault}"
        language = next(languages)
        with injector.watching(fault):
            response = post(request, language)
        requests += 1
        assert injector.failed, f"{where}: the fault never happened"
        if fault.at is not None:
            assert injector.statements[:fault.at] == clean[:fault.at], f"{where}: not the same statements"
        saved = fault.at is not None and fault.at > committed_after
        assert_unavailable_page(response, language, saved=saved, where=where)
        state = snapshot()
        if not saved:
            assert state["outbox_messages"] == initial["outbox_messages"], f"{where}: an email was queued"
            assert state == initial, f"{where}: something was written"
            continue
        assert rows_added(initial, state) == added, f"{where}: the change is not complete"
        request = use_case.prepare(app.test_client())
        initial = snapshot()
    return {"before commit": committed_after, "after commit": len(clean) - committed_after, "requests": requests}


@pytest.mark.parametrize("use_case", USE_CASES, ids=[u.name for u in USE_CASES])
def test_a_database_failure_at_any_statement_gives_a_503_and_writes_nothing_or_everything(app, use_case):
    figures = run_use_case(app, use_case)
    assert figures["before commit"] >= 3 and figures["requests"] >= 2 * figures["before commit"]


# ---------------------------------------------------------------------------- no database at all

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_request_that_waits_too_long_for_a_database_connection_gets_the_503_page(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'pool.sqlite3'}",
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2},
                     TESTING_RENDER_UNEXPECTED=True)
    with app.app_context():
        db.create_all()
        meeting_id = factories.make_meeting().id
        db.session.remove()
        with db.engine.connect():  # every connection of the pool is busy
            response = app.test_client().get(f"/meetings/{meeting_id}", headers={"Accept-Language": "en"})
        assert_unavailable_page(response, "en", saved=False, where="pool exhausted")
        db.engine.dispose()



def public_get_urls(app) -> list[str]:
    """One URL per public GET route, its arguments pointing at ids and tokens that need not exist."""
    values = {"token": "x" * 43, "code": "en", "filename": "css/townhall.css"}
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and getattr(app.view_functions[rule.endpoint], "is_public", False):
                urls.append(url_for(rule.endpoint, **{arg: values.get(arg, 1) for arg in rule.arguments}))
    return sorted(urls)


def test_with_the_database_unreachable_every_public_page_is_a_503_in_the_visitors_language():
    """Nothing listens where the database should be: the driver's connection is refused."""
    url = f"postgresql+psycopg://townhall:townhall@127.0.0.1:{free_port()}/townhall"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, TESTING_RENDER_UNEXPECTED=True)
    unavailable = []
    for n, page in enumerate(public_get_urls(app)):
        language = LANGUAGES[n % 2]
        response = app.test_client().get(page, headers={"Accept-Language": language})
        assert response.status_code != 500, page
        if response.status_code == 503:
            with app.app_context():
                assert_unavailable_page(response, language, saved=False, where=page)
            unavailable.append(page)
    assert len(unavailable) >= 20, unavailable
    assert "/meetings" in unavailable and "/meetings/1/register" in unavailable
