"""Reads of questions. Public variants never load contacts (they raise if a template tries); staff
variants load everything the moderation pages show. Every list is a bounded page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import defer, joinedload

from app.accounts.models import User
from app.db import utcnow
from app.extensions import db
from app.meetings.models import DEFAULT_DURATION, Meeting, MeetingStatus, meeting_hosts
from app.meetings.rules import PROFILES, profile_named
from app.pagination import Page, clean_page_number, paginate
from app.questions.models import (
    ModerationMode,
    Question,
    QuestionFollower,
    QuestionSettings,
    QuestionStatus,
    QuestionTopic,
    QuestionVote,
)
from app.registrations.codes import hash_token

SORTS = ("votes", "new")
# Similar-question suggestions compare against at most this many of a meeting's questions.
SIMILARITY_CANDIDATE_CAP = 3000
PROJECTOR_TOP = 5
MEETING_PAGE_TOP = 3
MAX_TOKEN_LENGTH = 100

STAFF_VIEWS = ("pending", "open", "approved", "answered", "rejected", "merged", "all")


# ---------------------------------------------------------------------------- settings and state

def get_settings(meeting_id: int) -> QuestionSettings:
    """The meeting's settings, or unsaved defaults (pre-moderation, open) when it has none."""
    settings = db.session.get(QuestionSettings, meeting_id)
    if settings is None:
        settings = QuestionSettings(meeting_id=meeting_id, moderation_mode=ModerationMode.PRE, is_closed=False,
                                    closed_message="", current_question_id=None)
    return settings


@dataclass(frozen=True)
class QuestionsState:
    """Whether citizens may ask and vote now, and if not, the message to show them."""

    is_open: bool
    message: str = ""


def questions_state(meeting: Meeting, settings: QuestionSettings, now: datetime | None = None) -> QuestionsState:
    """Open while the meeting is published and not over, unless a moderator closed questions."""
    now = now or utcnow()
    if meeting.is_cancelled:
        return QuestionsState(False, str(_l("This meeting is cancelled, so it takes no more questions or votes.")))
    if not meeting.is_published:
        return QuestionsState(False, str(_l("This meeting does not take questions.")))
    if settings.is_closed:
        return QuestionsState(False, settings.closed_message or str(_l("Questions are closed for this meeting.")))
    if meeting.is_past(now):
        return QuestionsState(False, str(_l("The meeting has ended, so it takes no more questions or votes.")))
    return QuestionsState(True)


def question_deadline_days(profile_code: str | None) -> int:
    """Days after a meeting within which each question needs an outcome: QUESTION_DEADLINE_DAYS when
    configured, else the rules profile the meeting was published under (default 15)."""
    override = current_app.config.get("QUESTION_DEADLINE_DAYS")
    if override not in (None, ""):
        return int(override)
    return profile_named(profile_code).question_deadline_days


def question_deadline(meeting: Meeting) -> datetime:
    return meeting.effective_end + timedelta(days=question_deadline_days(meeting.notice_profile))


# ---------------------------------------------------------------------------- public reads

def _public_options():
    """Public pages load no contact or submission data: touching them raises instead of querying."""
    return (
        defer(Question.contact_email, raiseload=True),
        defer(Question.contact_mobile, raiseload=True),
        defer(Question.submission_hash, raiseload=True),
        joinedload(Question.referred_department),
    )


def _public_meeting():
    return sa.and_(Meeting.published_at.is_not(None),
                   Meeting.status.in_([MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED]))


def clean_sort(raw: str | None) -> str:
    return raw if raw in SORTS else "votes"


def clean_topic(raw: str | None) -> str | None:
    """A known topic value, '' for no filter, or None for an unknown one (which matches nothing)."""
    if not raw:
        return ""
    return raw if raw in {topic.value for topic in QuestionTopic} else None


def list_public_questions(meeting_id: int, *, sort: str = "votes", topic: str | None = "", page: int = 1,
                          per_page: int | None = None) -> Page:
    """A meeting's published questions, most votes first (ties: oldest first) or newest first."""
    per_page = per_page or current_app.config["PER_PAGE"]
    stmt = (sa.select(Question).options(*_public_options())
            .where(Question.meeting_id == meeting_id, Question.status == QuestionStatus.APPROVED))
    if topic is None:
        stmt = stmt.where(sa.false())
    elif topic:
        stmt = stmt.where(Question.topic == QuestionTopic(topic))
    if sort == "new":
        stmt = stmt.order_by(Question.created_at.desc(), Question.id.desc())
    else:
        stmt = stmt.order_by(Question.vote_count.desc(), Question.created_at, Question.id)
    return paginate(stmt, clean_page_number(page), per_page)


def voted_question_ids(voter_keys: list[str], question_ids: list[int]) -> set[int]:
    """Which of these questions this voter has voted for under any of its keys (a registration and
    the browser's own), in one query; none without a voter."""
    voter_keys = [key for key in voter_keys if key]
    if not voter_keys or not question_ids:
        return set()
    return set(db.session.execute(
        sa.select(QuestionVote.question_id).where(QuestionVote.voter_key.in_(voter_keys),
                                                  QuestionVote.question_id.in_(question_ids))
    ).scalars())


def get_public_question_or_404(question_id: int) -> Question:
    """A question of a public meeting, in any state (the caller decides what may be done with it)."""
    question = db.session.execute(
        sa.select(Question).options(*_public_options(), joinedload(Question.meeting))
        .join(Meeting, Meeting.id == Question.meeting_id)
        .where(Question.id == question_id, _public_meeting())
    ).scalar_one_or_none()
    if question is None:
        abort(404)
    return question


def list_questions_by_ids(ids: list[int]) -> list[Question]:
    """Questions for display (public loading), in the order of `ids`."""
    if not ids:
        return []
    found = {q.id: q for q in db.session.execute(
        sa.select(Question).options(*_public_options()).where(Question.id.in_(ids))).scalars()}
    return [found[i] for i in ids if i in found]


def list_similarity_candidates(meeting_id: int, *, statuses: tuple[QuestionStatus, ...] = (QuestionStatus.APPROVED,),
                               exclude_id: int | None = None) -> list[tuple[int, str]]:
    """(id, body) of a meeting's questions in the given states, most voted first, at most
    SIMILARITY_CANDIDATE_CAP of them."""
    stmt = (sa.select(Question.id, Question.body)
            .where(Question.meeting_id == meeting_id, Question.status.in_(statuses))
            .order_by(Question.vote_count.desc(), Question.id.desc()).limit(SIMILARITY_CANDIDATE_CAP))
    if exclude_id is not None:
        stmt = stmt.where(Question.id != exclude_id)
    return [(row.id, row.body) for row in db.session.execute(stmt)]


@dataclass
class MeetingQuestions:
    """What a meeting's public page shows about its questions."""

    approved_count: int
    top: list
    state: QuestionsState


def meeting_questions_summary(meeting: Meeting, now: datetime | None = None) -> MeetingQuestions:
    """Three queries: settings, the count and the top questions."""
    state = questions_state(meeting, get_settings(meeting.id), now)
    count = db.session.execute(
        sa.select(sa.func.count()).select_from(Question)
        .where(Question.meeting_id == meeting.id, Question.status == QuestionStatus.APPROVED)
    ).scalar_one()
    top = list(db.session.execute(
        sa.select(Question).options(*_public_options())
        .where(Question.meeting_id == meeting.id, Question.status == QuestionStatus.APPROVED)
        .order_by(Question.vote_count.desc(), Question.created_at, Question.id).limit(MEETING_PAGE_TOP)
    ).scalars()) if count else []
    return MeetingQuestions(approved_count=count, top=top, state=state)


@dataclass
class ProjectorView:
    current: Question | None
    top: list


def projector_view(meeting_id: int, settings: QuestionSettings) -> ProjectorView:
    """The question being answered now (if it is published) and the most-voted unanswered others."""
    current = None
    if settings.current_question_id:
        current = db.session.execute(
            sa.select(Question).options(*_public_options())
            .where(Question.id == settings.current_question_id, Question.meeting_id == meeting_id,
                   Question.status == QuestionStatus.APPROVED)
        ).scalar_one_or_none()
    stmt = (sa.select(Question).options(*_public_options())
            .where(Question.meeting_id == meeting_id, Question.status == QuestionStatus.APPROVED,
                   Question.outcome.is_(None))
            .order_by(Question.vote_count.desc(), Question.created_at, Question.id).limit(PROJECTOR_TOP))
    if current is not None:
        stmt = stmt.where(Question.id != current.id)
    return ProjectorView(current=current, top=list(db.session.execute(stmt).scalars()))


def get_follower_by_token_or_404(token: str) -> QuestionFollower:
    """The follower behind a private link. Wrong and malformed tokens give the same 404."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        abort(404)
    follower = db.session.execute(
        sa.select(QuestionFollower)
        .options(joinedload(QuestionFollower.question).joinedload(Question.meeting),
                 joinedload(QuestionFollower.question).joinedload(Question.referred_department),
                 joinedload(QuestionFollower.original_question).joinedload(Question.merged_into))
        .where(QuestionFollower.token_hash == hash_token(token))
    ).unique().scalar_one_or_none()
    if follower is None:
        abort(404)
    return follower


# ---------------------------------------------------------------------------- staff reads

def _staff_options():
    return (joinedload(Question.referred_department), joinedload(Question.entered_by),
            joinedload(Question.merged_into))


def count_by_view(meeting_id: int) -> dict[str, int]:
    """How many questions each staff tab holds, in one query."""
    status, outcome = Question.status, Question.outcome
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(status == QuestionStatus.PENDING),
            sa.func.count().filter(sa.and_(status == QuestionStatus.APPROVED, outcome.is_(None))),
            sa.func.count().filter(status == QuestionStatus.APPROVED),
            sa.func.count().filter(sa.and_(status == QuestionStatus.APPROVED, outcome.is_not(None))),
            sa.func.count().filter(status == QuestionStatus.REJECTED),
            sa.func.count().filter(status == QuestionStatus.MERGED),
            sa.func.count(),
        ).select_from(Question).where(Question.meeting_id == meeting_id)
    ).one()
    return dict(zip(STAFF_VIEWS, row))


def list_staff_questions(meeting_id: int, *, view: str = "pending", page: int = 1, per_page: int = 30) -> Page:
    """One staff tab: pending questions oldest first (a queue); published ones by votes; others newest first."""
    stmt = sa.select(Question).options(*_staff_options()).where(Question.meeting_id == meeting_id)
    by_votes = (Question.vote_count.desc(), Question.created_at, Question.id)
    newest = (Question.created_at.desc(), Question.id.desc())
    if view == "pending":
        stmt = stmt.where(Question.status == QuestionStatus.PENDING).order_by(Question.created_at, Question.id)
    elif view == "open":
        stmt = stmt.where(Question.status == QuestionStatus.APPROVED, Question.outcome.is_(None)).order_by(*by_votes)
    elif view == "approved":
        stmt = stmt.where(Question.status == QuestionStatus.APPROVED).order_by(*by_votes)
    elif view == "answered":
        stmt = stmt.where(Question.status == QuestionStatus.APPROVED, Question.outcome.is_not(None)).order_by(
            Question.outcome_at.desc(), Question.id.desc())
    elif view in ("rejected", "merged"):
        stmt = stmt.where(Question.status == QuestionStatus(view)).order_by(*newest)
    else:
        stmt = stmt.order_by(*newest)
    return paginate(stmt, clean_page_number(page), per_page)


def list_console_questions(meeting_id: int, *, page: int = 1, per_page: int = 30) -> Page:
    """Published questions for the live console: unanswered first, then by votes."""
    stmt = (sa.select(Question).options(*_staff_options())
            .where(Question.meeting_id == meeting_id, Question.status == QuestionStatus.APPROVED)
            .order_by(Question.outcome.is_not(None), Question.vote_count.desc(), Question.created_at, Question.id))
    return paginate(stmt, clean_page_number(page), per_page)


def get_meeting_question_or_none(meeting_id: int, question_id: int | None) -> Question | None:
    """A question of this meeting with everything staff pages show (contacts included)."""
    if question_id is None:
        return None
    return db.session.execute(
        sa.select(Question).options(*_staff_options())
        .where(Question.id == question_id, Question.meeting_id == meeting_id)
    ).scalar_one_or_none()


def get_meeting_question_or_404(meeting_id: int, question_id: int) -> Question:
    question = get_meeting_question_or_none(meeting_id, question_id)
    if question is None:
        abort(404)
    return question


def count_followers(question_id: int) -> tuple[int, int]:
    """(followers, followers with an email address) of one question."""
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(QuestionFollower.email))
        .where(QuestionFollower.question_id == question_id)
    ).one()
    return row[0], row[1]


# ---------------------------------------------------------------------------- overdue

def _ended_before(cutoff: datetime):
    # Meetings without an end count as DEFAULT_DURATION long (shifting the cutoff, not adding intervals
    # in SQL, which SQLite and PostgreSQL spell differently).
    return sa.or_(sa.and_(Meeting.ends_at.is_not(None), Meeting.ends_at <= cutoff),
                  sa.and_(Meeting.ends_at.is_(None), Meeting.starts_at <= cutoff - DEFAULT_DURATION))


def _past_deadline(now: datetime):
    """Meetings whose question deadline has passed, each judged by the profile it was published under."""
    conditions = [
        sa.and_(Meeting.notice_profile == code, _ended_before(now - timedelta(days=question_deadline_days(code))))
        for code in PROFILES
    ]
    other = sa.or_(Meeting.notice_profile.is_(None), Meeting.notice_profile.not_in(list(PROFILES)))
    conditions.append(sa.and_(other, _ended_before(now - timedelta(days=question_deadline_days(None)))))
    return sa.or_(*conditions)


def _staff_meeting_scope(user: User):
    """The meetings a staff member works on: created, hosted or of their department; admins all."""
    from app.security import Role

    if user.role == Role.ADMIN:
        return sa.true()
    hosted = sa.select(meeting_hosts.c.meeting_id).where(meeting_hosts.c.user_id == user.id)
    return sa.or_(Meeting.created_by_id == user.id, Meeting.id.in_(hosted), Meeting.department_id == user.department_id)


@dataclass
class OverdueQuestion:
    question: Question
    deadline: datetime
    days_overdue: int


def list_overdue_questions(user: User, *, now: datetime | None = None, page: int = 1, per_page: int = 20) -> Page:
    """Questions still without an outcome (waiting for moderation, or published and unanswered) whose
    meeting ended more than the deadline ago, oldest meeting first. Rejected and merged questions are
    settled (a stated reason; the kept question carries the answer)."""
    now = now or utcnow()
    stmt = (
        sa.select(Question)
        .options(joinedload(Question.meeting).joinedload(Meeting.department))
        .join(Meeting, Meeting.id == Question.meeting_id)
        .where(Question.status.in_([QuestionStatus.PENDING, QuestionStatus.APPROVED]), Question.outcome.is_(None),
               _past_deadline(now), _staff_meeting_scope(user))
        .order_by(sa.func.coalesce(Meeting.ends_at, Meeting.starts_at), Question.created_at, Question.id)
    )
    result = paginate(stmt, clean_page_number(page), per_page)
    items = []
    for question in result.items:
        deadline = question_deadline(question.meeting)
        items.append(OverdueQuestion(question, deadline, max(0, (now - deadline).days)))
    result.items = items
    return result


__all__ = [
    "SORTS",
    "STAFF_VIEWS",
    "QuestionsState",
    "clean_sort",
    "clean_topic",
    "count_by_view",
    "count_followers",
    "get_follower_by_token_or_404",
    "get_meeting_question_or_404",
    "get_meeting_question_or_none",
    "get_public_question_or_404",
    "get_settings",
    "list_console_questions",
    "list_overdue_questions",
    "list_public_questions",
    "list_questions_by_ids",
    "list_similarity_candidates",
    "list_staff_questions",
    "meeting_questions_summary",
    "projector_view",
    "question_deadline",
    "question_deadline_days",
    "questions_state",
    "voted_question_ids",
]
