"""send_due against a real SMTP server: delivery, retries, permanent failures, header injection."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.db import utcnow
from app.extensions import db
from app.notify import services as notify_services
from app.notify.mailer import MailConfigError
from app.notify.models import OutboxMessage, OutboxStatus
from tests.notify.conftest import SMTPServer
from tests.notify.helpers import all_messages, queue, reload


def test_message_arrives_with_recipient_chinese_subject_and_both_parts(smtp_app, smtp_server):
    message = queue(to="zhang.san@example.com", to_name="张三", subject="报名确认：旧城改造座谈会",
                    text="您好，张三：\n您的报名已确认。\n", html="<p>您好，<b>张三</b></p>", language="zh_CN")
    now = utcnow()

    summary = notify_services.send_due(now=now)

    assert (summary.sent, summary.failed, summary.remaining, summary.stopped) == (1, 0, 0, None)
    [delivery] = smtp_server.deliveries
    assert delivery.rcpt_tos == ["zhang.san@example.com"]
    assert delivery.mail_from == "noreply@townhall.test"
    mime = delivery.message
    assert mime["Subject"] == "报名确认：旧城改造座谈会"
    assert delivery.raw.isascii()  # 7-bit clean: RFC 2047 headers, base64 bodies
    [to] = mime["To"].addresses
    assert (to.display_name, to.addr_spec) == ("张三", "zhang.san@example.com")
    assert mime["From"].addresses[0].addr_spec == "noreply@townhall.test"
    assert mime["Message-ID"] == message.message_id
    assert mime["Auto-Submitted"] == "auto-generated"
    assert mime["Content-Language"] == "zh-Hans"
    assert mime["Date"].datetime is not None
    assert mime.get_content_type() == "multipart/alternative"
    plain = mime.get_body(preferencelist=("plain",))
    html = mime.get_body(preferencelist=("html",))
    assert plain.get_content_charset() == "utf-8" and html.get_content_charset() == "utf-8"
    assert plain.get_content() == "您好，张三：\n您的报名已确认。\n"
    assert "<b>张三</b>" in html.get_content()

    stored = reload(message.id)
    assert stored.status == OutboxStatus.SENT
    assert (stored.attempts, stored.sent_at, stored.last_error) == (1, now, None)


def test_text_only_message_is_a_single_utf8_part(smtp_app, smtp_server):
    queue(text="Plain body, ünïcödé\n", language="en")
    notify_services.send_due()
    mime = smtp_server.deliveries[0].message
    assert mime.get_content_type() == "text/plain"
    assert mime.get_content_charset() == "utf-8"
    assert mime.get_content() == "Plain body, ünïcödé\n"
    assert mime["Content-Language"] == "en"


def test_calendar_file_is_attached(smtp_app, smtp_server):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:座谈会\r\nEND:VCALENDAR\r\n"
    queue(html="<p>x</p>", ics=ics)
    notify_services.send_due()
    mime = smtp_server.deliveries[0].message
    [attachment] = list(mime.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "invitation.ics"
    assert "SUMMARY:座谈会" in attachment.get_content()
    assert mime.get_body(preferencelist=("html",)) is not None


def test_sent_messages_are_not_sent_again_and_a_dedupe_key_delivers_once(smtp_app, smtp_server):
    queue(dedupe_key="minutes-7-published-to-3")
    queue(dedupe_key="minutes-7-published-to-3")
    first = notify_services.send_due()
    second = notify_services.send_due(now=utcnow() + timedelta(days=1))
    assert (first.sent, second.sent) == (1, 0)
    assert len(smtp_server.deliveries) == 1


def test_messages_go_out_oldest_first_and_limit_is_respected(smtp_app, smtp_server):
    messages = [queue(subject=f"n{n}") for n in range(3)]
    summary = notify_services.send_due(limit=2)
    assert (summary.sent, summary.remaining) == (2, 1)
    assert [d.message["Subject"] for d in smtp_server.deliveries] == ["n0", "n1"]
    assert reload(messages[2].id).status == OutboxStatus.PENDING


def test_future_messages_wait_for_their_time(smtp_app, smtp_server):
    queue()
    summary = notify_services.send_due(now=utcnow() - timedelta(minutes=5))
    assert (summary.sent, summary.remaining) == (0, 0)
    assert smtp_server.deliveries == []


def test_server_down_keeps_the_message_pending_and_it_goes_out_once_the_server_is_up(app):
    server = SMTPServer()  # a free port with nothing listening yet
    app.config.update(MAIL_BACKEND="smtp", MAIL_PORT=server.port)
    message = queue(subject="会议提醒")
    t0 = utcnow()

    summary = notify_services.send_due(now=t0)

    assert (summary.sent, summary.failed, summary.gave_up) == (0, 1, 0)
    assert "ConnectionRefusedError" in summary.stopped
    stored = reload(message.id)
    assert stored.status == OutboxStatus.PENDING
    assert stored.attempts == 1
    assert stored.next_attempt_at == t0 + timedelta(minutes=2)
    assert stored.last_error.startswith("ConnectionRefusedError")

    assert notify_services.send_due(now=t0 + timedelta(minutes=1)).failed == 0  # not due yet: no attempt
    assert reload(message.id).attempts == 1

    server.start()
    try:
        summary = notify_services.send_due(now=t0 + timedelta(minutes=2))
    finally:
        server.stop()
    assert summary.sent == 1
    stored = reload(message.id)
    assert (stored.status, stored.attempts, stored.last_error) == (OutboxStatus.SENT, 2, None)
    [delivery] = server.deliveries
    assert delivery.message["Subject"] == "会议提醒"
    assert delivery.message["Message-ID"] == stored.message_id  # same Message-ID as the failed attempt


def test_an_unreachable_server_stops_the_run_without_using_up_other_messages_attempts(app):
    app.config.update(MAIL_BACKEND="smtp", MAIL_PORT=SMTPServer().port)
    for _ in range(3):
        queue()
    summary = notify_services.send_due()
    assert (summary.failed, summary.remaining) == (1, 2)
    assert [m.attempts for m in all_messages()] == [1, 0, 0]


def test_a_temporary_refusal_is_retried_with_backoff_and_the_run_goes_on(smtp_app, smtp_server):
    smtp_server.handler.data_reply = "451 4.3.0 Try again later"
    queue(), queue()
    t0 = utcnow()
    summary = notify_services.send_due(now=t0)
    assert (summary.sent, summary.failed, summary.gave_up, summary.stopped) == (0, 2, 0, None)
    for message in all_messages():
        assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
        assert message.next_attempt_at == t0 + timedelta(minutes=2)
        assert message.last_error == "SMTPDataError: 451 4.3.0 Try again later"

    smtp_server.handler.data_reply = None
    assert notify_services.send_due(now=t0 + timedelta(minutes=2)).sent == 2


def test_a_permanent_refusal_fails_at_once_and_the_others_still_go(smtp_app, smtp_server):
    smtp_server.handler.refuse["gone@example.com"] = "550 5.1.1 No such user"
    refused = queue(to="gone@example.com", text="secret body")
    accepted = queue(to="here@example.com")
    summary = notify_services.send_due()
    assert (summary.sent, summary.failed, summary.gave_up) == (1, 1, 1)
    stored = reload(refused.id)
    assert (stored.status, stored.attempts) == (OutboxStatus.FAILED, 1)
    assert stored.last_error == "SMTPRecipientsRefused: 550 5.1.1 No such user"
    assert "gone@example.com" not in stored.last_error and "secret" not in stored.last_error
    assert reload(accepted.id).status == OutboxStatus.SENT


def test_a_message_gives_up_after_the_maximum_attempts_and_can_be_requeued(smtp_app, smtp_server):
    smtp_app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp_server.handler.data_reply = "452 4.2.2 Mailbox full"
    message = queue()
    now = utcnow()
    outcomes = []
    for _ in range(3):
        results = []
        notify_services.send_due(now=now, on_progress=results.append)
        outcomes.append(results[0].outcome)
        now = reload(message.id).next_attempt_at if outcomes[-1] == "retry" else now
    assert outcomes == ["retry", "retry", "failed"]
    stored = reload(message.id)
    assert (stored.status, stored.attempts) == (OutboxStatus.FAILED, 3)
    assert notify_services.send_due(now=now + timedelta(days=30)).failed == 0  # failed messages stay put

    smtp_server.handler.data_reply = None
    assert notify_services.retry_failed() == 1
    stored = reload(message.id)
    assert (stored.status, stored.attempts) == (OutboxStatus.PENDING, 0)
    assert notify_services.send_due().sent == 1
    assert reload(message.id).status == OutboxStatus.SENT


def test_retry_failed_can_pick_messages(app):
    first, second = queue(), queue()
    for message in (first, second):
        message.status = OutboxStatus.FAILED
    db.session.commit()
    assert notify_services.retry_failed(ids=[second.id]) == 1
    assert [m.status for m in all_messages()] == [OutboxStatus.FAILED, OutboxStatus.PENDING]


def test_backoff_doubles_from_two_minutes_and_stops_at_six_hours():
    delays = [notify_services.backoff_delay(n) for n in range(1, 13)]
    assert delays[:4] == [timedelta(minutes=m) for m in (2, 4, 8, 16)]
    assert delays[-1] == timedelta(hours=6) and max(delays) == timedelta(hours=6)
    assert delays == sorted(delays)
    assert notify_services.backoff_delay(10_000) == timedelta(hours=6)


INJECTION = "\r\nBcc: evil@example.com"


def _assert_no_injection(delivery, to: str) -> None:
    assert delivery.rcpt_tos == [to]
    mime = delivery.message
    assert mime["Bcc"] is None and mime["Cc"] is None
    assert len(mime["To"].addresses) == 1
    assert mime["To"].addresses[0].addr_spec == to
    headers = delivery.raw.split(b"\r\n\r\n", 1)[0].lower()
    assert b"\nbcc:" not in headers and not headers.startswith(b"bcc:")


def test_a_name_or_subject_with_crlf_cannot_add_a_header_or_a_recipient(smtp_app, smtp_server):
    queue(to="victim@example.com", to_name="Victim" + INJECTION, subject="Hello" + INJECTION)
    notify_services.send_due()
    [delivery] = smtp_server.deliveries
    _assert_no_injection(delivery, "victim@example.com")
    assert delivery.message["Subject"] == "Hello Bcc: evil@example.com"


def test_a_row_written_without_queue_email_is_still_sent_safely(smtp_app, smtp_server):
    db.session.add(OutboxMessage(
        dedupe_key="raw", message_id="<raw@townhall.test>", to_address="victim@example.com", language="en",
        to_name='Evil <evil@example.com>, "x"' + INJECTION, subject="Hi" + INJECTION + "\nX-Other: 1",
        body_text="Bcc: evil@example.com\r\n\r\nbody line\n",
    ))
    db.session.commit()
    notify_services.send_due()
    [delivery] = smtp_server.deliveries
    _assert_no_injection(delivery, "victim@example.com")
    assert delivery.message["X-Other"] is None


def test_an_address_that_cannot_be_encoded_fails_permanently_and_the_others_go(smtp_app, smtp_server):
    db.session.add(OutboxMessage(dedupe_key="bad", message_id="<bad@townhall.test>", to_address="张三@example.com",
                                 language="zh_CN", subject="s", body_text="t"))
    db.session.commit()
    good = queue(to="good@example.com")
    summary = notify_services.send_due()
    assert (summary.sent, summary.gave_up, summary.stopped) == (1, 1, None)
    bad = db.session.query(OutboxMessage).filter_by(dedupe_key="bad").one()
    assert (bad.status, bad.attempts) == (OutboxStatus.FAILED, 1)
    assert bad.last_error == "NonASCIILocalPartDefect: the message could not be built (invalid address or header)"
    assert [d.rcpt_tos for d in smtp_server.deliveries] == [[good.to_address]]


def test_an_internationalised_domain_is_sent_in_its_ascii_form(smtp_app, smtp_server):
    queue(to="li@例子.中国")
    notify_services.send_due()
    [delivery] = smtp_server.deliveries
    assert delivery.rcpt_tos == ["li@xn--fsqu00a.xn--fiqs8s"]


def test_console_backend_prints_the_message_instead_of_sending(app, capsys):
    assert app.config["MAIL_BACKEND"] == "console"
    message = queue(to="wang@example.com", subject="会议已发布", text="正文内容\n", html="<p>正文</p>")
    summary = notify_services.send_due()
    out = capsys.readouterr().out
    assert summary.sent == 1
    assert "To: wang@example.com" in out
    assert "Subject: 会议已发布" in out
    assert "正文内容" in out
    assert "[HTML part:" in out
    assert reload(message.id).status == OutboxStatus.SENT


def test_an_unusable_sender_setting_stops_before_anything_is_claimed(smtp_app, smtp_server):
    message = queue()
    smtp_app.config["MAIL_DEFAULT_SENDER"] = "nobody"
    with pytest.raises(MailConfigError):
        notify_services.send_due()
    assert reload(message.id).attempts == 0


@pytest.mark.parametrize("settings", [{"MAIL_USE_TLS": True, "MAIL_USE_SSL": True}, {"MAIL_BACKEND": "carrier-pigeon"}])
def test_impossible_transport_settings_are_reported(smtp_app, settings):
    smtp_app.config.update(settings)
    queue()
    with pytest.raises(MailConfigError):
        notify_services.send_due()
    assert all_messages()[0].attempts == 0
