"""The demo data holds published minutes (one corrected, two versions), minutes awaiting approval and a
complete hearing record whose refusal the presiding official noted; loading again adds nothing."""
import sqlalchemy as sa

from app.demo.data import load_demo
from app.demo.minutes import load_demo_minutes
from app.extensions import db
from app.minutes.models import HearingRecord, MinutesVersion, ParticipantState, VersionStatus
from app.minutes.queries import verify_chains


def test_demo_minutes_cover_every_state_and_load_once(app):
    load_demo(echo=lambda line: None)
    statuses = db.session.execute(sa.select(MinutesVersion.status)).scalars().all()
    assert statuses.count(VersionStatus.PUBLISHED) >= 3 and VersionStatus.SUBMITTED in statuses
    assert db.session.execute(sa.select(sa.func.max(MinutesVersion.number))).scalar_one() == 2
    record = db.session.execute(sa.select(HearingRecord)).scalar_one()
    assert record.is_complete and record.presiding_official_id is not None
    refused = [p for p in record.participants if p.state == ParticipantState.REFUSED]
    assert refused and all(p.state_by_id == record.presiding_official_id for p in refused)
    assert all(report.ok for report in verify_chains())
    assert load_demo_minutes(echo=lambda line: None) == 0
