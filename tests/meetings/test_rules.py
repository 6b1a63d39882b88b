"""Rules profiles: minimum public notice per meeting type, counted in local calendar days (cn) or
elapsed hours (us-ca)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.meetings.models import MeetingType
from app.meetings.rules import PROFILES, NoticeRule, active_profile, profile_named
from tests.helpers import utc

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def los_angeles(*args, fold=0) -> datetime:
    return datetime(*args, tzinfo=LOS_ANGELES, fold=fold)


def test_there_are_exactly_four_meeting_types():
    assert {t.value for t in MeetingType} == {"town_hall", "hearing", "community_visit", "briefing"}


def test_the_china_profile_asks_seven_days_for_hearings_and_three_for_the_others():
    cn = PROFILES["cn"]
    assert cn.notice_for(MeetingType.HEARING) == NoticeRule(7, "calendar_days")
    for meeting_type in (MeetingType.TOWN_HALL, MeetingType.COMMUNITY_VISIT, MeetingType.BRIEFING):
        assert cn.notice_for(meeting_type) == NoticeRule(3, "calendar_days")


def test_the_us_profile_asks_seventy_two_elapsed_hours_for_every_type():
    for meeting_type in MeetingType:
        assert PROFILES["us-ca"].notice_for(meeting_type) == NoticeRule(72, "hours")


def test_the_china_profile_is_the_default(app):
    assert app.config["RULES_PROFILE"] == "cn"
    assert active_profile().code == "cn"


def test_the_configured_profile_is_active(app):
    app.config["RULES_PROFILE"] = "us-ca"
    assert active_profile().code == "us-ca"


def test_an_unknown_configured_profile_falls_back_to_china(app):
    app.config["RULES_PROFILE"] = "atlantis"
    assert active_profile().code == "cn"


def test_profile_named_returns_the_profile_a_meeting_was_published_under(app):
    app.config["RULES_PROFILE"] = "us-ca"
    assert profile_named("cn").code == "cn"
    assert profile_named(None).code == "us-ca"


# ---------------------------------------------------------------------------- cn: local calendar days

HEARING_CN = PROFILES["cn"].notice_for(MeetingType.HEARING)
TOWN_HALL_CN = PROFILES["cn"].notice_for(MeetingType.TOWN_HALL)


def test_cn_hearing_published_on_day_d_may_be_held_on_d_plus_7_just_after_midnight():
    published = shanghai(2030, 5, 1, 10, 0)
    assert HEARING_CN.is_satisfied(published, shanghai(2030, 5, 8, 0, 30), "Asia/Shanghai")


def test_cn_hearing_published_on_day_d_may_not_be_held_on_d_plus_6_at_23_59():
    published = shanghai(2030, 5, 1, 10, 0)
    assert not HEARING_CN.is_satisfied(published, shanghai(2030, 5, 7, 23, 59), "Asia/Shanghai")


def test_cn_publication_day_is_excluded_whatever_the_hour_of_publication():
    # Published one minute before midnight: the rest of day D still does not count.
    late = shanghai(2030, 5, 1, 23, 59)
    assert HEARING_CN.is_satisfied(late, shanghai(2030, 5, 8, 0, 0), "Asia/Shanghai")
    # Published one minute after midnight: a whole day D is still not enough to gain a day.
    early = shanghai(2030, 5, 1, 0, 1)
    assert not HEARING_CN.is_satisfied(early, shanghai(2030, 5, 7, 23, 59), "Asia/Shanghai")


def test_cn_days_are_counted_on_local_dates_not_utc_dates():
    # 2030-05-01 01:00 in Shanghai is still 30 April in UTC; counting UTC dates would give a day too many.
    published = shanghai(2030, 5, 1, 1, 0)
    assert published.astimezone(ZoneInfo("UTC")).day == 30
    assert not HEARING_CN.is_satisfied(published, shanghai(2030, 5, 7, 20, 0), "Asia/Shanghai")
    assert HEARING_CN.is_satisfied(published, shanghai(2030, 5, 8, 9, 0), "Asia/Shanghai")


def test_cn_other_types_need_three_days():
    published = shanghai(2030, 5, 1, 10, 0)
    assert TOWN_HALL_CN.is_satisfied(published, shanghai(2030, 5, 4, 0, 30), "Asia/Shanghai")
    assert not TOWN_HALL_CN.is_satisfied(published, shanghai(2030, 5, 3, 23, 59), "Asia/Shanghai")


def test_cn_dates_are_those_of_the_meeting_zone():
    # The same two instants are 7 local dates apart in Shanghai but only 6 in New York.
    published = utc(2030, 5, 1, 15, 0)   # 23:00 in Shanghai on 1 May, 11:00 in New York on 1 May
    starts = utc(2030, 5, 7, 17, 0)      # 01:00 in Shanghai on 8 May, 13:00 in New York on 7 May
    assert HEARING_CN.is_satisfied(published, starts, "Asia/Shanghai")
    assert not HEARING_CN.is_satisfied(published, starts, "America/New_York")


# ---------------------------------------------------------------------------- us-ca: elapsed hours

HOURS_72 = PROFILES["us-ca"].notice_for(MeetingType.HEARING)


def test_us_72_hours_are_exact_elapsed_hours():
    published = utc(2030, 6, 1, 12, 0)
    assert HOURS_72.is_satisfied(published, utc(2030, 6, 4, 12, 0), "America/Los_Angeles")
    assert not HOURS_72.is_satisfied(published, utc(2030, 6, 4, 11, 59), "America/Los_Angeles")


def test_us_72_hours_across_spring_forward_in_los_angeles_need_an_extra_wall_clock_hour():
    # Clocks jump from 02:00 to 03:00 on 10 March 2030: noon Friday to noon Monday is only 71 hours.
    published = los_angeles(2030, 3, 8, 12, 0)
    assert not HOURS_72.is_satisfied(published, los_angeles(2030, 3, 11, 12, 0), "America/Los_Angeles")
    assert HOURS_72.is_satisfied(published, los_angeles(2030, 3, 11, 13, 0), "America/Los_Angeles")


def test_us_72_hours_across_fall_back_in_los_angeles_are_reached_an_hour_earlier_on_the_wall_clock():
    # Clocks go back from 02:00 to 01:00 on 3 November 2030: noon Friday to 11:00 Monday is 72 hours.
    published = los_angeles(2030, 11, 1, 12, 0)
    assert HOURS_72.is_satisfied(published, los_angeles(2030, 11, 4, 11, 0), "America/Los_Angeles")
    assert not HOURS_72.is_satisfied(published, los_angeles(2030, 11, 4, 10, 59), "America/Los_Angeles")


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/Los_Angeles", "UTC"])
def test_us_hours_do_not_depend_on_the_zone(tz):
    published = utc(2030, 3, 8, 20, 0)
    assert HOURS_72.is_satisfied(published, utc(2030, 3, 11, 20, 0), tz)
    assert not HOURS_72.is_satisfied(published, utc(2030, 3, 11, 19, 0), tz)
