"""Reads of registrations. Public variants return counts only; contacts are for meeting staff."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.formtools import clean_arg
from app.meetings.models import Meeting
from app.pagination import Page, paginate
from app.registrations import codes
from app.registrations.models import Registration, RegistrationChannel, RegistrationStatus


@dataclass
class RegistrationCounts:
    """Confirmed counts seats, walk-ins included; `registered` counts only those who registered in advance
    (web or phone), and `registered_checked_in` those of them who came. So the people present are
    registered_checked_in + walk_ins (= checked_in), and nobody is counted twice."""

    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    checked_in: int = 0
    walk_ins: int = 0
    registered: int = 0
    registered_checked_in: int = 0


def count_registrations(meeting_id: int) -> RegistrationCounts:
    """All the counts a meeting page shows, in one query."""
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    checked_in = Registration.checked_in_at.is_not(None)
    walk_in = Registration.channel == RegistrationChannel.WALK_IN
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(confirmed),
            sa.func.count().filter(Registration.status == RegistrationStatus.WAITLISTED),
            sa.func.count().filter(Registration.status == RegistrationStatus.CANCELLED),
            sa.func.count().filter(sa.and_(confirmed, checked_in)),
            sa.func.count().filter(sa.and_(confirmed, walk_in)),
            sa.func.count().filter(sa.and_(confirmed, ~walk_in)),
            sa.func.count().filter(sa.and_(confirmed, ~walk_in, checked_in)),
        ).where(Registration.meeting_id == meeting_id)
    ).one()
    return RegistrationCounts(*row)


def get_registration_by_token_or_404(token: str) -> Registration:
    """The live registration behind a private link. Wrong, malformed and used-up (cancelled) tokens
    all give the same 404."""
    if not token or len(token) > 100:
        abort(404)
    registration = db.session.execute(
        sa.select(Registration)
        .options(joinedload(Registration.meeting).joinedload(Meeting.department),
                 joinedload(Registration.meeting).joinedload(Meeting.district),
                 joinedload(Registration.meeting).selectinload(Meeting.agenda_items))
        .where(Registration.token_hash == codes.hash_token(token),
               Registration.status != RegistrationStatus.CANCELLED)
    ).unique().scalar_one_or_none()
    if registration is None:
        abort(404)
    return registration


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.execute(
        sa.select(sa.func.count()).select_from(Registration).where(
            Registration.meeting_id == registration.meeting_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            Registration.queue_number < registration.queue_number,
        )
    ).scalar_one()
    return ahead + 1


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _staff_filtered(meeting_id: int, *, q: str = "", status: str | None = None):
    stmt = sa.select(Registration).where(Registration.meeting_id == meeting_id)
    if status == "checked_in":
        stmt = stmt.where(Registration.checked_in_at.is_not(None))
    elif status in {s.value for s in RegistrationStatus}:
        stmt = stmt.where(Registration.status == RegistrationStatus(status))
    q = (q or "").strip()[:100]
    if q:
        code = codes.normalise_code(q)
        pattern = _like(q)
        conditions = [sa.func.lower(Registration.name).like(pattern, escape="\\"),
                      sa.func.lower(Registration.email).like(pattern, escape="\\"),
                      Registration.mobile.like(pattern, escape="\\"),
                      sa.func.lower(Registration.neighbourhood).like(pattern, escape="\\")]
        if code:
            conditions.append(Registration.code == code)
        stmt = stmt.where(sa.or_(*conditions))
    return stmt


# The registrants list shows who holds a seat first, then who waits, then who cancelled.
_STATUS_ORDER = sa.case({RegistrationStatus.CONFIRMED.value: 0, RegistrationStatus.WAITLISTED.value: 1},
                        value=Registration.status, else_=2)


def list_registrants(meeting_id: int, *, q: str = "", status: str | None = None, page: int = 1,
                     per_page: int = 50) -> Page:
    """One page of a meeting's registrations: confirmed, then waitlisted, then cancelled, each in
    arrival order."""
    stmt = _staff_filtered(meeting_id, q=q, status=status).order_by(_STATUS_ORDER, Registration.queue_number)
    return paginate(stmt, page, per_page)


def list_accommodation_requests(meeting_id: int) -> list[Registration]:
    return list(db.session.execute(
        sa.select(Registration).where(
            Registration.meeting_id == meeting_id,
            Registration.status != RegistrationStatus.CANCELLED,
            sa.or_(Registration.needs_wheelchair, Registration.needs_sign_language, Registration.needs_large_print,
                   Registration.interpretation_language != "", Registration.other_needs != ""),
        ).order_by(Registration.queue_number)
    ).scalars())


def iter_registrants(meeting_id: int, batch_size: int = 500):
    """Every registration of a meeting in queue order, fetched in batches (for streaming exports)."""
    stmt = (sa.select(Registration).where(Registration.meeting_id == meeting_id)
            .order_by(Registration.queue_number).execution_options(yield_per=batch_size))
    yield from db.session.execute(stmt).scalars()


def list_confirmed_for_sheet(meeting_id: int) -> list[tuple[str, str]]:
    rows = db.session.execute(
        sa.select(Registration.name, Registration.neighbourhood).where(
            Registration.meeting_id == meeting_id, Registration.status == RegistrationStatus.CONFIRMED,
        ).order_by(Registration.queue_number)
    ).all()
    return [(name, neighbourhood) for name, neighbourhood in rows]


def find_for_check_in(meeting_id: int, code_or_name: str) -> list[Registration]:
    """Registrations matching a code (exact) or a name (contains), live ones first; at most 20."""
    text = (code_or_name or "").strip()[:300]
    if "q=" in text:  # a scanner typed the ticket's QR link: take the code out of it
        text = clean_arg(parse_qs(urlsplit(text).query).get("q", [""])[0])
    text = text[:100]
    if not text:
        return []
    code = codes.normalise_code(text)
    condition = sa.func.lower(Registration.name).like(_like(text), escape="\\")
    if code:
        condition = sa.or_(condition, Registration.code == code)
    return list(db.session.execute(
        sa.select(Registration).where(Registration.meeting_id == meeting_id, condition,
                                      Registration.status != RegistrationStatus.CANCELLED)
        .order_by(Registration.name).limit(20)
    ).scalars())


def get_meeting_registration_or_404(meeting_id: int, registration_id: int) -> Registration:
    registration = db.session.execute(
        sa.select(Registration).options(joinedload(Registration.meeting).selectinload(Meeting.hosts))
        .where(Registration.id == registration_id, Registration.meeting_id == meeting_id)
    ).unique().scalar_one_or_none()
    if registration is None:
        abort(404)
    return registration


__all__ = ["RegistrationCounts", "count_registrations", "get_registration_by_token_or_404", "waitlist_position",
           "list_registrants", "list_accommodation_requests", "iter_registrants", "list_confirmed_for_sheet",
           "find_for_check_in", "get_meeting_registration_or_404"]
