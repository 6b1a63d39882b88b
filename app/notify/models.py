"""The email outbox: one row per message to send, kept forever as the record of what was sent."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, enum_type, utcnow
from app.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One email. `pending` rows are sent once `next_attempt_at` has passed; a failed attempt
    pushes `next_attempt_at` back, and after the last allowed attempt the row becomes `failed`
    (it can be requeued). Rows are never deleted, and hold no private-link token in the clear: the
    body has stand-ins and `private_values` the tokens encrypted until the message is sent.

    `message_id` is chosen when the message is queued, so every retry carries the same Message-ID
    header and receivers can drop the rare duplicate. `last_error` holds the exception class and a
    short reason, never the body.
    """

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[Optional[str]] = mapped_column(sa.String(200))
    language: Mapped[str] = mapped_column(sa.String(10))
    subject: Mapped[str] = mapped_column(sa.String(500))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[Optional[str]] = mapped_column(sa.Text)
    # An iCalendar file sent as a text/calendar attachment (meeting invitations).
    ics: Mapped[Optional[str]] = mapped_column(sa.Text)
    # The private-link tokens of the body, encrypted (app/notify/private.py); the body holds stand-ins.
    # Deleted once the message is sent, so no form of the tokens stays in the row.
    private_values: Mapped[Optional[str]] = mapped_column(sa.Text)

    status: Mapped[OutboxStatus] = mapped_column(enum_type(OutboxStatus, "outbox_status"),
                                                 default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[Optional[str]] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("status != 'sent' OR sent_at IS NOT NULL", name="sent_has_sent_at"),
        # The sender's query: pending rows whose time has come, oldest first.
        sa.Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    @property
    def is_pending(self) -> bool:
        return self.status == OutboxStatus.PENDING

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status} attempts={self.attempts}>"
