"""iCalendar files for meetings, built with the icalendar library: one meeting, or a streamed feed.

Decisions (documented for calendar clients and for the tests that pin them):
- UID `meeting-<id>@<host of PUBLIC_BASE_URL>`, the same in every file, email and feed, so a client
  updates the event it already has. SEQUENCE is the meeting's `sequence` (raised on every reschedule
  and on cancellation); a cancelled meeting stays, with STATUS:CANCELLED and a "Cancelled" prefix in
  SUMMARY (some clients ignore STATUS on subscribed calendars).
- DTSTART/DTEND carry the meeting's own zone (TZID) and the file a matching VTIMEZONE, so clients
  show the local time the city announced, in the right zone, whatever the subscriber's own zone is.
- A meeting without an end gets DTEND = start + DEFAULT_DURATION (2 hours): the same length the site
  itself assumes ("is past", overlap checks), and DTEND is understood by more clients than DURATION.
- DTSTAMP and LAST-MODIFIED are the meeting's `updated_at`, so the same data gives the same bytes
  (stable ETags). Only public columns are read: no registrant, contact or staff data, no drafts.
- Text goes through the library's escaping (`\\`, `;`, `,`, line breaks) after CR/LF normalisation and
  removal of other control characters, so no title or place can start a new property or component.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone

from app.meetings.models import DEFAULT_DURATION, Meeting, MeetingStatus

PRODID = "-//Townhall//Meetings//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"
REFRESH_INTERVAL = timedelta(hours=1)  # keep X-PUBLISHED-TTL below in step
# Events are written to the response in chunks of this many (one write per chunk, not per event).
CHUNK_EVENTS = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_END = b"END:VCALENDAR\r\n"


def clean_text(value: str | None) -> str:
    """Text as the library should escape it: line breaks as LF only, no other control characters."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub(" ", text).strip()


def uid_host() -> str:
    return urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"


def meeting_uid(meeting_id: int, host: str | None = None) -> str:
    return f"meeting-{meeting_id}@{host or uid_host()}"


@dataclass(frozen=True)
class EventContext:
    """What every event of one file shares, computed once per file rather than once per event."""

    host: str
    base_url: str
    url_adapter: object

    @classmethod
    def current(cls) -> "EventContext":
        return cls(
            host=uid_host(),
            base_url=current_app.config["PUBLIC_BASE_URL"].rstrip("/"),
            url_adapter=current_app.url_map.bind("localhost"),
        )

    def meeting_url(self, meeting_id: int) -> str:
        return self.base_url + self.url_adapter.build("meetings.detail", {"meeting_id": meeting_id})


# Columns an event reads: the feed selects only these (plain rows, no ORM objects), never contacts.
EVENT_COLUMNS = (Meeting.id, Meeting.title, Meeting.summary, Meeting.status, Meeting.cancel_reason,
                 Meeting.timezone, Meeting.starts_at, Meeting.ends_at, Meeting.venue_name, Meeting.address,
                 Meeting.online_url, Meeting.sequence, Meeting.updated_at)


def _is_cancelled(meeting) -> bool:
    return meeting.status == MeetingStatus.CANCELLED


def _location(meeting: Meeting) -> str:
    place = ", ".join(part for part in (clean_text(meeting.venue_name), clean_text(meeting.address)) if part)
    return place or clean_text(meeting.online_url)


def _description(meeting: Meeting, url: str) -> str:
    parts = []
    if _is_cancelled(meeting) and meeting.cancel_reason:
        parts.append(_("Cancelled: %(reason)s", reason=clean_text(meeting.cancel_reason)))
    if meeting.summary:
        parts.append(clean_text(meeting.summary))
    if meeting.online_url:
        parts.append(_("Online: %(url)s", url=clean_text(meeting.online_url)))
    parts.append(url)
    return "\n\n".join(parts)


def build_event(meeting: Meeting, context: EventContext) -> Event:
    """The VEVENT of one public meeting (see the module docstring for what it holds). `meeting` is a
    Meeting or a row with the EVENT_COLUMNS."""
    zone = ZoneInfo(meeting.timezone)
    start = meeting.starts_at.astimezone(zone)
    end = (meeting.ends_at or meeting.starts_at + DEFAULT_DURATION).astimezone(zone)
    url = context.meeting_url(meeting.id)
    title = clean_text(meeting.title)
    if _is_cancelled(meeting):
        title = _("Cancelled: %(title)s", title=title)
    event = Event.new(
        uid=meeting_uid(meeting.id, context.host),
        stamp=meeting.updated_at,
        last_modified=meeting.updated_at,
        start=start,
        end=end,
        summary=title,
        sequence=meeting.sequence or 0,
        status="CANCELLED" if _is_cancelled(meeting) else "CONFIRMED",
        location=_location(meeting) or None,
        url=url,
        description=_description(meeting, url),
    )
    event.add("CLASS", "PUBLIC")
    return event


def _new_calendar(name: str, uid: str) -> Calendar:
    name = " ".join(clean_text(name).split())  # X-WR-CALNAME is not escaped by the library: one line
    calendar = Calendar.new(prodid=PRODID, method="PUBLISH", calscale="GREGORIAN", name=name, uid=uid)
    calendar.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", "PT1H")  # Outlook's name for REFRESH-INTERVAL
    return calendar


def _zone_range(first: datetime, last: datetime) -> tuple[date, date]:
    # A margin of a day either side: the local date may differ from the UTC date.
    return first.date() - timedelta(days=1), last.date() + timedelta(days=2)


@lru_cache(maxsize=512)
def _vtimezone(tzid: str, first: date, last: date) -> Timezone:
    """The VTIMEZONE of `tzid` covering first..last. Building one walks the zone's transitions (tens of
    milliseconds), and every confirmation email, reminder and .ics download of a meeting needs the same
    one, so it is built once per process. Callers only serialise it, never change it. Raises ValueError
    for an unknown zone."""
    return Timezone.from_tzid(tzid, first_date=first, last_date=last)


def _add_timezones(calendar: Calendar, first: date, last: date) -> None:
    """What Calendar.add_missing_timezones does, with the VTIMEZONE components cached: one per zone the
    events use (UTC needs none; an unknown zone is left out), before the events."""
    position = len(calendar.timezones)
    for tzid in sorted(calendar.get_missing_tzids()):
        try:
            timezone = _vtimezone(tzid, first, last)
        except ValueError:
            continue
        calendar.subcomponents.insert(position, timezone)
        position += 1


def calendar_name() -> str:
    return current_app.config.get("SITE_NAME") or _("Townhall")


def meeting_calendar(meeting: Meeting) -> bytes:
    """A whole .ics file holding one meeting and its VTIMEZONE (the download and the email attachment)."""
    context = EventContext.current()
    calendar = _new_calendar(f"{calendar_name()}: {' '.join(clean_text(meeting.title).split())}",
                             f"calendar-meeting-{meeting.id}@{context.host}")
    calendar.add_component(build_event(meeting, context))
    first, last = _zone_range(meeting.starts_at, meeting.ends_at or meeting.starts_at + DEFAULT_DURATION)
    _add_timezones(calendar, first, last)
    return calendar.to_ical()


@dataclass(frozen=True)
class ZoneSpan:
    """A time zone used by the feed's meetings, and the instants it must cover."""

    tzid: str
    first: datetime
    last: datetime


def iter_feed(meetings: Iterable[Meeting], zones: Iterable[ZoneSpan], *, name: str) -> Iterator[bytes]:
    """Yield a feed's .ics in pieces: the calendar's properties, one VTIMEZONE per zone (before the
    events, which some clients need), the events CHUNK_EVENTS at a time, then the end line.

    Only one chunk of events is in memory at a time; `meetings` may itself be a lazy iterator.
    """
    context = EventContext.current()
    head = _new_calendar(name, f"calendar-meetings@{context.host}").to_ical()
    yield head[: -len(_END)]
    for span in zones:
        first, last = _zone_range(span.first, span.last)
        yield _vtimezone(span.tzid, first, last).to_ical()
    chunk: list[bytes] = []
    for meeting in meetings:
        chunk.append(build_event(meeting, context).to_ical())
        if len(chunk) >= CHUNK_EVENTS:
            yield b"".join(chunk)
            chunk = []
    if chunk:
        yield b"".join(chunk)
    yield _END
