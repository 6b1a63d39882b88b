"""A citizen's registration for a meeting: status, contact, needs, code and private manage token."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, enum_type, utcnow
from app.extensions import db
from app.meetings.models import Meeting


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return REGISTRATION_STATUS_LABELS[self]


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waitlisted"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}


class RegistrationChannel(enum.StrEnum):
    WEB = "web"
    WALK_IN = "walk_in"
    PHONE = "phone"

    @property
    def label(self):
        return REGISTRATION_CHANNEL_LABELS[self]


REGISTRATION_CHANNEL_LABELS = {
    RegistrationChannel.WEB: _l("Web"),
    RegistrationChannel.WALK_IN: _l("Walk-in"),
    RegistrationChannel.PHONE: _l("Phone"),
}


class Registration(db.Model):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(7), unique=True)
    # SHA-256 of the private manage token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # SHA-256 of the form's one-time submission id: a repeated submit finds the same registration.
    submission_hash: Mapped[Optional[str]] = mapped_column(sa.String(64), unique=True)

    name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    mobile: Mapped[str] = mapped_column(sa.String(32), default="")
    # Normalised contacts enforce one live registration per person; cleared on cancellation.
    email_normalized: Mapped[Optional[str]] = mapped_column(sa.String(254))
    mobile_normalized: Mapped[Optional[str]] = mapped_column(sa.String(20))
    neighbourhood: Mapped[str] = mapped_column(sa.String(100), default="")

    needs_wheelchair: Mapped[bool] = mapped_column(default=False)
    needs_sign_language: Mapped[bool] = mapped_column(default=False)
    needs_large_print: Mapped[bool] = mapped_column(default=False)
    interpretation_language: Mapped[str] = mapped_column(sa.String(60), default="")
    other_needs: Mapped[str] = mapped_column(sa.String(500), default="")

    status: Mapped[RegistrationStatus] = mapped_column(enum_type(RegistrationStatus, "registration_status"))
    channel: Mapped[RegistrationChannel] = mapped_column(enum_type(RegistrationChannel, "registration_channel"),
                                                         default=RegistrationChannel.WEB)
    queue_number: Mapped[int] = mapped_column()
    language: Mapped[str] = mapped_column(sa.String(8), default="zh_CN")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    promoted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "email_normalized"),
        sa.UniqueConstraint("meeting_id", "mobile_normalized"),
        sa.UniqueConstraint("meeting_id", "queue_number"),
        sa.Index("ix_registrations_meeting_status_queue", "meeting_id", "status", "queue_number"),
        sa.CheckConstraint("email_normalized IS NOT NULL OR mobile_normalized IS NOT NULL "
                           "OR status = 'cancelled' OR channel <> 'web'", name="web_needs_contact"),
    )

    @property
    def needs(self) -> list[str]:
        """Accommodation requests as translated labels (staff and the registrant only)."""
        labels = []
        if self.needs_wheelchair:
            labels.append(str(_l("Wheelchair access")))
        if self.needs_sign_language:
            labels.append(str(_l("Sign language")))
        if self.interpretation_language:
            labels.append(str(_l("Interpretation into %(language)s", language=self.interpretation_language)))
        if self.needs_large_print:
            labels.append(str(_l("Large print")))
        if self.other_needs:
            labels.append(self.other_needs)
        return labels

    @property
    def has_needs(self) -> bool:
        return bool(self.needs_wheelchair or self.needs_sign_language or self.interpretation_language
                    or self.needs_large_print or self.other_needs)

    @property
    def is_active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED
