"""Meeting use cases: create, update, publish (notice and conflicts), reschedule and cancel, with their audit trail."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.accounts.audit import verify_audit_chain
from app.accounts.models import AuditEvent
from app.errors import InvalidState, NotAllowed, ValidationFailed
from app.extensions import db
from app.meetings import services
from app.meetings.models import Meeting, MeetingStatus
from app.meetings.services import ConflictsNeedConfirmation, Schedule, ShortNoticeReasonRequired
from tests import factories
from tests.helpers import agenda, meeting_data, row_counts, utc


@pytest.fixture
def dept(app):
    return factories.make_department()


@pytest.fixture
def district(app):
    return factories.make_district()


@pytest.fixture
def official(dept):
    return factories.make_user("official", department=dept)


def audit_events(meeting_id: int) -> list[AuditEvent]:
    return list(db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.object_type == "meeting", AuditEvent.object_id == meeting_id)
        .order_by(AuditEvent.id)
    ).scalars())


def draft(official, *, starts_at: datetime, type: str = "town_hall", tz: str = "Asia/Shanghai", **overrides) -> Meeting:
    return factories.make_meeting(status="draft", starts_at=starts_at, type=type, timezone=tz,
                                  department_id=official.department_id, created_by=official, **overrides)


# ---------------------------------------------------------------------------- create

def test_creating_a_meeting_stores_a_draft_with_utc_times_and_its_own_zone(official, dept, district):
    data = meeting_data(dept, district, starts_local=datetime(2030, 5, 1, 14, 0),
                        ends_local=datetime(2030, 5, 1, 16, 30), agenda=agenda("开场", "居民发言", "答复"))
    meeting = services.create_meeting(official, data)
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.status == MeetingStatus.DRAFT
    assert meeting.timezone == "Asia/Shanghai"
    assert meeting.starts_at == utc(2030, 5, 1, 6, 0)
    assert meeting.ends_at == utc(2030, 5, 1, 8, 30)
    assert meeting.published_at is None and meeting.sequence == 0
    assert [(item.position, item.title) for item in meeting.agenda_items] == [(1, "开场"), (2, "居民发言"), (3, "答复")]


def test_the_database_holds_naive_utc_for_a_new_york_meeting(official, dept, district):
    data = meeting_data(dept, district, tz="America/New_York", starts_local=datetime(2030, 7, 4, 18, 0))
    meeting = services.create_meeting(official, data)
    raw = db.session.execute(sa.text("SELECT starts_at FROM meetings WHERE id = :id"), {"id": meeting.id}).scalar_one()
    assert str(raw).startswith("2030-07-04 22:00:00")


def test_creating_a_meeting_writes_an_audit_event_with_actor_action_and_time(official, dept, district):
    before = datetime.now().astimezone()
    meeting = services.create_meeting(official, meeting_data(dept, district, starts_local=datetime(2030, 5, 1, 14, 0)))
    [event] = audit_events(meeting.id)
    assert (event.actor_id, event.action) == (official.id, "meeting.create")
    assert event.created_at >= before - timedelta(seconds=1)


def test_empty_agenda_rows_are_dropped_and_positions_stay_consecutive(official, dept, district):
    data = meeting_data(dept, district, starts_local=datetime(2030, 5, 1, 14, 0), agenda=agenda("一", "  ", "三"))
    meeting = services.create_meeting(official, data)
    assert [(item.position, item.title) for item in meeting.agenda_items] == [(1, "一"), (2, "三")]


def test_a_clerk_cannot_create_a_meeting_and_nothing_is_written(dept, district):
    clerk = factories.make_user("clerk", department=dept)
    before = row_counts()
    with pytest.raises(NotAllowed):
        services.create_meeting(clerk, meeting_data(dept, district, starts_local=datetime(2030, 5, 1, 14, 0)))
    assert row_counts() == before


@pytest.mark.parametrize("overrides, field", [
    ({"tz": "America/New_York", "starts_local": datetime(2030, 3, 10, 2, 30)}, "starts_at"),
    ({"tz": "America/New_York", "starts_local": datetime(2030, 11, 3, 1, 30)}, "starts_at"),
    ({"tz": "America/New_York", "starts_local": datetime(2030, 11, 2, 23, 0),
      "ends_local": datetime(2030, 11, 3, 1, 15)}, "ends_at"),
    ({"starts_local": datetime(2030, 5, 1, 14, 0), "ends_local": datetime(2030, 5, 1, 14, 0)}, "ends_at"),
    ({"starts_local": datetime(2030, 5, 1, 14, 0), "ends_local": datetime(2030, 5, 1, 13, 0)}, "ends_at"),
    ({"starts_local": datetime(2030, 5, 1, 14, 0), "ends_local": datetime(2030, 5, 9, 14, 0)}, "ends_at"),
    ({"tz": "Mars/Olympus", "starts_local": datetime(2030, 5, 1, 14, 0)}, "timezone"),
    ({"starts_local": datetime(2030, 5, 1, 14, 0), "venue_name": " ", "online_url": ""}, "venue_name"),
    ({"starts_local": datetime(2030, 5, 1, 14, 0), "online_url": "javascript:alert(1)"}, "online_url"),
    ({"starts_local": datetime(2030, 5, 1, 14, 0), "online_url": "ftp://files.example.org/x"}, "online_url"),
    ({"starts_local": datetime(2030, 5, 1, 14, 0), "capacity": -1}, "capacity"),
    ({"starts_local": datetime(2030, 5, 1, 14, 0), "title": "   "}, "title"),
    ({"starts_local": datetime(2030, 5, 1, 14, 0), "registration_opens_local": datetime(2030, 4, 20, 9, 0),
      "registration_closes_local": datetime(2030, 4, 10, 9, 0)}, "registration_closes_at"),
    ({"starts_local": datetime(2030, 5, 1, 14, 0), "registration_closes_local": datetime(2030, 5, 2, 9, 0)},
     "registration_closes_at"),
    ({"tz": "America/New_York", "starts_local": datetime(2030, 3, 20, 14, 0),
      "registration_opens_local": datetime(2030, 3, 10, 2, 15)}, "registration_opens_at"),
])
def test_bad_meeting_data_is_refused_on_the_right_field_and_nothing_is_written(official, dept, district,
                                                                               overrides, field):
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        services.create_meeting(official, meeting_data(dept, district, **overrides))
    assert caught.value.field == field
    assert row_counts() == before


def test_unknown_department_district_or_host_is_refused(official, dept, district):
    start = datetime(2030, 5, 1, 14, 0)
    other_dept = factories.make_department()
    for data, field in [
        (meeting_data(other_dept, district, starts_local=start, department_id=999_999), "department_id"),
        (meeting_data(dept, district, starts_local=start, district_id=999_999), "district_id"),
        (meeting_data(dept, district, starts_local=start, host_ids=[999_999]), "host_ids"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            services.create_meeting(official, data)
        assert caught.value.field == field
    assert db.session.execute(sa.select(sa.func.count()).select_from(Meeting)).scalar_one() == 0


def test_a_clerk_or_deactivated_user_cannot_be_a_host(official, dept, district):
    clerk = factories.make_user("clerk", department=dept)
    gone = factories.make_user("official", department=dept, is_active=False)
    for host in (clerk, gone):
        with pytest.raises(ValidationFailed):
            services.create_meeting(official, meeting_data(dept, district, starts_local=datetime(2030, 5, 1, 14, 0),
                                                           host_ids=[host.id]))


# ---------------------------------------------------------------------------- update

def test_a_draft_can_change_anything_and_the_change_is_audited(official, dept, district):
    meeting = services.create_meeting(official, meeting_data(dept, district, starts_local=datetime(2030, 5, 1, 14, 0),
                                                             agenda=agenda("旧议程")))
    data = meeting_data(dept, district, tz="America/New_York", starts_local=datetime(2030, 5, 2, 9, 0),
                        title="新标题", agenda=agenda("第二项", "第一项"))
    services.update_meeting(official, meeting, data)
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.title == "新标题"
    assert meeting.timezone == "America/New_York" and meeting.starts_at == utc(2030, 5, 2, 13, 0)
    assert [item.title for item in meeting.agenda_items] == ["第二项", "第一项"]
    assert [e.action for e in audit_events(meeting.id)] == ["meeting.create", "meeting.update"]


def test_a_published_meetings_time_cannot_change_through_edit(official, dept, district):
    meeting = factories.make_meeting(starts_at=utc(2030, 5, 1, 6, 0), department_id=dept.id, district_id=district.id,
                                     created_by=official, venue_name="街道文化中心")
    data = meeting_data(dept, district, starts_local=datetime(2030, 5, 1, 15, 0))
    before = row_counts()
    with pytest.raises(InvalidState):
        services.update_meeting(official, meeting, data)
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).starts_at == utc(2030, 5, 1, 6, 0)


def test_a_published_meetings_title_can_change_through_edit(official, dept, district):
    meeting = factories.make_meeting(starts_at=utc(2030, 5, 1, 6, 0), duration=None, department_id=dept.id,
                                     district_id=district.id, created_by=official, venue_name="街道文化中心")
    services.update_meeting(official, meeting, meeting_data(dept, district, starts_local=datetime(2030, 5, 1, 14, 0),
                                                            title="更正后的标题"))
    assert meeting.title == "更正后的标题" and meeting.is_published


def test_a_cancelled_meeting_cannot_be_edited(official, dept, district):
    meeting = factories.make_meeting(status="cancelled", department_id=dept.id, created_by=official)
    with pytest.raises(InvalidState):
        services.update_meeting(official, meeting,
                                meeting_data(dept, district, starts_local=datetime(2030, 5, 1, 14, 0)))


def test_an_official_of_another_department_cannot_edit(dept, district):
    meeting = factories.make_meeting(status="draft", department_id=dept.id)
    outsider = factories.make_user("official")
    with pytest.raises(NotAllowed):
        services.update_meeting(outsider, meeting,
                                meeting_data(dept, district, starts_local=datetime(2030, 5, 1, 14, 0)))


def test_a_host_from_another_department_may_edit(dept, district):
    host = factories.make_user("official")
    meeting = factories.make_meeting(status="draft", department_id=dept.id, hosts=[host])
    services.update_meeting(host, meeting, meeting_data(dept, district, starts_local=datetime(2030, 5, 1, 14, 0),
                                                        host_ids=[host.id], title="主持人修改"))
    assert meeting.title == "主持人修改"


# ---------------------------------------------------------------------------- publish: notice

def test_cn_hearing_published_on_day_d_for_d_plus_7_at_00_30_needs_no_reason(official):
    # Day D is 1 May 2030 in Shanghai; the meeting is on 8 May at 00:30 local (7 May 16:30 UTC).
    meeting = draft(official, type="hearing", starts_at=utc(2030, 5, 7, 16, 30))
    services.publish_meeting(official, meeting, now=utc(2030, 5, 1, 2, 0))
    assert meeting.is_published and meeting.short_notice_reason is None
    assert meeting.published_at == utc(2030, 5, 1, 2, 0) and meeting.notice_profile == "cn"


def test_cn_hearing_published_on_day_d_for_d_plus_6_at_23_59_needs_a_reason(official):
    meeting = draft(official, type="hearing", starts_at=utc(2030, 5, 7, 15, 59))  # 7 May 23:59 local
    before = row_counts()
    with pytest.raises(ShortNoticeReasonRequired) as caught:
        services.publish_meeting(official, meeting, now=utc(2030, 5, 1, 2, 0))
    assert caught.value.field == "short_notice_reason"
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).is_draft


def test_a_blank_short_notice_reason_does_not_count(official):
    meeting = draft(official, type="hearing", starts_at=utc(2030, 5, 7, 15, 59))
    with pytest.raises(ShortNoticeReasonRequired):
        services.publish_meeting(official, meeting, short_notice_reason=" \n ", now=utc(2030, 5, 1, 2, 0))


def test_short_notice_with_a_reason_publishes_and_logs_the_reason(official):
    meeting = draft(official, type="hearing", starts_at=utc(2030, 5, 7, 15, 59))
    services.publish_meeting(official, meeting, short_notice_reason="防汛紧急情况", now=utc(2030, 5, 1, 2, 0))
    assert meeting.is_published and meeting.short_notice_reason == "防汛紧急情况"
    event = audit_events(meeting.id)[-1]
    assert (event.action, event.reason, event.actor_id) == ("meeting.publish", "防汛紧急情况", official.id)


def test_a_reason_given_when_notice_is_enough_is_not_kept(official):
    meeting = draft(official, type="town_hall", starts_at=utc(2030, 6, 1, 6, 0))
    services.publish_meeting(official, meeting, short_notice_reason="不需要", now=utc(2030, 5, 1, 2, 0))
    assert meeting.short_notice_reason is None
    assert audit_events(meeting.id)[-1].reason is None


def test_cn_town_hall_needs_three_local_days(official):
    ok = draft(official, starts_at=utc(2030, 5, 3, 16, 30))      # 4 May 00:30 local
    short = draft(official, starts_at=utc(2030, 5, 3, 15, 59))   # 3 May 23:59 local
    services.publish_meeting(official, ok, now=utc(2030, 5, 1, 2, 0), confirm_conflicts=True)
    with pytest.raises(ShortNoticeReasonRequired):
        services.publish_meeting(official, short, now=utc(2030, 5, 1, 2, 0), confirm_conflicts=True)


def test_us_profile_counts_72_real_hours_across_the_los_angeles_dst_change(app, official):
    app.config["RULES_PROFILE"] = "us-ca"
    now = utc(2030, 3, 8, 20, 0)  # Friday 8 March 12:00 PST
    short = draft(official, tz="America/Los_Angeles", starts_at=utc(2030, 3, 11, 19, 0))  # Monday 12:00 PDT: 71 h
    enough = draft(official, tz="America/Los_Angeles", starts_at=utc(2030, 3, 11, 20, 0))  # Monday 13:00 PDT: 72 h
    with pytest.raises(ShortNoticeReasonRequired):
        services.publish_meeting(official, short, now=now)
    services.publish_meeting(official, enough, now=now)
    assert enough.is_published and enough.notice_profile == "us-ca"


def test_a_meeting_whose_start_has_passed_cannot_be_published(official):
    meeting = draft(official, starts_at=utc(2030, 5, 1, 6, 0))
    with pytest.raises(InvalidState):
        services.publish_meeting(official, meeting, short_notice_reason="x", now=utc(2030, 5, 1, 6, 0))


def test_only_a_draft_can_be_published(official):
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    with pytest.raises(InvalidState):
        services.publish_meeting(official, meeting)


def test_a_clerk_cannot_publish(official):
    meeting = draft(official, starts_at=utc(2030, 6, 1, 6, 0))
    clerk = factories.make_user("clerk", department_id=official.department_id)
    with pytest.raises(NotAllowed):
        services.publish_meeting(clerk, meeting, now=utc(2030, 5, 1, 2, 0))


def test_a_too_long_short_notice_reason_is_refused(official):
    meeting = draft(official, type="hearing", starts_at=utc(2030, 5, 3, 6, 0))
    with pytest.raises(ValidationFailed) as caught:
        services.publish_meeting(official, meeting, short_notice_reason="急" * 501, now=utc(2030, 5, 1, 2, 0))
    assert caught.value.field == "short_notice_reason"


# ---------------------------------------------------------------------------- publish: conflicts

def published(*, starts_at, duration=timedelta(hours=2), **overrides) -> Meeting:
    return factories.make_meeting(starts_at=starts_at, duration=duration, **overrides)


NOW = utc(2030, 5, 1, 2, 0)
START = utc(2030, 6, 1, 6, 0)


def test_same_venue_at_overlapping_times_is_a_conflict(official):
    other = published(starts_at=START + timedelta(hours=1), venue_name="街道文化中心", address="解放大道1号")
    meeting = draft(official, starts_at=START, venue_name=" 街道文化中心 ", address="解放大道1号")
    [conflict] = services.find_conflicts(meeting)
    assert (conflict.kind, conflict.meeting.id) == ("venue", other.id)


def test_venue_names_match_ignoring_case_and_spacing(official):
    published(starts_at=START, venue_name="Community  Centre")
    meeting = draft(official, starts_at=START, venue_name="community centre")
    assert [c.kind for c in services.find_conflicts(meeting)] == ["venue"]


def test_same_venue_name_at_another_address_is_not_a_conflict(official):
    published(starts_at=START, venue_name="社区活动室", address="A路1号")
    meeting = draft(official, starts_at=START, venue_name="社区活动室", address="B路2号")
    assert services.find_conflicts(meeting) == []


def test_online_only_meetings_never_share_a_venue(official):
    published(starts_at=START, venue_name="", online_url="https://meet.example.org/a")
    meeting = draft(official, starts_at=START, venue_name="", online_url="https://meet.example.org/b")
    assert services.find_conflicts(meeting) == []


def test_same_host_at_overlapping_times_is_a_conflict(official):
    other = published(starts_at=START + timedelta(minutes=90), hosts=[official], venue_name="别处")
    meeting = draft(official, starts_at=START, hosts=[official])
    [conflict] = services.find_conflicts(meeting)
    assert (conflict.kind, conflict.meeting.id, conflict.host.id) == ("host", other.id, official.id)


def test_back_to_back_meetings_do_not_conflict(official):
    published(starts_at=START - timedelta(hours=2), duration=timedelta(hours=2), venue_name="同一地点", hosts=[official])
    published(starts_at=START + timedelta(hours=2), venue_name="同一地点", hosts=[official])
    meeting = draft(official, starts_at=START, ends_at=START + timedelta(hours=2), venue_name="同一地点", hosts=[official])
    assert services.find_conflicts(meeting) == []


def test_one_minute_of_overlap_at_either_end_is_a_conflict(official):
    published(starts_at=START - timedelta(hours=2), duration=timedelta(hours=2, minutes=1), venue_name="同一地点")
    published(starts_at=START + timedelta(hours=1, minutes=59), venue_name="同一地点")
    meeting = draft(official, starts_at=START, ends_at=START + timedelta(hours=2), venue_name="同一地点")
    assert len(services.find_conflicts(meeting)) == 2


def test_a_meeting_without_an_end_counts_as_two_hours(official):
    published(starts_at=START + timedelta(hours=1, minutes=59), duration=None, venue_name="同一地点")
    published(starts_at=START + timedelta(hours=2), duration=None, venue_name="同一地点")
    published(starts_at=START - timedelta(hours=1, minutes=59), duration=None, venue_name="同一地点")
    published(starts_at=START - timedelta(hours=2), duration=None, venue_name="同一地点")
    meeting = draft(official, starts_at=START, ends_at=None, venue_name="同一地点")
    assert len(services.find_conflicts(meeting)) == 2


def test_a_long_earlier_meeting_still_running_is_a_conflict(official):
    published(starts_at=START - timedelta(days=3), duration=timedelta(days=4), venue_name="展览馆")
    meeting = draft(official, starts_at=START, venue_name="展览馆")
    assert len(services.find_conflicts(meeting)) == 1


def test_drafts_and_cancelled_meetings_are_not_conflicts(official):
    factories.make_meeting(status="draft", starts_at=START, venue_name="同一地点", hosts=[official])
    factories.make_meeting(status="cancelled", starts_at=START, venue_name="同一地点", hosts=[official])
    meeting = draft(official, starts_at=START, venue_name="同一地点", hosts=[official])
    assert services.find_conflicts(meeting) == []


def test_publishing_with_conflicts_needs_confirmation_then_logs_them(official):
    other = published(starts_at=START, venue_name="同一地点")
    meeting = draft(official, starts_at=START, venue_name="同一地点")
    before = row_counts()
    with pytest.raises(ConflictsNeedConfirmation) as caught:
        services.publish_meeting(official, meeting, now=NOW)
    assert [c.meeting.id for c in caught.value.conflicts] == [other.id]
    assert row_counts() == before
    services.publish_meeting(official, meeting, now=NOW, confirm_conflicts=True)
    assert meeting.is_published
    assert audit_events(meeting.id)[-1].details_dict["conflicts"] == [other.id]


# ---------------------------------------------------------------------------- reschedule

def shanghai_schedule(starts_local, ends_local=None, venue_name="街道文化中心", **kw) -> Schedule:
    return Schedule(timezone=kw.pop("tz", "Asia/Shanghai"), starts_local=starts_local, ends_local=ends_local,
                    venue_name=venue_name, **kw)


@pytest.fixture
def live(official):
    """A published town hall on 1 June 2030 14:00 Shanghai time (06:00 UTC)."""
    return factories.make_meeting(starts_at=utc(2030, 6, 1, 6, 0), duration=None, venue_name="街道文化中心",
                                  department_id=official.department_id, created_by=official,
                                  published_at=utc(2030, 5, 1, 2, 0), notice_profile="cn")


def test_rescheduling_raises_sequence_and_keeps_the_previous_time_and_reason(official, live):
    services.reschedule_meeting(official, live, shanghai_schedule(datetime(2030, 6, 8, 9, 0)),
                                reason="场地维修", now=NOW)
    db.session.expire_all()
    meeting = db.session.get(Meeting, live.id)
    assert meeting.sequence == 1
    assert meeting.starts_at == utc(2030, 6, 8, 1, 0)
    assert meeting.previous_starts_at == utc(2030, 6, 1, 6, 0)
    assert meeting.reschedule_reason == "场地维修" and meeting.rescheduled_at == NOW
    event = audit_events(meeting.id)[-1]
    assert (event.action, event.reason, event.actor_id) == ("meeting.reschedule", "场地维修", official.id)
    assert event.details_dict["before"]["starts_at"].startswith("2030-06-01T06:00")
    assert event.details_dict["after"]["starts_at"].startswith("2030-06-08T01:00")


def test_every_reschedule_raises_sequence_again(official, live):
    services.reschedule_meeting(official, live, shanghai_schedule(datetime(2030, 6, 8, 9, 0)), reason="一", now=NOW)
    services.reschedule_meeting(official, live, shanghai_schedule(datetime(2030, 6, 8, 9, 0), venue_name="新址"),
                                reason="二", now=NOW)
    assert live.sequence == 2 and live.venue_name == "新址"
    assert live.previous_starts_at == utc(2030, 6, 1, 6, 0)


def test_a_place_only_change_keeps_no_previous_time(official, live):
    services.reschedule_meeting(official, live, shanghai_schedule(datetime(2030, 6, 1, 14, 0), venue_name="区政府礼堂"),
                                reason="人数增加", now=NOW)
    assert live.previous_starts_at is None and live.venue_name == "区政府礼堂" and live.sequence == 1


def test_rescheduling_needs_a_reason_and_a_change(official, live):
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        services.reschedule_meeting(official, live, shanghai_schedule(datetime(2030, 6, 8, 9, 0)), reason=" ", now=NOW)
    assert caught.value.field == "reason"
    with pytest.raises(ValidationFailed) as caught:
        services.reschedule_meeting(official, live, shanghai_schedule(datetime(2030, 6, 1, 14, 0)), reason="无", now=NOW)
    assert caught.value.field == "starts_at"
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(Meeting, live.id).sequence == 0


def test_rescheduling_into_the_past_or_a_dst_gap_is_refused_and_changes_nothing(official, live):
    for schedule in (shanghai_schedule(datetime(2030, 4, 1, 9, 0)),
                     shanghai_schedule(datetime(2030, 3, 10, 2, 30), tz="America/New_York")):
        with pytest.raises(ValidationFailed) as caught:
            services.reschedule_meeting(official, live, schedule, reason="改期", now=NOW)
        assert caught.value.field == "starts_at"
    db.session.expire_all()
    meeting = db.session.get(Meeting, live.id)
    assert (meeting.starts_at, meeting.timezone, meeting.sequence) == (utc(2030, 6, 1, 6, 0), "Asia/Shanghai", 0)


def test_rescheduling_rechecks_the_notice_and_logs_the_short_notice_reason(official, live):
    soon = shanghai_schedule(datetime(2030, 5, 2, 14, 0))
    with pytest.raises(ShortNoticeReasonRequired):
        services.reschedule_meeting(official, live, soon, reason="提前", now=NOW)
    services.reschedule_meeting(official, live, soon, reason="提前", short_notice_reason="上级要求尽快听取意见", now=NOW)
    assert live.short_notice_reason == "上级要求尽快听取意见"
    event = audit_events(live.id)[-1]
    assert "上级要求尽快听取意见" in event.details + (event.reason or "")


def test_rescheduling_keeps_the_notice_rules_the_meeting_was_published_under(app, official):
    hearing = factories.make_meeting(type="hearing", starts_at=utc(2030, 6, 1, 6, 0), venue_name="听证室",
                                     department_id=official.department_id, created_by=official,
                                     published_at=utc(2030, 5, 1, 2, 0), notice_profile="cn")
    app.config["RULES_PROFILE"] = "us-ca"
    # Four days ahead satisfies 72 hours but not the 7 calendar days the hearing was published under.
    with pytest.raises(ShortNoticeReasonRequired):
        services.reschedule_meeting(official, hearing, shanghai_schedule(datetime(2030, 5, 5, 14, 0), venue_name="听证室"),
                                    reason="改期", now=NOW)


def test_rescheduling_onto_a_busy_venue_needs_confirmation_then_logs_the_conflict(official, live):
    # Another published meeting at the same venue on 8 June 2030, 09:00-11:00 Shanghai time.
    other = published(starts_at=utc(2030, 6, 8, 1, 0), venue_name="街道文化中心")
    moved = shanghai_schedule(datetime(2030, 6, 8, 10, 0))
    before = row_counts()
    with pytest.raises(ConflictsNeedConfirmation) as caught:
        services.reschedule_meeting(official, live, moved, reason="场地调整", now=NOW)
    assert [(c.kind, c.meeting.id) for c in caught.value.conflicts] == [("venue", other.id)]
    assert row_counts() == before
    db.session.expire_all()
    unchanged = db.session.get(Meeting, live.id)
    assert (unchanged.starts_at, unchanged.sequence) == (utc(2030, 6, 1, 6, 0), 0)
    services.reschedule_meeting(official, unchanged, moved, reason="场地调整", confirm_conflicts=True, now=NOW)
    assert unchanged.starts_at == utc(2030, 6, 8, 2, 0) and unchanged.sequence == 1
    assert audit_events(live.id)[-1].details_dict["conflicts"] == [other.id]


def test_rescheduling_to_a_time_a_host_is_busy_needs_confirmation(official, live):
    live.hosts = [official]
    db.session.commit()
    other = published(starts_at=utc(2030, 6, 8, 1, 0), venue_name="别处", hosts=[official])
    with pytest.raises(ConflictsNeedConfirmation) as caught:
        services.reschedule_meeting(official, live, shanghai_schedule(datetime(2030, 6, 8, 9, 30)),
                                    reason="改期", now=NOW)
    [conflict] = caught.value.conflicts
    assert (conflict.kind, conflict.meeting.id, conflict.host.id) == ("host", other.id, official.id)


def test_moving_only_the_place_onto_a_busy_venue_is_a_conflict_too(official, live):
    published(starts_at=utc(2030, 6, 1, 6, 30), venue_name="区政府礼堂")
    with pytest.raises(ConflictsNeedConfirmation):
        services.reschedule_meeting(official, live, shanghai_schedule(datetime(2030, 6, 1, 14, 0),
                                                                      venue_name="区政府礼堂"),
                                    reason="人数增加", now=NOW)


@pytest.mark.parametrize("reason, short_notice_reason, field", [
    ("改" * 501, None, "reason"),
    ("提前", "急" * 501, "short_notice_reason"),
])
def test_rescheduling_reasons_are_limited_to_500_characters(official, live, reason, short_notice_reason, field):
    soon = shanghai_schedule(datetime(2030, 5, 2, 14, 0))
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        services.reschedule_meeting(official, live, soon, reason=reason, short_notice_reason=short_notice_reason,
                                    now=NOW)
    assert caught.value.field == field
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(Meeting, live.id).sequence == 0
    services.reschedule_meeting(official, db.session.get(Meeting, live.id), soon, reason="改" * 500,
                                short_notice_reason="急" * 500, now=NOW)


def test_only_published_meetings_can_be_rescheduled(official):
    meeting = draft(official, starts_at=utc(2030, 6, 1, 6, 0))
    with pytest.raises(InvalidState):
        services.reschedule_meeting(official, meeting, shanghai_schedule(datetime(2030, 6, 8, 9, 0)),
                                    reason="x", now=NOW)


# ---------------------------------------------------------------------------- cancel

def test_cancelling_a_draft_keeps_it_out_of_public_view(official):
    meeting = draft(official, starts_at=utc(2030, 6, 1, 6, 0))
    services.cancel_meeting(official, meeting, reason="计划取消", now=NOW)
    assert meeting.is_cancelled and not meeting.is_public and meeting.published_at is None
    assert audit_events(meeting.id)[-1].action == "meeting.cancel"


def test_cancelling_a_published_meeting_keeps_it_public_with_the_reason(official, live):
    services.cancel_meeting(official, live, reason="台风预警", now=NOW)
    assert live.is_cancelled and live.is_public
    assert (live.cancel_reason, live.cancelled_at, live.sequence) == ("台风预警", NOW, 1)
    event = audit_events(live.id)[-1]
    assert (event.action, event.reason, event.actor_id) == ("meeting.cancel", "台风预警", official.id)


def test_cancelling_needs_a_reason_and_cannot_happen_twice(official, live):
    with pytest.raises(ValidationFailed):
        services.cancel_meeting(official, live, reason="  ", now=NOW)
    services.cancel_meeting(official, live, reason="取消", now=NOW)
    with pytest.raises(InvalidState):
        services.cancel_meeting(official, live, reason="再次取消", now=NOW)


def test_a_cancel_reason_is_limited_to_500_characters(official, live):
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        services.cancel_meeting(official, live, reason="雨" * 501, now=NOW)
    assert caught.value.field == "reason"
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(Meeting, live.id).is_published
    services.cancel_meeting(official, db.session.get(Meeting, live.id), reason="雨" * 500, now=NOW)


def test_a_cancelled_meeting_cannot_be_published_or_rescheduled(official, live):
    services.cancel_meeting(official, live, reason="取消", now=NOW)
    with pytest.raises(InvalidState):
        services.publish_meeting(official, live, now=NOW)
    with pytest.raises(InvalidState):
        services.reschedule_meeting(official, live, shanghai_schedule(datetime(2030, 6, 8, 9, 0)), reason="x", now=NOW)


def test_a_clerk_cannot_cancel(official, live):
    clerk = factories.make_user("clerk", department_id=official.department_id)
    with pytest.raises(NotAllowed):
        services.cancel_meeting(clerk, live, reason="无权", now=NOW)
    assert live.is_published


# ---------------------------------------------------------------------------- the audit trail

def test_every_staff_change_to_a_meeting_writes_exactly_one_audit_event(official, dept, district):
    steps = [
        ("meeting.create", lambda m: services.create_meeting(
            official, meeting_data(dept, district, starts_local=datetime(2030, 6, 1, 14, 0)))),
        ("meeting.update", lambda m: services.update_meeting(
            official, m, meeting_data(dept, district, starts_local=datetime(2030, 6, 1, 14, 0), title="改"))),
        ("meeting.publish", lambda m: services.publish_meeting(official, m, now=NOW)),
        ("meeting.reschedule", lambda m: services.reschedule_meeting(
            official, m, shanghai_schedule(datetime(2030, 6, 2, 14, 0)), reason="改期", now=NOW)),
        ("meeting.cancel", lambda m: services.cancel_meeting(official, m, reason="取消", now=NOW)),
    ]
    meeting = None
    for action, step in steps:
        count = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
        meeting = step(meeting) or meeting
        events = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        assert len(events) == count + 1, action
        assert (events[-1].action, events[-1].actor_id, events[-1].object_id) == (action, official.id, meeting.id)
    assert verify_audit_chain() == (5, None)
