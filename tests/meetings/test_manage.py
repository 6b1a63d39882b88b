"""Staff meeting pages, driven through the real forms: create and edit a draft with its agenda, preview,
publish (notice and conflicts), reschedule, cancel; who may do what; the staff list and the dashboard."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.extensions import db
from app.meetings.models import Meeting, MeetingStatus
from tests import factories
from tests.helpers import field_error, meeting_form, page_token, row_counts, text_of, utc


def local(value: datetime, tz: str = "Asia/Shanghai") -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


def in_days(days: float) -> datetime:
    """A whole-minute UTC instant `days` from now."""
    return (datetime.now(timezone.utc) + timedelta(days=days)).replace(second=0, microsecond=0)


def linked_titles(response) -> list[str]:
    return re.findall(r'<a href="/manage/meetings/\d+">([^<]*)</a>', text_of(response))


def reload(meeting: Meeting) -> Meeting:
    db.session.expire_all()
    return db.session.get(Meeting, meeting.id)


def last_event() -> AuditEvent:
    return db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()


@pytest.fixture
def district(app):
    return factories.make_district()


@pytest.fixture
def official(login_as):
    return login_as("official")


def my_meeting(user, **overrides) -> Meeting:
    overrides.setdefault("department_id", user.department_id)
    overrides.setdefault("created_by", user)
    return factories.make_meeting(**overrides)


# ---------------------------------------------------------------------------- create, edit, preview

def test_an_official_creates_a_draft_with_an_ordered_agenda(web, official, district):
    data = meeting_form(official.department, district, **{
        "agenda-0-position": "2", "agenda-0-title": "居民提问", "agenda-0-duration_minutes": "60",
        "agenda-1-position": "1", "agenda-1-title": "情况介绍", "agenda-1-presenter": "王科长",
        "agenda-2-position": "3", "agenda-2-title": "", "host_ids": str(official.id),
    })
    response = web.post_form("/manage/meetings/new", data)
    assert response.status_code == 302
    meeting = db.session.execute(sa.select(Meeting)).scalar_one()
    assert response.headers["Location"].endswith(f"/manage/meetings/{meeting.id}/edit")
    assert meeting.status == MeetingStatus.DRAFT and meeting.created_by_id == official.id
    assert [(i.position, i.title, i.presenter) for i in meeting.agenda_items] == [
        (1, "情况介绍", "王科长"), (2, "居民提问", "")]
    assert [h.id for h in meeting.hosts] == [official.id]
    assert meeting.starts_at == utc(2030, 5, 1, 6, 0)
    event = last_event()
    assert (event.action, event.actor_id, event.object_id) == ("meeting.create", official.id, meeting.id)


def test_save_and_preview_opens_the_preview_of_the_draft(web, official, district):
    data = meeting_form(official.department, district, save=None, save_and_preview="Save and preview")
    response = web.post_form("/manage/meetings/new", data)
    meeting = db.session.execute(sa.select(Meeting)).scalar_one()
    assert response.headers["Location"].endswith(f"/manage/meetings/{meeting.id}")
    preview = web.get(f"/manage/meetings/{meeting.id}", headers={"Accept-Language": "en"})
    assert preview.status_code == 200
    assert "This is a draft" in text_of(preview) and "开场" in text_of(preview)


def test_the_new_form_starts_in_the_default_zone_with_the_officials_department(web, official):
    body = web.get("/manage/meetings/new").get_data(as_text=True)
    assert re.search(r'<option selected value="Asia/Shanghai">|<option value="Asia/Shanghai" selected', body)
    assert re.search(rf'<option selected value="{official.department_id}"', body)


def test_the_edit_form_shows_times_in_the_meetings_own_zone(web, official):
    meeting = my_meeting(official, status="draft", starts_at=utc(2030, 7, 4, 22, 0),
                         duration=timedelta(hours=1, minutes=30), timezone="America/New_York")
    body = web.get(f"/manage/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert 'value="2030-07-04T18:00"' in body and 'value="2030-07-04T19:30"' in body


def test_editing_a_draft_saves_the_changes_and_audits_them(web, official, district):
    meeting = my_meeting(official, status="draft", district_id=district.id, starts_at=utc(2030, 5, 1, 6, 0))
    data = meeting_form(official.department, district, title="修改后的标题", starts_at="2030-05-02T09:30",
                        ends_at="2030-05-02T11:00")
    response = web.post_form(f"/manage/meetings/{meeting.id}/edit", data)
    assert response.status_code == 302
    meeting = reload(meeting)
    assert meeting.title == "修改后的标题" and meeting.starts_at == utc(2030, 5, 2, 1, 30)
    assert (last_event().action, last_event().actor_id) == ("meeting.update", official.id)


def test_editing_into_a_dst_gap_is_an_error_next_to_the_start_and_changes_nothing(web, official, district):
    meeting = my_meeting(official, status="draft", district_id=district.id, starts_at=utc(2030, 3, 20, 22, 0),
                         timezone="America/New_York")
    before = row_counts()
    data = meeting_form(official.department, district, timezone="America/New_York",
                        starts_at="2030-03-10T02:30", ends_at="2030-03-10T04:00")
    response = web.post_form(f"/manage/meetings/{meeting.id}/edit", data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "does not exist in America/New_York" in field_error(response, "starts_at")
    assert row_counts() == before
    assert reload(meeting).starts_at == utc(2030, 3, 20, 22, 0)


def test_a_published_meetings_details_can_be_edited_but_its_time_only_by_rescheduling(web, official, district):
    start = in_days(20)
    meeting = my_meeting(official, district_id=district.id, starts_at=start, duration=None, venue_name="街道文化中心")
    page = web.get(f"/manage/meetings/{meeting.id}/edit", headers={"Accept-Language": "en"})
    assert "use Reschedule" in text_of(page)
    data = meeting_form(official.department, district, title="更正标题", starts_at=local(start), ends_at="",
                        venue_name="街道文化中心", address="")
    assert web.post_form(f"/manage/meetings/{meeting.id}/edit", data).status_code == 302
    assert reload(meeting).title == "更正标题"
    data.update(starts_at=local(start + timedelta(hours=1)))
    response = web.post_form(f"/manage/meetings/{meeting.id}/edit", data)
    assert response.status_code == 409
    assert reload(meeting).starts_at == start and reload(meeting).title == "更正标题"


def test_a_cancelled_meeting_cannot_be_edited(web, official):
    meeting = my_meeting(official, status="cancelled", cancel_reason="取消")
    response = web.get(f"/manage/meetings/{meeting.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/manage/meetings/{meeting.id}")


# ---------------------------------------------------------------------------- publish

def preview_and_publish(web, meeting, **data):
    return web.post_form(f"/manage/meetings/{meeting.id}", data, post_url=f"/manage/meetings/{meeting.id}/publish",
                         headers={"Accept-Language": "en"})


def test_publishing_with_enough_notice_makes_the_meeting_public(web, client, official):
    meeting = my_meeting(official, status="draft", starts_at=in_days(10), title="按期发布的座谈会")
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    response = preview_and_publish(web, meeting)
    assert response.status_code == 302
    meeting = reload(meeting)
    assert meeting.is_published and meeting.published_at is not None and meeting.notice_profile == "cn"
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
    assert "按期发布的座谈会" in text_of(client.get("/meetings"))
    assert (last_event().action, last_event().actor_id) == ("meeting.publish", official.id)


def test_the_preview_warns_about_short_notice_before_publishing(web, official):
    meeting = my_meeting(official, status="draft", starts_at=in_days(1))
    page = text_of(web.get(f"/manage/meetings/{meeting.id}", headers={"Accept-Language": "en"}))
    assert "sooner than the minimum public notice" in page and 'name="short_notice_reason"' in page


def test_publishing_at_short_notice_without_a_reason_is_refused_next_to_the_reason_field(web, official):
    meeting = my_meeting(official, status="draft", starts_at=in_days(1), type="town_hall")
    before = row_counts()
    response = preview_and_publish(web, meeting, short_notice_reason="  ")
    assert response.status_code == 409
    assert "Give a reason for the short notice" in field_error(response, "short_notice_reason")
    assert row_counts() == before and reload(meeting).is_draft


def test_a_short_notice_reason_over_the_limit_is_refused_with_a_message_not_ignored(web, official):
    meeting = my_meeting(official, status="draft", starts_at=in_days(1), type="town_hall")
    before = row_counts()
    response = preview_and_publish(web, meeting, short_notice_reason="理由" * 300)
    assert response.status_code == 400
    assert "The meeting was not published" in text_of(response)
    assert field_error(response, "short_notice_reason")
    assert row_counts() == before and reload(meeting).is_draft


def test_short_notice_reason_is_logged_and_shown_on_the_public_page(web, client, official):
    meeting = my_meeting(official, status="draft", starts_at=in_days(2), type="hearing", title="紧急听证会")
    response = preview_and_publish(web, meeting, short_notice_reason="汛期临近，须尽快听取意见")
    assert response.status_code == 302
    event = last_event()
    assert (event.action, event.reason, event.actor_id) == ("meeting.publish", "汛期临近，须尽快听取意见", official.id)
    public = text_of(client.get(f"/meetings/{meeting.id}", headers={"Accept-Language": "en"}))
    assert "Published at short notice" in public and "汛期临近，须尽快听取意见" in public


def test_conflicts_are_shown_and_must_be_confirmed_before_publishing(web, official):
    start = in_days(15)
    other = factories.make_meeting(title="同场地的另一场会", starts_at=start + timedelta(hours=1), venue_name="区政府礼堂")
    meeting = my_meeting(official, status="draft", starts_at=start, venue_name="区政府礼堂")
    preview = text_of(web.get(f"/manage/meetings/{meeting.id}", headers={"Accept-Language": "en"}))
    assert "Possible conflicts" in preview and "同场地的另一场会" in preview
    before = row_counts()
    response = preview_and_publish(web, meeting)
    assert response.status_code == 409
    assert "Review the conflicts" in text_of(response) and "同场地的另一场会" in text_of(response)
    assert row_counts() == before and reload(meeting).is_draft
    assert preview_and_publish(web, meeting, confirm_conflicts="y").status_code == 302
    assert reload(meeting).is_published
    assert last_event().details_dict["conflicts"] == [other.id]


def test_a_host_conflict_names_the_host(web, official):
    start = in_days(15)
    factories.make_meeting(title="主持人的另一场会", starts_at=start, venue_name="别处", hosts=[official])
    meeting = my_meeting(official, status="draft", starts_at=start + timedelta(minutes=30), hosts=[official])
    page = text_of(web.get(f"/manage/meetings/{meeting.id}", headers={"Accept-Language": "en"}))
    assert f"Same host ({official.name})" in page and "主持人的另一场会" in page


# ---------------------------------------------------------------------------- reschedule

def reschedule_form(meeting, **overrides):
    data = {"timezone": meeting.timezone, "starts_at": local(meeting.starts_at, meeting.timezone), "ends_at": "",
            "venue_name": meeting.venue_name, "address": meeting.address, "online_url": "", "reason": "场地维修",
            "short_notice_reason": ""}
    data.update(overrides)
    return data


def test_rescheduling_raises_sequence_and_shows_reason_and_previous_time_publicly(web, client, official):
    old_start = in_days(20).replace(minute=0)
    meeting = my_meeting(official, starts_at=old_start, duration=None, venue_name="街道文化中心")
    new_start = old_start + timedelta(days=7)
    response = web.post_form(f"/manage/meetings/{meeting.id}/reschedule",
                             reschedule_form(meeting, starts_at=local(new_start), reason="礼堂维修，顺延一周"))
    assert response.status_code == 302
    meeting = reload(meeting)
    assert meeting.sequence == 1 and meeting.starts_at == new_start and meeting.previous_starts_at == old_start
    public = text_of(client.get(f"/meetings/{meeting.id}", headers={"Accept-Language": "zh-CN"}))
    assert "礼堂维修，顺延一周" in public
    old_local = old_start.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{old_local.year}年{old_local.month}月{old_local.day}日 {old_local:%H:%M}" in public
    event = last_event()
    assert (event.action, event.reason, event.actor_id) == ("meeting.reschedule", "礼堂维修，顺延一周", official.id)


def test_rescheduling_needs_a_reason_shown_next_to_its_field(web, official):
    meeting = my_meeting(official, starts_at=in_days(20), venue_name="街道文化中心")
    before = row_counts()
    response = web.post_form(f"/manage/meetings/{meeting.id}/reschedule",
                             reschedule_form(meeting, starts_at=local(in_days(25)), reason=""),
                             headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert field_error(response, "reason") == "This field is required."
    assert row_counts() == before


def test_rescheduling_into_an_ambiguous_new_york_hour_is_an_error_next_to_the_start(web, official):
    meeting = my_meeting(official, starts_at=utc(2030, 10, 20, 22, 0), timezone="America/New_York",
                         venue_name="City Hall")
    response = web.post_form(f"/manage/meetings/{meeting.id}/reschedule",
                             reschedule_form(meeting, starts_at="2030-11-03T01:30"), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "happens twice in America/New_York" in field_error(response, "starts_at")
    assert reload(meeting).sequence == 0


def test_rescheduling_to_short_notice_asks_for_a_reason_then_logs_it(web, client, official):
    meeting = my_meeting(official, starts_at=in_days(20), venue_name="街道文化中心")
    soon = local(in_days(1))
    response = web.post_form(f"/manage/meetings/{meeting.id}/reschedule", reschedule_form(meeting, starts_at=soon),
                             headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "Give a reason for the short notice" in field_error(response, "short_notice_reason")
    response = web.post_form(f"/manage/meetings/{meeting.id}/reschedule",
                             reschedule_form(meeting, starts_at=soon, short_notice_reason="配合防汛部署提前"))
    assert response.status_code == 302
    assert last_event().details_dict["short_notice_reason"] == "配合防汛部署提前"
    assert "配合防汛部署提前" in text_of(client.get(f"/meetings/{meeting.id}"))


def test_rescheduling_onto_a_busy_venue_warns_like_publishing_and_needs_confirmation(web, client, official):
    meeting = my_meeting(official, starts_at=in_days(20), duration=None, venue_name="区政府礼堂",
                         title="要改期的座谈会")
    new_start = in_days(27).replace(minute=0)
    other = factories.make_meeting(title="礼堂里的另一场会", starts_at=new_start + timedelta(minutes=30),
                                   venue_name="区政府礼堂")
    form = reschedule_form(meeting, starts_at=local(new_start), reason="顺延一周")
    before = row_counts()
    response = web.post_form(f"/manage/meetings/{meeting.id}/reschedule", form, headers={"Accept-Language": "en"})
    assert response.status_code == 409
    page = text_of(response)
    assert "Possible conflicts" in page and "Same venue:" in page and "礼堂里的另一场会" in page
    assert 'id="confirm_conflicts"' in page and "Review the conflicts" in field_error(response, "confirm_conflicts")
    assert row_counts() == before
    assert reload(meeting).sequence == 0 and reload(meeting).starts_at != new_start
    response = web.post_form(f"/manage/meetings/{meeting.id}/reschedule", {**form, "confirm_conflicts": "y"})
    assert response.status_code == 302
    assert reload(meeting).starts_at == new_start and reload(meeting).sequence == 1
    assert last_event().details_dict["conflicts"] == [other.id]


def test_a_reschedule_without_conflicts_shows_no_confirmation_box(web, official):
    meeting = my_meeting(official, starts_at=in_days(20), venue_name="街道文化中心")
    page = text_of(web.get(f"/manage/meetings/{meeting.id}/reschedule", headers={"Accept-Language": "en"}))
    assert "Possible conflicts" not in page and 'id="confirm_conflicts"' not in page


@pytest.mark.parametrize("url, field", [("reschedule", "reason"), ("cancel", "reason")])
def test_an_over_long_reason_is_refused_next_to_its_field(web, official, url, field):
    meeting = my_meeting(official, starts_at=in_days(20), venue_name="街道文化中心")
    data = (reschedule_form(meeting, starts_at=local(in_days(25)), reason="因" * 501) if url == "reschedule"
            else {"reason": "因" * 501})
    before = row_counts()
    response = web.post_form(f"/manage/meetings/{meeting.id}/{url}", data, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "500" in field_error(response, field)
    assert row_counts() == before and reload(meeting).is_published and reload(meeting).sequence == 0


def test_a_draft_cannot_be_rescheduled(web, official):
    meeting = my_meeting(official, status="draft", starts_at=in_days(20))
    response = web.get(f"/manage/meetings/{meeting.id}/reschedule")
    assert response.status_code == 302


# ---------------------------------------------------------------------------- cancel

def test_cancelling_a_published_meeting_keeps_it_public_with_the_reason(web, client, official):
    meeting = my_meeting(official, starts_at=in_days(20), title="道路改造说明会")
    response = web.post_form(f"/manage/meetings/{meeting.id}/cancel", {"reason": "施工方案调整，另行通知"})
    assert response.status_code == 302
    assert reload(meeting).is_cancelled and reload(meeting).sequence == 1
    public = client.get(f"/meetings/{meeting.id}", headers={"Accept-Language": "en"})
    assert public.status_code == 200
    assert "This meeting is cancelled" in text_of(public) and "施工方案调整，另行通知" in text_of(public)
    event = last_event()
    assert (event.action, event.reason, event.actor_id) == ("meeting.cancel", "施工方案调整，另行通知", official.id)


def test_cancelling_a_draft_keeps_it_out_of_every_public_page(web, client, official):
    meeting = my_meeting(official, status="draft", starts_at=in_days(20), title="从未发布的会")
    assert web.post_form(f"/manage/meetings/{meeting.id}/cancel", {"reason": "不再举办"}).status_code == 302
    assert reload(meeting).is_cancelled
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    for url in ("/meetings", "/meetings?when=past", "/meetings?q=从未发布"):
        assert "从未发布的会" not in text_of(client.get(url))


def test_cancelling_without_a_reason_is_refused_and_changes_nothing(web, official):
    meeting = my_meeting(official, starts_at=in_days(20))
    before = row_counts()
    response = web.post_form(f"/manage/meetings/{meeting.id}/cancel", {"reason": " "},
                             headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert field_error(response, "reason") == "This field is required."
    assert row_counts() == before and reload(meeting).is_published


# ---------------------------------------------------------------------------- who may do what

def staff_post(client, url, data=None):
    return client.post(url, data={"csrf_token": page_token(client), **(data or {})})


def test_an_official_of_another_department_can_neither_see_nor_change_the_meeting(web, client, login_as):
    meeting = factories.make_meeting(status="draft", starts_at=in_days(20))
    login_as("official")
    before = row_counts()
    for url in (f"/manage/meetings/{meeting.id}", f"/manage/meetings/{meeting.id}/edit",
                f"/manage/meetings/{meeting.id}/cancel"):
        assert client.get(url).status_code == 403, url
    for url in (f"/manage/meetings/{meeting.id}/publish", f"/manage/meetings/{meeting.id}/cancel"):
        assert staff_post(client, url, {"reason": "越权"}).status_code == 403, url
    assert row_counts() == before and reload(meeting).is_draft


def test_an_official_hosting_a_meeting_of_another_department_may_edit_it(client, login_as):
    host = login_as("official")
    meeting = factories.make_meeting(status="draft", starts_at=in_days(20), hosts=[host])
    assert client.get(f"/manage/meetings/{meeting.id}/edit").status_code == 200


def test_an_official_who_created_a_meeting_for_another_department_may_edit_it(client, login_as):
    creator = login_as("official")
    meeting = factories.make_meeting(status="draft", starts_at=in_days(20), created_by=creator)
    assert client.get(f"/manage/meetings/{meeting.id}/edit").status_code == 200


def test_a_clerk_sees_the_meetings_of_their_department_but_cannot_change_them(client, login_as):
    clerk = login_as("clerk")
    mine = factories.make_meeting(status="draft", starts_at=in_days(20), department_id=clerk.department_id)
    other = factories.make_meeting(status="draft", starts_at=in_days(20))
    assert client.get(f"/manage/meetings/{mine.id}").status_code == 200
    assert client.get(f"/manage/meetings/{other.id}").status_code == 403
    assert client.get(f"/manage/meetings/{mine.id}/edit").status_code == 403
    assert staff_post(client, f"/manage/meetings/{mine.id}/publish").status_code == 403
    assert reload(mine).is_draft
    preview = text_of(client.get(f"/manage/meetings/{mine.id}"))
    assert f'/manage/meetings/{mine.id}/edit"' not in preview and "/publish" not in preview


def test_an_admin_may_change_any_meeting(client, login_as):
    login_as("admin", department=None)
    meeting = factories.make_meeting(status="draft", starts_at=in_days(20))
    assert client.get(f"/manage/meetings/{meeting.id}/edit").status_code == 200
    assert staff_post(client, f"/manage/meetings/{meeting.id}/publish").status_code == 302
    assert reload(meeting).is_published


def test_an_unknown_meeting_is_not_found_on_staff_pages(client, login_as):
    login_as("admin")
    assert client.get("/manage/meetings/987654").status_code == 404
    assert client.get("/manage/meetings/987654/edit").status_code == 404


# ---------------------------------------------------------------------------- staff list and dashboard

def test_the_staff_list_shows_an_officials_own_and_department_meetings_drafts_included(client, login_as):
    me = login_as("official")
    factories.make_meeting(title="本部门草稿", status="draft", department_id=me.department_id)
    factories.make_meeting(title="我主持的外部门会", hosts=[me])
    factories.make_meeting(title="我创建的外部门会", created_by=me)
    factories.make_meeting(title="无关的外部门会")
    listed = linked_titles(client.get("/manage/meetings/"))
    assert sorted(listed) == sorted(["本部门草稿", "我主持的外部门会", "我创建的外部门会"])


def test_the_staff_list_filters_by_status_and_mine(client, login_as):
    me = login_as("official")
    factories.make_meeting(title="草稿", status="draft", department_id=me.department_id)
    factories.make_meeting(title="已发布", department_id=me.department_id)
    factories.make_meeting(title="我的", created_by=me, department_id=me.department_id)
    assert linked_titles(client.get("/manage/meetings/?status=draft")) == ["草稿"]
    assert "草稿" not in linked_titles(client.get("/manage/meetings/?status=published"))
    assert linked_titles(client.get("/manage/meetings/?mine=1")) == ["我的"]
    assert len(linked_titles(client.get("/manage/meetings/?status=zzz&page=abc"))) == 3


def test_an_admin_sees_every_meeting_in_the_staff_list(client, login_as):
    login_as("admin")
    for n in range(3):
        factories.make_meeting(title=f"会议{n}", status="draft")
    assert sorted(linked_titles(client.get("/manage/meetings/"))) == ["会议0", "会议1", "会议2"]


def test_the_dashboard_shows_my_meetings_drafts_included(client, login_as):
    me = login_as("official")
    factories.make_meeting(title="我的草稿", status="draft", created_by=me, department_id=me.department_id)
    factories.make_meeting(title="我主持的会", hosts=[me])
    factories.make_meeting(title="别人的会")
    page = client.get("/manage/")
    assert page.status_code == 200
    listed = linked_titles(page)
    assert "我的草稿" in listed and "我主持的会" in listed and "别人的会" not in listed


def test_the_preview_shows_the_register_button_disabled_not_as_a_live_link(web, client, official):
    meeting = my_meeting(official, starts_at=in_days(20), registration_required=True, capacity=30)
    register_url = f"/meetings/{meeting.id}/register"
    preview = web.get(f"/manage/meetings/{meeting.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'href="{register_url}"' not in preview
    assert re.search(r'<span class="button register-button" aria-disabled="true">Register</span>', preview)
    assert "Notice (PDF)" in preview  # the staff panel's own links are still there
    public = client.get(f"/meetings/{meeting.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(rf'<a class="button register-button" href="{register_url}">Register</a>', public)


def test_a_refused_publish_keeps_the_preview_without_a_live_register_button(web, official):
    meeting = my_meeting(official, status="draft", starts_at=in_days(1), registration_required=True)
    response = preview_and_publish(web, meeting)
    assert response.status_code == 409
    assert f'href="/meetings/{meeting.id}/register"' not in response.get_data(as_text=True)


def test_the_preview_lists_the_meetings_history(web, official):
    meeting = my_meeting(official, starts_at=in_days(20), venue_name="街道文化中心")
    web.post_form(f"/manage/meetings/{meeting.id}/cancel", {"reason": "历史记录测试"})
    page = text_of(web.get(f"/manage/meetings/{meeting.id}"))
    assert "取消了活动" in page and "历史记录测试" in page and official.name in page
