"""The hearing record (听证笔录): who took part, what each speaker said, and each participant's
confirmation, refusal to sign (noted by the presiding official) or absence."""
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

MAX_STATEMENT_LENGTH = 8000
MAX_NOTE_LENGTH = 1000


class ParticipantState(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REFUSED = "refused"
    ABSENT = "absent"

    @property
    def label(self):
        return PARTICIPANT_STATE_LABELS[self]


PARTICIPANT_STATE_LABELS = {
    ParticipantState.PENDING: _l("Not yet confirmed"),
    ParticipantState.CONFIRMED: _l("Confirmed the record"),
    ParticipantState.REFUSED: _l("Refused to sign"),
    ParticipantState.ABSENT: _l("Absent"),
}


class HearingRecord(db.Model):
    __tablename__ = "hearing_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # The official presiding over the hearing: the only one who notes a participant's refusal to sign.
    # Named before anyone confirms or refuses, and fixed with the statements from then on.
    presiding_official_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))
    # Set when the first participant confirms or refuses: from then on the statements cannot change.
    locked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # Set when every participant has confirmed, refused or is marked absent.
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    meeting: Mapped[Meeting] = relationship()
    presiding_official: Mapped[Optional[User]] = relationship(foreign_keys=[presiding_official_id])
    participants: Mapped[list["HearingParticipant"]] = relationship(
        back_populates="record", order_by="HearingParticipant.position")
    statements: Mapped[list["HearingStatement"]] = relationship(
        back_populates="record", order_by="HearingStatement.position")

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class HearingParticipant(db.Model):
    __tablename__ = "hearing_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("hearing_records.id"), index=True)
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(100))
    # What they represent: 消费者代表, 经营者代表, 专家, 申请人...
    capacity: Mapped[str] = mapped_column(sa.String(100), default="")
    state: Mapped[ParticipantState] = mapped_column(enum_type(ParticipantState, "hearing_participant_state"),
                                                    default=ParticipantState.PENDING)
    state_note: Mapped[str] = mapped_column(sa.String(MAX_NOTE_LENGTH), default="")
    state_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    state_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"))

    record: Mapped[HearingRecord] = relationship(back_populates="participants")
    state_by: Mapped[Optional[User]] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("record_id", "position"),
        sa.CheckConstraint("state = 'pending' OR (state_at IS NOT NULL AND state_by_id IS NOT NULL)",
                           name="state_has_time"),
        sa.CheckConstraint("state <> 'refused' OR state_note <> ''", name="refusal_has_note"),
    )


class HearingStatement(db.Model):
    __tablename__ = "hearing_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("hearing_records.id"), index=True)
    position: Mapped[int] = mapped_column()
    # A participant's name, or the name of an official or presenter who is not a participant.
    speaker: Mapped[str] = mapped_column(sa.String(100))
    text: Mapped[str] = mapped_column(sa.String(MAX_STATEMENT_LENGTH))

    record: Mapped[HearingRecord] = relationship(back_populates="statements")

    __table_args__ = (sa.UniqueConstraint("record_id", "position"),)
