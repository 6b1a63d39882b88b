"""Who asked for no more emails about a meeting (reminders, change notices, published minutes)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db


class NotificationOptOut(db.Model):
    """One row per registration whose holder followed an unsubscribe link. Transactional emails
    (confirmation, promotion, a new private link) are still sent; reminders, notices and the
    published-minutes email are not."""

    __tablename__ = "notification_opt_outs"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
