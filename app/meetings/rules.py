"""Rules profiles: the numbers that differ between places (minimum public notice and how it is counted)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from app.meetings.models import MeetingType


@dataclass(frozen=True)
class NoticeRule:
    """Minimum notice. `unit` is 'calendar_days' (local dates, publication day excluded) or 'hours'
    (real elapsed time, so a DST change shortens or lengthens the local span)."""

    amount: int
    unit: str

    def is_satisfied(self, published_at: datetime, starts_at: datetime, tz_name: str) -> bool:
        if self.unit == "hours":
            # Subtract in UTC: Python subtracts two datetimes sharing a tzinfo on the wall clock,
            # which would ignore a DST change between them.
            elapsed = starts_at.astimezone(timezone.utc) - published_at.astimezone(timezone.utc)
            return elapsed >= timedelta(hours=self.amount)
        zone = ZoneInfo(tz_name)
        published_on = published_at.astimezone(zone).date()
        starts_on = starts_at.astimezone(zone).date()
        # The publication day itself does not count: published on the 1st with 7 days' notice,
        # days 2..8 are the notice period and the meeting may be held on the 8th at the earliest.
        return (starts_on - published_on).days >= self.amount


@dataclass(frozen=True)
class RulesProfile:
    code: str
    notice: dict[MeetingType, NoticeRule] = field(default_factory=dict)
    question_deadline_days: int = 15
    minutes_deadline_working_days: int = 20

    def notice_for(self, meeting_type: MeetingType) -> NoticeRule:
        return self.notice[MeetingType(meeting_type)]


PROFILES = {
    "cn": RulesProfile(
        code="cn",
        notice={
            MeetingType.HEARING: NoticeRule(7, "calendar_days"),
            MeetingType.TOWN_HALL: NoticeRule(3, "calendar_days"),
            MeetingType.COMMUNITY_VISIT: NoticeRule(3, "calendar_days"),
            MeetingType.BRIEFING: NoticeRule(3, "calendar_days"),
        },
    ),
    "us-ca": RulesProfile(
        code="us-ca",
        notice={meeting_type: NoticeRule(72, "hours") for meeting_type in MeetingType},
    ),
}


def active_profile() -> RulesProfile:
    return PROFILES.get(current_app.config.get("RULES_PROFILE", "cn"), PROFILES["cn"])


def profile_named(code: str | None) -> RulesProfile:
    return PROFILES.get(code or "", active_profile())
