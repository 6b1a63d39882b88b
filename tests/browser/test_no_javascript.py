"""The public side works with JavaScript turned off: filter the list, open a meeting, switch language."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.city import build_city
from tests.browser.conftest import settle

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
