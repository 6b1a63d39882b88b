"""Bounded reads for the summary PDF: a fixed number of queries whatever the meeting's size, and
public fields only (no contacts, no asker names)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.actions.models import ActionItem, ActionUpdate
from app.extensions import db
from app.minutes.models import Minutes, MinutesVersion
from app.questions import queries as question_queries
from app.questions.models import Question, QuestionStatus
from app.registrations.models import Registration

TOP_QUESTIONS = 10


def latest_minutes_version(meeting_id: int) -> Optional[MinutesVersion]:
    """The newest version in any state (the draft summary shows the current state)."""
    return db.session.execute(
        sa.select(MinutesVersion).join(Minutes).where(Minutes.meeting_id == meeting_id)
        .order_by(MinutesVersion.number.desc()).limit(1)
    ).scalar_one_or_none()


def list_top_questions(meeting_id: int, limit: int = TOP_QUESTIONS) -> list[Question]:
    """The most-voted published questions, loaded with the public options (contacts raise if touched)."""
    return list(db.session.execute(
        sa.select(Question).options(*question_queries._public_options())
        .where(Question.meeting_id == meeting_id, Question.status == QuestionStatus.APPROVED)
        .order_by(Question.vote_count.desc(), Question.created_at, Question.id).limit(limit)
    ).scalars())


@dataclass
class TopicCounts:
    counts: dict[str, int]
    last_change: Optional[datetime]


def count_questions_by_topic(meeting_id: int) -> TopicCounts:
    """Published questions per topic, and the latest change among them (one query)."""
    changed = sa.func.max(sa.func.coalesce(Question.outcome_at, Question.moderated_at, Question.created_at))
    rows = db.session.execute(
        sa.select(Question.topic, sa.func.count(), changed)
        .where(Question.meeting_id == meeting_id, Question.status == QuestionStatus.APPROVED)
        .group_by(Question.topic)
    ).all()
    changes = [_aware(row[2]) for row in rows if row[2] is not None]
    return TopicCounts({str(row[0]): row[1] for row in rows}, max(changes) if changes else None)


def list_summary_action_items(meeting_id: int) -> list[tuple[ActionItem, Optional[ActionUpdate]]]:
    """The meeting's action items with department and responsible official, each with its latest
    update (two queries)."""
    items = list(db.session.execute(
        sa.select(ActionItem).where(ActionItem.meeting_id == meeting_id)
        .options(joinedload(ActionItem.department), joinedload(ActionItem.responsible))
        .order_by(ActionItem.due_on, ActionItem.id)
    ).scalars())
    if not items:
        return []
    latest_ids = (sa.select(sa.func.max(ActionUpdate.id))
                  .join(ActionItem, ActionUpdate.action_item_id == ActionItem.id)
                  .where(ActionItem.meeting_id == meeting_id).group_by(ActionUpdate.action_item_id))
    updates = {u.action_item_id: u for u in db.session.execute(
        sa.select(ActionUpdate).where(ActionUpdate.id.in_(latest_ids))).scalars()}
    return [(item, updates.get(item.id)) for item in items]


def latest_registration_change(meeting_id: int) -> Optional[datetime]:
    value = db.session.execute(
        sa.select(sa.func.max(sa.func.coalesce(Registration.checked_in_at, Registration.created_at)))
        .where(Registration.meeting_id == meeting_id)
    ).scalar_one_or_none()
    return _aware(value)


def _aware(value):
    """SQLite aggregates return naive strings or datetimes; the stored values are UTC."""
    from datetime import UTC

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
