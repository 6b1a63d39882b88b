"""Citizens' use cases: ask a question, vote it up, stop follow emails."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.errors import DomainError, ValidationFailed
from app.extensions import db
from app.meetings.models import Meeting
from app.questions import queries as question_queries
from app.questions.models import (ModerationMode, Question, QuestionChannel, QuestionFollower, QuestionStatus,
                                  QuestionVote)
from app.questions.services.base import (MIN_SUBMISSION_ID_LENGTH, NotVotable, QuestionInput, QuestionsClosed,
                                         SubmitResult, VoteResult, clean_input, dialect_insert, fail,
                                         queue_follower_emails)
from app.registrations import codes
from app.urls import external_url


def _token_for_submission(submission_id: str) -> str:
    """The follow token of a web question, derived from the form's one-time submission id, so that a
    repeated submit (double click, reload) shows the same link without the token being stored."""
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    digest = hmac.new(secret, b"question-follow:" + submission_id.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def submit_question(meeting: Meeting, data: QuestionInput, *, submission_id: str | None,
                    now: datetime | None = None) -> SubmitResult:
    """A citizen asks a question on the web. Rules: the meeting takes questions (published, not over,
    not closed); a non-blank body of at most MAX_BODY_LENGTH characters; a known topic; valid optional
    contacts. Pre-moderation keeps it pending; post-moderation publishes it at once. The asker follows
    it through a private link; with an email address they get the link and later the answer by email.
    A repeat of the same form submission returns the first question and the same link.
    Raises QuestionsClosed and ValidationFailed.
    """
    now = now or utcnow()
    settings = question_queries.get_settings(meeting.id)
    state = question_queries.questions_state(meeting, settings, now)
    try:
        if not state.is_open:
            raise QuestionsClosed(state.message)
        clean = clean_input(data)
    except DomainError as error:
        fail(error)
    if not submission_id or not MIN_SUBMISSION_ID_LENGTH <= len(submission_id) <= 200:
        submission_id = codes.new_token()
    submission_hash = codes.hash_token(submission_id)
    token = _token_for_submission(submission_id)
    repeat = _find_repeat(submission_hash, meeting.id)
    if repeat is not None:
        db.session.rollback()
        return SubmitResult(repeat, token, repeated=True)
    published = settings.moderation_mode == ModerationMode.POST
    question = Question(
        meeting_id=meeting.id, body=clean.body, topic=clean.topic, channel=QuestionChannel.WEB,
        status=QuestionStatus.APPROVED if published else QuestionStatus.PENDING,
        asker_name=clean.asker_name, is_anonymous=clean.is_anonymous, contact_email=clean.email or "",
        contact_mobile=clean.mobile or "", language=clean.language, submission_hash=submission_hash,
        created_at=now, moderated_at=now if published else None,
    )
    db.session.add(question)
    try:
        db.session.flush()
        follower = QuestionFollower(question_id=question.id, original_question_id=question.id,
                                    token_hash=codes.hash_token(token), email=clean.email, language=clean.language,
                                    created_at=now)
        db.session.add(follower)
        db.session.flush()
        queue_follower_emails(question, "received", key="1", followers=[follower], private=(token,),
                               follow_url=external_url("questions.follow", token=token))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same form, submitted twice at once: the other request won
        repeat = _find_repeat(submission_hash, meeting.id)
        db.session.rollback()
        if repeat is None:
            raise
        return SubmitResult(repeat, token, repeated=True)
    return SubmitResult(question, token)


def _find_repeat(submission_hash: str, meeting_id: int) -> Question | None:
    return db.session.execute(
        sa.select(Question).where(Question.submission_hash == submission_hash, Question.meeting_id == meeting_id)
    ).scalar_one_or_none()


def cast_vote(question: Question, voter_key: str, *, adopt_from: str | None = None,
              now: datetime | None = None) -> VoteResult:
    """Vote a published question up, once per voter. Safe under concurrent double clicks: the second
    insert meets the unique constraint (ON CONFLICT DO NOTHING) and counts nothing.

    A registration voting (`voter_key` a registration's key) from a browser that voted as itself
    before passes the browser's key as `adopt_from`: first, in the same transaction, the browser's
    votes on this meeting's questions become the registration's (where the registration had voted
    too, the browser's vote is dropped and the count goes down by one), so one person never holds
    two votes on a question.
    Raises QuestionsClosed (the meeting takes no votes) and NotVotable (pending, rejected, merged)."""
    now = now or utcnow()
    meeting = question.meeting
    state = question_queries.questions_state(meeting, question_queries.get_settings(meeting.id), now)
    if not state.is_open:
        fail(QuestionsClosed(state.message))
    if not voter_key or len(voter_key) > 64 or (adopt_from is not None and len(adopt_from) > 64):
        fail(ValidationFailed(_l("Your browser did not identify itself; please allow cookies to vote.")))
    adopted = bool(adopt_from and adopt_from != voter_key
                   and _adopt_votes(meeting.id, adopt_from, voter_key, also_lock=question.id))
    # Takes the question's row lock and checks its state in one statement.
    bumped = db.session.execute(
        sa.update(Question).where(Question.id == question.id, Question.status == QuestionStatus.APPROVED)
        .values(vote_count=Question.vote_count + 1).execution_options(synchronize_session=False)
    ).rowcount
    if bumped != 1:
        status = db.session.execute(sa.select(Question.status).where(Question.id == question.id)).scalar_one()
        fail(_not_votable(status))
    insert = dialect_insert()
    inserted = db.session.execute(
        insert(QuestionVote).values(question_id=question.id, voter_key=voter_key, created_at=now)
        .on_conflict_do_nothing(index_elements=[QuestionVote.question_id, QuestionVote.voter_key])
        .returning(QuestionVote.id)
    ).scalar_one_or_none()
    if inserted is None:
        # This voter had already voted: undo the count (keeping any votes just adopted).
        if not adopted:
            db.session.rollback()
            return VoteResult(question, counted=False)
        db.session.execute(sa.update(Question).where(Question.id == question.id)
                           .values(vote_count=Question.vote_count - 1).execution_options(synchronize_session=False))
        db.session.commit()
        db.session.refresh(question, ["vote_count"])
        return VoteResult(question, counted=False)
    db.session.commit()
    db.session.refresh(question, ["vote_count"])
    return VoteResult(question, counted=True)


def _adopt_votes(meeting_id: int, from_key: str, to_key: str, *, also_lock: int) -> bool:
    """Make `from_key`'s votes on the meeting's questions `to_key`'s, keeping one vote per question
    (the union). The affected questions' rows are locked in id order first (PostgreSQL; SQLite
    transactions are serialised), so a concurrent vote or merge waits, and their counts are recounted.
    Returns whether there was anything to adopt."""
    in_meeting = sa.select(Question.id).where(Question.meeting_id == meeting_id)
    voted = db.session.execute(
        sa.select(QuestionVote.question_id).where(QuestionVote.voter_key == from_key,
                                                  QuestionVote.question_id.in_(in_meeting))
    ).scalars().all()
    if not voted:
        return False
    ids = sorted(set(voted) | {also_lock})
    db.session.execute(sa.select(Question.id).where(Question.id.in_(ids)).order_by(Question.id).with_for_update()).all()
    both = sa.select(QuestionVote.question_id).where(QuestionVote.voter_key == to_key)
    db.session.execute(
        sa.delete(QuestionVote).where(QuestionVote.voter_key == from_key, QuestionVote.question_id.in_(voted),
                                      QuestionVote.question_id.in_(both))
        .execution_options(synchronize_session=False))
    db.session.execute(
        sa.update(QuestionVote).where(QuestionVote.voter_key == from_key, QuestionVote.question_id.in_(voted))
        .values(voter_key=to_key).execution_options(synchronize_session=False))
    counted = (sa.select(sa.func.count()).select_from(QuestionVote)
               .where(QuestionVote.question_id == Question.id).scalar_subquery())
    db.session.execute(sa.update(Question).where(Question.id.in_(voted)).values(vote_count=counted)
                       .execution_options(synchronize_session=False))
    return True


def _not_votable(status: QuestionStatus) -> NotVotable:
    if status == QuestionStatus.MERGED:
        return NotVotable(_l("This question was merged into a similar one: vote for that one instead."))
    if status == QuestionStatus.REJECTED:
        return NotVotable(_l("This question is not published, so it cannot get votes."))
    return NotVotable(_l("This question is waiting for moderation and cannot get votes yet."))


def stop_follow_emails(follower: QuestionFollower) -> QuestionFollower:
    """The follower keeps the private link but gets no more email; their address is forgotten."""
    if follower.email is not None:
        follower.email = None
        db.session.commit()
    return follower
