"""Public meeting pages: the upcoming list with its filters, the archive, and one meeting's page."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest

from app.meetings import services
from tests import factories
from tests.helpers import text_of, utc


def titles(response) -> list[str]:
    """Meeting titles in the order the list shows them."""
    return re.findall(r'<h3 class="meeting-title"><a [^>]*>([^<]*)</a>', text_of(response))


def result_count(response) -> str:
    return re.search(r'<p class="result-count"[^>]*>([^<]*)</p>', text_of(response)).group(1)


@pytest.fixture
def official(app):
    return factories.make_user("official")


def meeting(title, *, starts_at, official=None, **overrides):
    if official is not None:
        overrides.setdefault("created_by", official)
        overrides.setdefault("department_id", official.department_id)
    return factories.make_meeting(title=title, starts_at=starts_at, **overrides)


# ---------------------------------------------------------------------------- what is public

def test_the_list_shows_published_meetings_but_never_drafts_or_unpublished_cancellations(client, official):
    meeting("公开的会议", starts_at=utc(2030, 6, 1, 6, 0), official=official)
    meeting("草稿会议", starts_at=utc(2030, 6, 2, 6, 0), status="draft", official=official)
    never_published = meeting("未发布即取消", starts_at=utc(2030, 6, 3, 6, 0), status="draft", official=official)
    services.cancel_meeting(official, never_published, reason="计划变更")
    response = client.get("/meetings")
    assert response.status_code == 200
    assert titles(response) == ["公开的会议"]
    assert "草稿会议" not in text_of(response) and "未发布即取消" not in text_of(response)


def test_the_home_page_is_the_upcoming_list(client, official):
    meeting("首页会议", starts_at=utc(2030, 6, 1, 6, 0), official=official)
    assert titles(client.get("/")) == ["首页会议"]


def test_a_draft_meeting_page_is_not_found_for_citizens(client, official):
    draft = meeting("草稿会议", starts_at=utc(2030, 6, 2, 6, 0), status="draft", official=official)
    response = client.get(f"/meetings/{draft.id}")
    assert response.status_code == 404
    assert "草稿会议" not in text_of(response)


def test_a_meeting_cancelled_before_publication_is_never_public(client, official):
    draft = meeting("未发布即取消", starts_at=utc(2030, 6, 3, 6, 0), status="draft", official=official)
    services.cancel_meeting(official, draft, reason="计划变更")
    assert client.get(f"/meetings/{draft.id}").status_code == 404
    assert "未发布即取消" not in text_of(client.get("/meetings?when=past"))


def test_an_unknown_meeting_id_is_not_found(client):
    assert client.get("/meetings/424242").status_code == 404


def test_a_published_meeting_that_is_cancelled_stays_visible_marked_cancelled_with_its_reason(client, official):
    live = meeting("河道整治听证会", starts_at=utc(2030, 6, 1, 6, 0), official=official, type="hearing")
    services.cancel_meeting(official, live, reason="因台风预警取消")
    page = client.get(f"/meetings/{live.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "This meeting is cancelled" in text_of(page) and "因台风预警取消" in text_of(page)
    listing = client.get("/meetings")
    assert titles(listing) == ["河道整治听证会"]
    assert "badge-cancelled" in text_of(listing)


def test_the_short_notice_reason_is_shown_on_the_public_page(client, official):
    draft = meeting("紧急座谈会", starts_at=datetime.now().astimezone() + timedelta(days=1),
                    status="draft", official=official)
    services.publish_meeting(official, draft, short_notice_reason="防汛形势紧急，需尽快听取意见")
    page = text_of(client.get(f"/meetings/{draft.id}", headers={"Accept-Language": "en"}))
    assert "Published at short notice" in page and "防汛形势紧急，需尽快听取意见" in page


def test_a_rescheduled_meeting_shows_the_reason_and_the_previous_time_in_its_own_zone(client, official):
    from app.meetings.services import Schedule

    live = meeting("社区走访", starts_at=utc(2030, 6, 1, 6, 0), official=official, venue_name="街道文化中心")
    new_schedule = Schedule(timezone="Asia/Shanghai", starts_local=datetime(2030, 6, 8, 9, 0), venue_name="街道文化中心")
    services.reschedule_meeting(official, live, new_schedule, reason="场地维修")
    page = text_of(client.get(f"/meetings/{live.id}", headers={"Accept-Language": "en"}))
    assert "This meeting was rescheduled" in page and "场地维修" in page
    # The old start was 06:00 UTC, that is 2 PM in Shanghai.
    assert re.search(r"It was planned for Jun 1, 2030, 2:00\sPM", page)
    assert live.sequence == 1


def test_times_are_shown_in_the_meetings_own_zone_with_that_days_offset(client):
    shanghai = factories.make_meeting(starts_at=utc(2030, 5, 1, 6, 0), timezone="Asia/Shanghai")
    summer_ny = factories.make_meeting(starts_at=utc(2030, 7, 4, 22, 0), timezone="America/New_York")
    winter_ny = factories.make_meeting(starts_at=utc(2030, 1, 10, 23, 0), timezone="America/New_York")
    page = text_of(client.get(f"/meetings/{shanghai.id}", headers={"Accept-Language": "zh-CN"}))
    assert "2030年5月1日星期三 14:00" in page and "Asia/Shanghai (UTC+08:00)" in page
    page = text_of(client.get(f"/meetings/{summer_ny.id}", headers={"Accept-Language": "en"}))
    assert re.search(r"July 4, 2030 6:00\s?PM", page) and "America/New_York (UTC-04:00)" in page
    page = text_of(client.get(f"/meetings/{winter_ny.id}", headers={"Accept-Language": "en"}))
    assert re.search(r"January 10, 2030 6:00\s?PM", page) and "America/New_York (UTC-05:00)" in page


def test_machine_readable_times_are_utc(client):
    shanghai = factories.make_meeting(starts_at=utc(2030, 5, 1, 6, 0), timezone="Asia/Shanghai")
    assert 'datetime="2030-05-01T06:00:00+00:00"' in text_of(client.get(f"/meetings/{shanghai.id}"))


def test_the_agenda_is_shown_in_order(client):
    m = factories.make_meeting(agenda=["开场致辞", "居民发言", "部门答复"])
    page = text_of(client.get(f"/meetings/{m.id}"))
    assert page.index("开场致辞") < page.index("居民发言") < page.index("部门答复")


def test_user_text_is_escaped(client):
    m = factories.make_meeting(title="<script>alert(1)</script>", summary="<b>粗体</b>")
    page = client.get(f"/meetings/{m.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>粗体</b>" not in page


# ---------------------------------------------------------------------------- what one meeting's page says

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def fact(response, label: str) -> str:
    """The text of the key fact named `label` (its <dd>), tags removed and blanks collapsed."""
    body = response.get_data(as_text=True)
    match = re.search(rf"<div><dt>{re.escape(label)}</dt>\s*<dd[^>]*>(.*?)</dd></div>", body, re.S)
    assert match, f"no key fact {label!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def section_text(response, heading_id: str) -> str:
    body = response.get_data(as_text=True)
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', body, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split()) if match else ""


def test_the_page_names_the_hosting_officials_and_other_hosts_in_both_languages(client):
    wang = factories.make_user("official", name="王芳")
    li = factories.make_user("official", name="Li Ming")
    m = factories.make_meeting(hosts=[wang, li], host_note="社区居委会主任")
    assert fact(client.get(f"/meetings/{m.id}", headers=EN), "Hosted by") == "Li Ming, 王芳; 社区居委会主任"
    assert fact(client.get(f"/meetings/{m.id}", headers=ZH), "出席人员") == "Li Ming, 王芳; 社区居委会主任"
    only_note = factories.make_meeting(host_note="区长")
    assert fact(client.get(f"/meetings/{only_note.id}", headers=EN), "Hosted by") == "区长"
    nobody = factories.make_meeting()
    assert "<dt>Hosted by</dt>" not in client.get(f"/meetings/{nobody.id}", headers=EN).get_data(as_text=True)


def test_an_online_meeting_links_to_its_online_address(client):
    m = factories.make_meeting(venue_name="", online_url="https://live.example.gov.cn/forum/38?a=1&b=2")
    page = client.get(f"/meetings/{m.id}", headers=EN)
    assert '<a href="https://live.example.gov.cn/forum/38?a=1&amp;b=2" rel="noopener noreferrer nofollow">' \
        in page.get_data(as_text=True)
    assert fact(page, "Where") == "Online: https://live.example.gov.cn/forum/38?a=1&b=2"
    both = factories.make_meeting(venue_name="江岸区市民之家", address="江岸区沿江大道1号",
                                  online_url="https://live.example.gov.cn/forum/39")
    assert fact(client.get(f"/meetings/{both.id}", headers=ZH), "地点") == \
        "江岸区市民之家 江岸区沿江大道1号 线上参加： https://live.example.gov.cn/forum/39"


def test_the_purpose_is_shown_under_why_it_is_held(client):
    m = factories.make_meeting(purpose="方案尚未定稿，居民意见将写入听证报告。")
    assert section_text(client.get(f"/meetings/{m.id}", headers=EN), "why") == \
        "Why it is held 方案尚未定稿，居民意见将写入听证报告。"
    assert section_text(client.get(f"/meetings/{m.id}", headers=ZH), "why") == "举办目的 方案尚未定稿，居民意见将写入听证报告。"
    without = factories.make_meeting(purpose="")
    assert section_text(client.get(f"/meetings/{without.id}", headers=EN), "why") == ""


def registration_meeting(state: str):
    """A meeting on 1 June 2030, 14:00 Shanghai time, whose registration is in `state`."""
    now = factories.now()
    values = {"registration_required": True, "capacity": 30, "starts_at": utc(2030, 6, 1, 6, 0)}
    if state == "not_required":
        values = {"registration_required": False, "starts_at": utc(2030, 6, 1, 6, 0)}
    elif state == "opens":
        values["registration_opens_at"] = utc(2030, 5, 20, 1, 0)
    elif state == "open":
        values.update(registration_opens_at=now - timedelta(days=1), registration_closes_at=utc(2030, 5, 31, 10, 30))
    elif state == "open_until_start":
        values["registration_opens_at"] = now - timedelta(days=1)
    elif state == "closed":
        values["registration_closes_at"] = now - timedelta(hours=1)
    elif state == "past":
        values["starts_at"] = (now - timedelta(days=3)).replace(microsecond=0)
    elif state == "cancelled":
        values.update(status="cancelled", cancel_reason="台风")
    return factories.make_meeting(**values)


REGISTRATION_LINES = {
    "not_required": ("No registration needed: just come.", "无需报名，欢迎直接前来参加。"),
    "opens": ("Registration opens May 20, 2030, 9:00 AM. 30 seats", "报名将于2030年5月20日 09:00开始。 共30个名额"),
    "open": ("Registration is required and open. It closes May 31, 2030, 6:30 PM. 30 seats Register",
             "本场活动需要报名，现正接受报名。 报名截止时间为2030年5月31日 18:30。 共30个名额 报名"),
    "open_until_start": ("Registration is required and open. 30 seats Register",
                         "本场活动需要报名，现正接受报名。 共30个名额 报名"),
    "closed": ("Registration is closed. 30 seats", "报名已截止。 共30个名额"),
    "past": ("Registration is closed. 30 seats", "报名已截止。 共30个名额"),
    "cancelled": ("Registration is closed. 30 seats", "报名已截止。 共30个名额"),
}


@pytest.mark.parametrize("state", list(REGISTRATION_LINES))
def test_the_registration_line_says_whether_to_register_in_both_languages(client, state):
    m = registration_meeting(state)
    english, chinese = REGISTRATION_LINES[state]
    en_page = client.get(f"/meetings/{m.id}", headers=EN)
    assert fact(en_page, "Registration") == english
    assert fact(client.get(f"/meetings/{m.id}", headers=ZH), "报名") == chinese
    register_link = f'<a class="button register-button" href="/meetings/{m.id}/register">'
    assert (register_link in en_page.get_data(as_text=True)) == (state in ("open", "open_until_start"))


def test_a_full_meeting_offers_the_waitlist_instead(client, db):
    m = factories.make_meeting(registration_required=True, capacity=1, starts_at=utc(2030, 6, 1, 6, 0))
    m.seats_taken = 1
    db.session.commit()
    assert fact(client.get(f"/meetings/{m.id}", headers=EN), "Registration") == \
        "Registration is required and open. 1 seat Join the waitlist"
    assert fact(client.get(f"/meetings/{m.id}", headers=ZH), "报名") == "本场活动需要报名，现正接受报名。 共1个名额 加入候补名单"


# ---------------------------------------------------------------------------- upcoming and past

def test_upcoming_meetings_come_soonest_first_and_include_ones_in_progress(client, official):
    now = datetime.now().astimezone()
    meeting("下月", starts_at=now + timedelta(days=30), official=official)
    meeting("明天", starts_at=now + timedelta(days=1), official=official)
    meeting("进行中", starts_at=now - timedelta(hours=1), official=official, duration=timedelta(hours=3))
    meeting("无结束时间刚开始", starts_at=now - timedelta(minutes=30), official=official, duration=None)
    meeting("已结束", starts_at=now - timedelta(hours=5), official=official, duration=timedelta(hours=2))
    meeting("无结束时间已过", starts_at=now - timedelta(hours=3), official=official, duration=None)
    assert titles(client.get("/meetings")) == ["进行中", "无结束时间刚开始", "明天", "下月"]


def test_the_past_archive_shows_finished_meetings_newest_first(client, official):
    now = datetime.now().astimezone()
    meeting("去年", starts_at=now - timedelta(days=365), official=official)
    meeting("上周", starts_at=now - timedelta(days=7), official=official)
    meeting("上月", starts_at=now - timedelta(days=30), official=official)
    meeting("无结束时间已过", starts_at=now - timedelta(hours=3), official=official, duration=None)
    meeting("明天", starts_at=now + timedelta(days=1), official=official)
    meeting("过去的草稿", starts_at=now - timedelta(days=2), official=official, status="draft")
    response = client.get("/meetings?when=past")
    assert response.status_code == 200
    assert titles(response) == ["无结束时间已过", "上周", "上月", "去年"]


def test_an_unknown_when_value_shows_the_upcoming_list(client, official):
    meeting("明天", starts_at=datetime.now().astimezone() + timedelta(days=1), official=official)
    assert titles(client.get("/meetings?when=zzz")) == ["明天"]


# ---------------------------------------------------------------------------- filters

@pytest.fixture
def city(app, official):
    """Three upcoming meetings in different types, districts and departments."""
    wuchang = factories.make_district(code="wuchang", name_zh="武昌区", name_en="Wuchang")
    hankou = factories.make_district(code="hankou", name_zh="江岸区", name_en="Jiang'an")
    housing = factories.make_department(code="housing", name_zh="住房局", name_en="Housing Bureau")
    water = factories.make_department(code="water", name_zh="水务局", name_en="Water Bureau")
    meeting("老旧小区改造座谈会", starts_at=utc(2030, 5, 1, 6, 0), type="town_hall", district_id=wuchang.id,
            department_id=housing.id, summary="加装电梯与管网改造")
    meeting("水价调整听证会", starts_at=utc(2030, 5, 10, 15, 30), type="hearing", district_id=hankou.id,
            department_id=water.id, summary="居民用水阶梯价格")
    meeting("垃圾分类政策宣讲", starts_at=utc(2030, 5, 20, 2, 0), type="briefing", district_id=wuchang.id,
            department_id=water.id, summary="垃圾分类新规", venue_name="100% 满意 社区中心")
    return {"wuchang": wuchang, "hankou": hankou, "housing": housing, "water": water}


def test_filtering_by_type(client, city):
    assert titles(client.get("/meetings?type=hearing")) == ["水价调整听证会"]


def test_filtering_by_district_code(client, city):
    assert titles(client.get("/meetings?district=wuchang")) == ["老旧小区改造座谈会", "垃圾分类政策宣讲"]


def test_filtering_by_department_code(client, city):
    assert titles(client.get("/meetings?department=water")) == ["水价调整听证会", "垃圾分类政策宣讲"]


def test_filters_combine(client, city):
    assert titles(client.get("/meetings?district=wuchang&department=water&type=briefing")) == ["垃圾分类政策宣讲"]
    assert titles(client.get("/meetings?district=hankou&type=briefing")) == []


def test_free_text_search_finds_chinese_in_titles_and_summaries(client, city):
    assert titles(client.get("/meetings?q=听证")) == ["水价调整听证会"]
    assert titles(client.get("/meetings?q=电梯")) == ["老旧小区改造座谈会"]


def test_free_text_search_ignores_case_for_latin_text(client, official):
    meeting("Riverside Park Forum", starts_at=utc(2030, 5, 1, 6, 0), official=official)
    assert titles(client.get("/meetings?q=RIVERSIDE")) == ["Riverside Park Forum"]


def test_percent_and_underscore_in_a_search_are_literal(client, official):
    meeting("满意度 100% 调查", starts_at=utc(2030, 5, 1, 6, 0), official=official, venue_name="甲")
    meeting("满意度 1000 调查", starts_at=utc(2030, 5, 2, 6, 0), official=official, venue_name="乙")
    meeting("file_name 讲解", starts_at=utc(2030, 5, 3, 6, 0), official=official, venue_name="丙")
    meeting("filename 讲解", starts_at=utc(2030, 5, 4, 6, 0), official=official, venue_name="丁")
    assert titles(client.get("/meetings", query_string={"q": "100%"})) == ["满意度 100% 调查"]
    assert titles(client.get("/meetings", query_string={"q": "%"})) == ["满意度 100% 调查"]
    assert titles(client.get("/meetings", query_string={"q": "file_"})) == ["file_name 讲解"]
    assert titles(client.get("/meetings", query_string={"q": "\\"})) == []


def test_date_range_uses_local_dates(client, city):
    # 水价调整听证会 is at 10 May 15:30 UTC, which is 23:30 on 10 May in Shanghai.
    assert titles(client.get("/meetings?from=2030-05-10&to=2030-05-10")) == ["水价调整听证会"]
    assert titles(client.get("/meetings?from=2030-05-11")) == ["垃圾分类政策宣讲"]
    assert titles(client.get("/meetings?to=2030-05-09")) == ["老旧小区改造座谈会"]
    assert titles(client.get("/meetings?from=2030-05-21&to=2030-05-01")) == []


@pytest.mark.parametrize("query", [
    "type=zzz", "district=nope", "department=nope", "type=HEARING", "q=%25%25%25", "q=" + "长" * 500,
])
def test_unknown_filter_values_give_an_empty_result_not_an_error(client, city, query):
    response = client.get("/meetings?" + query)
    assert response.status_code == 200
    assert titles(response) == []


@pytest.mark.parametrize("query", [
    "from=2026-13-45", "to=2026-02-30", "from=yesterday", "from=9999-12-31", "to=9999-12-31",
    "from=0001-01-01", "to=0001-01-01", "from=", "page=abc", "page=-3", "page=0", "page=99999999999",
    "page=1.5", "page=%00", "when=past&page=abc", "q=%00", "district=%00", "type=%00", "department=a%00b",
    "from=2030-05-01%00", "q=%C0%80", "type=town_hall&type=zzz",
])
def test_malformed_dates_and_page_numbers_never_fail(client, city, query):
    response = client.get("/meetings?" + query)
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["from=2026-13-45", "page=abc", "page=-3", "page=99999999999", "page=0"])
def test_malformed_dates_and_page_numbers_show_the_first_page_unfiltered(client, city, query):
    assert titles(client.get("/meetings?" + query)) == ["老旧小区改造座谈会", "水价调整听证会", "垃圾分类政策宣讲"]


def test_filters_are_kept_in_the_form_after_searching(client, city):
    page = text_of(client.get("/meetings?q=听证&type=hearing&district=hankou"))
    assert 'value="听证"' in page
    assert '<option value="hearing" selected' in page
    assert '<option value="hankou" selected' in page


def test_district_and_department_names_follow_the_language(client, city):
    assert "武昌区" in text_of(client.get("/meetings", headers={"Accept-Language": "zh-CN"}))
    page = text_of(client.get("/meetings", headers={"Accept-Language": "en"}))
    assert "Wuchang" in page and "Water Bureau" in page


# ---------------------------------------------------------------------------- pagination

def test_results_are_paged(app, client, official):
    app.config["PER_PAGE"] = 2
    for day in range(1, 6):
        meeting(f"会议{day}", starts_at=utc(2030, 5, day, 6, 0), official=official)
    first = client.get("/meetings")
    assert titles(first) == ["会议1", "会议2"] and "5 meetings" in result_count(client.get(
        "/meetings", headers={"Accept-Language": "en"}))
    assert 'rel="next"' in text_of(first) and 'rel="prev"' not in text_of(first)
    assert titles(client.get("/meetings?page=2")) == ["会议3", "会议4"]
    last = client.get("/meetings?page=3")
    assert titles(last) == ["会议5"] and 'rel="next"' not in text_of(last) and 'rel="prev"' in text_of(last)


def test_a_page_past_the_end_is_empty(app, client, official):
    app.config["PER_PAGE"] = 2
    for day in range(1, 4):
        meeting(f"会议{day}", starts_at=utc(2030, 5, day, 6, 0), official=official)
    response = client.get("/meetings?page=7")
    assert response.status_code == 200 and titles(response) == []


def test_page_links_keep_the_filters(app, client, official):
    app.config["PER_PAGE"] = 1
    for day in range(1, 4):
        meeting(f"听证会{day}", starts_at=utc(2030, 5, day, 6, 0), official=official, type="hearing")
    page = text_of(client.get("/meetings?type=hearing&q=听证"))
    next_link = re.search(r'<a href="([^"]+)" rel="next"', page).group(1)
    assert "type=hearing" in next_link and "page=2" in next_link
    assert titles(client.get(next_link)) == ["听证会2"]


def test_the_past_archive_is_paged_too(app, client, official):
    app.config["PER_PAGE"] = 2
    now = datetime.now().astimezone()
    for weeks in range(1, 6):
        meeting(f"{weeks}周前", starts_at=now - timedelta(weeks=weeks), official=official)
    assert titles(client.get("/meetings?when=past&page=2")) == ["3周前", "4周前"]
