"""The Wuhan demo data set: idempotent loading, coverage of every type and district, and the CLI."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.accounts import models as account_models
from app.accounts.models import AuditEvent, Department, District, User
from app.accounts.services import authenticate
from app.db import utcnow
from app.demo import data as demo
from app.demo.data import DEMO_PASSWORD, DemoLoadError, load_demo
from app.errors import InvalidState
from app.meetings.models import AgendaItem, Meeting, MeetingStatus, MeetingType, meeting_hosts
from app.meetings.queries import MeetingFilters, list_public_meetings


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Twelve scrypt hashes per load would dominate the run time; the checks work with any method."""
    monkeypatch.setattr(account_models, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def _row_counts(db) -> dict[str, int]:
    tables = [District.__table__, Department.__table__, User.__table__, Meeting.__table__,
              AgendaItem.__table__, meeting_hosts, AuditEvent.__table__]
    return {t.name: db.session.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in tables}


def _meetings(db) -> list[Meeting]:
    return list(db.session.execute(sa.select(Meeting).order_by(Meeting.id)).scalars())


def _public(filters: MeetingFilters) -> list[Meeting]:
    return list(list_public_meetings(filters, per_page=500).items)


def test_loading_twice_creates_nothing_new_and_gives_the_logins_both_times(db):
    progress: list[str] = []
    first = load_demo(echo=progress.append)
    counts = _row_counts(db)
    second = load_demo(echo=progress.append)

    assert _row_counts(db) == counts
    assert counts["districts"] == 13 and counts["departments"] >= 8 and counts["users"] >= 10
    assert 36 <= counts["meetings"] <= 45
    assert "43 meetings (43 created, 0 already present)" in first
    assert "43 meetings (0 created, 43 already present)" in second
    assert any("already present" in line for line in progress)
    for summary in (first, second):
        for account in demo.ACCOUNTS:
            assert f"{account.email} / {DEMO_PASSWORD} / {account.role.value}" in summary
    assert {a.role.value for a in demo.ACCOUNTS} == {"admin", "official", "clerk"}
    assert authenticate(demo.ADMIN_EMAIL, DEMO_PASSWORD).role == "admin"


def test_public_meetings_cover_every_type_district_and_department_upcoming_and_past(db):
    load_demo(echo=lambda line: None)
    now = utcnow()
    upcoming = _public(MeetingFilters())
    past = _public(MeetingFilters(past=True))
    public = upcoming + past

    assert {m.type for m in public} == set(MeetingType)
    assert {m.district.code for m in public} == {d.code for d in demo.DISTRICTS}
    assert {m.department.code for m in public} == {d.code for d in demo.DEPARTMENTS}
    assert db.session.execute(sa.select(District.name_zh).where(District.code == "jiangan")).scalar_one() == "江岸区"

    upcoming_published = [m for m in upcoming if m.is_published]
    past_published = [m for m in past if m.is_published]
    assert len(upcoming_published) >= 15 and len(past_published) >= 15
    assert all(m.starts_at > now for m in upcoming_published)
    assert all(m.is_past(now) for m in past_published)
    for meeting in public:
        assert meeting.published_at < meeting.starts_at
        assert 9 <= meeting.starts_at.astimezone(ZoneInfo("Asia/Shanghai")).hour <= 20


def test_drafts_are_not_public(db, client):
    load_demo(echo=lambda line: None)
    drafts = [m for m in _meetings(db) if m.status == MeetingStatus.DRAFT]
    public_ids = {m.id for m in _public(MeetingFilters()) + _public(MeetingFilters(past=True))}

    assert len(drafts) == 2
    for draft in drafts:
        assert not draft.is_public
        assert draft.id not in public_ids
        assert client.get(f"/meetings/{draft.id}").status_code == 404


def test_the_demo_shows_each_part_of_a_meetings_life(db):
    load_demo(echo=lambda line: None)
    meetings = _meetings(db)

    short_notice = [m for m in meetings if m.short_notice_reason]
    cancelled = [m for m in meetings if m.status == MeetingStatus.CANCELLED]
    rescheduled = [m for m in meetings if m.reschedule_reason]
    assert len(short_notice) == 1 and short_notice[0].is_published
    assert len(cancelled) == 2 and all(m.cancel_reason and m.is_public for m in cancelled)
    assert len(rescheduled) == 1 and rescheduled[0].sequence == 1
    assert rescheduled[0].previous_starts_at < rescheduled[0].starts_at

    with_registration = [m for m in meetings if m.registration_required]
    assert with_registration and len(with_registration) < len(meetings)
    assert all(m.capacity and m.registration_opens_at < m.registration_closes_at for m in with_registration)
    assert any(m.online_url.startswith("https://") for m in meetings)
    for meeting in meetings:
        assert 2 <= len(meeting.agenda_items) <= 5
        assert all(item.presenter and item.duration_minutes for item in meeting.agenda_items)
        assert meeting.hosts and meeting.venue_name and meeting.address and meeting.summary and meeting.purpose

    english = [m for m in meetings if m.title.isascii()]
    assert 0.2 <= len(english) / len(meetings) <= 0.35


def test_an_interrupted_load_is_completed_by_the_next_run(db, monkeypatch):
    publish = demo.meeting_services.publish_meeting
    calls = {"n": 0}

    def failing_publish(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise InvalidState("simulated failure")
        return publish(*args, **kwargs)

    monkeypatch.setattr(demo.meeting_services, "publish_meeting", failing_publish)
    with pytest.raises(DemoLoadError, match="simulated failure"):
        load_demo(echo=lambda line: None)
    monkeypatch.setattr(demo.meeting_services, "publish_meeting", publish)

    summary = load_demo(echo=lambda line: None)
    assert "1 meeting left half-done by an earlier run was completed" in summary
    assert sum(m.status == MeetingStatus.DRAFT for m in _meetings(db)) == 2


def test_flask_demo_load_exits_zero_and_prints_progress_and_logins(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "[43/43]" in result.output
    assert "43 meetings (43 created, 0 already present)" in result.output
    assert "admin@townhall.example / townhall-demo-2026 / admin" in result.output
