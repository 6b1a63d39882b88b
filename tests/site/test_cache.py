"""The public page cache (app/site/cache.py): anonymous pages come from memory until a write through the app
changes the public data (in this process at once, in others after the version check), entries expire with
PUBLIC_CACHE_SECONDS, and nothing personal or staff-only is ever stored or served."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import flash, session

from app import create_app
from app.extensions import db
from app.meetings.models import Meeting
from app.notify.services import queue_email
from app.site import cache as page_cache
from app.site.cache import cached_public_page, read_version, written_table
from tests import factories
from tests.helpers import sign_in
from tests.questions.builders import make_question


@pytest.fixture
def cached(app):
    """The cache on, with the version re-read only after this process's own writes."""
    app.config.update(PUBLIC_CACHE_SECONDS=30, PUBLIC_CACHE_VERSION_SECONDS=3600)
    return app.extensions["page_cache"]


def fetch(client, count_queries, url, **kwargs):
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url, buffered=True, **kwargs)
    assert response.status_code == 200, url
    return response, len(statements)


def test_an_anonymous_page_comes_from_the_cache_until_a_write_changes_it(client, count_queries, cached):
    meeting = factories.make_meeting(title="老旧小区改造座谈会")
    first, rendered = fetch(client, count_queries, "/meetings")
    second, again = fetch(client, count_queries, "/meetings")
    assert rendered > 1 and again == 0
    assert second.get_data() == first.get_data()

    meeting.title = "加装电梯座谈会"
    db.session.commit()
    third, after_write = fetch(client, count_queries, "/meetings")
    assert after_write > 1
    assert "加装电梯座谈会" in third.get_data(as_text=True)
    assert "老旧小区改造座谈会" not in third.get_data(as_text=True)


def test_every_marked_page_is_cached(client, count_queries, cached):
    meeting = factories.make_meeting(agenda=["开场"])
    for url in ("/meetings", "/meetings?when=past", f"/meetings/{meeting.id}", "/actions", "/actions/figures",
                f"/meetings/{meeting.id}.ics", "/calendar.ics", "/feeds/meetings.atom", "/feeds/minutes.atom"):
        first, _ = fetch(client, count_queries, url)
        second, queries = fetch(client, count_queries, url)
        assert queries == 0, url
        assert second.get_data() == first.get_data(), url


def test_a_rolled_back_write_and_writes_to_private_tables_keep_the_cache(client, count_queries, cached):
    meeting = factories.make_meeting()
    fetch(client, count_queries, "/meetings")
    version = read_version()
    meeting.title = "never committed"
    db.session.flush()
    db.session.rollback()
    queue_email(to="someone@example.cn", subject="s", text="t", dedupe_key="cache-test")
    db.session.commit()
    assert read_version() == version
    assert fetch(client, count_queries, "/meetings")[1] == 0


def test_another_process_sees_a_change_at_its_next_version_check(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    reader = create_app("testing", SQLALCHEMY_DATABASE_URI=url, PUBLIC_CACHE_SECONDS=30,
                        PUBLIC_CACHE_VERSION_SECONDS=1)
    writer = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    try:
        with writer.app_context():
            db.create_all()
            meeting_id = factories.make_meeting(title="第一版标题").id
        client = reader.test_client()
        assert "第一版标题" in client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
        with writer.app_context():
            db.session.get(Meeting, meeting_id).title = "第二版标题"
            db.session.commit()
        clock[0] += 0.5  # within the version check interval: the reader still serves its copy
        assert "第一版标题" in client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
        clock[0] += 1  # past it: the reader reads the new version and renders again
        assert "第二版标题" in client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    finally:
        for app in (reader, writer):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_entries_expire_after_public_cache_seconds(client, count_queries, cached, monkeypatch):
    factories.make_meeting()
    clock = [5000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    fetch(client, count_queries, "/meetings")
    clock[0] += 29
    assert fetch(client, count_queries, "/meetings")[1] == 0
    clock[0] += 2
    assert fetch(client, count_queries, "/meetings")[1] > 0


def test_each_language_has_its_own_entry(client, cached):
    factories.make_meeting()
    english = client.get("/meetings", headers={"Accept-Language": "en"}).get_data(as_text=True)
    chinese = client.get("/meetings", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Upcoming meetings" in english and "Upcoming meetings" not in chinese
    assert client.get("/meetings", headers={"Accept-Language": "en"}).get_data(as_text=True) == english


def test_staff_and_visitors_with_any_cookie_are_never_served_or_stored(app, client, count_queries, cached):
    official = factories.make_user("official")
    factories.make_meeting()
    anonymous = app.test_client()
    sign_in(client, official)
    staff_page, staff_queries = fetch(client, count_queries, "/meetings")
    assert staff_queries > 0 and "/manage/" in staff_page.get_data(as_text=True)
    assert fetch(client, count_queries, "/meetings")[1] > 0  # a signed-in request is never a hit
    public_page = anonymous.get("/meetings").get_data(as_text=True)
    assert "/manage/meetings" not in public_page
    with_cookie = app.test_client()
    with_cookie.set_cookie("voter", "abc")
    assert fetch(with_cookie, count_queries, "/meetings")[1] > 0
    assert all(key[1].startswith("/meetings") and "/manage/" not in entry.body.decode()
               for key, entry in cached.entries.items())


def test_a_response_that_writes_the_session_is_not_stored(app, count_queries, cached):
    def flashes():
        flash("只给这位访客看的消息")
        return "ok"

    def remembers():
        session["seen"] = True
        return "ok"

    app.add_url_rule("/test-cache/flash", "test_cache_flash", cached_public_page(flashes))
    app.add_url_rule("/test-cache/session", "test_cache_session", cached_public_page(remembers))
    for url in ("/test-cache/flash", "/test-cache/session"):
        response = app.test_client().get(url)
        assert response.status_code == 200 and "Set-Cookie" in response.headers
    assert not cached.entries


def test_the_streamed_feed_is_stored_once_sent_and_answers_revalidation(client, count_queries, cached):
    for n in range(3):
        factories.make_meeting(title=f"会议{n}")
    first, _ = fetch(client, count_queries, "/calendar.ics")
    second, queries = fetch(client, count_queries, "/calendar.ics")
    assert queries == 0 and second.get_data() == first.get_data()
    assert second.get_data().count(b"BEGIN:VEVENT") == 3
    revalidated = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304


@pytest.mark.parametrize("statement, table", [
    ("INSERT INTO outbox_messages (a) VALUES (1)", "outbox_messages"),
    ("insert or ignore into meetings (a) values (1)", "meetings"),
    ('UPDATE "questions" SET vote_count = 1', "questions"),
    ("DELETE FROM question_votes WHERE id = 1", "question_votes"),
    ("WITH moved AS (SELECT 1) UPDATE questions SET vote_count = 0", "?"),
    ("SELECT * FROM meetings", None),
    ("CREATE TABLE t (id INTEGER)", None),
    ("SAVEPOINT sa_savepoint_1", None),
])
def test_writes_are_recognised_by_their_statement(statement, table):
    assert written_table(statement, None) == table


def test_the_version_survives_an_empty_table(app, cached):
    assert read_version() == 0
    factories.make_department()
    assert read_version() == 1
    db.session.execute(sa.text("DELETE FROM page_cache_state"))
    db.session.commit()
    factories.make_department()
    assert read_version() == 1


# ---------------------------------------------------------------------------- pages with forms

TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SUBMISSION_RE = re.compile(r'name="submission_id"[^>]*value="([^"]+)"')


def visit(app, count_queries, url):
    """A new cookie-less browser opening `url`: (its client, the page, the statements it cost)."""
    browser = app.test_client()
    db.session.expire_all()
    with count_queries() as statements:
        response = browser.get(url)
    assert response.status_code == 200
    return browser, response, len(statements)


def without_own_values(html: str) -> str:
    return SUBMISSION_RE.sub("submission", TOKEN_RE.sub("token", html))


@pytest.mark.parametrize("page", ["questions", "register"])
def test_a_page_with_forms_is_cached_but_every_visitor_gets_their_own_token_and_submission_id(
        app, count_queries, cached, page):
    meeting = factories.make_meeting(registration_required=True, capacity=10)
    make_question(meeting, body="加装电梯的补贴怎么申请？")
    url = f"/meetings/{meeting.id}/{page}"
    visits = [visit(app, count_queries, url) for _ in range(3)]
    assert visits[0][2] > 1 and visits[1][2] == 0 and visits[2][2] == 0
    pages = [response.get_data(as_text=True) for _, response, _ in visits]
    tokens = [set(TOKEN_RE.findall(html)) for html in pages]
    assert all(len(t) == 1 for t in tokens) and len(set.union(*tokens)) == 3
    submissions = [SUBMISSION_RE.findall(html) for html in pages]
    assert all(len(s) == 1 for s in submissions) and len({s[0] for s in submissions}) == 3
    assert without_own_values(pages[1]) == without_own_values(pages[0]) == without_own_values(pages[2])
    assert all(page_cache.CSRF_MARKER.decode() not in html and page_cache.ONE_TIME_MARKER.decode() not in html
               for html in pages)
    for _, response, _ in visits:  # each starts its visitor's session, which holds that visitor's token
        assert [c.split("=")[0] for c in response.headers.getlist("Set-Cookie")] == ["session"]


def test_the_token_of_a_cached_page_works_for_its_visitor_only(app, count_queries, cached):
    meeting = factories.make_meeting()
    question = make_question(meeting)
    url = f"/meetings/{meeting.id}/questions"
    visit(app, count_queries, url)
    browser, response, statements = visit(app, count_queries, url)
    assert statements == 0
    html = response.get_data(as_text=True)
    token, submission = TOKEN_RE.search(html).group(1), SUBMISSION_RE.search(html).group(1)
    stranger = app.test_client()
    stranger.get(url)
    assert stranger.post(f"/questions/{question.id}/vote", data={"csrf_token": token}).status_code == 400
    assert browser.post(f"/questions/{question.id}/vote", data={"csrf_token": token}).status_code == 303
    asked = browser.post(url, data={"csrf_token": token, "submission_id": submission, "confirmed": "1",
                                    "body": "周末能不能开放学校操场？", "topic": "education"})
    assert asked.status_code == 200
    # With a cookie the visitor's page is rendered for them: their vote shows, nothing is served from the cache.
    db.session.expire_all()
    with count_queries() as statements:
        own = browser.get(url).get_data(as_text=True)
    assert len(statements) > 0 and "✓" in own


def test_a_page_with_forms_that_writes_more_than_its_token_to_the_session_is_not_stored(app, cached):
    from flask import render_template_string

    def greets():
        flash("只给这位访客看的消息")
        return render_template_string('<input name="csrf_token" value="{{ csrf_token() }}">')

    app.add_url_rule("/test-cache/form-flash", "test_cache_form_flash", cached_public_page(greets, with_forms=True))
    response = app.test_client().get("/test-cache/form-flash")
    assert response.status_code == 200 and "Set-Cookie" in response.headers
    assert not cached.entries
