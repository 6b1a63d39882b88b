"""Reading the outbox: counts per status, what is due, and the failed messages."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.db import utcnow
from app.extensions import db
from app.notify.models import OutboxMessage, OutboxStatus


def count_by_status() -> dict[OutboxStatus, int]:
    """Number of messages in each status (every status present, zero included)."""
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = {status: 0 for status in OutboxStatus}
    counts.update({OutboxStatus(status): count for status, count in rows})
    return counts


def count_due(now: datetime | None = None) -> int:
    """Pending messages whose next attempt time has come."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= (now or utcnow())
        )
    ).scalar_one()


def list_failed(limit: int = 50) -> list[OutboxMessage]:
    """The most recent failed messages, newest first."""
    return list(db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id.desc()).limit(limit)
    ).scalars())
