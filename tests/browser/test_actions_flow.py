"""Follow-up in a real browser: an official turns a citizen's question into an action item, posts progress
and closes it; the citizen who asked follows it, gets an email on each update and rates the result; the
department figures change accordingly."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.actions.models import ActionItem, ActionRating
from app.db import utcnow
from app.extensions import db
from app.notify.models import OutboxMessage
from app.notify.private import reveal
from tests import factories
from tests.browser.conftest import settle, signed_in_page
from tests.questions.builders import make_question

pytestmark = pytest.mark.browser


def figures_row(page, department_name: str) -> list[str]:
    page.goto("/actions/figures")
    row = page.locator("table.action-figures tbody tr", has_text=department_name)
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def emails_to(address: str) -> list[OutboxMessage]:
    settle()
    rows = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.to_address == address)
                              .order_by(OutboxMessage.id)).scalars().all()
    settle()
    return rows


def test_official_closes_an_item_from_a_question_and_the_follower_rates_it(app, base_url, new_context):
    app.config["PUBLIC_BASE_URL"] = base_url
    department = factories.make_department(name_en="Transport Bureau", name_zh="交通局")
    official = factories.make_user("official", department=department, name="Li Ming")
    meeting = factories.make_meeting(department_id=department.id, created_by=official, starts_in=timedelta(days=-3),
                                     title="Bus routes town hall")
    question = make_question(meeting, body="Can route 38 run after 10 pm?", contact_email="asker@example.com",
                             language="en")
    meeting_id, question_id, official_email = meeting.id, question.id, official.email
    due = (utcnow() + timedelta(days=20)).date().isoformat()
    settle()

    citizen = new_context().new_page()
    assert figures_row(citizen, "Transport Bureau") == []

    staff = signed_in_page(new_context(), official_email)
    staff.goto(f"/manage/actions/new?question={question_id}")
    staff.locator("#title").fill("Extend route 38 to 11 pm")
    staff.locator("#due_on").fill(due)
    staff.get_by_role("button", name="Create action item").click()
    expect(staff.locator(".flash-success")).to_be_visible()
    action_id = int(re.search(r"/manage/actions/(\d+)", staff.url).group(1))

    citizen.goto(f"/meetings/{meeting_id}/questions")
    expect(citizen.locator(f"a[href='/actions/{action_id}']")).to_be_visible()
    citizen.goto(f"/actions/{action_id}")
    expect(citizen.locator("h1")).to_contain_text("Extend route 38")
    citizen.locator("#email").fill("asker@example.com")
    citizen.get_by_role("button", name="Follow this item").click()
    expect(citizen.locator(".flash-info")).to_be_visible()
    invite = emails_to("asker@example.com")
    assert len(invite) == 1
    confirm_url = re.search(r"https?://\S+/follow/\S+", reveal(invite[0]).text).group(0)
    citizen.goto(confirm_url)
    citizen.get_by_role("button", name="Confirm").click()
    expect(citizen.locator(".flash-success")).to_be_visible()
    private_url = citizen.url
    expect(citizen.locator("#rate")).to_be_visible()

    staff.locator("#body").fill("Talks with the bus company have started.")
    staff.get_by_role("button", name="Post update").click()
    expect(staff.locator(".flash-success")).to_be_visible()
    staff.locator("#status").select_option("done")
    staff.get_by_role("button", name="Change status").click()
    expect(staff.locator("#text-error")).to_be_visible()  # done needs text
    staff.locator("#status").select_option("done")
    staff.locator("#text").fill("Route 38 now runs until 11 pm every day.")
    staff.get_by_role("button", name="Change status").click()
    expect(staff.locator(".flash-success")).to_be_visible()

    updates = emails_to("asker@example.com")[1:]
    assert len(updates) == 2
    assert "Talks with the bus company" in updates[0].body_text
    assert "11 pm" in updates[1].body_text
    assert all("/actions/unsubscribe/" in message.body_text for message in updates)

    row = figures_row(citizen, "Transport Bureau")
    assert row[:5] == ["0", "1", "0", "0", "100%"] and row[-1] == "–"

    citizen.goto(private_url)
    citizen.get_by_label("Satisfied", exact=True).check()
    citizen.locator("#comment").fill("Thank you")
    citizen.get_by_role("button", name="Send rating").click()
    expect(citizen.locator(".flash-success")).to_be_visible()
    row = figures_row(citizen, "Transport Bureau")
    assert row[-1].startswith("100%")
    citizen.goto(f"/actions/{action_id}")
    expect(citizen.locator("#ratings")).to_be_visible()
    expect(citizen.get_by_text("Thank you", exact=True)).to_have_count(0)

    settle()
    assert db.session.execute(sa.select(ActionItem.status)).scalar_one() == "done"
    assert db.session.execute(sa.select(sa.func.count()).select_from(ActionRating)).scalar_one() == 1
    settle()


def test_action_pages_pass_axe_wcag21_aa(app, new_context):
    pytest.importorskip("axe_playwright_python")
    from app.actions import services as action_services
    from tests.actions.builders import make_item
    from tests.browser.test_accessibility import check, report

    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    item = make_item(official, meeting, title="Repair the street lights 修复路灯")
    action_services.record_action_progress(official, item, "Survey done.")
    action_services.extend_due_date(official, item, item.due_on + timedelta(days=7), "Waiting for parts.")
    done = make_item(official, meeting, title="Clean the river bank")
    action_services.change_action_status(official, done, "done", text="Cleaned.")
    item_id, email = item.id, official.email
    settle()
    page = new_context(bypass_csp=True).new_page()
    failures: list[str] = []
    for url in ["/actions", "/actions?overdue=1", "/actions/figures", f"/actions/{item_id}"]:
        page.goto(url)
        check(page, url, failures)
    page.locator("#email").fill("nobody")
    page.get_by_role("button", name="Follow this item").click()
    check(page, "follow form with errors", failures)
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(factories.DEFAULT_PASSWORD)
    page.locator("form.stacked-form [type=submit]").click()
    page.wait_for_url("**/manage/")
    check(page, "/manage/", failures)
    for url in ["/manage/actions", "/manage/actions/new", f"/manage/actions/{item_id}"]:
        page.goto(url)
        check(page, url, failures)
    assert not failures, report(failures)
