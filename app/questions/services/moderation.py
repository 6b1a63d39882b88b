"""Moderators' use cases: enter questions from other channels, approve, reject, edit, merge, settings."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.audit import record_audit
from app.accounts.models import User
from app.db import utcnow
from app.errors import DomainError, InvalidState, ValidationFailed
from app.extensions import db
from app.formtools import clean_text, is_blank
from app.meetings.models import Meeting
from app.questions import queries as question_queries
from app.questions.models import (MAX_CLOSED_MESSAGE_LENGTH, MAX_REASON_LENGTH, ModerationMode, Question,
                                  QuestionChannel, QuestionFollower, QuestionSettings, QuestionStatus, QuestionVote)
from app.questions.services.base import (QuestionInput, check_moderator, clean_body, clean_input, clean_name,
                                         clean_topic, clear_current_if, fail, lock_questions,
                                         queue_follower_emails, settings_for_update, snapshot)
from app.registrations import codes
from app.urls import external_url


def enter_question(actor: User, meeting: Meeting, data: QuestionInput, *, channel: str,
                   now: datetime | None = None) -> Question:
    """A moderator enters a question received by hotline, email, letter or in person, on the asker's
    behalf. It is published at once (the moderator has read it) and audited. With an email address the
    asker gets a private follow link by email. Raises NotAllowed, InvalidState and ValidationFailed."""
    now = now or utcnow()
    try:
        check_moderator(actor, meeting)
        if not meeting.is_public:
            raise InvalidState(_l("Questions can only be entered for a published meeting."))
        try:
            source = QuestionChannel(channel)
        except ValueError:
            raise ValidationFailed(_l("Choose how the question was received."), field="channel") from None
        if source == QuestionChannel.WEB:
            raise ValidationFailed(_l("Choose how the question was received."), field="channel")
        clean = clean_input(data)
    except DomainError as error:
        fail(error)
    question = Question(
        meeting_id=meeting.id, body=clean.body, topic=clean.topic, channel=source, status=QuestionStatus.APPROVED,
        asker_name=clean.asker_name, is_anonymous=clean.is_anonymous, contact_email=clean.email or "",
        contact_mobile=clean.mobile or "", language=clean.language, entered_by_id=actor.id, created_at=now,
        moderated_at=now, moderated_by_id=actor.id,
    )
    db.session.add(question)
    db.session.flush()
    if clean.email:
        token = codes.new_token()
        follower = QuestionFollower(question_id=question.id, original_question_id=question.id,
                                    token_hash=codes.hash_token(token), email=clean.email, language=clean.language,
                                    created_at=now)
        db.session.add(follower)
        db.session.flush()
        queue_follower_emails(question, "received", key="1", followers=[follower], private=(token,),
                               follow_url=external_url("questions.follow", token=token))
    record_audit(actor, "question.enter", "question", question.id,
                 details={"meeting_id": meeting.id, "channel": source.value, **snapshot(question)})
    db.session.commit()
    return question


def approve_question(actor: User, question: Question, *, now: datetime | None = None) -> Question:
    """Publish a pending (or earlier rejected) question. Approving a published one changes nothing.
    Raises NotAllowed and InvalidState (merged)."""
    now = now or utcnow()
    check_moderator(actor, question.meeting)
    lock_questions(question)
    if question.status == QuestionStatus.APPROVED:
        db.session.rollback()
        return question
    if question.status == QuestionStatus.MERGED:
        fail(InvalidState(_l("A merged question cannot be published again.")))
    before = question.status.value
    question.status = QuestionStatus.APPROVED
    question.rejection_reason = None
    question.moderated_at = now
    question.moderated_by_id = actor.id
    record_audit(actor, "question.approve", "question", question.id, details={"before": before})
    db.session.commit()
    return question


def reject_question(actor: User, question: Question, *, reason: str, now: datetime | None = None) -> Question:
    """Take a question off (or keep it off) the public pages, with a reason the asker sees on their
    private link and by email. Raises NotAllowed, ValidationFailed (no reason) and InvalidState."""
    now = now or utcnow()
    check_moderator(actor, question.meeting)
    reason = clean_text(reason or "")
    if is_blank(reason):
        fail(ValidationFailed(_l("Give the reason; the asker will see it."), field="reason"))
    if len(reason) > MAX_REASON_LENGTH:
        fail(ValidationFailed(_l("The reason is too long (at most %(max)d characters).", max=MAX_REASON_LENGTH),
                               field="reason"))
    lock_questions(question)
    if question.status not in (QuestionStatus.PENDING, QuestionStatus.APPROVED):
        fail(InvalidState(_l("Only questions waiting for moderation or published can be rejected.")))
    before = question.status.value
    question.status = QuestionStatus.REJECTED
    question.rejection_reason = reason
    question.moderated_at = now
    question.moderated_by_id = actor.id
    clear_current_if(question)
    queue_follower_emails(question, "rejected", key=f"{now:%Y%m%d%H%M%S}", reason=reason)
    record_audit(actor, "question.reject", "question", question.id, details={"before": before}, reason=reason)
    db.session.commit()
    return question


def edit_question(actor: User, question: Question, *, body: str, topic: str, asker_name: str,
                  is_anonymous: bool, now: datetime | None = None) -> Question:
    """Correct a question, typically to take personal data out of it. The audit event keeps the text
    before and after, so the original is never lost. Minutes drafts and submitted minutes that link
    the question get its new public text in the same transaction (approved minutes never change).
    Nothing changed: nothing is written. Raises NotAllowed, ValidationFailed and InvalidState (merged)."""
    now = now or utcnow()
    check_moderator(actor, question.meeting)
    try:
        new_body, new_topic, new_name = clean_body(body), clean_topic(topic), clean_name(asker_name)
    except DomainError as error:
        fail(error)
    lock_questions(question)
    if question.status == QuestionStatus.MERGED:
        fail(InvalidState(_l("A merged question cannot be edited; edit the question it was merged into.")))
    before = snapshot(question)
    question.body, question.topic = new_body, new_topic
    question.asker_name, question.is_anonymous = new_name, bool(is_anonymous)
    after = snapshot(question)
    if after == before:
        db.session.rollback()
        return question
    question.edited_at = now
    changed = sorted(key for key in after if after[key] != before[key])
    record_audit(actor, "question.edit", "question", question.id,
                 details={"changed": changed, "before": {k: before[k] for k in changed},
                          "after": {k: after[k] for k in changed}})
    from app.minutes.services import refresh_question_copies

    refresh_question_copies(actor, question)
    db.session.commit()
    return question


def merge_questions(actor: User, question: Question, into: Question, *, now: datetime | None = None) -> Question:
    """Merge a duplicate into the question to keep (published, same meeting). The kept question gets
    the union of both sets of votes (a voter of both counts once) and all followers; questions merged
    earlier into the duplicate now point at the kept one. Followers of the duplicate are told by email.
    Raises NotAllowed, ValidationFailed and InvalidState."""
    now = now or utcnow()
    meeting = question.meeting
    try:
        check_moderator(actor, meeting)
        if into.meeting_id != question.meeting_id:
            raise ValidationFailed(_l("Questions can only be merged within one meeting."), field="into_id")
        if into.id == question.id:
            raise ValidationFailed(_l("Choose another question to keep."), field="into_id")
    except DomainError as error:
        fail(error)
    lock_questions(question, into)
    if question.status not in (QuestionStatus.PENDING, QuestionStatus.APPROVED):
        fail(InvalidState(_l("Only questions waiting for moderation or published can be merged.")))
    if question.outcome is not None:
        fail(InvalidState(_l("This question already has an outcome, so it cannot be merged.")))
    if into.status != QuestionStatus.APPROVED:
        fail(ValidationFailed(_l("The question to keep must be published. Approve it first."), field="into_id"))
    votes_before = question.vote_count
    same_voter = sa.select(QuestionVote.voter_key).where(QuestionVote.question_id == into.id)
    moved = db.session.execute(
        sa.update(QuestionVote)
        .where(QuestionVote.question_id == question.id, QuestionVote.voter_key.not_in(same_voter))
        .values(question_id=into.id).execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(sa.delete(QuestionVote).where(QuestionVote.question_id == question.id)
                       .execution_options(synchronize_session=False))
    queue_follower_emails(question, "merged", key=str(into.id), kept=into,
                           kept_url=external_url("questions.index", meeting_id=meeting.id) + f"#q-{into.id}")
    followers = db.session.execute(
        sa.update(QuestionFollower).where(QuestionFollower.question_id == question.id).values(question_id=into.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(sa.update(Question).where(Question.merged_into_id == question.id)
                       .values(merged_into_id=into.id).execution_options(synchronize_session=False))
    into.vote_count = db.session.execute(
        sa.select(sa.func.count()).select_from(QuestionVote).where(QuestionVote.question_id == into.id)
    ).scalar_one()
    question.vote_count = 0
    question.status = QuestionStatus.MERGED
    question.merged_into_id = into.id
    question.moderated_at = now
    question.moderated_by_id = actor.id
    clear_current_if(question)
    record_audit(actor, "question.merge", "question", question.id,
                 details={"into": into.id, "votes": votes_before, "votes_moved": moved, "followers_moved": followers,
                          "kept_votes_after": into.vote_count})
    db.session.commit()
    return into


def update_settings(actor: User, meeting: Meeting, *, moderation_mode: str, is_closed: bool,
                    closed_message: str = "") -> QuestionSettings:
    """Choose pre- or post-moderation, and close or reopen questions with a message for citizens.
    Switching to post-moderation does not publish questions already waiting. Raises NotAllowed and
    ValidationFailed."""
    try:
        check_moderator(actor, meeting)
        try:
            mode = ModerationMode(moderation_mode)
        except ValueError:
            raise ValidationFailed(_l("Choose a moderation mode."), field="moderation_mode") from None
        message = clean_text(closed_message or "")
        if len(message) > MAX_CLOSED_MESSAGE_LENGTH:
            raise ValidationFailed(_l("The message is too long (at most %(max)d characters).",
                                      max=MAX_CLOSED_MESSAGE_LENGTH), field="closed_message")
    except DomainError as error:
        fail(error)
    settings = settings_for_update(meeting.id)
    before = {"moderation_mode": settings.moderation_mode.value, "is_closed": settings.is_closed,
              "closed_message": settings.closed_message}
    settings.moderation_mode, settings.is_closed, settings.closed_message = mode, bool(is_closed), message
    after = {"moderation_mode": mode.value, "is_closed": bool(is_closed), "closed_message": message}
    if after == before:
        db.session.rollback()
        return question_queries.get_settings(meeting.id)
    record_audit(actor, "questions.settings", "meeting", meeting.id, details={"before": before, "after": after})
    db.session.commit()
    return settings
