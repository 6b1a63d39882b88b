"""axe-core WCAG 2.1 A/AA audits of the public pages, in Chinese and in English.

axe-core comes from the PyPI package axe-playwright-python (pinned in requirements-dev.txt), which ships
axe.min.js; only that file is used, injected with page.evaluate. The page's CSP (default-src 'self')
would block an injected script, so the audit context is created with bypass_csp=True.
"""
from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.accounts.models import User
from app.extensions import db
from tests import factories
from tests.browser.city import build_city
from tests.browser.conftest import PHONE, settle

pytestmark = pytest.mark.browser
axe_playwright_python = pytest.importorskip(
    "axe_playwright_python", reason="pip install -r requirements-dev.txt (it ships axe-core)")

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = {"zh_CN": "zh-Hans", "en": "en"}


@cache
def axe_source() -> str:
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def audit(page) -> list[dict]:
    """Run axe on the loaded page and return its violations."""
    page.evaluate(axe_source())
    results = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return results["violations"]


def describe(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} axe violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {json.dumps(node['target'])}: {node.get('failureSummary', '').strip()}")
            lines.append(f"       {node['html'][:200]}")
    return "\n".join(lines)


def switch_language(page, code: str) -> None:
    """Use the header's language links, as a visitor would."""
    switch = page.locator(".lang-switch")
    link = switch.locator(f"a[href*='/language/{code}']")
    if link.count():
        link.click()
    expect(page.locator("html")).to_have_attribute("lang", LANGUAGES[code])


@pytest.fixture
def audited_pages(app):
    city = build_city()
    urls = ["/meetings",
            "/meetings?type=hearing&district=wuchang&q=%E6%98%99",   # a filtered list
            f"/meetings/{city.meeting_ids['hearing']}",               # agenda, registration, address
            f"/meetings/{city.meeting_ids['town_hall']}",             # short-notice note, online link
            f"/meetings/{city.meeting_ids['cancelled']}",             # cancelled and rescheduled notices
            f"/meetings/{city.meeting_ids['hearing']}/register"]      # the registration form
    settle()
    return urls


def check(page, label: str, failures: list[str]) -> None:
    violations = audit(page)
    if violations:
        failures.append(describe(label, violations))


def report(failures: list[str]) -> str:
    text = "\n\n".join(failures)
    if text:
        print(text)      # shown by pytest with the failure (and with -s)
    return text


@pytest.mark.parametrize("code", ["zh_CN", "en"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_public_pages_pass_axe_wcag21_aa(new_context, audited_pages, code, viewport):
    context = new_context(bypass_csp=True, **({"viewport": viewport} if viewport else {}))
    page = context.new_page()
    page.goto("/meetings")
    switch_language(page, code)
    failures: list[str] = []
    for url in audited_pages:
        page.goto(url)
        check(page, url, failures)
    # The registration form sent empty: error summary, invalid fields and their messages.
    page.goto(audited_pages[-1])
    page.locator("form.stacked-form [type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, f"{audited_pages[-1]} (with errors)", failures)
    assert not failures, report(failures)


def test_staff_pages_pass_axe_wcag21_aa(new_context, app):
    """Beyond the public audit: officials use these pages every day."""
    city = build_city()
    official = db.session.scalar(sa.select(User).where(User.email == city.official_email))
    # A draft at short notice: the preview shows the publish box with its warning and reason field.
    draft = factories.make_meeting(status="draft", title="长江大桥夜景照明方案说明会", created_by=official,
                                   department_id=official.department_id, starts_in=timedelta(days=1),
                                   agenda=["方案介绍", "提问"])
    draft_id, hearing_id = draft.id, city.meeting_ids["hearing"]
    settle()
    page = new_context(bypass_csp=True).new_page()
    failures: list[str] = []
    page.goto("/login")
    check(page, "/login", failures)
    page.locator("#email").fill(city.official_email)
    page.locator("#password").fill(factories.DEFAULT_PASSWORD)
    page.locator("form.stacked-form [type=submit]").click()
    page.wait_for_url("**/manage/")
    for url in ["/manage/", "/manage/meetings/", "/manage/meetings/new", f"/manage/meetings/{draft_id}",
                f"/manage/meetings/{hearing_id}", f"/manage/meetings/{hearing_id}/edit",
                f"/manage/meetings/{hearing_id}/reschedule", f"/manage/meetings/{hearing_id}/cancel",
                f"/manage/meetings/{hearing_id}/registrations", f"/manage/meetings/{hearing_id}/check-in?q=x"]:
        page.goto(url)
        check(page, url, failures)
    # The meeting form sent without a start time.
    page.goto("/manage/meetings/new")
    page.locator("[name=save]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, "/manage/meetings/new (with errors)", failures)
    assert not failures, report(failures)
