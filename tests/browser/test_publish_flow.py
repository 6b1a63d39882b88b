"""An official plans and publishes a meeting; a citizen finds it through the filters and opens it."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import settle, sign_in_as

pytestmark = pytest.mark.browser


def local_input(moment: datetime) -> str:
    """The value a datetime-local input takes."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_official_publishes_a_meeting_and_a_citizen_finds_it_with_the_filters(page, new_context):
    department = factories.make_department(code="housing", name_zh="市住房和城市更新局",
                                           name_en="Housing and Urban Renewal Bureau")
    district = factories.make_district(code="wuchang", name_zh="武昌区", name_en="Wuchang District")
    other_district = factories.make_district(code="hanyang", name_zh="汉阳区", name_en="Hanyang District")
    official = factories.make_user("official", department=department)
    # Decoys: same type elsewhere, and another type in the same district; the filters must leave them out.
    factories.make_meeting(type="hearing", title="Hearing on Hanyang market stalls", district=other_district,
                           department=department)
    factories.make_meeting(type="town_hall", title="Wuchang parks forum", district=district, department=department)
    email, department_id, district_id = official.email, department.id, district.id
    settle()

    # Two days ahead: sooner than the seven days' notice a hearing needs, so publishing asks for a reason.
    starts = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=2)).replace(hour=14, minute=30)
    title = "Hearing on the Tanhualin renewal plan"

    sign_in_as(page, email)

    page.goto("/manage/meetings/new")
    page.locator("#type").select_option("hearing")
    page.locator("#title").fill(title)
    page.locator("#summary").fill("The renewal plan for the Tanhualin historic streets.\nResidents are heard first.")
    page.locator("#department_id").select_option(str(department_id))
    page.locator("#district_id").select_option(str(district_id))
    page.locator("#starts_at").fill(local_input(starts))
    page.locator("#ends_at").fill(local_input(starts + timedelta(hours=2)))
    page.locator("#venue_name").fill("Tanhualin Community Centre")
    agenda = [("Opening and procedure", "Chair", "10"), ("The plan", "Planning office", "30"),
              ("Residents speak", "", "60")]
    for row, (item, presenter, minutes) in enumerate(agenda):
        page.locator(f"#agenda-{row}-title").fill(item)
        page.locator(f"#agenda-{row}-presenter").fill(presenter)
        page.locator(f"#agenda-{row}-duration_minutes").fill(minutes)
    page.locator("[name=save_and_preview]").click()

    expect(page).to_have_url(re.compile(r"/manage/meetings/\d+$"))
    preview = page.locator(".preview-frame")
    expect(preview.locator("h1")).to_have_text(title)
    expect(preview.locator(".agenda li")).to_have_count(3)
    meeting_path = page.url.split("/manage/meetings/")[1]

    publish_box = page.locator(".publish-box")
    reason = publish_box.locator("#short_notice_reason")
    asked_for_reason = reason.count() > 0
    if asked_for_reason:
        reason.fill("The council votes on the plan next week.")
    confirm = publish_box.locator("#confirm_conflicts")
    if confirm.count():
        confirm.check()
    publish_box.locator("[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".publish-box")).to_have_count(0)

    # A citizen, in a browser that has never signed in.
    citizen = new_context().new_page()
    citizen.goto("/meetings")
    citizen.locator("#filter-type").select_option("hearing")
    citizen.locator("#filter-district").select_option("wuchang")
    citizen.locator("#filter-q").fill("Tanhualin")
    citizen.locator("form.filters [type=submit]").click()

    expect(citizen).to_have_url(re.compile(r"type=hearing"))
    expect(citizen).to_have_url(re.compile(r"district=wuchang"))
    cards = citizen.locator(".meeting-card")
    expect(cards).to_have_count(1)
    expect(cards.first.locator(".meeting-title")).to_have_text(title)
    cards.first.locator(".meeting-title a").click()

    expect(citizen).to_have_url(re.compile(rf"/meetings/{meeting_path}$"))
    expect(citizen.locator("h1")).to_have_text(title)
    expect(citizen.locator(".agenda .agenda-title")).to_have_text([item for item, _, _ in agenda])
    expect(citizen.locator(".meeting-key-facts")).to_contain_text("Tanhualin Community Centre")
    expect(citizen.locator(".meeting-key-facts")).to_contain_text("Wuchang District")
    if asked_for_reason:
        expect(citizen.locator(".notice-info")).to_contain_text("The council votes on the plan next week.")
