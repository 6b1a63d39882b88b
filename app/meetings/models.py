"""Meeting and its ordered agenda."""
from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Department, District, User
from app.db import UTCDateTime, enum_type, utcnow
from app.extensions import db


class MeetingType(enum.StrEnum):
    TOWN_HALL = "town_hall"
    HEARING = "hearing"
    COMMUNITY_VISIT = "community_visit"
    BRIEFING = "briefing"

    @property
    def label(self):
        return MEETING_TYPE_LABELS[self]


MEETING_TYPE_LABELS = {
    MeetingType.TOWN_HALL: _l("Town hall forum"),
    MeetingType.HEARING: _l("Public hearing"),
    MeetingType.COMMUNITY_VISIT: _l("Community visit"),
    MeetingType.BRIEFING: _l("Policy briefing"),
}


class MeetingStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    @property
    def label(self):
        return MEETING_STATUS_LABELS[self]


MEETING_STATUS_LABELS = {
    MeetingStatus.DRAFT: _l("Draft"),
    MeetingStatus.PUBLISHED: _l("Published"),
    MeetingStatus.CANCELLED: _l("Cancelled"),
}

# Used for overlap checks and "is past" when a meeting has no end time.
DEFAULT_DURATION = timedelta(hours=2)
# No meeting lasts longer (the services refuse it), which bounds time-range queries on `starts_at`.
MAX_MEETING_SPAN = timedelta(days=7)

meeting_hosts = sa.Table(
    "meeting_hosts",
    db.metadata,
    sa.Column("meeting_id", sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True, index=True),
)


class Meeting(db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[MeetingType] = mapped_column(enum_type(MeetingType, "meeting_type"))
    status: Mapped[MeetingStatus] = mapped_column(enum_type(MeetingStatus, "meeting_status"),
                                                  default=MeetingStatus.DRAFT)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(4000), default="")
    purpose: Mapped[str] = mapped_column(sa.String(4000), default="")
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    host_note: Mapped[str] = mapped_column(sa.String(300), default="")

    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Shanghai")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    venue_name: Mapped[str] = mapped_column(sa.String(200), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")

    registration_required: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[Optional[int]] = mapped_column()
    registration_opens_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    # Seats held by confirmed registrations; changed only by one conditional UPDATE (see registrations).
    seats_taken: Mapped[int] = mapped_column(default=0, server_default="0")
    # Counts every registration attempt that got in line: gives the waitlist its arrival order and
    # makes each registration lock the meeting row first.
    queue_counter: Mapped[int] = mapped_column(default=0, server_default="0")
    sequence: Mapped[int] = mapped_column(default=0)
    notice_profile: Mapped[Optional[str]] = mapped_column(sa.String(20))
    short_notice_reason: Mapped[Optional[str]] = mapped_column(sa.String(500))
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[Optional[str]] = mapped_column(sa.String(500))
    rescheduled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    reschedule_reason: Mapped[Optional[str]] = mapped_column(sa.String(500))
    previous_starts_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship()
    district: Mapped[District] = relationship()
    created_by: Mapped[User] = relationship()
    hosts: Mapped[list[User]] = relationship(secondary=meeting_hosts, order_by=User.name)
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("ends_at IS NULL OR starts_at < ends_at", name="starts_before_ends"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        sa.CheckConstraint("seats_taken >= 0", name="seats_taken_not_negative"),
        sa.CheckConstraint("capacity IS NULL OR seats_taken <= capacity", name="seats_within_capacity"),
        sa.Index("ix_meetings_status_starts_at", "status", "starts_at"),
        # The public list and archive walk this in order (upcoming forwards, past backwards).
        sa.Index("ix_meetings_starts_at_id", "starts_at", "id"),
    )

    @property
    def effective_end(self) -> datetime:
        return self.ends_at or (self.starts_at + DEFAULT_DURATION)

    @property
    def is_draft(self) -> bool:
        return self.status == MeetingStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == MeetingStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_public(self) -> bool:
        """Published meetings, and cancelled ones that had been published, are public."""
        return self.published_at is not None and self.status != MeetingStatus.DRAFT

    def is_past(self, now: datetime | None = None) -> bool:
        return self.effective_end <= (now or utcnow())

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    @property
    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.seats_taken)

    def registration_state(self, now: datetime | None = None) -> str:
        """'not_required', 'not_yet_open', 'open', 'closed' (from loaded columns only)."""
        now = now or utcnow()
        if not self.registration_required:
            return "not_required"
        if self.is_cancelled or self.is_past(now):
            return "closed"
        if self.registration_opens_at and now < self.registration_opens_at:
            return "not_yet_open"
        closes = self.registration_closes_at or self.starts_at
        if now >= closes:
            return "closed"
        return "open"


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.String(2000), default="")
    presenter: Mapped[str] = mapped_column(sa.String(100), default="")
    duration_minutes: Mapped[Optional[int]] = mapped_column()

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")

    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "position"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
        sa.CheckConstraint("duration_minutes IS NULL OR duration_minutes >= 0", name="duration_not_negative"),
    )
