"""Canonical JSON and SHA-256, `flask minutes verify`, the readable diff and the working-day deadline."""
from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.minutes import triggers
from app.minutes.content import MinutesContent, canonical_json, encode
from app.minutes.deadlines import add_working_days, overdue_cutoff
from app.minutes.presenting import diff_contents
from app.minutes.queries import list_overdue_minutes
from tests import factories
from tests.minutes import builders


def test_canonical_json_sorts_keys_drops_whitespace_and_normalises_to_nfc():
    composed, decomposed = "é", unicodedata.normalize("NFD", "é")
    assert composed != decomposed
    assert canonical_json({"b": [decomposed], "a": 1}) == '{"a":1,"b":["é"]}'
    one = MinutesContent(presiding=composed)
    two = MinutesContent(presiding=decomposed)
    assert encode(one, meeting_id=1, number=1) == encode(two, meeting_id=1, number=1)
    assert encode(one, meeting_id=1, number=1)[1] != encode(MinutesContent(presiding="e"), meeting_id=1, number=1)[1]


def test_verify_reports_ok_for_an_intact_chain(app, runner):
    setting = builders.past_meeting()
    builders.published(setting)
    result = runner.invoke(args=["minutes", "verify"])
    assert result.exit_code == 0, result.output
    assert f"meeting {setting.meeting.id}: OK" in result.output


@pytest.fixture
def without_triggers(app):
    """What someone with direct database access could do: remove the guards (then edit rows). They are
    put back afterwards: on PostgreSQL the schema, triggers included, is shared by every later test."""
    def drop():
        for statement in triggers.ALL_DROP[db.engine.dialect.name]:
            db.session.execute(sa.text(statement))

    yield drop
    db.session.rollback()
    dialect = db.engine.dialect.name
    for statement in triggers.ALL_DROP[dialect] + triggers.CREATE[dialect] + triggers.MINUTES_CREATE[dialect]:
        db.session.execute(sa.text(statement))
    db.session.commit()


def test_verify_finds_a_tampered_version_and_exits_non_zero(app, runner, without_triggers):
    builders.published(builders.past_meeting())
    without_triggers()
    db.session.execute(sa.text("UPDATE minutes_versions SET content = replace(content, '同意方案', '否决方案')"))
    db.session.commit()
    result = runner.invoke(args=["minutes", "verify"])
    assert result.exit_code == 1
    assert "BROKEN" in result.output and "SHA-256" in result.output


def test_verify_finds_a_broken_link(app, runner):
    from app.minutes import services as ms

    setting = builders.past_meeting()
    first = builders.published(setting)
    second = ms.start_correction(setting.clerk, first.minutes, "更正")
    db.session.execute(sa.text("UPDATE minutes_versions SET prev_hash = 'forged' WHERE id = :id"), {"id": second.id})
    ms.submit_minutes(setting.clerk, second)
    result = runner.invoke(args=["minutes", "verify"])
    assert result.exit_code == 1 and "prev_hash" in result.output


def test_verify_finds_minutes_moved_to_another_meeting(app, runner, without_triggers):
    setting = builders.published(builders.past_meeting()).minutes.meeting_id
    other = factories.make_meeting(starts_in=timedelta(days=-5))
    without_triggers()
    db.session.execute(sa.text("UPDATE minutes SET meeting_id = :other"), {"other": other.id})
    db.session.commit()
    result = runner.invoke(args=["minutes", "verify"])
    assert result.exit_code == 1
    assert (f"meeting {other.id}: BROKEN: version 1: the hashed content is version 1 of meeting {setting}, "
            f"not version 1 of meeting {other.id}") in result.output


def test_verify_reports_versions_left_without_their_minutes_and_minutes_without_their_meeting(app, tmp_path):
    """SQLite with foreign keys off (and the triggers dropped) lets rows lose their parents: verify says so."""
    from tests.test_migrations import app_on

    with app_on(f"sqlite:///{tmp_path / 'orphans.sqlite3'}") as other_app:
        db.create_all()
        orphaned = builders.published(builders.past_meeting())
        homeless = builders.published(builders.past_meeting())
        orphaned_id, orphaned_minutes, homeless_meeting = orphaned.id, orphaned.minutes_id, homeless.minutes.meeting_id
        db.session.close()
        with db.engine.connect() as connection:
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
            for statement in triggers.ALL_DROP["sqlite"]:
                connection.exec_driver_sql(statement)
            connection.execute(sa.text("DELETE FROM minutes WHERE id = :id"), {"id": orphaned_minutes})
            connection.execute(sa.text("DELETE FROM meetings WHERE id = :id"), {"id": homeless_meeting})
            connection.commit()
        result = other_app.test_cli_runner().invoke(args=["minutes", "verify"])
    assert result.exit_code == 1
    assert (f"orphaned versions: BROKEN: version 1 (id {orphaned_id}, published) belongs to minutes "
            f"{orphaned_minutes}, which do not exist") in result.output
    assert f"meeting {homeless_meeting}: BROKEN: minutes" in result.output and "which does not exist" in result.output
    assert "1 minutes checked, 1 broken, 1 orphaned versions." in result.output


def test_the_diff_names_the_section_and_the_lines_removed_and_added(app):
    old = MinutesContent(presiding="李明", citizens_present=10)
    new = MinutesContent(presiding="王芳", citizens_present=10)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        diffs = diff_contents(old, new, "Asia/Shanghai")
    assert len(diffs) == 1
    assert diffs[0].lines == [("-", "Presiding: 李明"), ("+", "Presiding: 王芳")]


def test_working_days_skip_weekends_and_holidays(app):
    friday = date(2026, 10, 30)
    assert add_working_days(friday, 1, frozenset(), frozenset()) == date(2026, 11, 2)
    assert add_working_days(friday, 1, frozenset({date(2026, 11, 2)}), frozenset()) == date(2026, 11, 3)
    assert add_working_days(friday, 1, frozenset(), frozenset({date(2026, 10, 31)})) == date(2026, 10, 31)  # 调休
    # Ended on that Friday with a 20-working-day deadline: due on 27 November, overdue from the 28th.
    assert add_working_days(friday, 20, frozenset(), frozenset()) == date(2026, 11, 27)
    assert overdue_cutoff(date(2026, 11, 27), 20) < friday <= overdue_cutoff(date(2026, 11, 28), 20)


def test_the_dashboard_lists_meetings_past_the_minutes_deadline(app, client):
    from tests.helpers import sign_in, text_of

    late = builders.past_meeting(days_ago=40)
    recent = builders.past_meeting(days_ago=3)
    done = builders.past_meeting(days_ago=60)
    builders.published(done)
    admin = factories.make_user("admin")
    overdue = list_overdue_minutes(admin).items
    assert [m.id for m in overdue] == [late.meeting.id]
    assert recent.meeting.id not in [m.id for m in overdue]
    sign_in(client, late.official)
    page = text_of(client.get("/manage/"))
    assert "Minutes not published within the deadline" in page and late.meeting.title in page


def test_holidays_from_the_config_push_the_deadline(app):
    admin = factories.make_user("admin")
    meeting = builders.past_meeting(days_ago=30).meeting
    assert [m.id for m in list_overdue_minutes(admin).items] == [meeting.id]
    start = meeting.starts_at.date()
    app.config["HOLIDAYS"] = [(start + timedelta(days=d)).isoformat() for d in range(1, 31)]
    assert list_overdue_minutes(admin).items == []


def test_the_minutes_deadline_counts_working_days_in_the_meetings_own_time_zone(app):
    from datetime import datetime, timezone

    admin = factories.make_user("admin")
    # Ends on Friday 30 October 2026 at 18:00 in Los Angeles (already Saturday in Shanghai): due 20
    # working days later, on Friday 27 November there, overdue from Saturday 28 November there.
    ends = datetime(2026, 10, 31, 1, 0, tzinfo=timezone.utc)
    meeting = factories.make_meeting(starts_at=ends - timedelta(hours=2), ends_at=ends,
                                     timezone="America/Los_Angeles", notice_profile="us-ca")
    still_friday_there = datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc)    # Saturday 09:00 in Shanghai
    saturday_there = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)
    assert list_overdue_minutes(admin, now=still_friday_there).items == []
    assert [m.id for m in list_overdue_minutes(admin, now=saturday_there).items] == [meeting.id]


def test_the_configured_number_of_working_days_replaces_the_profiles(app):
    admin = factories.make_user("admin")
    meeting = builders.past_meeting(days_ago=10).meeting
    assert list_overdue_minutes(admin).items == []
    app.config["MINUTES_DEADLINE_WORKING_DAYS"] = 3
    assert [m.id for m in list_overdue_minutes(admin).items] == [meeting.id]


def test_make_up_working_days_from_the_config_bring_the_deadline_forward(app):
    friday = date(2026, 10, 30)
    assert add_working_days(friday, 1) == date(2026, 11, 2)
    app.config["EXTRA_WORKING_DAYS"] = ("2026-10-31",)
    assert add_working_days(friday, 1) == date(2026, 10, 31)
