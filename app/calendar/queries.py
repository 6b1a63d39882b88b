"""Reads for the calendar feeds: which meetings a feed holds, their zones, and a cheap fingerprint."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.calendar.ics import EVENT_COLUMNS, ZoneSpan
from app.db import utcnow
from app.extensions import db
from app.meetings import queries as meeting_queries
from app.meetings.models import DEFAULT_DURATION, Meeting, MeetingStatus

# The subscription feed keeps meetings that ended up to this long ago: a calendar client deletes
# events that leave a subscribed feed, so a meeting must not vanish from people's calendars the
# moment it ends.
FEED_HISTORY = timedelta(days=90)
FEED_CHUNK = 2000
ATOM_ENTRIES = 50


def feed_statement(filters: meeting_queries.MeetingFilters, now: datetime | None = None) -> sa.Select:
    """The public list's filters (type, district, department, q, from, to) over meetings that end
    after `now - FEED_HISTORY`, in start order. Unknown filter values match nothing (an empty feed)."""
    as_of = (now or utcnow()) - FEED_HISTORY
    return meeting_queries.select_public_meetings(replace(filters, past=False, page=1), now=as_of)


def feed_zones(statement: sa.Select) -> list[ZoneSpan]:
    """One query: each time zone the feed's meetings use, with their first start and last end,
    plus what the fingerprint needs (counts, last change, sequences)."""
    return [span for span, _stats in _zone_rows(statement)]


def _zone_rows(statement: sa.Select) -> list[tuple[ZoneSpan, tuple]]:
    ids = statement.with_only_columns(Meeting.id).order_by(None)
    rows = db.session.execute(
        sa.select(Meeting.timezone, sa.func.min(Meeting.starts_at), sa.func.max(Meeting.starts_at),
                  sa.func.max(Meeting.ends_at), sa.func.count(), sa.func.max(Meeting.updated_at),
                  sa.func.sum(Meeting.sequence), sa.func.sum(Meeting.id))
        .where(Meeting.id.in_(ids)).group_by(Meeting.timezone).order_by(Meeting.timezone)
    ).all()
    result = []
    for tzid, first, last_start, last_end, *stats in rows:
        last = max(filter(None, [last_start + DEFAULT_DURATION, last_end]))
        result.append((ZoneSpan(tzid, first, last), (tzid, *stats)))
    return result


def feed_summary(statement: sa.Select, *, salt: str) -> tuple[list[ZoneSpan], str]:
    """The zones of a feed and an ETag for it. The tag changes when a meeting in the feed is added,
    removed or edited (count, id sum, sequences, last update), and `salt` carries what else shapes
    the bytes (language, filters, the day the history window moved)."""
    rows = _zone_rows(statement)
    digest = hashlib.sha256(salt.encode())
    for _span, stats in rows:
        digest.update(repr(stats).encode())
    return [span for span, _stats in rows], digest.hexdigest()[:32]


def iter_feed_meetings(statement: sa.Select, chunk: int | None = None) -> Iterator[sa.Row]:
    """The feed's meetings in start order as rows of EVENT_COLUMNS, `chunk` rows per query (keyset
    pagination), each read in its own short transaction: on SQLite a transaction holds the
    database's write lock, so a 10,000-event download must not hold it while a slow client reads."""
    chunk = chunk or FEED_CHUNK
    ids = statement.with_only_columns(Meeting.id).order_by(None)
    rows_statement = (sa.select(*EVENT_COLUMNS).where(Meeting.id.in_(ids))
                      .order_by(Meeting.starts_at, Meeting.id).limit(chunk))
    after: tuple[datetime, int] | None = None
    seen: set[int] = set()
    while True:
        page = rows_statement
        if after is not None:
            page = page.where(sa.or_(Meeting.starts_at > after[0],
                                     sa.and_(Meeting.starts_at == after[0], Meeting.id > after[1])))
        rows = db.session.execute(page).all()
        db.session.rollback()  # end the read transaction between chunks
        for row in rows:
            if row.id not in seen:  # a meeting rescheduled mid-download appears once
                seen.add(row.id)
                yield row
        if len(rows) < chunk:
            return
        after = (rows[-1].starts_at, rows[-1].id)


def list_recent_public_meetings(limit: int = ATOM_ENTRIES) -> list[Meeting]:
    """Newest published meetings first (cancelled ones that had been published stay, marked)."""
    return list(db.session.execute(
        sa.select(Meeting)
        .options(joinedload(Meeting.department), joinedload(Meeting.district))
        .where(Meeting.published_at.is_not(None),
               Meeting.status.in_([MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED]))
        .order_by(Meeting.published_at.desc(), Meeting.id.desc()).limit(limit)
    ).scalars())


def list_recent_published_minutes(limit: int = ATOM_ENTRIES) -> list[tuple]:
    """(version number, published_at, correction reason, meeting) of the newest published minutes
    versions of public meetings, newest first. Reads the minutes domain's models (app/minutes)."""
    from app.minutes.models import Minutes, MinutesVersion, VersionStatus

    return list(db.session.execute(
        sa.select(MinutesVersion.id, MinutesVersion.number, MinutesVersion.published_at,
                  MinutesVersion.correction_reason, Meeting)
        .join(Minutes, MinutesVersion.minutes_id == Minutes.id)
        .join(Meeting, Minutes.meeting_id == Meeting.id)
        .where(MinutesVersion.status == VersionStatus.PUBLISHED, MinutesVersion.published_at.is_not(None),
               Meeting.published_at.is_not(None),
               Meeting.status.in_([MeetingStatus.PUBLISHED, MeetingStatus.CANCELLED]))
        .order_by(MinutesVersion.published_at.desc(), MinutesVersion.id.desc()).limit(limit)
    ).all())
