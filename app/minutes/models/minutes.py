"""Minutes of a meeting and their versions (draft -> submitted -> approved -> published).

A version's `content` is canonical JSON (app/minutes/content.py) and `content_hash` its SHA-256.
Approved and published versions are immutable in the database itself (app/minutes/triggers.py):
the only update allowed is approved -> published, which sets `published_at` and `published_by_id`.
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.db import UTCDateTime, enum_type, utcnow
from app.extensions import db
from app.meetings.models import Meeting

MAX_REASON_LENGTH = 1000
MAX_COMMENT_LENGTH = 2000


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"

    @property
    def label(self):
        return VERSION_STATUS_LABELS[self]


VERSION_STATUS_LABELS = {
    VersionStatus.DRAFT: _l("Draft"),
    VersionStatus.SUBMITTED: _l("Submitted for approval"),
    VersionStatus.APPROVED: _l("Approved"),
    VersionStatus.PUBLISHED: _l("Published"),
}

FROZEN_STATUSES = (VersionStatus.APPROVED, VersionStatus.PUBLISHED)


class Minutes(db.Model):
    """One per meeting; holds the versions. Once a version is approved the row can neither be deleted
    nor changed (moved to another meeting): the database's triggers refuse it (app/minutes/triggers.py)."""

    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship()
    versions: Mapped[list["MinutesVersion"]] = relationship(
        back_populates="minutes", order_by="MinutesVersion.number")


class MinutesVersion(db.Model):
    __tablename__ = "minutes_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id"), index=True)
    number: Mapped[int] = mapped_column()
    status: Mapped[VersionStatus] = mapped_column(enum_type(VersionStatus, "minutes_version_status"),
                                                  default=VersionStatus.DRAFT)
    content: Mapped[str] = mapped_column(sa.Text())
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    # The content_hash of the version this one supersedes ('' for the first version).
    prev_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    supersedes_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("minutes_versions.id"))
    correction_reason: Mapped[Optional[str]] = mapped_column(sa.String(MAX_REASON_LENGTH))
    # The reviewer's comments when a submitted version was sent back to its clerk.
    review_comment: Mapped[Optional[str]] = mapped_column(sa.String(MAX_COMMENT_LENGTH))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    published_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    minutes: Mapped[Minutes] = relationship(back_populates="versions")
    supersedes: Mapped[Optional["MinutesVersion"]] = relationship(remote_side=[id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[Optional[User]] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[Optional[User]] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[Optional[User]] = relationship(foreign_keys=[approved_by_id])
    published_by: Mapped[Optional[User]] = relationship(foreign_keys=[published_by_id])

    __table_args__ = (
        sa.UniqueConstraint("minutes_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint("number = 1 OR (supersedes_id IS NOT NULL AND correction_reason IS NOT NULL)",
                           name="correction_has_reason"),
        sa.CheckConstraint("status IN ('draft', 'submitted') OR approved_by_id IS NOT NULL",
                           name="approved_has_approver"),
        sa.CheckConstraint("approved_by_id IS NULL OR submitted_by_id IS NULL OR approved_by_id <> submitted_by_id",
                           name="approver_is_not_submitter"),
        sa.CheckConstraint("status <> 'published' OR (published_at IS NOT NULL AND published_by_id IS NOT NULL)",
                           name="published_has_time"),
    )

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == VersionStatus.SUBMITTED

    @property
    def is_approved(self) -> bool:
        return self.status == VersionStatus.APPROVED

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @property
    def is_correction(self) -> bool:
        return self.supersedes_id is not None


from app.minutes import triggers  # noqa: E402  (attaches the immutability triggers to both tables)

triggers.attach(MinutesVersion.__table__)
