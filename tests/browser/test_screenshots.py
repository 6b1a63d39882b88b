"""Screenshots of the public pages (and the main staff pages) in both languages, at phone and desktop width.

They are saved under pytest-playwright's --output folder, by default
test-results/<test id>/<language>-<width>-<page>.png, for people to look at; the test also checks that
the stylesheet is applied and that nothing is wider than the phone screen.
"""
from __future__ import annotations

import pytest

from tests import factories
from tests.browser.city import build_city
from tests.browser.conftest import DESKTOP, PHONE, private_link_sent_to, settle

pytestmark = pytest.mark.browser

SIZES = {"phone": PHONE, "desktop": DESKTOP}
SWITCH_LINK_TEXT = {"zh": "中文", "en": "English"}
HTML_LANG = {"zh": "zh-Hans", "en": "en"}


def assert_fits(page, label: str) -> None:
    """No horizontal scrolling of the whole page (tables scroll inside their own wrapper)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{label}: the page is {overflow}px wider than the screen"


def follow(page, locator) -> None:
    """Click a link or submit button and wait until the next page has loaded (with its stylesheet)."""
    with page.expect_navigation():
        locator.click()


def assert_styled(page) -> None:
    font_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert 16 <= font_size <= 18, f"the stylesheet did not load (body font size {font_size}px)"


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_public_pages_screenshots_in_both_languages(new_context, app, shots, size):
    city = build_city()
    settle()
    page = new_context(viewport=SIZES[size]).new_page()
    page.goto("/meetings")
    for lang in ("zh", "en"):
        switch = page.locator(".lang-switch a", has_text=SWITCH_LINK_TEXT[lang])
        if switch.count():                   # absent when the page is already in that language
            follow(page, switch)
        assert page.locator("html").get_attribute("lang") == HTML_LANG[lang]
        assert_styled(page)
        assert_fits(page, f"{lang} list")
        page.screenshot(path=shots / f"{lang}-{size}-meetings.png", full_page=True)

        follow(page, page.locator(".meeting-card .meeting-title a", has_text="昙华林"))
        assert_fits(page, f"{lang} meeting")
        page.screenshot(path=shots / f"{lang}-{size}-meeting.png", full_page=True)

        follow(page, page.locator(".register-button"))
        assert_fits(page, f"{lang} register")
        page.screenshot(path=shots / f"{lang}-{size}-register.png", full_page=True)

        page.goto(f"/meetings/{city.meeting_ids['cancelled']}")
        page.screenshot(path=shots / f"{lang}-{size}-meeting-cancelled.png", full_page=True)

        page.goto("/meetings?type=briefing&district=hongshan")
        page.screenshot(path=shots / f"{lang}-{size}-meetings-empty.png", full_page=True)
        page.goto("/meetings")


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_registration_screenshots(new_context, app, shots, size):
    city = build_city()
    settle()
    page = new_context(viewport=SIZES[size]).new_page()
    page.goto(f"/meetings/{city.meeting_ids['hearing']}/register")
    follow(page, page.locator("[type=submit]").last)      # empty: the form comes back with errors
    assert_fits(page, "register errors")
    page.screenshot(path=shots / f"{size}-register-errors.png", full_page=True)
    page.locator("#name").fill("王芳")
    page.locator("#email").fill("wangfang@example.cn")
    page.locator("#mobile").fill("13800138000")
    page.locator("#neighbourhood").fill("昙华林社区")
    page.locator("#needs_large_print").check()
    follow(page, page.locator("form.stacked-form [type=submit]"))
    assert_fits(page, "registration received")
    page.screenshot(path=shots / f"{size}-registration-received.png", full_page=True)
    page.goto(private_link_sent_to("wangfang@example.cn"))
    assert_fits(page, "my registration")
    page.screenshot(path=shots / f"{size}-my-registration.png", full_page=True)


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_staff_pages_screenshots(new_context, app, shots, size):
    city = build_city()
    settle()
    page = new_context(viewport=SIZES[size]).new_page()
    page.goto("/login")
    page.screenshot(path=shots / f"{size}-login.png", full_page=True)
    page.locator("#email").fill(city.official_email)
    page.locator("#password").fill(factories.DEFAULT_PASSWORD)
    follow(page, page.locator("form.stacked-form [type=submit]"))
    page.wait_for_url("**/manage/")
    page.screenshot(path=shots / f"{size}-dashboard.png", full_page=True)

    page.goto("/manage/meetings/new")
    page.locator("#title").fill("x" * 3)
    follow(page, page.locator("[name=save]"))     # no start time: the form comes back with errors
    assert page.locator(".error-summary").count() == 1
    assert_fits(page, "meeting form")
    page.screenshot(path=shots / f"{size}-meeting-form-errors.png", full_page=True)

    page.goto(f"/manage/meetings/{city.meeting_ids['hearing']}/edit")
    assert_fits(page, "edit published meeting")
    page.screenshot(path=shots / f"{size}-meeting-edit-published.png", full_page=True)

    page.goto("/manage/meetings/new")
    page.locator("#type").select_option("hearing")
    page.locator("#title").fill("长江大桥夜景照明方案听证会")
    page.locator("#starts_at").fill("2099-01-01T10:00")
    page.locator("#venue_name").fill("市民之家")
    page.locator("#agenda-0-title").fill("方案介绍")
    follow(page, page.locator("[name=save_and_preview]"))
    page.wait_for_url("**/manage/meetings/*")
    assert_fits(page, "preview")
    page.screenshot(path=shots / f"{size}-preview-draft.png", full_page=True)

    page.goto("/manage/meetings/")
    page.screenshot(path=shots / f"{size}-manage-list.png", full_page=True)
    page.goto(f"/manage/meetings/{city.meeting_ids['hearing']}/check-in?q=x")
    page.screenshot(path=shots / f"{size}-check-in.png", full_page=True)
    page.goto("/manage/meetings/999999")
    page.screenshot(path=shots / f"{size}-error-404.png", full_page=True)
