"""The hearing record (听证笔录): participants, statements, and each participant's confirmation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.accounts.audit import record_audit
from app.accounts.models import User
from app.db import utcnow
from app.errors import InvalidState, NotAllowed, ValidationFailed
from app.extensions import db
from app.formtools import is_blank
from app.meetings.models import Meeting, MeetingType
from app.minutes import permissions
from app.minutes.models import HearingParticipant, HearingRecord, HearingStatement, ParticipantState
from app.minutes.models.hearing import MAX_NOTE_LENGTH, MAX_STATEMENT_LENGTH
from app.minutes.services.base import check_meeting_open_for_minutes, fail, require


class RecordLocked(InvalidState):
    default_message = _l("Participants have started confirming this record: its statements can no longer change.")


@dataclass
class ParticipantEntry:
    name: str
    capacity: str = ""


@dataclass
class StatementEntry:
    speaker: str
    text: str


def open_hearing_record(actor: User, meeting: Meeting, *, now: datetime | None = None) -> HearingRecord:
    """The meeting's hearing record, created empty on first use. Hearings only."""
    now = now or utcnow()
    require(permissions.can_edit_minutes(actor, meeting))
    if meeting.type != MeetingType.HEARING:
        fail(InvalidState(_l("Only public hearings have a hearing record.")))
    existing = db.session.execute(
        sa.select(HearingRecord).where(HearingRecord.meeting_id == meeting.id)).scalar_one_or_none()
    if existing is not None:
        return existing
    check_meeting_open_for_minutes(meeting, now)
    record = HearingRecord(meeting_id=meeting.id, created_at=now, created_by_id=actor.id)
    db.session.add(record)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return db.session.execute(sa.select(HearingRecord).where(HearingRecord.meeting_id == meeting.id)).scalar_one()
    record_audit(actor, "hearing_record.open", "hearing_record", record.id, details={"meeting_id": meeting.id})
    db.session.commit()
    return record


def save_hearing_record(actor: User, record: HearingRecord, participants: list[ParticipantEntry],
                        statements: list[StatementEntry], *,
                        presiding_official_id: int | None = None) -> HearingRecord:
    """Replace the presiding official, the participants and the statements while nobody has confirmed
    or refused yet. The presiding official is an active official of the meeting (see
    queries.list_presiding_candidates); None leaves the record without one for now.

    Raises NotAllowed, RecordLocked, ValidationFailed (a name twice, a statement without speaker, a
    presiding official who is not an official of the meeting).
    """
    from app.minutes.queries import list_presiding_candidates

    require(permissions.can_edit_minutes(actor, record.meeting))
    if record.is_locked:
        fail(RecordLocked())
    if presiding_official_id is not None and presiding_official_id not in {
            u.id for u in list_presiding_candidates(record.meeting)}:
        fail(ValidationFailed(_l("Choose an official of this meeting to preside."), field="presiding_official_id"))
    names = [p.name.strip() for p in participants if not is_blank(p.name)]
    if len(set(names)) != len(names):
        fail(ValidationFailed(_l("Each participant can be listed only once."), field="participants"))
    for entry in statements:
        if is_blank(entry.speaker) or is_blank(entry.text):
            fail(ValidationFailed(_l("Every statement needs a speaker and what they said."), field="statements"))
    record.presiding_official_id = presiding_official_id
    for old in list(record.statements):
        db.session.delete(old)
    for old in list(record.participants):
        db.session.delete(old)
    db.session.flush()
    for position, entry in enumerate((p for p in participants if not is_blank(p.name)), start=1):
        db.session.add(HearingParticipant(record_id=record.id, position=position, name=entry.name.strip()[:100],
                                          capacity=(entry.capacity or "").strip()[:100]))
    for position, entry in enumerate(statements, start=1):
        db.session.add(HearingStatement(record_id=record.id, position=position, speaker=entry.speaker.strip()[:100],
                                        text=entry.text.strip()[:MAX_STATEMENT_LENGTH]))
    record_audit(actor, "hearing_record.save", "hearing_record", record.id,
                 details={"participants": len(names), "statements": len(statements),
                          "presiding_official_id": presiding_official_id})
    db.session.commit()
    db.session.expire(record)
    return record


def set_participant_state(actor: User, participant: HearingParticipant, state: ParticipantState, *,
                          note: str = "", now: datetime | None = None) -> HearingParticipant:
    """Record that a participant confirmed the record, refused to sign (noted, with what they said, by
    the record's presiding official and nobody else) or was absent. Set once: a recorded state never
    changes. Confirming or refusing needs the presiding official named and the statements recorded;
    the first confirmation or refusal locks both. The record is complete when nobody is pending.

    Raises NotAllowed (not staff of the meeting; a refusal noted by someone other than the presiding
    official), InvalidState (already recorded, no presiding official or statements yet),
    ValidationFailed (a refusal without a note).
    """
    now = now or utcnow()
    record = participant.record
    meeting = record.meeting
    require(permissions.can_edit_minutes(actor, meeting))
    state = ParticipantState(state)
    note = (note or "").strip()[:MAX_NOTE_LENGTH]
    if state == ParticipantState.PENDING:
        fail(InvalidState())
    if state != ParticipantState.ABSENT and record.presiding_official_id is None:
        fail(InvalidState(_l("Name the presiding official of the hearing before participants confirm or refuse "
                             "the record.")))
    if state == ParticipantState.REFUSED:
        if not permissions.can_note_refusal(actor, record):
            fail(NotAllowed(_l("Only the presiding official, %(name)s, can note a refusal to sign.",
                               name=record.presiding_official.name)))
        if is_blank(note):
            fail(ValidationFailed(_l("Note what the participant said when refusing to sign."), field="note"))
    if not record.statements and state != ParticipantState.ABSENT:
        fail(InvalidState(_l("Record the statements before participants confirm them.")))
    updated = db.session.execute(
        sa.update(HearingParticipant)
        .where(HearingParticipant.id == participant.id, HearingParticipant.state == ParticipantState.PENDING)
        .values(state=state, state_note=note, state_at=now, state_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if updated != 1:
        fail(InvalidState(_l("This participant's answer is already recorded.")))
    if state != ParticipantState.ABSENT and record.locked_at is None:
        record.locked_at = now
    db.session.flush()
    pending = db.session.execute(
        sa.select(sa.func.count()).select_from(HearingParticipant)
        .where(HearingParticipant.record_id == record.id, HearingParticipant.state == ParticipantState.PENDING)
    ).scalar_one()
    if pending == 0:
        record.completed_at = now
        record.locked_at = record.locked_at or now
    record_audit(actor, f"hearing_record.{state.value}", "hearing_participant", participant.id,
                 details={"record_id": record.id, "name": participant.name}, reason=note or None)
    db.session.commit()
    db.session.expire(participant)
    return participant
