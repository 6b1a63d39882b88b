"""Reminders, change notices and the confirmation's calendar file, through the outbox."""
from __future__ import annotations

import secrets
from datetime import timedelta, timezone

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from app.calendar import notifications
from app.extensions import db
from app.meetings import services as meeting_services
from app.notify import services as notify_services
from app.notify.models import OutboxMessage
from app.notify.private import reveal
from app.registrations import services as registration_services
from tests import factories
from tests.calendar.helpers import add_registration, parse_both, vevents


def outbox(prefix: str = "") -> list[OutboxMessage]:
    db.session.expire_all()
    rows = db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    return [row for row in rows if row.dedupe_key.startswith(prefix)]


@pytest.fixture
def official(app):
    return factories.make_user("official")


def soon_meeting(official, hours: float = 20, **overrides):
    return factories.make_meeting(starts_in=timedelta(hours=hours), created_by=official,
                                  department_id=official.department_id, registration_required=True, **overrides)


def test_reschedule_and_cancel_notify_each_active_registrant_once_in_their_language(app, official):
    m = soon_meeting(official, hours=24 * 20, title="供水听证会")
    zh = add_registration(m, language="zh_CN")
    en = add_registration(m, language="en", status="waitlisted")
    add_registration(m, status="cancelled")
    add_registration(m, email="", language="en")  # reachable by phone only: no email to send
    local = (m.starts_at + timedelta(days=1)).astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None)
    meeting_services.reschedule_meeting(official, m, meeting_services.Schedule(
        timezone="Asia/Shanghai", starts_local=local, venue_name="新会场"), reason="会场维修")

    sent = outbox("meeting-")
    assert sorted(msg.to_address for msg in sent) == sorted([zh.email, en.email])
    by_address = {msg.to_address: msg for msg in sent}
    reg_of = {zh.email: zh.id, en.email: en.id}
    assert "会场维修" in by_address[zh.email].body_text and "供水听证会" in by_address[zh.email].subject
    assert by_address[en.email].subject.startswith("Meeting changed")
    assert by_address[en.email].language == "en" and by_address[zh.email].language == "zh_CN"
    for msg in sent:
        token = notifications.unsubscribe_token(reg_of[msg.to_address])
        assert f"/notifications/unsubscribe/{token}" in reveal(msg).text and token not in msg.body_text
        assert "/notifications/unsubscribe/" in msg.body_html
        other = en if msg.to_address == zh.email else zh
        assert other.email not in msg.body_text + msg.body_html and other.name not in msg.body_text + msg.body_html
        (event,) = vevents(parse_both(msg.ics.encode())[0])
        assert event["SEQUENCE"] == 1 and str(event["UID"]) == f"meeting-{m.id}@127.0.0.1"

    meeting_services.cancel_meeting(official, m, reason="Storm warning")
    cancelled = outbox(f"meeting-{m.id}-cancelled")
    assert sorted(msg.to_address for msg in cancelled) == sorted([zh.email, en.email])
    (event,) = vevents(Calendar.from_ical(cancelled[0].ics))
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 2
    assert len(outbox("meeting-")) == 4


def test_a_failed_reschedule_queues_nothing(app, official):
    m = soon_meeting(official, hours=24 * 20)
    add_registration(m)
    with pytest.raises(Exception):
        meeting_services.reschedule_meeting(official, m, meeting_services.Schedule(
            timezone="Asia/Shanghai", starts_local=m.starts_at.replace(tzinfo=None) - timedelta(days=100),
            venue_name="x"), reason="oops")
    assert outbox() == []


def test_reminders_are_queued_once_for_confirmed_registrants_of_meetings_starting_soon(app, official, runner):
    m = soon_meeting(official, hours=20, title="明天的座谈会")
    confirmed = add_registration(m, language="en")
    add_registration(m, status="waitlisted")
    add_registration(m, status="cancelled")
    opted_out = add_registration(m)
    db.session.add(notifications.NotificationOptOut(registration_id=opted_out.id))
    db.session.commit()
    later = soon_meeting(official, hours=60)
    add_registration(later)
    draft = soon_meeting(official, hours=5, status="draft")
    add_registration(draft)

    first = runner.invoke(args=["notify", "due"])
    assert first.exit_code == 0, first.output
    assert "Queued 1 reminder(s)." in first.output
    second = runner.invoke(args=["notify", "due"])
    assert "Queued 0 reminder(s)." in second.output
    (reminder,) = outbox("reminder-")
    assert reminder.to_address == confirmed.email and reminder.language == "en"
    assert reminder.subject.startswith("Reminder") and reminder.body_html
    assert confirmed.code in reminder.body_text

    # A wider window reaches the later meeting; the first is still not reminded twice.
    assert "Queued 1 reminder(s)." in runner.invoke(args=["notify", "due", "--hours", "72"]).output
    # Rescheduling gives the new time its own reminder.
    local = (m.starts_at + timedelta(hours=2)).astimezone(timezone(timedelta(hours=8))).replace(tzinfo=None)
    meeting_services.reschedule_meeting(official, m, meeting_services.Schedule(
        timezone="Asia/Shanghai", starts_local=local, venue_name=m.venue_name), reason="later",
        short_notice_reason="urgent")
    assert notifications.queue_due_reminders() == 1
    assert len(outbox("reminder-")) == 3


def test_unsubscribe_link_stops_reminders_and_notices(app, official, web):
    m = soon_meeting(official, hours=20)
    registration = add_registration(m)
    url = notifications.unsubscribe_url(registration.id).replace("http://127.0.0.1:5000", "")
    page = web.get(url)
    assert page.status_code == 200 and m.title in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert not notifications.is_opted_out(registration.id)  # GET alone changes nothing
    response = web.post_form(url, {})
    assert response.status_code == 302
    assert notifications.is_opted_out(registration.id)
    assert notifications.queue_due_reminders() == 0
    meeting_services.cancel_meeting(official, m, reason="Storm")
    assert outbox() == []
    assert web.get(url + "x").status_code == 404
    forged = notifications._serializer().dumps({"r": registration.id, "p": "something-else"})
    assert web.get(f"/notifications/unsubscribe/{forged}").status_code == 404


def test_the_confirmation_email_carries_the_meeting_as_a_calendar_file(app, official):
    m = soon_meeting(official, hours=24 * 10, capacity=1)
    data = registration_services.RegistrationInput(name="Li Lei", email="li@example.com", language="en")
    registration_services.register_citizen(m, data, submission_id=secrets.token_urlsafe(32))
    waiting = registration_services.RegistrationInput(name="Han Mei", email="han@example.com")
    registration_services.register_citizen(m, waiting, submission_id=secrets.token_urlsafe(32))
    by_address = {msg.to_address: msg for msg in outbox("registration-")}
    (event,) = vevents(parse_both(by_address["li@example.com"].ics.encode())[0])
    assert str(event["UID"]) == f"meeting-{m.id}@127.0.0.1"
    assert by_address["han@example.com"].ics is None  # waitlisted: no seat to put in a calendar yet


def test_a_reminder_reaches_a_real_smtp_server_with_text_html_and_no_attachment_leak(smtp_app, smtp_server, official):
    m = soon_meeting(official, hours=20)
    registration = add_registration(m, language="en")
    assert notifications.queue_due_reminders() == 1
    db.session.commit()
    assert notify_services.send_due().sent == 1
    (delivery,) = smtp_server.deliveries
    message = delivery.message
    assert delivery.rcpt_tos == [registration.email]
    assert message.get_content_type() == "multipart/alternative"
    kinds = sorted(part.get_content_type() for part in message.iter_parts())
    assert kinds == ["text/html", "text/plain"]
    assert "/notifications/unsubscribe/" in message.get_body(("plain",)).get_content()


def test_a_change_notice_reaches_smtp_with_a_calendar_attachment(smtp_app, smtp_server, official):
    m = soon_meeting(official, hours=24 * 20)
    add_registration(m, language="zh_CN")
    meeting_services.cancel_meeting(official, m, reason="暴雨预警")
    assert notify_services.send_due().sent == 1
    message = smtp_server.deliveries[0].message
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    (event,) = vevents(parse_both(attachment.get_content().encode())[0])
    assert event["STATUS"] == "CANCELLED"


def test_smtp_down_leaves_the_reminder_queued(smtp_app, smtp_server, official):
    m = soon_meeting(official, hours=20)
    add_registration(m)
    notifications.queue_due_reminders()
    smtp_server.stop()
    summary = notify_services.send_due()
    assert summary.sent == 0 and summary.stopped
    (message,) = outbox("reminder-")
    assert message.is_pending and message.attempts == 1
