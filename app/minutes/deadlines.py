"""The minutes publication deadline: N working days after the meeting ended.

Working days are Monday to Friday minus the holidays in the app config `HOLIDAYS` (ISO dates), plus
the make-up working days in `EXTRA_WORKING_DAYS` (China's 调休 weekends). Both are simple lists the
city maintains in the environment (app/config.py); N is `MINUTES_DEADLINE_WORKING_DAYS` when set,
else the rules profile's `minutes_deadline_working_days` (default 20). Dates are the meeting's local
dates (app/minutes/queries.py judges each meeting in its own time zone).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def _config_dates(key: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(str(d)) for d in current_app.config.get(key) or ())


def is_working_day(day: date, holidays: frozenset[date], extra: frozenset[date]) -> bool:
    if day in extra:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: frozenset[date] | None = None,
                     extra: frozenset[date] | None = None) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    holidays = _config_dates("HOLIDAYS") if holidays is None else holidays
    extra = _config_dates("EXTRA_WORKING_DAYS") if extra is None else extra
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays, extra):
            left -= 1
    return current


def overdue_cutoff(today: date, days: int) -> date:
    """The latest meeting end date whose deadline has already passed today: a meeting that ended on
    or before it is overdue. (Deadline = end date + `days` working days; overdue once today is later.)"""
    holidays, extra = _config_dates("HOLIDAYS"), _config_dates("EXTRA_WORKING_DAYS")
    candidate = today - timedelta(days=days)
    while add_working_days(candidate, days, holidays, extra) >= today:
        candidate -= timedelta(days=1)
    return candidate


def cutoff_instant(today: date, days: int, tz_name: str) -> datetime:
    """Meetings ending before this instant are overdue (the day after the cutoff date, local midnight)."""
    return datetime.combine(overdue_cutoff(today, days) + timedelta(days=1), time.min, ZoneInfo(tz_name))
