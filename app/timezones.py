"""Turning local wall-clock times typed by staff into UTC instants, refusing DST gaps and overlaps."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import lazy_gettext as _l

from app.errors import ValidationFailed

COMMON_TIMEZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Australia/Sydney",
    "UTC",
]


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def is_valid_timezone(name: str | None) -> bool:
    if not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in _known_zones()


def local_to_utc(local: datetime, tz_name: str, *, field: str | None = None) -> datetime:
    """Interpret a naive local time in zone `tz_name` and return the UTC instant.

    A time that does not exist (skipped by a DST change) or that happens twice (clocks turned back)
    raises ValidationFailed naming `field`, so the user picks an unambiguous time.
    """
    zone = ZoneInfo(tz_name)
    naive = local.replace(tzinfo=None)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    first_utc = first.astimezone(timezone.utc)
    second_utc = second.astimezone(timezone.utc)
    if first_utc != second_utc:
        if first_utc.astimezone(zone).replace(tzinfo=None) != naive:
            raise ValidationFailed(
                _l("This local time does not exist in %(zone)s (the clocks skip it for daylight saving). "
                   "Please choose another time.", zone=tz_name),
                field=field,
            )
        raise ValidationFailed(
            _l("This local time happens twice in %(zone)s (the clocks are turned back). "
               "Please choose a time outside the repeated hour.", zone=tz_name),
            field=field,
        )
    return first_utc


def utc_to_local(value: datetime, tz_name: str) -> datetime:
    return value.astimezone(ZoneInfo(tz_name))
