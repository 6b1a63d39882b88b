"""The demo data holds published minutes (one corrected, two versions) that link the questions answered in
the room, minutes awaiting approval and a complete hearing record whose refusal the presiding official
noted; loading again adds nothing."""
import sqlalchemy as sa

from app.demo.data import load_demo
from app.demo.minutes import load_demo_minutes
from app.extensions import db
from app.minutes.content import decode
from app.minutes.models import HearingRecord, Minutes, MinutesVersion, ParticipantState, VersionStatus
from app.minutes.queries import list_answered_live_questions, verify_chains
from tests.helpers import text_of


def test_demo_minutes_cover_every_state_and_load_once(app, client):
    load_demo(echo=lambda line: None)
    statuses = db.session.execute(sa.select(MinutesVersion.status)).scalars().all()
    assert statuses.count(VersionStatus.PUBLISHED) >= 3 and VersionStatus.SUBMITTED in statuses
    assert db.session.execute(sa.select(sa.func.max(MinutesVersion.number))).scalar_one() == 2
    record = db.session.execute(sa.select(HearingRecord)).scalar_one()
    assert record.is_complete and record.presiding_official_id is not None
    refused = [p for p in record.participants if p.state == ParticipantState.REFUSED]
    assert refused and all(p.state_by_id == record.presiding_official_id for p in refused)
    published = db.session.execute(
        sa.select(MinutesVersion, Minutes.meeting_id).join(Minutes)
        .where(MinutesVersion.status == VersionStatus.PUBLISHED)).all()
    linked = 0
    for version, meeting_id in published:
        answered = list_answered_live_questions(meeting_id)
        content = decode(version.content)
        assert [q.question_id for q in content.questions] == [q.id for q in answered]
        assert [q.body for q in content.questions] == [q.body for q in answered]
        linked += len(answered)
        if answered:
            page = text_of(client.get(f"/meetings/{meeting_id}/minutes", headers={"Accept-Language": "en"}))
            assert "Questions answered in the meeting" in page and answered[0].body in page
    assert linked > 0
    assert all(report.ok for report in verify_chains())
    assert load_demo_minutes(echo=lambda line: None) == 0
