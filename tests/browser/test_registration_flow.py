"""A citizen's whole registration journey in a real browser: register, open the private link from the
confirmation email, download the ticket, cancel; the person on the waitlist moves up and is told by email."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from app.extensions import db
from app.notify.models import OutboxMessage
from app.registrations.models import Registration
from tests import factories
from tests.browser.conftest import private_link_sent_to, settle

pytestmark = pytest.mark.browser


def register(page, meeting_id: int, name: str, email: str, mobile: str) -> str:
    page.goto(f"/meetings/{meeting_id}")
    page.locator("a.register-button").click()
    page.locator("#name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#mobile").fill(mobile)
    page.locator("#neighbourhood").fill("Shuiguohu")
    page.locator("#needs_wheelchair").check()
    page.locator("form.stacked-form [type=submit]").click()
    expect(page.locator("main")).to_contain_text(email)  # the page names the address the link went to
    return private_link_sent_to(email)


def test_register_manage_download_cancel_and_the_waitlisted_person_is_promoted(app, base_url, new_context, tmp_path):
    app.config["PUBLIC_BASE_URL"] = base_url  # links in pages and emails point at this live server
    meeting = factories.make_meeting(registration_required=True, capacity=1,
                                     title="East Lake water quality hearing 东湖水质听证会")
    meeting_id = meeting.id
    settle()

    first = new_context().new_page()
    link = register(first, meeting_id, "Alice Chen", "alice@example.com", "13800138000")

    second = new_context().new_page()
    second.goto(register(second, meeting_id, "Bob Wang", "bob@example.com", "13900139000"))
    expect(second.locator(".status-waitlisted")).to_contain_text("1")

    first.goto(link)
    expect(first.locator(".status-confirmed")).to_be_visible()
    with first.expect_download() as download_info:
        first.get_by_role("link", name="Download my ticket (PDF)").click()
    ticket = tmp_path / "ticket.pdf"
    download_info.value.save_as(ticket)
    text = "\n".join(p.extract_text() for p in PdfReader(str(ticket)).pages)
    assert "东湖水质听证会" in text and "Alice Chen" in text

    first.locator("form[action$='/cancel'] [type=submit]").click()
    expect(first.locator("h1")).to_contain_text("cancelled")
    assert first.goto(link).status == 404

    rows = db.session.execute(sa.select(Registration.name, Registration.status).order_by(Registration.id)).all()
    assert [(name, str(status)) for name, status in rows] == [("Alice Chen", "cancelled"), ("Bob Wang", "confirmed")]
    promoted = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == "bob@example.com")
        .order_by(OutboxMessage.id.desc())).scalars().first()
    settle()
    assert promoted is not None and "seat" in promoted.subject.lower()
