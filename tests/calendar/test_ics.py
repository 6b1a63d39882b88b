"""The .ics of one meeting and the subscription feed: valid for two parsers, folded, escaped, public only."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.meetings import services as meeting_services
from tests import factories
from tests.calendar.helpers import (add_registration, assert_folded, assert_no_personal_data, parse_both,
                                    unfold, vevents)

NASTY = "Water; pipes, \\ and\r\nBEGIN:VEVENT\r\nUID:evil@x\rSUMMARY:injected\nEND:VEVENT"


@pytest.fixture
def city(app):
    dept = factories.make_department(code="water")
    district = factories.make_district(code="jianghan")
    official = factories.make_user("official", department=dept)
    return {"department": dept, "district": district, "official": official}


def meeting(city, **overrides):
    overrides.setdefault("department_id", city["department"].id)
    overrides.setdefault("district_id", city["district"].id)
    overrides.setdefault("created_by", city["official"])
    return factories.make_meeting(**overrides)


def get_ics(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    data = response.get_data()
    assert_folded(data)
    calendar, _other = parse_both(data)
    return data, calendar


def test_a_meeting_downloads_as_a_valid_event_with_zone_url_and_stable_uid(app, client, city):
    m = meeting(city, title="江汉区供水座谈会", summary="讨论老旧小区供水改造" * 10, address="江汉路 1 号",
                online_url="https://meet.example.org/abc")
    data, calendar = get_ics(client, f"/meetings/{m.id}.ics")
    (event,) = vevents(calendar)
    assert str(event["UID"]) == f"meeting-{m.id}@127.0.0.1"
    assert event["SUMMARY"] == "江汉区供水座谈会"
    assert event.decoded("DTSTART") == m.starts_at
    assert event.decoded("DTSTART").tzinfo.key == "Asia/Shanghai"
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert event.decoded("DTEND") == m.ends_at
    assert str(event["URL"]) == f"http://127.0.0.1:5000/meetings/{m.id}"
    assert f"http://127.0.0.1:5000/meetings/{m.id}" in str(event["DESCRIPTION"])
    assert "https://meet.example.org/abc" in str(event["DESCRIPTION"])
    assert "江汉路 1 号" in str(event["LOCATION"])
    assert event["STATUS"] == "CONFIRMED" and event["SEQUENCE"] == 0
    assert calendar["METHOD"] == "PUBLISH"
    # The same data gives the same bytes: the UID and the file are stable.
    assert client.get(f"/meetings/{m.id}.ics").get_data() == data
    assert "attachment" in client.get(f"/meetings/{m.id}.ics").headers["Content-Disposition"]


def test_the_second_parser_reads_the_same_event(app, client, city):
    m = meeting(city, title="Hearing, on fares; part 1")
    response = client.get(f"/meetings/{m.id}.ics")
    _calendar, other = parse_both(response.get_data())
    event = other.vevent
    assert event.summary.value == "Hearing, on fares; part 1"
    assert event.uid.value == f"meeting-{m.id}@127.0.0.1"
    assert event.dtstart.value == m.starts_at
    assert event.dtstart.value.utcoffset() == timedelta(hours=8)


def test_text_with_line_breaks_and_separators_cannot_inject_properties(app, client, city):
    m = meeting(city, title=NASTY, summary=NASTY, venue_name=NASTY, address="a,b;c\\d")
    data, calendar = get_ics(client, f"/meetings/{m.id}.ics")
    (event,) = vevents(calendar)
    lines = unfold(data).split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1  # only the real ones
    assert [line for line in unfold(data).split("\r\n") if line.startswith("UID:meeting")] == [f"UID:meeting-{m.id}@127.0.0.1"]
    assert str(event["SUMMARY"]).startswith("Water; pipes, \\ and\nBEGIN:VEVENT")
    assert "SUMMARY:injected" in str(event["SUMMARY"])  # kept as text, not a property
    assert "a,b;c\\d" in str(event["LOCATION"])
    _calendar, other = parse_both(data)
    assert len(other.contents["vevent"]) == 1
    assert other.vevent.uid.value == f"meeting-{m.id}@127.0.0.1"


def test_a_meeting_without_an_end_gets_two_hours(app, client, city):
    m = meeting(city, duration=None)
    assert m.ends_at is None
    _data, calendar = get_ics(client, f"/meetings/{m.id}.ics")
    (event,) = vevents(calendar)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=2)


def test_drafts_are_not_downloadable(app, client, city):
    m = meeting(city, status="draft")
    assert client.get(f"/meetings/{m.id}.ics").status_code == 404
    assert client.get("/meetings/999999.ics").status_code == 404


def test_feed_holds_published_and_cancelled_meetings_but_no_drafts_or_personal_data(app, client, city):
    published = meeting(city, title="Published one")
    cancelled = meeting(city, title="Cancelled one", status="cancelled", cancel_reason="Storm warning",
                        sequence=1)
    draft = meeting(city, title="Secret draft", status="draft")
    for m in (published, cancelled):
        add_registration(m)
        add_registration(m, status="waitlisted")
    data, calendar = get_ics(client, "/calendar.ics")
    text = unfold(data)
    events = {str(e["UID"]): e for e in vevents(calendar)}
    assert set(events) == {f"meeting-{published.id}@127.0.0.1", f"meeting-{cancelled.id}@127.0.0.1"}
    assert "Secret draft" not in text and f"meeting-{draft.id}@" not in text
    gone = events[f"meeting-{cancelled.id}@127.0.0.1"]
    assert gone["STATUS"] == "CANCELLED" and gone["SEQUENCE"] == 1
    assert "Storm warning" in str(gone["DESCRIPTION"])
    assert_no_personal_data(text)
    assert_no_personal_data(unfold(client.get(f"/meetings/{published.id}.ics").get_data()))
    assert "CHARSET" not in text  # plain UTF-8, no per-property charsets


def test_reschedule_raises_sequence_and_keeps_the_uid(app, client, city):
    m = meeting(city, starts_in=timedelta(days=30))
    before = vevents(get_ics(client, f"/meetings/{m.id}.ics")[1])[0]
    new_start = (m.starts_at + timedelta(days=2)).astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None)
    schedule = meeting_services.Schedule(timezone="Asia/Shanghai", starts_local=new_start,
                                         venue_name=m.venue_name)
    meeting_services.reschedule_meeting(city["official"], m, schedule, reason="Room flooded")
    after = vevents(get_ics(client, f"/meetings/{m.id}.ics")[1])[0]
    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after.decoded("DTSTART") == before.decoded("DTSTART") + timedelta(days=2)
    meeting_services.cancel_meeting(city["official"], m, reason="Called off")
    feed_event = [e for e in vevents(get_ics(client, "/calendar.ics")[1]) if str(e["UID"]) == str(before["UID"])]
    assert len(feed_event) == 1
    assert feed_event[0]["STATUS"] == "CANCELLED" and feed_event[0]["SEQUENCE"] == before["SEQUENCE"] + 2


@pytest.mark.parametrize("query", ["type=nonsense", "district=nowhere", "department=nobody", "q=zzzzzz",
                                   "type=%00%0d%0ahearing%3B", "from=not-a-date&type=x"])
def test_unknown_filters_give_an_empty_but_valid_calendar(app, client, city, query):
    meeting(city)
    data, calendar = get_ics(client, f"/calendar.ics?{query}")
    assert vevents(calendar) == []
    assert calendar["VERSION"] == "2.0" and data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_feed_filters_match_the_public_list(app, client, city):
    other_district = factories.make_district(code="wuchang")
    hearing = meeting(city, type="hearing", title="Fare hearing")
    meeting(city, type="town_hall", title="Forum")
    meeting(city, type="hearing", title="Elsewhere", district_id=other_district.id)
    meeting(city, type="hearing", title="Long ago", starts_in=timedelta(days=-400))
    _data, calendar = get_ics(client, "/calendar.ics?type=hearing&district=jianghan&department=water")
    assert [str(e["UID"]) for e in vevents(calendar)] == [f"meeting-{hearing.id}@127.0.0.1"]
    _data, calendar = get_ics(client, "/calendar.ics?q=fare")
    assert [str(e["SUMMARY"]) for e in vevents(calendar)] == ["Fare hearing"]


def test_recently_ended_meetings_stay_in_the_feed_so_calendars_keep_them(app, client, city):
    recent = meeting(city, starts_in=timedelta(days=-3))
    meeting(city, starts_in=timedelta(days=-200))
    _data, calendar = get_ics(client, "/calendar.ics")
    assert [str(e["UID"]) for e in vevents(calendar)] == [f"meeting-{recent.id}@127.0.0.1"]


def test_feed_uses_one_vtimezone_per_zone_before_the_events(app, client, city):
    meeting(city, timezone="America/New_York", starts_at=datetime(2031, 7, 1, 14, tzinfo=timezone.utc))
    meeting(city)
    meeting(city)
    data, calendar = get_ics(client, "/calendar.ics")
    assert sorted(tz["TZID"] for tz in calendar.walk("VTIMEZONE")) == ["America/New_York", "Asia/Shanghai"]
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")
    new_york = [e for e in vevents(calendar) if e["DTSTART"].params.get("TZID") == "America/New_York"]
    assert new_york[0].decoded("DTSTART").utcoffset() == timedelta(hours=-4)  # daylight time in July


def test_feed_is_streamed_and_revalidates_with_its_etag(app, client, city):
    m = meeting(city)
    response = client.get("/calendar.ics")
    assert response.is_streamed
    assert b"BEGIN:VEVENT" in response.get_data()
    response.close()
    etag = response.headers["ETag"]
    assert "max-age" in response.headers["Cache-Control"]
    assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304
    meeting_services.cancel_meeting(city["official"], m, reason="Called off")
    changed = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_feed_reads_in_chunks_and_lists_every_meeting_once(app, client, city, monkeypatch):
    from app.calendar import queries as calendar_queries

    monkeypatch.setattr(calendar_queries, "FEED_CHUNK", 3)
    same_time = (factories.now() + timedelta(days=5)).replace(microsecond=0)
    ids = [meeting(city, starts_at=same_time).id for _ in range(4)] + [meeting(city).id for _ in range(3)]
    _data, calendar = get_ics(client, "/calendar.ics")
    assert sorted(str(e["UID"]) for e in vevents(calendar)) == sorted(f"meeting-{i}@127.0.0.1" for i in ids)


def test_feed_query_count_does_not_grow_with_meetings(app, client, city, count_queries):
    def queries_for_feed() -> int:
        client.get("/calendar.ics").get_data()
        with count_queries() as statements:
            client.get("/calendar.ics").get_data()
        return len(statements)

    meeting(city)
    one = queries_for_feed()
    for _ in range(49):
        meeting(city)
    assert queries_for_feed() == one
    assert one <= 3


def test_the_cached_time_zone_is_the_one_the_library_builds_and_stays_the_same_across_files(app, client, city):
    """VTIMEZONE components are built once per zone and range (app/calendar/ics.py): the file must be what
    the library's own add_missing_timezones gives, whatever other files were built in between."""
    from icalendar import Calendar

    from app.calendar.ics import meeting_calendar

    shanghai = meeting(city, starts_at=datetime(2030, 3, 9, 6, 0, tzinfo=timezone.utc))
    new_york = meeting(city, starts_at=datetime(2030, 3, 9, 6, 0, tzinfo=timezone.utc), timezone="America/New_York")
    utc_meeting = meeting(city, timezone="UTC")
    first = client.get(f"/meetings/{shanghai.id}.ics").get_data()
    ny = client.get(f"/meetings/{new_york.id}.ics").get_data()
    assert client.get(f"/meetings/{shanghai.id}.ics").get_data() == first
    _data, plain = get_ics(client, f"/meetings/{utc_meeting.id}.ics")
    assert plain.walk("VTIMEZONE") == []  # UTC needs none
    with app.test_request_context():
        for m, data in ((shanghai, first), (new_york, ny)):
            expected = Calendar.from_ical(meeting_calendar(m))
            for tz in expected.walk("VTIMEZONE"):
                expected.subcomponents.remove(tz)
            start = m.starts_at.date() - timedelta(days=1)
            end = (m.ends_at or m.starts_at).date() + timedelta(days=2)
            expected.add_missing_timezones(first_date=start, last_date=end)
            assert expected.to_ical() == data
    (daylight,) = [c for c in Calendar.from_ical(ny).walk("VTIMEZONE")]
    assert {c.name for c in daylight.subcomponents} == {"STANDARD", "DAYLIGHT"}  # 10 March 2030: DST starts
