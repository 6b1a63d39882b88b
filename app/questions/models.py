"""Citizens' questions to a meeting, their votes and followers, and each meeting's question settings."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from app.accounts.models import Department, User
from app.db import UTCDateTime, enum_type, utcnow
from app.extensions import db
from app.meetings.models import Meeting

MAX_BODY_LENGTH = 1000
MAX_NAME_LENGTH = 100
MAX_REASON_LENGTH = 1000
MAX_RESPONSE_LENGTH = 4000
MAX_CLOSED_MESSAGE_LENGTH = 500


class QuestionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    MERGED = "merged"

    @property
    def label(self):
        return QUESTION_STATUS_LABELS[self]


QUESTION_STATUS_LABELS = {
    QuestionStatus.PENDING: _l("Waiting for moderation"),
    QuestionStatus.APPROVED: _l("Published"),
    QuestionStatus.REJECTED: _l("Not published"),
    QuestionStatus.MERGED: _l("Merged"),
}


class QuestionOutcome(enum.StrEnum):
    ANSWERED_LIVE = "answered_live"
    ANSWERED = "answered"
    REFERRED = "referred"
    ACTION = "action"
    DECLINED = "declined"
    CANNOT_SOLVE_NOW = "cannot_solve_now"

    @property
    def label(self):
        return QUESTION_OUTCOME_LABELS[self]

    @property
    def needs_reason_and_plan(self) -> bool:
        return self in (QuestionOutcome.DECLINED, QuestionOutcome.CANNOT_SOLVE_NOW)


QUESTION_OUTCOME_LABELS = {
    QuestionOutcome.ANSWERED_LIVE: _l("Answered in the meeting"),
    QuestionOutcome.ANSWERED: _l("Answered"),
    QuestionOutcome.REFERRED: _l("Referred to a department"),
    QuestionOutcome.ACTION: _l("Turned into follow-up work"),
    QuestionOutcome.DECLINED: _l("Declined"),
    QuestionOutcome.CANNOT_SOLVE_NOW: _l("Cannot be solved now"),
}


class QuestionChannel(enum.StrEnum):
    WEB = "web"
    HOTLINE = "hotline"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in_person"

    @property
    def label(self):
        return QUESTION_CHANNEL_LABELS[self]


QUESTION_CHANNEL_LABELS = {
    QuestionChannel.WEB: _l("Web"),
    QuestionChannel.HOTLINE: _l("Phone hotline"),
    QuestionChannel.EMAIL: _l("Email"),
    QuestionChannel.LETTER: _l("Letter"),
    QuestionChannel.IN_PERSON: _l("In person"),
}


class QuestionTopic(enum.StrEnum):
    """A fixed, translatable list, so that topic filters mean the same on every meeting."""

    HOUSING = "housing"
    TRANSPORT = "transport"
    ENVIRONMENT = "environment"
    URBAN_MANAGEMENT = "urban_management"
    PUBLIC_SAFETY = "public_safety"
    HEALTH = "health"
    EDUCATION = "education"
    SOCIAL_WELFARE = "social_welfare"
    JOBS_BUSINESS = "jobs_business"
    OTHER = "other"

    @property
    def label(self):
        return QUESTION_TOPIC_LABELS[self]


QUESTION_TOPIC_LABELS = {
    QuestionTopic.HOUSING: _l("Housing and property management"),
    QuestionTopic.TRANSPORT: _l("Transport and roads"),
    QuestionTopic.ENVIRONMENT: _l("Environment"),
    QuestionTopic.URBAN_MANAGEMENT: _l("City management and public spaces"),
    QuestionTopic.PUBLIC_SAFETY: _l("Public safety"),
    QuestionTopic.HEALTH: _l("Health care"),
    QuestionTopic.EDUCATION: _l("Education"),
    QuestionTopic.SOCIAL_WELFARE: _l("Elderly care and social welfare"),
    QuestionTopic.JOBS_BUSINESS: _l("Jobs and business"),
    QuestionTopic.OTHER: _l("Other"),
}


class ModerationMode(enum.StrEnum):
    PRE = "pre"    # questions are published only after a moderator approves them
    POST = "post"  # questions are published at once; moderators may take them down

    @property
    def label(self):
        return MODERATION_MODE_LABELS[self]


MODERATION_MODE_LABELS = {
    ModerationMode.PRE: _l("Pre-moderation: a moderator approves each question before it is published"),
    ModerationMode.POST: _l("Post-moderation: questions are published at once and moderators review them afterwards"),
}


class QuestionSettings(db.Model):
    """Per-meeting question settings. A meeting without a row uses the defaults (pre-moderation, open)."""

    __tablename__ = "question_settings"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    moderation_mode: Mapped[ModerationMode] = mapped_column(enum_type(ModerationMode, "moderation_mode"),
                                                            default=ModerationMode.PRE)
    is_closed: Mapped[bool] = mapped_column(default=False)
    closed_message: Mapped[str] = mapped_column(sa.String(MAX_CLOSED_MESSAGE_LENGTH), default="")
    # The question the meeting is answering right now (console, projector).
    current_question_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Question(db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.String(MAX_BODY_LENGTH))
    topic: Mapped[QuestionTopic] = mapped_column(enum_type(QuestionTopic, "question_topic"))
    channel: Mapped[QuestionChannel] = mapped_column(enum_type(QuestionChannel, "question_channel"),
                                                     default=QuestionChannel.WEB)
    status: Mapped[QuestionStatus] = mapped_column(enum_type(QuestionStatus, "question_status"),
                                                   default=QuestionStatus.PENDING)

    # The asker. The name is public unless `is_anonymous`; contacts are for the meeting's staff only.
    asker_name: Mapped[str] = mapped_column(sa.String(MAX_NAME_LENGTH), default="")
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_mobile: Mapped[str] = mapped_column(sa.String(32), default="")
    language: Mapped[str] = mapped_column(sa.String(8), default="zh_CN")
    # SHA-256 of the ask form's one-time submission id: a repeated submit finds the same question.
    submission_hash: Mapped[Optional[str]] = mapped_column(sa.String(64), unique=True)
    entered_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    # Changed only together with an inserted or moved vote row (see services.cast_vote and merge).
    vote_count: Mapped[int] = mapped_column(default=0, server_default="0")

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    moderated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    moderated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    rejection_reason: Mapped[Optional[str]] = mapped_column(sa.String(MAX_REASON_LENGTH))
    merged_into_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"),
                                                          index=True)
    edited_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    answering_started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    outcome: Mapped[Optional[QuestionOutcome]] = mapped_column(enum_type(QuestionOutcome, "question_outcome"))
    outcome_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    outcome_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    response: Mapped[str] = mapped_column(sa.String(MAX_RESPONSE_LENGTH), default="")
    outcome_reason: Mapped[str] = mapped_column(sa.String(MAX_REASON_LENGTH), default="")
    outcome_plan: Mapped[str] = mapped_column(sa.String(MAX_REASON_LENGTH), default="")
    referred_department_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("departments.id"))

    meeting: Mapped[Meeting] = relationship()
    referred_department: Mapped[Optional[Department]] = relationship()
    entered_by: Mapped[Optional[User]] = relationship(foreign_keys=[entered_by_id])
    merged_into: Mapped[Optional["Question"]] = relationship(remote_side=[id], foreign_keys=[merged_into_id])
    votes: WriteOnlyMapped["QuestionVote"] = relationship(passive_deletes=True)
    followers: WriteOnlyMapped["QuestionFollower"] = relationship(
        foreign_keys="QuestionFollower.question_id", back_populates="question", passive_deletes=True)

    __table_args__ = (
        sa.CheckConstraint("vote_count >= 0", name="vote_count_not_negative"),
        sa.CheckConstraint("status != 'merged' OR merged_into_id IS NOT NULL", name="merged_has_target"),
        sa.CheckConstraint("merged_into_id IS NULL OR merged_into_id != id", name="not_merged_into_itself"),
        sa.CheckConstraint("status != 'rejected' OR rejection_reason IS NOT NULL", name="rejected_has_reason"),
        sa.CheckConstraint("outcome NOT IN ('declined', 'cannot_solve_now') "
                           "OR (outcome_reason != '' AND outcome_plan != '')", name="declined_has_reason_and_plan"),
        sa.CheckConstraint("outcome IS NULL OR outcome_at IS NOT NULL", name="outcome_has_time"),
        sa.Index("ix_questions_meeting_status_votes", "meeting_id", "status", "vote_count"),
        sa.Index("ix_questions_status_outcome", "status", "outcome"),
    )

    @property
    def public_asker_name(self) -> str | None:
        """The name shown on public surfaces: None for anonymous askers and unnamed questions."""
        if self.is_anonymous or not self.asker_name:
            return None
        return self.asker_name

    @property
    def is_approved(self) -> bool:
        return self.status == QuestionStatus.APPROVED

    @property
    def is_open_for_votes(self) -> bool:
        return self.status == QuestionStatus.APPROVED

    @property
    def has_outcome(self) -> bool:
        return self.outcome is not None

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.status}>"


class QuestionVote(db.Model):
    """One voter's vote for one question. `voter_key` is a registration's key (an HMAC of its id, when the
    voter proved the registration in this browser) or else a SHA-256 of the random id kept in the
    voter's browser cookie (app/questions/voters.py); the unique constraint is the one-vote rule."""

    __tablename__ = "question_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    voter_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("question_id", "voter_key"),
        sa.Index("ix_question_votes_voter_key", "voter_key"),
    )


class QuestionFollower(db.Model):
    """Someone following a question through a private link (only the token's hash is stored).

    The asker follows their own question from the start. When it is merged, the follower moves to the
    kept question; `original_question_id` remembers what they asked. Emails go to `email` when set.
    """

    __tablename__ = "question_followers"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    original_question_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="SET NULL"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(8), default="zh_CN")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship(foreign_keys=[question_id], back_populates="followers")
    original_question: Mapped[Optional[Question]] = relationship(foreign_keys=[original_question_id])
