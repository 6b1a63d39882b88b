"""Follow-up action items, their append-only progress updates, due-date changes, followers and ratings."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Department, User
from app.db import UTCDateTime, enum_type, utcnow
from app.extensions import db
from app.meetings.models import Meeting
from app.questions.models import Question

DEFAULT_TIMEZONE = "Asia/Shanghai"
MAX_TITLE_LENGTH = 200
MAX_TEXT_LENGTH = 4000
MAX_REASON_LENGTH = 1000
MAX_COMMENT_LENGTH = 1000


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANNOT_RESOLVE = "cannot_resolve"

    @property
    def label(self):
        return ACTION_STATUS_LABELS[self]

    @property
    def is_closed(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.CANNOT_RESOLVE)


ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: _l("Open"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"),
    ActionStatus.CANNOT_RESOLVE: _l("Cannot be resolved"),
}


class ActionPriority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"

    @property
    def label(self):
        return ACTION_PRIORITY_LABELS[self]


ACTION_PRIORITY_LABELS = {
    ActionPriority.LOW: _l("Low"),
    ActionPriority.NORMAL: _l("Normal"),
    ActionPriority.HIGH: _l("High"),
}


class ActionSource(enum.StrEnum):
    DIRECT = "direct"
    QUESTION = "question"
    MINUTES = "minutes"

    @property
    def label(self):
        return ACTION_SOURCE_LABELS[self]


ACTION_SOURCE_LABELS = {
    ActionSource.DIRECT: _l("Created directly"),
    ActionSource.QUESTION: _l("A citizen's question"),
    ActionSource.MINUTES: _l("A decision or commitment in the minutes"),
}


class Satisfaction(enum.StrEnum):
    SATISFIED = "satisfied"
    PARTLY = "partly"
    NOT_SATISFIED = "not_satisfied"

    @property
    def label(self):
        return SATISFACTION_LABELS[self]


SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: _l("Satisfied"),
    Satisfaction.PARTLY: _l("Partly satisfied"),
    Satisfaction.NOT_SATISFIED: _l("Not satisfied"),
}

# Score per answer for the satisfaction figure (share of the best answer, partly counts half).
SATISFACTION_SCORE = {Satisfaction.SATISFIED: 1.0, Satisfaction.PARTLY: 0.5, Satisfaction.NOT_SATISFIED: 0.0}


class ActionItem(db.Model):
    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(MAX_TITLE_LENGTH))
    description: Mapped[str] = mapped_column(sa.String(MAX_TEXT_LENGTH), default="")
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    responsible_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    meeting_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    source: Mapped[ActionSource] = mapped_column(enum_type(ActionSource, "action_source"),
                                                 default=ActionSource.DIRECT)
    question_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("questions.id"), unique=True)
    minutes_version_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("minutes_versions.id"))
    # Which decision or commitment of that version: "c3" = commitments[3], "d1.2" = items[1].decisions[2].
    minutes_ref: Mapped[Optional[str]] = mapped_column(sa.String(20))
    source_text: Mapped[str] = mapped_column(sa.String(MAX_TEXT_LENGTH), default="")

    priority: Mapped[ActionPriority] = mapped_column(enum_type(ActionPriority, "action_priority"),
                                                     default=ActionPriority.NORMAL)
    status: Mapped[ActionStatus] = mapped_column(enum_type(ActionStatus, "action_status"),
                                                 default=ActionStatus.OPEN)
    due_on: Mapped[date] = mapped_column(sa.Date())
    original_due_on: Mapped[date] = mapped_column(sa.Date())
    resolution: Mapped[str] = mapped_column(sa.String(MAX_TEXT_LENGTH), default="")
    alternative_plan: Mapped[str] = mapped_column(sa.String(MAX_TEXT_LENGTH), default="")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    last_update_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    department: Mapped[Department] = relationship()
    responsible: Mapped[User] = relationship(foreign_keys=[responsible_id])
    meeting: Mapped[Optional[Meeting]] = relationship()
    question: Mapped[Optional[Question]] = relationship()

    __table_args__ = (
        sa.CheckConstraint("status NOT IN ('done', 'cannot_resolve') OR (resolution != '' AND closed_at IS NOT NULL)",
                           name="closed_has_resolution"),
        sa.CheckConstraint("status != 'cannot_resolve' OR alternative_plan != ''", name="cannot_resolve_has_plan"),
        sa.CheckConstraint("source != 'question' OR question_id IS NOT NULL", name="question_source_has_question"),
        sa.CheckConstraint("source != 'minutes' OR (minutes_version_id IS NOT NULL AND minutes_ref IS NOT NULL)",
                           name="minutes_source_has_reference"),
        sa.Index("ix_action_items_status_due_on", "status", "due_on"),
        # The public tracker's order.
        sa.Index("ix_action_items_due_on_id", "due_on", "id"),
    )

    @property
    def timezone(self) -> str:
        return self.meeting.timezone if self.meeting is not None else DEFAULT_TIMEZONE

    @property
    def is_closed(self) -> bool:
        return self.status.is_closed

    def local_today(self, now: datetime | None = None) -> date:
        return (now or utcnow()).astimezone(ZoneInfo(self.timezone)).date()

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Past the due date in the meeting's time zone (Asia/Shanghai without a meeting), still open."""
        return not self.is_closed and self.local_today(now) > self.due_on

    @property
    def was_extended(self) -> bool:
        return self.due_on != self.original_due_on

    @property
    def closed_on_time(self) -> bool | None:
        if self.status != ActionStatus.DONE or self.closed_at is None:
            return None
        return self.closed_at.astimezone(ZoneInfo(self.timezone)).date() <= self.due_on


class ActionUpdate(db.Model):
    """A dated public progress note. Append-only: never edited or deleted (database triggers)."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id"), index=True)
    body: Mapped[str] = mapped_column(sa.String(MAX_TEXT_LENGTH))
    # The status change this update recorded, if any ("done", "reopened", ...); '' for plain progress.
    kind: Mapped[str] = mapped_column(sa.String(20), default="progress")
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()

    __table_args__ = (sa.CheckConstraint("body != ''", name="body_not_empty"),)


class ActionDueChange(db.Model):
    """A due date extension: the previous and new date and the reason, kept for the public history."""

    __tablename__ = "action_due_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id"), index=True)
    previous_due_on: Mapped[date] = mapped_column(sa.Date())
    new_due_on: Mapped[date] = mapped_column(sa.Date())
    reason: Mapped[str] = mapped_column(sa.String(MAX_REASON_LENGTH))
    changed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.CheckConstraint("reason != ''", name="reason_not_empty"),)


class ActionFollower(db.Model):
    """Someone following an item through a private link (only the token's hash is stored). They qualified
    by a registration for the item's meeting or by asking its question."""

    __tablename__ = "action_followers"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    registration_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("registrations.id", ondelete="SET NULL"))
    question_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("questions.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(sa.String(8), default="zh_CN")
    is_unsubscribed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    action_item: Mapped[ActionItem] = relationship()

    __table_args__ = (sa.UniqueConstraint("action_item_id", "email"),)


class ActionRating(db.Model):
    """One follower's verdict on a done item; published only in aggregate."""

    __tablename__ = "action_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(sa.ForeignKey("action_items.id"), index=True)
    follower_id: Mapped[int] = mapped_column(sa.ForeignKey("action_followers.id"), unique=True)
    value: Mapped[Satisfaction] = mapped_column(enum_type(Satisfaction, "action_satisfaction"))
    comment: Mapped[str] = mapped_column(sa.String(MAX_COMMENT_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


from app.actions import triggers  # noqa: E402  (attaches the append-only triggers)

triggers.attach(ActionUpdate.__table__)
triggers.attach(ActionDueChange.__table__)
