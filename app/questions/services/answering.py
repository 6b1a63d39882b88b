"""During and after the meeting: the question answered now, answered live, and written outcomes."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.accounts.audit import record_audit
from app.accounts.models import Department, User
from app.db import utcnow
from app.errors import DomainError, InvalidState, NotAllowed, ValidationFailed
from app.extensions import db
from app.formtools import clean_text, is_blank
from app.meetings.models import Meeting
from app.questions import permissions
from app.questions.models import (MAX_REASON_LENGTH, MAX_RESPONSE_LENGTH, Question, QuestionOutcome, QuestionStatus)
from app.questions.services.base import (OutcomeInput, check_moderator, clear_current_if, fail, lock_questions,
                                         queue_follower_emails, settings_for_update)


def set_now_answering(actor: User, meeting: Meeting, question: Question | None, *,
                      now: datetime | None = None) -> None:
    """Mark the question the meeting is answering now (shown on the projector), or clear it (None).
    Raises NotAllowed and InvalidState (not a published question of this meeting)."""
    now = now or utcnow()
    check_moderator(actor, meeting)
    if question is not None:
        lock_questions(question)
        if question.meeting_id != meeting.id or question.status != QuestionStatus.APPROVED:
            fail(InvalidState(_l("Only a published question of this meeting can be answered now.")))
    settings = settings_for_update(meeting.id)
    new_id = question.id if question is not None else None
    if settings.current_question_id == new_id:
        db.session.rollback()
        return
    settings.current_question_id = new_id
    if question is not None and question.answering_started_at is None:
        question.answering_started_at = now
    record_audit(actor, "question.now_answering" if question else "question.now_answering_cleared",
                 "question" if question else "meeting", new_id if question else meeting.id)
    db.session.commit()


def mark_answered_live(actor: User, question: Question, *, now: datetime | None = None) -> Question:
    """Record that the question was answered in the meeting; followers are told by email. An official
    may add a written summary later with record_outcome. Raises NotAllowed and InvalidState."""
    return record_outcome(actor, question, OutcomeInput(outcome=QuestionOutcome.ANSWERED_LIVE.value,
                                                        response=question.response or ""),
                          now=now, live=True)


def _clean_outcome(data: OutcomeInput) -> dict:
    try:
        outcome = QuestionOutcome(data.outcome)
    except ValueError:
        raise ValidationFailed(_l("Choose an outcome."), field="outcome") from None
    response, reason, plan = (clean_text(v or "") for v in (data.response, data.reason, data.plan))
    if len(response) > MAX_RESPONSE_LENGTH:
        raise ValidationFailed(_l("The response is too long (at most %(max)d characters).", max=MAX_RESPONSE_LENGTH),
                               field="response")
    for field, value in (("reason", reason), ("plan", plan)):
        if len(value) > MAX_REASON_LENGTH:
            raise ValidationFailed(_l("This is too long (at most %(max)d characters).", max=MAX_REASON_LENGTH),
                                   field=field)
    if outcome in (QuestionOutcome.ANSWERED, QuestionOutcome.ACTION) and is_blank(response):
        raise ValidationFailed(_l("Write the public response."), field="response")
    department_id = None
    if outcome == QuestionOutcome.REFERRED:
        if not data.department_id or db.session.get(Department, data.department_id) is None:
            raise ValidationFailed(_l("Choose the department the question is referred to."), field="department_id")
        department_id = data.department_id
    if outcome.needs_reason_and_plan:
        if is_blank(reason):
            raise ValidationFailed(_l("Give the reason."), field="reason")
        if is_blank(plan):
            raise ValidationFailed(_l("Say what the plan is."), field="plan")
    else:
        reason = plan = ""
    return {"outcome": outcome, "response": response, "outcome_reason": reason, "outcome_plan": plan,
            "referred_department_id": department_id}


def record_outcome(actor: User, question: Question, data: OutcomeInput, *, now: datetime | None = None,
                   live: bool = False) -> Question:
    """Give a published question its outcome and public response: answered in the meeting, answered,
    referred to a department (which one), turned into follow-up work (the response says what), or
    declined / cannot be solved now (both need a reason and a plan). A later call corrects it; the
    audit log keeps each version. Followers are told by email. Only the meeting's officials write
    outcomes; moderators may mark "answered in the meeting" from the console (`live`).
    Raises NotAllowed, ValidationFailed and InvalidState."""
    now = now or utcnow()
    meeting = question.meeting
    allowed = (permissions.can_moderate_questions if live else permissions.can_answer_questions)(actor, meeting)
    if not allowed:
        fail(NotAllowed())
    try:
        values = _clean_outcome(data)
    except DomainError as error:
        fail(error)
    lock_questions(question)
    if question.status != QuestionStatus.APPROVED:
        fail(InvalidState(_l("Only published questions get an outcome.")))
    before = {key: getattr(question, key) for key in values}
    if before == values:
        db.session.rollback()
        return question
    for key, value in values.items():
        setattr(question, key, value)
    question.outcome_at = now
    question.outcome_by_id = actor.id
    clear_current_if(question)
    db.session.flush()
    db.session.refresh(question, ["referred_department"])
    digest = hashlib.sha256(repr(sorted((k, str(v)) for k, v in values.items())).encode()).hexdigest()[:12]
    queue_follower_emails(question, "answered", key=digest)
    record_audit(actor, "question.answered_live" if live else "question.outcome", "question", question.id,
                 details={key: (value.value if hasattr(value, "value") else value) for key, value in values.items()},
                 reason=values["outcome_reason"] or None)
    db.session.commit()
    return question
