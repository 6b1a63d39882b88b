"""Reading action items: the public tracker and its filters, one item with its history, the per-department
figures and the staff dashboard lists. Every function runs a fixed number of queries."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from app.accounts.models import Department, District, User
from app.actions.models import (DEFAULT_TIMEZONE, SATISFACTION_SCORE, ActionDueChange, ActionFollower, ActionItem,
                                ActionRating, ActionStatus, ActionUpdate, Satisfaction)
from app.actions.services import get_follower_for_token
from app.db import utcnow
from app.extensions import db
from app.formtools import clean_arg
from app.meetings.models import Meeting
from app.minutes.models import MinutesVersion
from app.pagination import Page, clean_page_number, paginate

PER_PAGE = 30
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
_MAX_ARG = 60


def _arg(raw) -> str:
    return clean_arg(raw, _MAX_ARG)


@dataclass
class ActionFilters:
    """Tracker filters from query parameters. Unknown values give an empty result rather than an error."""

    department: Optional[str] = None
    district: Optional[str] = None
    status: Optional[str] = None
    overdue: bool = False
    overdue_invalid: bool = False
    meeting_id: Optional[int] = None
    meeting_invalid: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "ActionFilters":
        overdue_raw = _arg(args.get("overdue"))
        meeting_raw = _arg(args.get("meeting"))
        meeting_id = int(meeting_raw) if meeting_raw.isdigit() and len(meeting_raw) < 10 else None
        return cls(department=_arg(args.get("department")) or None, district=_arg(args.get("district")) or None,
                   status=_arg(args.get("status")) or None, overdue=overdue_raw in ("1", "yes", "true"),
                   overdue_invalid=bool(overdue_raw) and overdue_raw not in ("1", "yes", "true", "0", "no", "false"),
                   meeting_id=meeting_id, meeting_invalid=bool(meeting_raw) and meeting_id is None,
                   page=clean_page_number(args.get("page", 1)))

    @property
    def is_filtered(self) -> bool:
        return any([self.department, self.district, self.status, self.overdue, self.meeting_id,
                    self.overdue_invalid, self.meeting_invalid])


def _public_condition():
    """Items of draft meetings stay private until the meeting is published."""
    return sa.or_(ActionItem.meeting_id.is_(None), Meeting.published_at.is_not(None))


def _zones() -> list[str]:
    zones = set(db.session.execute(
        sa.select(Meeting.timezone).join(ActionItem, ActionItem.meeting_id == Meeting.id).distinct()).scalars())
    return sorted(zones | {DEFAULT_TIMEZONE})


def overdue_condition(now: datetime, zones: list[str]):
    """Open items whose due date is before today in their meeting's time zone."""
    zone = sa.func.coalesce(Meeting.timezone, DEFAULT_TIMEZONE)
    per_zone = [sa.and_(zone == name, ActionItem.due_on < now.astimezone(ZoneInfo(name)).date()) for name in zones]
    return sa.and_(ActionItem.status.in_(OPEN_STATUSES), sa.or_(*per_zone))


def _list_options():
    return (joinedload(ActionItem.department), joinedload(ActionItem.meeting).joinedload(Meeting.district),
            joinedload(ActionItem.responsible))


def list_public_action_items(filters: ActionFilters, *, now: datetime | None = None,
                             per_page: int = PER_PAGE) -> Page:
    now = now or utcnow()
    stmt = (sa.select(ActionItem).outerjoin(Meeting, ActionItem.meeting_id == Meeting.id)
            .where(_public_condition()).options(*_list_options())
            .order_by(ActionItem.due_on, ActionItem.id))
    if filters.overdue_invalid or filters.meeting_invalid:
        stmt = stmt.where(sa.false())
    if filters.department:
        stmt = stmt.where(ActionItem.department_id.in_(
            sa.select(Department.id).where(Department.code == filters.department)))
    if filters.district:
        stmt = stmt.where(Meeting.district_id.in_(sa.select(District.id).where(District.code == filters.district)))
    if filters.status:
        if filters.status in {s.value for s in ActionStatus}:
            stmt = stmt.where(ActionItem.status == ActionStatus(filters.status))
        else:
            stmt = stmt.where(sa.false())
    if filters.meeting_id is not None:
        stmt = stmt.where(ActionItem.meeting_id == filters.meeting_id)
    if filters.overdue:
        stmt = stmt.where(overdue_condition(now, _zones()))
    return paginate(stmt, filters.page, per_page)


def list_meeting_action_items(meeting_id: int) -> list[ActionItem]:
    return list(db.session.execute(
        sa.select(ActionItem).where(ActionItem.meeting_id == meeting_id)
        .options(joinedload(ActionItem.department), joinedload(ActionItem.meeting))
        .order_by(ActionItem.due_on, ActionItem.id)).scalars())


def get_action_item_or_404(action_id: int) -> ActionItem:
    item = db.session.execute(
        sa.select(ActionItem).where(ActionItem.id == action_id)
        .options(joinedload(ActionItem.department), joinedload(ActionItem.responsible),
                 joinedload(ActionItem.meeting).joinedload(Meeting.district), joinedload(ActionItem.question))
    ).scalar_one_or_none()
    if item is None:
        abort(404)
    return item


def get_public_action_item_or_404(action_id: int) -> ActionItem:
    item = get_action_item_or_404(action_id)
    if item.meeting is not None and item.meeting.published_at is None:
        abort(404)
    return item


@dataclass
class HistoryEntry:
    at: datetime
    kind: str
    body: str
    previous_due_on: Optional[date] = None
    new_due_on: Optional[date] = None


def list_history(item: ActionItem) -> list[HistoryEntry]:
    """Updates and due date changes, oldest first."""
    updates = db.session.execute(sa.select(ActionUpdate).where(ActionUpdate.action_item_id == item.id)).scalars()
    changes = db.session.execute(
        sa.select(ActionDueChange).where(ActionDueChange.action_item_id == item.id)).scalars()
    entries = [HistoryEntry(at=u.created_at, kind=u.kind, body=u.body) for u in updates]
    entries += [HistoryEntry(at=c.created_at, kind="extended", body=c.reason, previous_due_on=c.previous_due_on,
                             new_due_on=c.new_due_on) for c in changes]
    return sorted(entries, key=lambda e: e.at)


@dataclass
class RatingSummary:
    counts: dict = field(default_factory=dict)
    total: int = 0

    @property
    def score(self) -> Optional[float]:
        if not self.total:
            return None
        return sum(SATISFACTION_SCORE[value] * n for value, n in self.counts.items()) / self.total

    def share(self, value: Satisfaction) -> float:
        return self.counts.get(value, 0) / self.total if self.total else 0.0


def rating_summary(item_id: int) -> RatingSummary:
    rows = db.session.execute(sa.select(ActionRating.value, sa.func.count()).where(
        ActionRating.action_item_id == item_id).group_by(ActionRating.value)).all()
    counts = {Satisfaction(value): n for value, n in rows}
    return RatingSummary(counts=counts, total=sum(counts.values()))


def get_minutes_version(version_id: int | None) -> Optional[MinutesVersion]:
    if version_id is None:
        return None
    return db.session.execute(sa.select(MinutesVersion).where(MinutesVersion.id == version_id)
                              .options(joinedload(MinutesVersion.minutes))).scalar_one_or_none()


def get_follower_by_token_or_404(token: str) -> ActionFollower:
    follower = get_follower_for_token(token)
    if follower is None:
        abort(404)
    return follower


def has_rated(follower: ActionFollower) -> bool:
    return db.session.execute(sa.select(ActionRating.id).where(ActionRating.follower_id == follower.id)).first() \
        is not None


# ---------------------------------------------------------------------------- figures

@dataclass
class DepartmentFigures:
    department: Department
    open_count: int = 0
    done_count: int = 0
    cannot_resolve_count: int = 0
    overdue_count: int = 0
    on_time_count: int = 0
    days_to_close: list = field(default_factory=list)
    ratings: RatingSummary = field(default_factory=RatingSummary)

    @property
    def total(self) -> int:
        return self.open_count + self.done_count + self.cannot_resolve_count

    @property
    def on_time_rate(self) -> Optional[float]:
        return self.on_time_count / self.done_count if self.done_count else None

    @property
    def median_days_to_close(self) -> Optional[float]:
        return statistics.median(self.days_to_close) if self.days_to_close else None


def department_figures(*, now: datetime | None = None) -> list[DepartmentFigures]:
    """Per department: open, done, cannot be resolved, overdue, on-time completion rate, median days to close
    and satisfaction. Three queries whatever the number of items."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(ActionItem.department_id, ActionItem.status, ActionItem.due_on, ActionItem.created_at,
                  ActionItem.closed_at, sa.func.coalesce(Meeting.timezone, DEFAULT_TIMEZONE))
        .outerjoin(Meeting, ActionItem.meeting_id == Meeting.id).where(_public_condition())).all()
    ratings = db.session.execute(
        sa.select(ActionItem.department_id, ActionRating.value, sa.func.count())
        .join(ActionItem, ActionRating.action_item_id == ActionItem.id)
        .outerjoin(Meeting, ActionItem.meeting_id == Meeting.id).where(_public_condition())
        .group_by(ActionItem.department_id, ActionRating.value)).all()
    departments = {d.id: d for d in db.session.execute(sa.select(Department).order_by(Department.code)).scalars()}
    figures: dict[int, DepartmentFigures] = {}
    today_in: dict[str, date] = {}
    for department_id, status, due_on, created_at, closed_at, zone in rows:
        fig = figures.setdefault(department_id, DepartmentFigures(departments[department_id]))
        tz = ZoneInfo(zone)
        today = today_in.setdefault(zone, now.astimezone(tz).date())
        if status in OPEN_STATUSES:
            fig.open_count += 1
            fig.overdue_count += today > due_on
        elif status == ActionStatus.DONE:
            fig.done_count += 1
            fig.on_time_count += closed_at.astimezone(tz).date() <= due_on
            fig.days_to_close.append(max(0, (closed_at - created_at).days))
        else:
            fig.cannot_resolve_count += 1
    by_department: dict[int, Counter] = defaultdict(Counter)
    for department_id, value, count in ratings:
        by_department[department_id][Satisfaction(value)] += count
    for department_id, counts in by_department.items():
        if department_id in figures:
            figures[department_id].ratings = RatingSummary(counts=dict(counts), total=sum(counts.values()))
    return sorted(figures.values(), key=lambda f: f.department.code)


# ---------------------------------------------------------------------------- staff dashboard

@dataclass
class StaffActionLists:
    overdue: list
    due_soon: list
    stale: list


def staff_action_lists(user: User, *, now: datetime | None = None, limit: int = 20) -> StaffActionLists:
    """The user's open items (responsible, or of their department): overdue, due within 7 days, and
    without an update in 30 days. Loads the candidates once and sorts them in Python."""
    now = now or utcnow()
    mine = sa.or_(ActionItem.responsible_id == user.id,
                  ActionItem.department_id == user.department_id) if user.department_id else \
        ActionItem.responsible_id == user.id
    items = list(db.session.execute(
        sa.select(ActionItem).where(mine, ActionItem.status.in_(OPEN_STATUSES))
        .options(joinedload(ActionItem.meeting), joinedload(ActionItem.department))
        .order_by(ActionItem.due_on, ActionItem.id)).scalars())
    overdue = [i for i in items if i.is_overdue(now)]
    due_soon = [i for i in items if not i.is_overdue(now) and (i.due_on - i.local_today(now)).days <= 7]
    stale_before = now - timedelta(days=30)
    stale = [i for i in items if (i.last_update_at or i.created_at) < stale_before]
    return StaffActionLists(overdue=overdue[:limit], due_soon=due_soon[:limit], stale=stale[:limit])


def list_managed_action_items(user: User, page: int = 1) -> Page:
    """Every action item, newest first (staff see all items; who may change one is in permissions)."""
    stmt = sa.select(ActionItem).options(*_list_options()).order_by(ActionItem.id.desc())
    return paginate(stmt, page, PER_PAGE)


def list_responsible_candidates() -> list[User]:
    from app.security import Role

    return list(db.session.execute(
        sa.select(User).where(User.is_active.is_(True), User.role.in_([Role.ADMIN, Role.OFFICIAL]))
        .order_by(User.name)).scalars())


def list_published_minutes_refs(meeting_id: int) -> tuple[Optional[MinutesVersion], list[tuple[str, str]]]:
    """The current published minutes version of a meeting and its (ref, text) decisions and commitments."""
    from app.minutes import queries as minutes_queries

    public = minutes_queries.get_public_minutes(meeting_id)
    if public.current is None:
        return None, []
    version, content = public.current.version, public.current.content
    refs = [(f"d{i}.{j}", d.motion) for i, item in enumerate(content.items) for j, d in enumerate(item.decisions)]
    refs += [(f"c{i}", c.text) for i, c in enumerate(content.commitments)]
    return version, refs


def question_action_items(question_ids: list[int]) -> dict[int, ActionItem]:
    """Action items made from these questions, by question id (one query)."""
    if not question_ids:
        return {}
    items = db.session.execute(sa.select(ActionItem).where(ActionItem.question_id.in_(question_ids))
                               .options(joinedload(ActionItem.meeting))).scalars()
    return {item.question_id: item for item in items}
