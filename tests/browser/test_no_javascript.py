"""Every core flow works with JavaScript turned off: filter the list, open a meeting, switch language; an
official signs in, creates and publishes a meeting; a citizen registers, opens the private link, changes
their needs and asks a question."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.meetings.models import Meeting
from app.questions.models import Question
from app.registrations.models import Registration
from tests import factories
from tests.browser.city import build_city
from tests.browser.conftest import private_link_sent_to, settle, sign_in_as

pytestmark = pytest.mark.browser


def test_filtering_opening_and_switching_language_work_without_javascript(new_context, app):
    city = build_city()
    hearing_id = city.meeting_ids["hearing"]
    settle()
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/meetings")
    expect(page.locator(".meeting-card")).to_have_count(5)

    page.locator("#filter-type").select_option("hearing")
    page.locator("#filter-district").select_option("wuchang")
    page.locator("#filter-q").fill("昙华林")
    page.locator("form.filters [type=submit]").click()
    expect(page).to_have_url(re.compile(r"type=hearing.*district=wuchang|district=wuchang.*type=hearing"))
    expect(page.locator(".meeting-card")).to_have_count(1)

    page.locator(".meeting-card .meeting-title a").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{hearing_id}$"))
    expect(page.locator("h1")).to_have_text("昙华林历史街区更新方案听证会")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator(".lang-switch a", has_text="中文").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{hearing_id}$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator(".meeting-key-facts")).to_contain_text("武昌区")

    page.locator(".lang-switch a", has_text="English").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{hearing_id}$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".meeting-key-facts")).to_contain_text("Wuchang District")


def no_script_page(new_context):
    """A page in a context with JavaScript disabled (checked: <noscript> content is rendered as elements,
    which a browser running scripts never does)."""
    page = new_context(java_script_enabled=False).new_page()
    page.set_content("<noscript><p id=off>scripts are off</p></noscript>")
    expect(page.locator("#off")).to_have_text("scripts are off")
    return page


def test_an_official_signs_in_creates_and_publishes_a_meeting_without_javascript(new_context):
    department = factories.make_department(name_en="Housing and Urban Renewal Bureau")
    district = factories.make_district(code="wuchang", name_en="Wuchang District")
    official = factories.make_user("official", department=department, name="Li Ming")
    email, department_id, district_id = official.email, department.id, district.id
    settle()
    starts = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=10)).replace(hour=14, minute=30)
    title = "Forum on lifts for the old estates"

    page = no_script_page(new_context)
    sign_in_as(page, email)

    page.goto("/manage/meetings/new")
    page.locator("#type").select_option("town_hall")
    page.locator("#title").fill(title)
    page.locator("#summary").fill("Which blocks get a lift first, and who pays.")
    page.locator("#department_id").select_option(str(department_id))
    page.locator("#district_id").select_option(str(district_id))
    page.locator("#starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#ends_at").fill((starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#venue_name").fill("Shuiguohu Community Centre")
    page.locator("#registration_required").check()
    page.locator("#capacity").fill("40")
    for row, item in enumerate(["Welcome", "The lift plan", "Residents speak"]):
        page.locator(f"#agenda-{row}-title").fill(item)
    page.locator("[name=save]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    # The server adds empty agenda rows after saving: no script is needed to add items.
    expect(page.locator("#agenda-5-title")).to_have_value("")
    page.locator("#agenda-3-title").fill("Questions and answers")
    page.locator("[name=save_and_preview]").click()

    expect(page).to_have_url(re.compile(r"/manage/meetings/\d+$"))
    expect(page.locator(".preview-frame .agenda li")).to_have_count(4)
    expect(page.locator(".preview-frame a.register-button")).to_have_count(0)  # inert in the preview
    page.locator(".publish-box [type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("published")
    meeting_url = "/meetings/" + page.url.rsplit("/", 1)[1]

    citizen = no_script_page(new_context)
    citizen.goto(meeting_url)
    expect(citizen.locator("h1")).to_have_text(title)
    expect(citizen.locator(".meeting-key-facts")).to_contain_text("Registration is required and open.")
    expect(citizen.locator("a.register-button")).to_have_text("Register")
    status = db.session.execute(sa.select(Meeting.status).where(Meeting.title == title)).scalar_one()
    settle()
    assert status == "published"


def test_a_citizen_registers_opens_the_private_link_and_asks_a_question_without_javascript(new_context, tmp_path):
    meeting = factories.make_meeting(registration_required=True, capacity=20, title="East Lake greenway forum",
                                     starts_in=timedelta(days=6))
    meeting_id = meeting.id
    settle()

    page = no_script_page(new_context)
    page.goto(f"/meetings/{meeting_id}")
    page.locator("a.register-button").click()
    page.locator("#name").fill("Grace Liu")
    page.locator("#email").fill("grace@example.com")
    page.locator("#neighbourhood").fill("Shuiguohu")
    page.locator("#needs_large_print").check()
    page.locator("form.stacked-form [type=submit]").click()
    expect(page.locator("h1")).to_have_text("Thank you, we have your registration")
    expect(page.locator("main")).to_contain_text("go by email to grace@example.com")
    code = db.session.execute(sa.select(Registration.code)).scalar_one()
    page.goto(private_link_sent_to("grace@example.com"))

    expect(page.locator("body")).to_contain_text(code)
    expect(page.locator("#needs_large_print")).to_be_checked()
    page.locator("#needs_wheelchair").check()
    page.locator("#other_needs").fill("A seat near the door, please.")
    page.get_by_role("button", name="Save my needs").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#needs_wheelchair")).to_be_checked()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my ticket (PDF)").click()
    download.value.save_as(tmp_path / "ticket.pdf")
    assert (tmp_path / "ticket.pdf").read_bytes().startswith(b"%PDF")

    page.goto(f"/meetings/{meeting_id}")
    page.get_by_role("link", name="Ask or vote").click()
    page.locator("#body").fill("Will the greenway have lights at night?")
    page.locator("#topic").select_option("transport")
    page.locator("form.ask-form [type=submit][name=submit]").click()
    anyway = page.get_by_role("button", name="Send my question anyway")
    if anyway.count():
        anyway.click()
    expect(page.locator("h1")).to_contain_text("your question is received")
    page.locator(".private-link a").click()
    expect(page.locator("body")).to_contain_text("Will the greenway have lights at night?")

    registration = db.session.execute(sa.select(Registration)).scalar_one()
    needs = (registration.needs_large_print, registration.needs_wheelchair, registration.other_needs)
    question = db.session.execute(sa.select(Question.body, Question.meeting_id)).one()
    settle()
    assert needs == (True, True, "A seat near the door, please.")
    assert tuple(question) == ("Will the greenway have lights at night?", meeting_id)
