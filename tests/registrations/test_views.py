"""The citizen's journey through the real forms, and the staff pages that run the door."""
from __future__ import annotations

import html as html_module
import io
import re

from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.notify.models import OutboxMessage
from app.notify.private import reveal
from app.registrations import services as registration_services
from app.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.conftest import csrf_token_from
from tests.helpers import field_error, row_counts


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


def post_registration(client, meeting, headers=None, **fields):
    token, submission = form_page(client, meeting)
    data = {"csrf_token": token, "submission_id": submission, "name": "张三", "email": "", "mobile": "",
            "neighbourhood": "水果湖街道", **fields}
    return client.post(f"/meetings/{meeting.id}/register", data=data, headers=headers)


def manage_link(email: str) -> str:
    """The private link in the latest email to `email` (the page after registering never shows it)."""
    message = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.to_address == email)
                                 .order_by(OutboxMessage.id.desc())).scalars().first()
    return re.search(r"http://\S+?(/registrations/[A-Za-z0-9_-]+)", reveal(message).text).group(1)


def _text(fragment: str) -> str:
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def live_counts(client, meeting, language: str) -> str:
    """The text of the public page's live counts (registered, waitlisted, checked in)."""
    page = client.get(f"/meetings/{meeting.id}", headers={"Accept-Language": language}).get_data(as_text=True)
    return _text(re.search(r'<dd class="live-counts">(.*?)</dd>', page, re.S).group(1))


def door_counts(response) -> dict[str, str]:
    box = re.search(r'<dl class="counts">(.*?)</dl>', response.get_data(as_text=True), re.S).group(1)
    return {_text(dt): _text(dd) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", box, re.S)}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_citizen_registers_and_gets_the_code_and_private_link_by_email(client, db):
    meeting = open_meeting()
    response = post_registration(client, meeting, email="zhang.san@example.cn", needs_wheelchair="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "zhang.san@example.cn" in html
    registration = db.session.execute(sa.select(Registration)).scalar_one()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.code not in html and "/registrations/" not in html  # see tests/abuse/test_enumeration.py
    email = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    assert email.to_address == "zhang.san@example.cn"
    link = manage_link("zhang.san@example.cn")
    assert registration.code in email.body_text and link.split("/")[-1] not in email.body_text  # stored: no token
    assert link in reveal(email).text and link in reveal(email).html  # sent: the working link
    manage = client.get(link)
    assert manage.status_code == 200 and "张三" in manage.get_data(as_text=True)
    assert "status-confirmed" in manage.get_data(as_text=True)


def test_without_an_email_the_page_says_how_the_door_finds_them(client, db):
    meeting = open_meeting()
    response = post_registration(client, meeting, mobile="13800138000", headers={"Accept-Language": "en"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "give your name and mobile number" in html
    registration = db.session.execute(sa.select(Registration)).scalar_one()
    assert registration.mobile_normalized and registration.code not in html
    assert db.session.execute(sa.select(OutboxMessage)).first() is None


def test_the_manage_link_changes_needs_downloads_the_ticket_and_cancels(client, db):
    meeting = open_meeting(capacity=1)
    post_registration(client, meeting, email="first@example.cn")
    link = manage_link("first@example.cn")
    post_registration(client, meeting, email="lisi@example.cn", name="李四")
    waiting = client.get(manage_link("lisi@example.cn")).get_data(as_text=True)
    assert "waitlist" in waiting.lower() or "候补" in waiting

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
    assert "wang@example.cn" not in html and "张三" not in html  # only what this visitor typed is shown
    assert db.session.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one() == 1
    # The holder hears of it, kindly, by email (tests/abuse/test_enumeration.py compares the two pages).
    kinds = [m.subject for m in db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars()]
    assert len(kinds) == 2 and kinds[0] != kinds[1]


def test_a_double_clicked_submit_yields_one_registration(client, db):
    meeting = open_meeting()
    token, submission = form_page(client, meeting)
    data = {"csrf_token": token, "submission_id": submission, "name": "赵六", "email": "zhaoliu@example.cn"}
    first = client.post(f"/meetings/{meeting.id}/register", data=data)
    second = client.post(f"/meetings/{meeting.id}/register", data=data)
    assert first.status_code == second.status_code == 200
    assert "zhaoliu@example.cn" in second.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Registration)).scalar_one() == 1
    assert db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage)).scalar_one() == 1


@pytest.mark.parametrize("fields, message", [
    ({"email": "nope"}, "email"),
    ({"mobile": "123"}, "mobile"),
    ({"name": "\u200b  "}, "name"),
    ({"name": "长" * 101, "mobile": "13800138000"}, "name"),
    ({"neighbourhood": "街" * 101, "mobile": "13800138000"}, "neighbourhood"),
    ({"interpretation_language": "语" * 61, "mobile": "13800138000"}, "interpretation_language"),
    ({"other_needs": "需" * 501, "mobile": "13800138000"}, "other_needs"),
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
    assert live_counts(client, meeting, "en") == "1 registered · 1 on the waitlist · 0 checked in"
    assert live_counts(client, meeting, "zh-CN") == "已报名1人 · 候补1人 · 已签到0人"


def test_the_live_counts_follow_registrations_check_ins_walk_ins_and_cancellations(client, db):
    meeting = open_meeting(capacity=3)
    for n in range(5):
        post_registration(client, meeting, mobile=f"1390000000{n}", name=f"居民{n}")
    assert live_counts(client, meeting, "en") == "3 registered · 2 on the waitlist · 0 checked in"
    clerk = factories.make_user("clerk", department_id=meeting.department_id)
    first, second = db.session.execute(sa.select(Registration).order_by(Registration.id).limit(2)).scalars()
    registration_services.check_in(clerk, first)
    registration_services.cancel_registration(second)  # the first person waiting moves up
    assert live_counts(client, meeting, "en") == "3 registered · 1 on the waitlist · 1 checked in"
    registration_services.set_capacity(clerk, meeting, 5)
    registration_services.add_walk_in(clerk, meeting, name="路过的居民")
    # The walk-in came without registering: counted once, as a walk-in, not again as registered or checked in.
    assert live_counts(client, meeting, "en") == "4 registered · 0 on the waitlist · 1 checked in · 1 walk-in"
    assert live_counts(client, meeting, "zh-CN") == "已报名4人 · 候补0人 · 已签到1人 · 现场登记1人"


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
    assert live_counts(client, meeting, "en") == "1 registered · 0 on the waitlist · 1 checked in · 1 walk-in"
    door = client.get(f"/manage/meetings/{meeting.id}/check-in", headers={"Accept-Language": "en"})
    assert door_counts(door) == {"Confirmed": "2 / 3", "Waitlisted": "0", "Checked in": "2", "Walk-ins": "1",
                                 "Cancelled": "0"}


def test_staff_of_another_department_get_403_on_registrants(client, login_as):
    meeting = open_meeting()
    login_as("clerk")
    assert client.get(f"/manage/meetings/{meeting.id}/registrations").status_code == 403
    assert client.get(f"/manage/meetings/{meeting.id}/registrations.csv").status_code == 403


def closed_meeting(state: str):
    now = factories.now()
    if state == "cancelled":
        return open_meeting(status="cancelled", cancel_reason="台风预警", cancelled_at=now)
    if state == "past":
        return open_meeting(starts_in=timedelta(days=-3))
    return open_meeting(registration_closes_at=now - timedelta(minutes=5))


MESSAGES = {
    "cancelled": ("This meeting is not open for registration.", "本场活动不接受报名。"),
    "past": ("Registration for this meeting is closed.", "本场活动报名已截止。"),
    "closed": ("Registration for this meeting is closed.", "本场活动报名已截止。"),
}


@pytest.mark.parametrize("state", list(MESSAGES))
@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_registering_for_a_cancelled_past_or_closed_meeting_says_so_in_the_users_language_and_writes_nothing(
        client, db, state, language):
    meeting = closed_meeting(state)
    headers = {"Accept-Language": language}
    token = csrf_token_from(client.get("/login", headers=headers).get_data(as_text=True))
    before = row_counts()
    response = client.post(f"/meetings/{meeting.id}/register", headers=headers, data={
        "csrf_token": token, "submission_id": "s" * 43, "name": "张三", "email": "zhang@example.cn",
        "mobile": "13800138000", "neighbourhood": "水果湖街道"})
    assert response.status_code == 409
    english, chinese = MESSAGES[state]
    message = english if language == "en" else chinese
    assert f'<div class="flash flash-error" role="alert">{message}</div>' in response.get_data(as_text=True)
    assert row_counts() == before
    db.session.refresh(meeting)
    assert (meeting.queue_counter, meeting.seats_taken) == (0, 0)


def test_the_needs_page_refuses_over_long_text_next_to_the_field_and_keeps_the_old_needs(client, db):
    meeting = open_meeting()
    post_registration(client, meeting, email="needs@example.cn", needs_large_print="y")
    link = manage_link("needs@example.cn")
    page = client.get(link).get_data(as_text=True)
    response = client.post(f"{link}/needs", headers={"Accept-Language": "en"},
                           data={"csrf_token": csrf_token_from(page), "other_needs": "需" * 501})
    assert response.status_code == 400
    assert field_error(response, "other_needs") == "Field cannot be longer than 500 characters."
    db.session.expire_all()
    stored = db.session.execute(sa.select(Registration)).scalar_one()
    assert stored.needs_large_print and stored.other_needs == ""


def test_the_meeting_page_counts_registrants_check_ins_and_walk_ins_once_each(client):
    from app.extensions import db
    from app.registrations.models import RegistrationChannel

    meeting = factories.make_meeting(registration_required=True, capacity=50)
    for n, (channel, status, came) in enumerate([
            ("web", "confirmed", True), ("web", "confirmed", False), ("phone", "confirmed", True),
            ("web", "waitlisted", False), ("walk_in", "confirmed", True), ("walk_in", "cancelled", True)]):
        db.session.add(Registration(
            meeting_id=meeting.id, code=f"C{n:06d}", token_hash=f"c{n:063d}", name=f"市民{n}",
            email=f"c{n}@example.cn" if channel == "web" else "", email_normalized=f"c{n}@example.cn"
            if channel == "web" else None, mobile="13900000000" if channel == "phone" else "",
            channel=RegistrationChannel(channel), status=RegistrationStatus(status), queue_number=n,
            checked_in_at=factories.now() if came else None))
    db.session.commit()
    body = client.get(f"/meetings/{meeting.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    counts = " ".join(re.search(r'<dd class="live-counts">(.*?)</dd>', body, re.S).group(1).split())
    assert counts == "3 registered · 1 on the waitlist · 2 checked in · 1 walk-in"


def test_opening_the_private_link_makes_this_browsers_votes_the_registrations(app, db):
    from app.questions.voters import voter_key_for_registration
    from tests.questions.builders import make_question, vote_on, voter_keys

    meeting = open_meeting()
    question = make_question(meeting)
    browser = app.test_client()
    response = post_registration(browser, meeting, email="voter@example.cn")
    # Registering shows the same page and cookies as registering again: the proof comes with the emailed link.
    assert response.status_code == 200
    assert "townhall_registrant=" not in " ".join(response.headers.getlist("Set-Cookie"))
    registration = db.session.execute(sa.select(Registration)).scalar_one()
    link = manage_link("voter@example.cn")
    assert "townhall_registrant=" in " ".join(browser.get(link).headers.getlist("Set-Cookie"))
    vote_on(browser, question.id, meeting.id)
    assert voter_keys(question.id) == {voter_key_for_registration(registration.id)}
    other = app.test_client()
    other.get(link)
    vote_on(other, question.id, meeting.id)
    db.session.expire_all()
    assert question.vote_count == 1
