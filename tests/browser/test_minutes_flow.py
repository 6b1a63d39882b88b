"""Minutes in a real browser: a clerk records and submits them, an official approves and publishes, a
citizen reads them; then a correction goes through and the public history shows both versions."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.notify.models import OutboxMessage
from tests.browser.conftest import settle, signed_in_page
from tests.minutes import builders

pytestmark = pytest.mark.browser


def review(page, overview: str) -> None:
    page.goto(overview)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".flash-success")).to_contain_text("approved")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash-success")).to_contain_text("published")


def test_clerk_records_official_publishes_citizen_reads_and_a_correction_keeps_the_history(app, base_url, new_context):
    setting = builders.past_meeting(agenda=("Opening", "The bus route plan"))
    builders.add_registrant(setting.meeting, 1, email="resident@example.com", language="en")
    meeting_id, clerk_email, official_email = setting.meeting.id, setting.clerk.email, setting.official.email
    adjourned = (setting.meeting.starts_at + timedelta(hours=2)).astimezone(ZoneInfo("Asia/Shanghai"))
    settle()
    overview = f"/manage/meetings/{meeting_id}/minutes"

    clerk = signed_in_page(new_context(), clerk_email)
    clerk.goto(overview)
    clerk.get_by_role("button", name="Start the minutes").click()
    expect(clerk.locator("h1")).to_contain_text("draft")
    clerk.locator("#presiding").fill("李明")
    clerk.locator("#recorder").fill("张记")
    clerk.locator("#items-1-summary").fill("The transport bureau presented the new route 38.")
    clerk.locator("#items-1-decisions-0-motion").fill("Adopt the new route 38 from next month")
    clerk.locator("#items-1-decisions-0-mover").fill("李明")
    clerk.locator("#items-1-decisions-0-votes_for").fill("2")
    clerk.locator("#items-1-decisions-0-votes_against").fill("0")
    clerk.locator("#public_comments-0-speaker").fill("Resident of Block 5")
    clerk.locator("#public_comments-0-summary").fill("Please keep the late-evening service.")
    clerk.locator("#adjourned_at").fill(adjourned.strftime("%Y-%m-%dT%H:%M"))
    clerk.locator("[name=save_and_submit]").click()
    expect(clerk.locator(".flash-success")).to_contain_text("submitted for approval")
    expect(clerk.get_by_role("button", name="Approve")).to_have_count(0)

    official = signed_in_page(new_context(), official_email)
    review(official, overview)

    citizen = new_context().new_page()
    citizen.goto(f"/meetings/{meeting_id}")
    expect(citizen.locator(".badge-minutes")).to_have_text("Minutes published")
    citizen.get_by_role("link", name="Read the approved minutes").click()
    expect(citizen.locator("h2#approval-title")).to_contain_text("version 1")
    expect(citizen.locator(".minutes-content")).to_contain_text("Adopt the new route 38 from next month")
    first_hash = citizen.locator(".minutes-hash code").inner_text()
    assert len(first_hash) == 64

    clerk.goto(f"{overview}/correction")
    clerk.locator("#reason").fill("The vote count was recorded wrongly: one member abstained.")
    clerk.locator("form.stacked-form [type=submit]").click()
    expect(clerk.locator("h1")).to_contain_text("version 2")
    clerk.locator("#items-1-decisions-0-votes_for").fill("1")
    clerk.locator("#items-1-decisions-0-votes_abstain").fill("1")
    clerk.locator("[name=save_and_submit]").click()
    expect(clerk.locator(".flash-success")).to_contain_text("submitted for approval")

    review(official, overview)

    citizen.reload()
    expect(citizen.locator("h2#approval-title")).to_contain_text("version 2")
    expect(citizen.locator(".minutes-approval")).to_contain_text("one member abstained")
    history = citizen.locator(".minutes-history")
    expect(history).to_contain_text("Version 1")
    expect(history.locator(".diff-removed")).to_contain_text("Votes: 2 for, 0 against, 0 abstaining")
    expect(history.locator(".diff-added")).to_contain_text("Votes: 1 for, 0 against, 1 abstaining")
    new_hash = citizen.locator(".minutes-approval .minutes-hash code").inner_text()
    assert new_hash != first_hash
    expect(history.locator(".minutes-hash code")).to_have_text(first_hash)

    subjects = db.session.execute(sa.select(OutboxMessage.subject).order_by(OutboxMessage.id)).scalars().all()
    settle()
    assert len(subjects) == 2 and subjects[1].startswith("Corrected minutes published")
