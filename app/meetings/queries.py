"""Reads of meetings for public and staff pages, each loading exactly what the page shows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, current_app
from sqlalchemy.orm import joinedload, selectinload

from app import formtools
from app.accounts.models import Department, District, User
from app.db import utcnow
from app.extensions import db
from app.meetings.models import (DEFAULT_DURATION, MAX_MEETING_SPAN, Meeting, MeetingStatus, MeetingType,
                                 meeting_hosts)
from app.pagination import Page, clean_page_number, paginate

MAX_QUERY_LENGTH = 100
# Dates outside this range are ignored: they filter nothing away, and their day boundaries would
# overflow Python's datetime when converted to UTC.
MIN_FILTER_DATE = date(1900, 1, 1)
MAX_FILTER_DATE = date(9998, 12, 31)


@dataclass
class MeetingFilters:
    """Public list filters parsed from query parameters. Unknown values mark the filter as
    unsatisfiable (empty result) rather than failing."""

    type: Optional[str] = None
    district: Optional[str] = None
    department: Optional[str] = None
    q: str = ""
    date_from: Optional[date] = None
    date_to: Optional[date] = None
    past: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "MeetingFilters":
        return cls(
            type=(formtools.clean_arg(args.get("type")) or None),
            district=(formtools.clean_arg(args.get("district")) or None),
            department=(formtools.clean_arg(args.get("department")) or None),
            q=formtools.clean_arg(args.get("q"), MAX_QUERY_LENGTH),
            date_from=_parse_date(args.get("from")),
            date_to=_parse_date(args.get("to")),
            past=args.get("when") == "past",
            page=clean_page_number(args.get("page", 1)),
        )

    @property
    def is_filtered(self) -> bool:
        return any([self.type, self.district, self.department, self.q, self.date_from, self.date_to])


def _parse_date(raw: str | None) -> Optional[date]:
    if not raw:
        return None
    try:
        value = date.fromisoformat(formtools.clean_arg(raw)[:10])
    except ValueError:
        return None
    return value if MIN_FILTER_DATE <= value <= MAX_FILTER_DATE else None


def _public_condition():
    return sa.and_(Meeting.published_at.is_not(None), Meeting.status.in_([MeetingStatus.PUBLISHED,
                                                                           MeetingStatus.CANCELLED]))


def _upcoming_condition(now: datetime):
    # Meetings without an end count as DEFAULT_DURATION long: compare their start with a shifted "now"
    # rather than adding intervals in SQL, which SQLite and PostgreSQL spell differently.
    # Null-safe on purpose: `ends_at > now` is NULL for meetings without an end, and NOT(NULL) is
    # NULL, which would drop those meetings from the past archive.
    return sa.or_(
        sa.and_(Meeting.ends_at.is_not(None), Meeting.ends_at > now),
        sa.and_(Meeting.ends_at.is_(None), Meeting.starts_at > now - DEFAULT_DURATION),
    )


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_public_meetings(filters: MeetingFilters, per_page: int | None = None, now: datetime | None = None) -> Page:
    per_page = per_page or current_app.config["PER_PAGE"]
    return paginate(select_public_meetings(filters, now), filters.page, per_page)


def select_public_meetings(filters: MeetingFilters, now: datetime | None = None) -> sa.Select:
    """The public list's statement (filters, upcoming or past as of `now`, order), unpaginated.
    Shared by the list page and the calendar feed so both always filter alike."""
    now = now or utcnow()
    stmt = (
        sa.select(Meeting)
        .options(joinedload(Meeting.department), joinedload(Meeting.district))
        .where(_public_condition())
    )
    # The bounds on starts_at follow from the conditions (a past meeting started before now; an upcoming
    # one, lasting at most MAX_MEETING_SPAN, started less than that long ago) and let the database walk
    # ix_meetings_starts_at_id from now instead of reading every meeting the city ever held.
    if filters.past:
        stmt = stmt.where(sa.not_(_upcoming_condition(now)), Meeting.starts_at < now) \
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    else:
        stmt = stmt.where(_upcoming_condition(now), Meeting.starts_at > now - MAX_MEETING_SPAN) \
            .order_by(Meeting.starts_at, Meeting.id)
    if filters.type:
        if filters.type not in {t.value for t in MeetingType}:
            stmt = stmt.where(sa.false())
        else:
            stmt = stmt.where(Meeting.type == MeetingType(filters.type))
    if filters.district:
        stmt = stmt.where(Meeting.district_id.in_(sa.select(District.id).where(District.code == filters.district)))
    if filters.department:
        stmt = stmt.where(
            Meeting.department_id.in_(sa.select(Department.id).where(Department.code == filters.department))
        )
    if filters.q:
        pattern = _like_pattern(filters.q)
        stmt = stmt.where(sa.or_(*[
            sa.func.lower(column).like(pattern, escape="\\")
            for column in (Meeting.title, Meeting.summary, Meeting.venue_name, Meeting.address, Meeting.host_note)
        ]))
    zone = ZoneInfo(current_app.config["DEFAULT_TIMEZONE"])
    if filters.date_from:
        stmt = stmt.where(Meeting.starts_at >= datetime.combine(filters.date_from, time.min, zone))
    if filters.date_to:
        stmt = stmt.where(Meeting.starts_at < datetime.combine(filters.date_to + timedelta(days=1), time.min, zone))
    return stmt


def get_public_meeting_or_404(meeting_id: int, *, with_program: bool = True) -> Meeting:
    """A meeting as the public may see it (published, or cancelled after publication), with
    everything its page shows loaded (without its hosts and agenda when `with_program` is false:
    pages that only name the meeting); drafts and unknown ids are 404."""
    options = [joinedload(Meeting.department), joinedload(Meeting.district)]
    if with_program:
        options += [selectinload(Meeting.hosts), selectinload(Meeting.agenda_items)]
    meeting = db.session.execute(
        sa.select(Meeting).options(*options).where(Meeting.id == meeting_id, _public_condition())
    ).scalar_one_or_none()
    if meeting is None:
        abort(404)
    return meeting


def get_meeting_or_404(meeting_id: int) -> Meeting:
    """Any meeting, drafts included, for staff pages (the caller checks permission)."""
    meeting = db.session.execute(
        sa.select(Meeting)
        .options(
            joinedload(Meeting.department), joinedload(Meeting.district), joinedload(Meeting.created_by),
            selectinload(Meeting.hosts), selectinload(Meeting.agenda_items),
        )
        .where(Meeting.id == meeting_id)
    ).scalar_one_or_none()
    if meeting is None:
        abort(404)
    return meeting


def list_staff_meetings(user: User, *, page: int = 1, per_page: int = 20, status: str | None = None,
                        mine_only: bool = False) -> Page:
    """Meetings a staff member works on: created, hosted, or of their department (admins: all)."""
    from app.security import Role

    stmt = sa.select(Meeting).options(joinedload(Meeting.department), joinedload(Meeting.district))
    hosted = sa.select(meeting_hosts.c.meeting_id).where(meeting_hosts.c.user_id == user.id)
    own = sa.or_(Meeting.created_by_id == user.id, Meeting.id.in_(hosted))
    if mine_only:
        stmt = stmt.where(own)
    elif user.role != Role.ADMIN:
        stmt = stmt.where(sa.or_(own, Meeting.department_id == user.department_id))
    if status in {s.value for s in MeetingStatus}:
        stmt = stmt.where(Meeting.status == MeetingStatus(status))
    stmt = stmt.order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    return paginate(stmt, page, per_page)


def count_public_meetings() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Meeting).where(_public_condition())).scalar_one()
