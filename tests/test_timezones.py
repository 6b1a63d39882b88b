"""Local wall-clock times typed by staff become UTC instants; DST gaps and overlaps are refused."""
from datetime import datetime, timezone

import pytest

from app.errors import ValidationFailed
from app.timezones import is_valid_timezone, local_to_utc, utc_to_local
from tests.helpers import utc


def test_a_shanghai_local_time_is_stored_eight_hours_earlier_in_utc():
    assert local_to_utc(datetime(2030, 5, 1, 14, 0), "Asia/Shanghai") == utc(2030, 5, 1, 6, 0)


def test_new_york_local_times_use_the_offset_in_force_on_that_day():
    assert local_to_utc(datetime(2030, 1, 15, 9, 0), "America/New_York") == utc(2030, 1, 15, 14, 0)
    assert local_to_utc(datetime(2030, 7, 15, 9, 0), "America/New_York") == utc(2030, 7, 15, 13, 0)


def test_the_result_is_timezone_aware_utc():
    result = local_to_utc(datetime(2030, 5, 1, 14, 0), "Asia/Shanghai")
    assert result.tzinfo is timezone.utc


def test_a_time_skipped_by_the_spring_forward_change_is_an_error_naming_the_field():
    with pytest.raises(ValidationFailed) as caught:
        local_to_utc(datetime(2030, 3, 10, 2, 30), "America/New_York", field="starts_at")
    assert caught.value.field == "starts_at"
    assert "does not exist" in str(caught.value.message)


def test_a_time_repeated_by_the_fall_back_change_is_an_error_naming_the_field():
    with pytest.raises(ValidationFailed) as caught:
        local_to_utc(datetime(2030, 11, 3, 1, 30), "America/New_York", field="ends_at")
    assert caught.value.field == "ends_at"
    assert "happens twice" in str(caught.value.message)


def test_times_just_outside_the_dst_gap_and_overlap_are_accepted():
    assert local_to_utc(datetime(2030, 3, 10, 1, 59), "America/New_York") == utc(2030, 3, 10, 6, 59)
    assert local_to_utc(datetime(2030, 3, 10, 3, 0), "America/New_York") == utc(2030, 3, 10, 7, 0)
    assert local_to_utc(datetime(2030, 11, 3, 0, 59), "America/New_York") == utc(2030, 11, 3, 4, 59)
    assert local_to_utc(datetime(2030, 11, 3, 2, 0), "America/New_York") == utc(2030, 11, 3, 7, 0)


def test_a_zone_without_dst_never_refuses_a_time():
    assert local_to_utc(datetime(2030, 3, 10, 2, 30), "Asia/Shanghai") == utc(2030, 3, 9, 18, 30)


def test_utc_to_local_gives_the_wall_clock_time_in_the_meeting_zone():
    local = utc_to_local(utc(2030, 5, 1, 6, 0), "Asia/Shanghai")
    assert (local.hour, local.minute, local.utcoffset().total_seconds()) == (14, 0, 8 * 3600)


def test_round_trip_from_local_to_utc_and_back_keeps_the_wall_clock_time():
    for tz in ("Asia/Shanghai", "America/New_York", "America/Los_Angeles", "Europe/Berlin"):
        local = datetime(2030, 10, 20, 18, 45)
        assert utc_to_local(local_to_utc(local, tz), tz).replace(tzinfo=None) == local


@pytest.mark.parametrize("name", ["Asia/Shanghai", "America/New_York", "UTC", "Europe/London"])
def test_real_iana_zones_are_valid(name):
    assert is_valid_timezone(name)


@pytest.mark.parametrize("name", ["", None, "Mars/Olympus", "../../etc/passwd", "Asia/" + "x" * 70, "asia/shanghai "])
def test_unknown_or_malformed_zone_names_are_invalid(name):
    assert not is_valid_timezone(name)
