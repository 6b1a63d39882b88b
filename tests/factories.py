"""Builders for test data. They write through the ORM directly (not services) to set up any state."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

from app.accounts.models import Department, District, User
from app.extensions import db
from app.meetings.models import AgendaItem, Meeting, MeetingStatus, MeetingType
from app.security import Role

DEFAULT_PASSWORD = "correct horse battery"
_seq = itertools.count(1)
_default_hash: list[str] = []


def _set_password(user: User, password: str) -> None:
    """Hash the shared default password once per run: a real hash costs about a quarter second."""
    if password != DEFAULT_PASSWORD:
        user.set_password(password)
        return
    if not _default_hash:
        user.set_password(password)
        _default_hash.append(user.password_hash)
    user.password_hash = _default_hash[0]


def now() -> datetime:
    return datetime.now(timezone.utc)


def make_department(**overrides) -> Department:
    n = next(_seq)
    dept = Department(code=overrides.pop("code", f"dept-{n}"), name_zh=overrides.pop("name_zh", f"部门{n}"),
                      name_en=overrides.pop("name_en", f"Department {n}"), **overrides)
    db.session.add(dept)
    db.session.commit()
    return dept


def make_district(**overrides) -> District:
    n = next(_seq)
    district = District(code=overrides.pop("code", f"district-{n}"), name_zh=overrides.pop("name_zh", f"区{n}"),
                        name_en=overrides.pop("name_en", f"District {n}"), **overrides)
    db.session.add(district)
    db.session.commit()
    return district


def make_user(role="official", *, password: str = DEFAULT_PASSWORD, department=None, **overrides) -> User:
    n = next(_seq)
    if department is None and "department_id" not in overrides:
        department = make_department()
    user = User(
        email=overrides.pop("email", f"user{n}@example.gov.cn"),
        name=overrides.pop("name", f"User {n}"),
        role=Role(role),
        department_id=overrides.pop("department_id", department.id if department else None),
        **overrides,
    )
    _set_password(user, password)
    db.session.add(user)
    db.session.commit()
    return user


def make_meeting(*, status: str = "published", starts_in: timedelta = timedelta(days=10),
                 duration: timedelta | None = timedelta(hours=2), agenda: list[str] | None = None,
                 hosts: list[User] | None = None, **overrides) -> Meeting:
    n = next(_seq)
    if "department_id" not in overrides:
        overrides["department_id"] = (overrides.pop("department", None) or make_department()).id
    if "district_id" not in overrides:
        overrides["district_id"] = (overrides.pop("district", None) or make_district()).id
    if "created_by_id" not in overrides:
        creator = overrides.pop("created_by", None) or make_user(department_id=overrides["department_id"])
        overrides["created_by_id"] = creator.id
    starts_at = overrides.pop("starts_at", None) or (now() + starts_in).replace(microsecond=0)
    status = MeetingStatus(status)
    meeting = Meeting(
        type=MeetingType(overrides.pop("type", "town_hall")),
        status=status,
        title=overrides.pop("title", f"Meeting {n}"),
        summary=overrides.pop("summary", "About the neighbourhood"),
        starts_at=starts_at,
        ends_at=overrides.pop("ends_at", starts_at + duration if duration else None),
        venue_name=overrides.pop("venue_name", f"Community centre {n}"),
        timezone=overrides.pop("timezone", "Asia/Shanghai"),
        published_at=overrides.pop("published_at", (starts_at - timedelta(days=20))
                                   if status != MeetingStatus.DRAFT else None),
        **overrides,
    )
    if hosts:
        meeting.hosts = hosts
    for position, title in enumerate(agenda or [], start=1):
        meeting.agenda_items.append(AgendaItem(position=position, title=title))
    db.session.add(meeting)
    db.session.commit()
    return meeting
