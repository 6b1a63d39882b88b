"""Builders for action item tests."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from app.actions import services as action_services
from app.actions.models import ActionItem, ActionStatus
from app.db import utcnow
from app.extensions import db
from tests import factories


def item_input(official, *, due_on: date | None = None, **overrides) -> action_services.ActionInput:
    return action_services.ActionInput(
        title=overrides.pop("title", "修复社区路灯"), description=overrides.pop("description", "更换损坏的路灯"),
        due_on=due_on or (utcnow() + timedelta(days=30)).date(), department_id=overrides.pop(
            "department_id", official.department_id), responsible_id=overrides.pop("responsible_id", official.id),
        **overrides)


def make_item(official=None, meeting=None, *, due_on: date | None = None, now: datetime | None = None,
              **overrides) -> ActionItem:
    official = official or factories.make_user("official")
    return action_services.create_action_item(official, item_input(official, due_on=due_on, **overrides),
                                              meeting=meeting, now=now)


def raw_item(department, official, *, meeting=None, status=ActionStatus.OPEN, due_on: date, created_at=None,
             closed_at=None, n: int = 0) -> ActionItem:
    """Straight through the ORM, for bulk data (query-count tests)."""
    item = ActionItem(title=f"事项 {n}", department_id=department.id, responsible_id=official.id,
                      meeting_id=meeting.id if meeting else None, status=status, due_on=due_on,
                      original_due_on=due_on, created_by_id=official.id,
                      created_at=created_at or utcnow() - timedelta(days=20),
                      resolution="完成" if status in (ActionStatus.DONE, ActionStatus.CANNOT_RESOLVE) else "",
                      alternative_plan="替代方案" if status == ActionStatus.CANNOT_RESOLVE else "",
                      closed_at=closed_at or (utcnow() if status in (ActionStatus.DONE,
                                                                      ActionStatus.CANNOT_RESOLVE) else None))
    db.session.add(item)
    return item
