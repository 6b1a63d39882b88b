"""The citizen's journey through the real forms, and the staff pages that run the door."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.notify.models import OutboxMessage
from app.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.conftest import csrf_token_from


def open_meeting(**overrides):
    overrides.setdefault("capacity", 2)
    return factories.make_meeting(registration_required=True, title=overrides.pop("title", "老旧小区加装电梯座谈会"),
                                  **overrides)


def form_page(client, meeting):
    page = client.get(f"/meetings/{meeting.id}/register")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    submission = re.search(r'name="submission_id"[^>]*value="([^"]+)"', html).group(1)
    return csrf_token_from(html), submission


def post_registration(client, meeting, **fields):
    token, submission = form_page(client, meeting)
    data = {"csrf_token": token, "submission_id": submission, "name": "张三", "email": "", "mobile": "",
            "neighbourhood": "水果湖街道", **fields}
    return client.post(f"/meetings/{meeting.id}/register", data=data)


def manage_link(html: str) -> str:
    return re.search(r'href="http://[^"]+(/registrations/[A-Za-z0-9_-]+)"', html).group(1)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_citizen_registers_gets_a_code_a_private_link_and_an_email(client, db):
    meeting = open_meeting()
    response = post_registration(client, meeting, email="zhang.san@example.cn", needs_wheelchair="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    registration = db.session.execute(sa.select(Registration)).scalar_one()
    assert registration.code in html and registration.status == RegistrationStatus.CONFIRMED
    link = manage_link(html)
    email = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    assert email.to_address == "zhang.san@example.cn"
    assert registration.code in email.body_text and link in email.body_text
    manage = client.get(link)
    assert manage.status_code == 200 and "张三" in manage.get_data(as_text=True)


def test_the_manage_link_changes_needs_downloads_the_ticket_and_cancels(client, db):
    meeting = open_meeting(capacity=1)
    link = manage_link(post_registration(client, meeting, mobile="13800138000").get_data(as_text=True))
    waiting = post_registration(client, meeting, mobile="13900139000", name="李四")
    assert "waitlist" in waiting.get_data(as_text=True).lower() or "候补" in waiting.get_data(as_text=True)

    page = client.get(link).get_data(as_text=True)
    response = client.post(f"{link}/needs", data={"csrf_token": csrf_token_from(page), "needs_sign_language": "y",
                                                  "interpretation_language": "Uyghur"})
    assert response.status_code == 302
    first = db.session.execute(sa.select(Registration).order_by(Registration.id)).scalars().first()
    assert first.needs_sign_language and first.interpretation_language == "Uyghur"

    ticket = client.get(f"{link}/ticket.pdf")
    assert ticket.status_code == 200 and ticket.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in ticket.headers["Content-Disposition"]
    text = pdf_text(ticket.data)
    assert first.code in text and "老旧小区加装电梯座谈会" in text

    page = client.get(link).get_data(as_text=True)
    response = client.post(f"{link}/cancel", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 200
    assert client.get(link).status_code == 404  # a used-up link is the same 404 as a wrong one
    second = db.session.execute(sa.select(Registration).where(Registration.name == "李四")).scalar_one()
    assert second.status == RegistrationStatus.CONFIRMED


def test_a_wrong_token_is_a_plain_404(client):
    assert client.get("/registrations/not-a-real-token").status_code == 404
    assert client.get("/registrations/" + "x" * 500).status_code == 404


def test_registering_twice_does_not_say_whether_the_contact_was_already_registered(client, db):
    meeting = open_meeting(capacity=10)
    post_registration(client, meeting, email="wang@example.cn")
    again = post_registration(client, meeting, email="WANG@example.cn", name="Someone else")
    html = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "wang@example.cn" not in html.lower() and "张三" not in html
    assert db.session.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one() == 1


def test_a_double_clicked_submit_yields_one_registration(client, db):
    meeting = open_meeting()
    token, submission = form_page(client, meeting)
    data = {"csrf_token": token, "submission_id": submission, "name": "赵六", "mobile": "13700137000"}
    first = client.post(f"/meetings/{meeting.id}/register", data=data)
    second = client.post(f"/meetings/{meeting.id}/register", data=data)
    assert first.status_code == second.status_code == 200
    assert manage_link(first.get_data(as_text=True)) == manage_link(second.get_data(as_text=True))
    assert db.session.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one() == 1


@pytest.mark.parametrize("fields, message", [
    ({"email": "nope"}, "email"),
    ({"mobile": "123"}, "mobile"),
    ({"name": "\u200b  "}, "name"),
    ({"name": "长" * 101, "mobile": "13800138000"}, "name"),
])
def test_bad_input_shows_a_message_next_to_the_field_and_writes_nothing(client, db, fields, message):
    meeting = open_meeting()
    response = post_registration(client, meeting, **fields)
    assert response.status_code == 400
    assert f'id="{message}-error"' in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one() == 0


def test_a_draft_meeting_cannot_be_registered_for(client):
    meeting = open_meeting(status="draft")
    assert client.get(f"/meetings/{meeting.id}/register").status_code == 404


def test_registration_is_rate_limited(app, client):
    app.config["PUBLIC_WRITE_RATE_LIMIT"] = "3 per minute"
    meeting = open_meeting(capacity=100)
    codes = [post_registration(client, meeting, mobile=f"1380013800{n}").status_code for n in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429


def test_the_public_page_shows_live_counts_and_no_personal_data(client, db):
    meeting = open_meeting(capacity=1)
    post_registration(client, meeting, email="secret.person@example.cn", mobile="13812345678")
    post_registration(client, meeting, mobile="13912345678", name="王五")
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "secret.person" not in html and "13812345678" not in html and "王五" not in html
    assert "1" in html and ("waitlist" in html.lower() or "候补" in html)


def test_staff_see_registrants_export_csv_and_print_the_sign_in_sheet(client, db, login_as):
    meeting = open_meeting(capacity=5)
    post_registration(client, meeting, name="=HYPERLINK(\"http://evil\")", mobile="+8613800138000")
    post_registration(client, meeting, name="陈七", mobile="13900139000", needs_large_print="y")
    official = login_as("official", department_id=meeting.department_id)
    page = client.get(f"/manage/meetings/{meeting.id}/registrations").get_data(as_text=True)
    assert "陈七" in page and "+8613900139000" in page
    csv_response = client.get(f"/manage/meetings/{meeting.id}/registrations.csv")
    body = csv_response.get_data()
    assert body.startswith("\ufeff".encode("utf-8"))
    text = body.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",+8613800138000," in text and "陈七" in text
    sheet = client.get(f"/manage/meetings/{meeting.id}/sign-in-sheet.pdf")
    assert sheet.mimetype == "application/pdf"
    sheet_text = pdf_text(sheet.data)
    assert "陈七" in sheet_text and "13900139000" not in sheet_text
    assert official.id


def test_control_characters_in_the_staff_searches_are_ignored(client, db, login_as):
    """PostgreSQL refuses NUL in text: a search carrying one (typed, or inside a scanned link) must not
    reach the query."""
    meeting = open_meeting(capacity=5)
    post_registration(client, meeting, name="陈七", mobile="13900139000")
    login_as("clerk", department_id=meeting.department_id)
    for query in ({"q": "陈\x00七", "status": "confirmed\x00"}, {"q": "\x00"}):
        page = client.get(f"/manage/meetings/{meeting.id}/registrations", query_string=query)
        assert page.status_code == 200 and "陈七" in page.get_data(as_text=True), query
    scanned = client.get(f"/manage/meetings/{meeting.id}/check-in",
                         query_string={"q": "http://x/check-in?q=%00%E9%99%88%00"})
    assert scanned.status_code == 200 and "陈七" in scanned.get_data(as_text=True)


def test_the_door_checks_in_by_code_and_adds_walk_ins(client, db, login_as):
    meeting = open_meeting(capacity=3)
    post_registration(client, meeting, mobile="13800138000", name="孙八")
    registration = db.session.execute(sa.select(Registration)).scalar_one()
    login_as("clerk", department_id=meeting.department_id)
    page = client.get(f"/manage/meetings/{meeting.id}/check-in", query_string={"q": registration.code.lower()})
    html = page.get_data(as_text=True)
    assert "孙八" in html
    response = client.post(f"/manage/meetings/{meeting.id}/check-in/{registration.id}",
                           data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 302
    db.session.refresh(registration)
    assert registration.checked_in_at is not None
    scanned = client.get(f"/manage/meetings/{meeting.id}/check-in",
                         query_string={"q": f"http://x/manage/meetings/{meeting.id}/check-in?q={registration.code}"})
    assert "孙八" in scanned.get_data(as_text=True)
    response = client.post(f"/manage/meetings/{meeting.id}/walk-ins",
                           data={"csrf_token": csrf_token_from(html), "name": "周九", "neighbourhood": "中南路"})
    assert response.status_code == 302
    counts_page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "2" in counts_page


def test_staff_of_another_department_get_403_on_registrants(client, login_as):
    meeting = open_meeting()
    login_as("clerk")
    assert client.get(f"/manage/meetings/{meeting.id}/registrations").status_code == 403
    assert client.get(f"/manage/meetings/{meeting.id}/registrations.csv").status_code == 403
