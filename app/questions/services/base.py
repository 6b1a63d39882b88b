"""What the question use cases share: errors, inputs, cleaning, locks and follower emails."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import Department, User
from app.db import utcnow
from app.errors import DomainError, NotAllowed, ValidationFailed
from app.extensions import db
from app.formtools import clean_line, clean_text, is_blank
from app.i18n import DEFAULT_LANGUAGE, LOCALES
from app.meetings.models import Meeting
from app.questions import permissions
from app.questions.models import (MAX_BODY_LENGTH, MAX_NAME_LENGTH, ModerationMode, Question, QuestionFollower,
                                  QuestionSettings, QuestionTopic, QuestionVote)
from app.registrations import codes
from app.urls import external_url

MIN_SUBMISSION_ID_LENGTH = 32


class QuestionsClosed(DomainError):
    status_code = 409
    default_message = _l("Questions are closed for this meeting.")


class NotVotable(DomainError):
    status_code = 409
    default_message = _l("Only published questions can get votes.")


@dataclass
class QuestionInput:
    body: str
    topic: str
    asker_name: str = ""
    is_anonymous: bool = False
    contact_email: str = ""
    contact_mobile: str = ""
    language: str = DEFAULT_LANGUAGE


@dataclass
class SubmitResult:
    """`token` is the follow link's token (also for a repeated submit of the same form);
    `repeated` means this form had already been submitted and nothing new was created."""

    question: Question
    token: str
    repeated: bool = False


@dataclass
class VoteResult:
    question: Question
    counted: bool  # False: this voter had already voted for it


@dataclass
class OutcomeInput:
    outcome: str
    response: str = ""
    reason: str = ""
    plan: str = ""
    department_id: int | None = None


@dataclass
class _Clean:
    body: str
    topic: QuestionTopic
    asker_name: str
    is_anonymous: bool
    email: str | None
    mobile: str | None
    language: str


# ---------------------------------------------------------------------------- helpers

def fail(error: DomainError):
    db.session.rollback()
    raise error


def clean_body(body: str | None) -> str:
    text = clean_text(body or "")
    if is_blank(text):
        raise ValidationFailed(_l("Please write your question."), field="body")
    if len(text) > MAX_BODY_LENGTH:
        raise ValidationFailed(_l("The question is too long: at most %(max)d characters, it has %(n)d.",
                                  max=MAX_BODY_LENGTH, n=len(text)), field="body")
    return text


def clean_topic(topic: str | None) -> QuestionTopic:
    try:
        return QuestionTopic(topic)
    except ValueError:
        raise ValidationFailed(_l("Choose a topic from the list."), field="topic") from None


def clean_name(name: str | None) -> str:
    name = " ".join((clean_line(name or "") or "").split())
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(_l("The name is too long (at most %(max)d characters).", max=MAX_NAME_LENGTH),
                               field="asker_name")
    return name


def clean_input(data: QuestionInput) -> _Clean:
    body = clean_body(data.body)
    topic = clean_topic(data.topic)
    name = clean_name(data.asker_name)
    try:
        email = codes.normalise_email(data.contact_email)
    except ValueError:
        raise ValidationFailed(_l("Enter a valid email address, or leave it empty."), field="contact_email") from None
    try:
        mobile = codes.normalise_mobile(data.contact_mobile)
    except ValueError:
        raise ValidationFailed(
            _l("Enter a valid mobile number (11 digits for mainland China, or international format such as "
               "+44 7700 900123), or leave it empty."), field="contact_mobile") from None
    language = data.language if data.language in LOCALES else DEFAULT_LANGUAGE
    return _Clean(body, topic, name, bool(data.is_anonymous), email, mobile, language)


def dialect_insert():
    dialect = db.session.get_bind(mapper=sa.inspect(QuestionVote)).dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"questions support PostgreSQL and SQLite, not {dialect}")


def settings_for_update(meeting_id: int) -> QuestionSettings:
    """The meeting's settings row, created if missing, locked for this transaction."""
    insert = dialect_insert()
    db.session.execute(insert(QuestionSettings).values(meeting_id=meeting_id, moderation_mode=ModerationMode.PRE,
                                                       is_closed=False, closed_message="", updated_at=utcnow())
                       .on_conflict_do_nothing(index_elements=[QuestionSettings.meeting_id]))
    return db.session.execute(
        sa.select(QuestionSettings).where(QuestionSettings.meeting_id == meeting_id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def lock_questions(*questions: Question) -> None:
    """Lock the rows (in id order, so two moderators cannot deadlock) and reload them."""
    ids = sorted(q.id for q in questions)
    db.session.execute(
        sa.select(Question).where(Question.id.in_(ids)).order_by(Question.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalars().all()


def check_moderator(actor: User, meeting: Meeting) -> None:
    if not permissions.can_moderate_questions(actor, meeting):
        raise NotAllowed()


def _department_name(department: Department | None, language: str) -> str:
    if department is None:
        return ""
    return department.name_en if language == "en" and department.name_en else department.name_zh


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.lower().encode("utf-8")).hexdigest()[:16]


def queue_follower_emails(question: Question, kind: str, *, key: str, followers=None, private: tuple = (),
                          **context) -> int:
    """Queue one email of `kind` to each follower of `question` who gave an address, in their language.
    `key` makes the dedupe key: one message per address and event, even if an address follows twice.
    `private` lists private-link tokens in the context (a follow link), stored encrypted in the outbox."""
    from app.notify.rendering import render_email
    from app.notify.services import queue_email

    if followers is None:
        followers = db.session.execute(
            sa.select(QuestionFollower).where(QuestionFollower.question_id == question.id,
                                              QuestionFollower.email.is_not(None)).order_by(QuestionFollower.id)
        ).scalars().all()
    meeting = question.meeting
    queued = 0
    for follower in followers:
        if not follower.email:
            continue
        language = follower.language if follower.language in LOCALES else DEFAULT_LANGUAGE
        subject, text, html = render_email(
            f"questions/{kind}", language, question=question, meeting=meeting,
            department_name=_department_name(question.referred_department, language),
            meeting_url=external_url("meetings.detail", meeting_id=meeting.id),
            question_url=external_url("questions.index", meeting_id=meeting.id) + f"#q-{question.id}",
            **context,
        )
        dedupe = f"question-{question.id}-{kind}-{key}-{_email_digest(follower.email)}"
        if queue_email(to=follower.email, subject=subject, text=text, html=html, dedupe_key=dedupe[:200],
                       language=language, private=private) is not None:
            queued += 1
    return queued


def snapshot(question: Question) -> dict:
    return {"body": question.body, "topic": question.topic.value, "asker_name": question.asker_name,
            "is_anonymous": question.is_anonymous}


def clear_current_if(question: Question) -> None:
    db.session.execute(sa.update(QuestionSettings).where(QuestionSettings.current_question_id == question.id)
                       .values(current_question_id=None).execution_options(synchronize_session=False))
