"""The demo data holds published minutes (one corrected, two versions), minutes awaiting approval and a
complete hearing record; loading again adds nothing."""
import sqlalchemy as sa

from app.demo.data import load_demo
from app.demo.minutes import load_demo_minutes
from app.extensions import db
from app.minutes.models import HearingRecord, MinutesVersion, VersionStatus
from app.minutes.queries import verify_chains


def test_demo_minutes_cover_every_state_and_load_once(app):
    load_demo(echo=lambda line: None)
    statuses = db.session.execute(sa.select(MinutesVersion.status)).scalars().all()
    assert statuses.count(VersionStatus.PUBLISHED) >= 3 and VersionStatus.SUBMITTED in statuses
    assert db.session.execute(sa.select(sa.func.max(MinutesVersion.number))).scalar_one() == 2
    record = db.session.execute(sa.select(HearingRecord)).scalar_one()
    assert record.is_complete
    assert all(report.ok for report in verify_chains())
    assert load_demo_minutes(echo=lambda line: None) == 0
