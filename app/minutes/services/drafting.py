"""Writing minutes: open them (prefilled), save drafts, submit for approval."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.accounts.audit import record_audit
from app.accounts.models import Department, User
from app.db import utcnow
from app.errors import ValidationFailed
from app.extensions import db
from app.meetings.models import Meeting
from app.minutes import permissions
from app.minutes.content import AnsweredQuestion, ItemRecord, MinutesContent, decode, encode
from app.minutes.models import Minutes, MinutesVersion, VersionStatus
from app.minutes.services.base import (NotADraft, check_meeting_open_for_minutes, current_status, fail,
                                       require, transition)
from app.minutes.validation import ContentInvalid, check_content


def prefill_content(meeting: Meeting) -> MinutesContent:
    """A first draft: the agenda items, the hosting officials and the citizens checked in."""
    from app.registrations import queries as registration_queries

    counts = registration_queries.count_registrations(meeting.id)
    return MinutesContent(
        officials_present=[host.name for host in meeting.hosts],
        citizens_present=counts.checked_in,
        items=[ItemRecord(agenda_item_id=item.id, title=item.title) for item in meeting.agenda_items],
    )


def open_minutes(actor: User, meeting: Meeting, *, now: datetime | None = None) -> MinutesVersion:
    """The version staff should work on: the open one (draft, submitted or approved), else the newest.
    Creates the minutes with a prefilled first draft when there are none yet.

    Raises NotAllowed (not staff of the meeting) and MinutesNotOpen (a draft or cancelled meeting, or
    one that has not started).
    """
    now = now or utcnow()
    require(permissions.can_edit_minutes(actor, meeting))
    existing = db.session.execute(sa.select(Minutes).where(Minutes.meeting_id == meeting.id)).scalar_one_or_none()
    if existing is not None:
        return existing.versions[-1]
    check_meeting_open_for_minutes(meeting, now)
    text, digest = encode(prefill_content(meeting), meeting_id=meeting.id, number=1)
    minutes = Minutes(meeting_id=meeting.id, created_at=now, created_by_id=actor.id)
    version = MinutesVersion(minutes=minutes, number=1, status=VersionStatus.DRAFT, content=text,
                             content_hash=digest, prev_hash="", created_at=now, created_by_id=actor.id,
                             updated_at=now, updated_by_id=actor.id)
    db.session.add_all([minutes, version])
    try:
        db.session.flush()
    except IntegrityError:  # someone opened them at the same moment: use theirs
        db.session.rollback()
        existing = db.session.execute(sa.select(Minutes).where(Minutes.meeting_id == meeting.id)).scalar_one()
        return existing.versions[-1]
    record_audit(actor, "minutes.open", "minutes", minutes.id, details={"meeting_id": meeting.id})
    db.session.commit()
    return version


def _complete(content: MinutesContent, meeting: Meeting) -> MinutesContent:
    """Derive what the clerk does not type: vote counts from a roll call, the text of the linked
    questions and the names of the responsible departments (copied, so the record stands alone)."""
    for item in content.items:
        for decision in item.decisions:
            if decision.roll_call:
                decision.votes_for = len(decision.names_voting("for"))
                decision.votes_against = len(decision.names_voting("against"))
                decision.votes_abstain = len(decision.names_voting("abstain"))
    _copy_linked_questions(content, meeting)
    department_ids = {c.department_id for c in content.commitments if c.department_id}
    departments = {d.id: d for d in db.session.execute(
        sa.select(Department).where(Department.id.in_(department_ids))).scalars()} if department_ids else {}
    for index, commitment in enumerate(content.commitments):
        if commitment.department_id is None:
            continue
        department = departments.get(commitment.department_id)
        if department is None:
            raise ContentInvalid([(f"commitments.{index}.department_id", _l("Unknown department."))])
        commitment.department_zh, commitment.department_en = department.name_zh, department.name_en
    return content


def _copy_linked_questions(content: MinutesContent, meeting: Meeting) -> None:
    """Copy each linked question's current public text (its body and public asker name: nothing for an
    anonymous asker) into the content. Raises ContentInvalid for a question that is not of this
    meeting or not answered in the room."""
    from app.questions import queries as question_queries
    from app.questions.models import QuestionOutcome

    wanted = [q.question_id for q in content.questions]
    if not wanted:
        return
    found = {q.id: q for q in question_queries.list_questions_by_ids(wanted)}
    linked = []
    for question_id in wanted:
        question = found.get(question_id)
        if question is None or question.meeting_id != meeting.id or question.outcome != QuestionOutcome.ANSWERED_LIVE:
            raise ContentInvalid([("questions", _l("Only questions of this meeting answered in the room can be linked."))])
        linked.append(AnsweredQuestion.of(question))
    content.questions = linked


def copies_are_current(content: MinutesContent) -> bool:
    """Whether every linked question's copy is still its current public text (one query)."""
    from app.questions import queries as question_queries

    if not content.questions:
        return True
    found = {q.id: q for q in question_queries.list_questions_by_ids([q.question_id for q in content.questions])}
    return all(q.question_id in found and AnsweredQuestion.of(found[q.question_id]) == q for q in content.questions)


def refresh_question_copies(actor: User, question) -> int:
    """Part of a moderator's edit of `question`, inside its transaction (the caller commits): every open
    version (draft or submitted) of its meeting's minutes that links it gets its current public text and
    a new hash, so that taking personal data out of a question, or making its asker anonymous, reaches
    the minutes before they are approved. Approved and published versions never change (see
    queries.list_versions_quoting_old_text). Returns how many versions were refreshed."""
    open_statuses = (VersionStatus.DRAFT, VersionStatus.SUBMITTED)
    versions = db.session.execute(
        sa.select(MinutesVersion).join(Minutes)
        .where(Minutes.meeting_id == question.meeting_id, MinutesVersion.status.in_(open_statuses))
    ).scalars().all()
    refreshed = 0
    for version in versions:
        content = decode(version.content)
        fresh = AnsweredQuestion.of(question)
        if not any(q.question_id == question.id and q != fresh for q in content.questions):
            continue
        content.questions = [fresh if q.question_id == question.id else q for q in content.questions]
        text, digest = encode(content, meeting_id=question.meeting_id, number=version.number)
        updated = db.session.execute(
            sa.update(MinutesVersion).where(MinutesVersion.id == version.id, MinutesVersion.status.in_(open_statuses))
            .values(content=text, content_hash=digest).execution_options(synchronize_session=False)
        ).rowcount
        if updated:
            db.session.expire(version)
            refreshed += 1
            record_audit(actor, "minutes.refresh_question", "minutes_version", version.id,
                         details={"meeting_id": question.meeting_id, "number": version.number,
                                  "question_id": question.id, "sha256": digest})
    return refreshed


def save_draft(actor: User, version: MinutesVersion, content: MinutesContent, *,
               now: datetime | None = None) -> MinutesVersion:
    """Replace a draft's content. Shape rules are checked (votes not negative nor above the people
    present, roll-call names among the officials present, adjournment not before the start); an
    incomplete draft is fine.

    Raises NotAllowed, NotADraft (submitted, approved or published: nothing is written) and
    ContentInvalid (every problem, with its path).
    """
    now = now or utcnow()
    meeting = version.minutes.meeting
    require(permissions.can_edit_minutes(actor, meeting))
    if not version.is_draft:
        fail(NotADraft())
    try:
        content = _complete(content, meeting)
        check_content(content, meeting)
    except ContentInvalid as error:
        fail(error)
    text, digest = encode(content, meeting_id=meeting.id, number=version.number)
    if not transition(version, VersionStatus.DRAFT, content=text, content_hash=digest, updated_at=now,
                      updated_by_id=actor.id):
        fail(NotADraft())  # submitted by someone else since the page was loaded
    record_audit(actor, "minutes.save_draft", "minutes_version", version.id,
                 details={"meeting_id": meeting.id, "number": version.number, "sha256": digest})
    db.session.commit()
    return version


def submit_minutes(actor: User, version: MinutesVersion, *, content: MinutesContent | None = None,
                   now: datetime | None = None) -> MinutesVersion:
    """Send a draft for approval. It must be complete (presiding official, recorder, adjournment,
    quorum where the type needs one). The linked questions' public text is copied again, so a
    moderator's edit since the last save is in the submitted text. The submitter may not approve it.
    With `content` (the editor's "save and submit"), the draft is replaced by it in the same
    transaction: if it cannot be submitted, nothing is saved either.

    Raises NotAllowed, NotADraft and ContentInvalid.
    """
    now = now or utcnow()
    meeting = version.minutes.meeting
    require(permissions.can_edit_minutes(actor, meeting))
    if not version.is_draft:
        fail(NotADraft())
    saved = {}
    try:
        if content is None:
            content = decode(version.content)
            _copy_linked_questions(content, meeting)  # the questions' text as it is now, not when last saved
        else:
            content = _complete(content, meeting)  # copies the linked questions' text too
            saved = {"updated_at": now, "updated_by_id": actor.id}
        check_content(content, meeting, for_submit=True)
    except ContentInvalid as error:
        fail(error)
    text, digest = encode(content, meeting_id=meeting.id, number=version.number)
    if not transition(version, VersionStatus.DRAFT, status=VersionStatus.SUBMITTED, content=text,
                      content_hash=digest, submitted_at=now, submitted_by_id=actor.id, review_comment=None, **saved):
        fail(NotADraft() if current_status(version) != VersionStatus.DRAFT else ValidationFailed())
    details = {"meeting_id": meeting.id, "number": version.number, "sha256": digest}
    if saved:
        record_audit(actor, "minutes.save_draft", "minutes_version", version.id, details=details)
    record_audit(actor, "minutes.submit", "minutes_version", version.id, details=details)
    db.session.commit()
    return version
