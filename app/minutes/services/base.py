"""Errors and helpers shared by the minutes services."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.db import utcnow
from app.errors import DomainError, InvalidState, NotAllowed
from app.extensions import db
from app.meetings.models import Meeting
from app.minutes.models import Minutes, MinutesVersion, VersionStatus


class NotADraft(InvalidState):
    default_message = _l("This version is no longer a draft: it can no longer be edited. "
                         "Approved minutes are corrected with a new version.")


class AlreadyApproved(InvalidState):
    default_message = _l("These minutes have already been approved by another reviewer.")


class AlreadyPublished(InvalidState):
    default_message = _l("These minutes are already published.")


class MinutesNotOpen(InvalidState):
    default_message = _l("Minutes can be recorded once a published meeting has started.")


def fail(error: DomainError):
    db.session.rollback()
    raise error


def require(allowed: bool) -> None:
    if not allowed:
        fail(NotAllowed())


def check_meeting_open_for_minutes(meeting: Meeting, now: datetime | None = None) -> None:
    """Minutes exist for published meetings from their start (they may be written during the meeting)."""
    if not meeting.is_published or meeting.starts_at > (now or utcnow()):
        fail(MinutesNotOpen())


def lock_minutes(minutes_id: int) -> Minutes:
    """Lock the minutes row (PostgreSQL: FOR UPDATE; SQLite transactions are already serialised by
    BEGIN IMMEDIATE), so version numbers and the one-open-version rule hold under concurrency."""
    return db.session.execute(
        sa.select(Minutes).where(Minutes.id == minutes_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def transition(version: MinutesVersion, from_status: VersionStatus, **values) -> bool:
    """Conditional UPDATE of one version: applied only if it is still in `from_status`. Returns whether
    it was applied (exactly one of two concurrent callers gets True)."""
    result = db.session.execute(
        sa.update(MinutesVersion)
        .where(MinutesVersion.id == version.id, MinutesVersion.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.expire(version)
    return True


def current_status(version: MinutesVersion) -> VersionStatus:
    return db.session.execute(
        sa.select(MinutesVersion.status).where(MinutesVersion.id == version.id)
    ).scalar_one()
