"""Private links in emails (manage, follow, follower, invitation, unsubscribe tokens) are never stored in the
clear: not while the email waits in the outbox, not after it is sent, not after it failed for good. Each
test greps every text column of every table for the raw tokens that reached the SMTP server."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.actions import services as action_services
from app.calendar import notifications
from app.extensions import db
from app.meetings import services as meeting_services
from app.notify import services as notify_services
from app.notify.models import OutboxMessage, OutboxStatus
from app.notify.private import MessageParts, PrivateLinksUnreadable, conceal, reveal
from app.questions import services as question_services
from app.registrations import services as registration_services
from app.timezones import utc_to_local
from tests import factories
from tests.actions.builders import make_item
from tests.notify.helpers import all_messages

PRIVATE_LINK = re.compile(r"https?://[^\s\"<>]+?/(registrations|questions/t|actions/f|actions/unsubscribe"
                          r"|actions/\d+/follow|notifications/unsubscribe)/([A-Za-z0-9_.~=-]+)")


def places_holding(value: str) -> list[str]:
    """Every table.column (text columns of every table) whose value contains `value`."""
    db.session.expire_all()
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, sa.String):  # String covers Text, Unicode and enum strings
                continue
            hits = db.session.execute(
                sa.select(sa.func.count()).select_from(table)
                .where(sa.cast(column, sa.Text).contains(value, autoescape=True))
            ).scalar_one()
            if hits:
                found.append(f"{table.name}.{column.name}")
    db.session.rollback()
    return found


def delivered_links(smtp_server) -> dict[str, set[str]]:
    """{kind of private link: tokens} found in the text and HTML of every delivered message."""
    links: dict[str, set[str]] = {}
    for delivery in smtp_server.deliveries:
        mime = delivery.message
        for part in mime.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                for kind, token in PRIVATE_LINK.findall(part.get_content()):
                    links.setdefault(re.sub(r"\d+", "<id>", kind), set()).add(token)
    return links


def person(name: str, email: str, language: str = "zh_CN") -> registration_services.RegistrationInput:
    return registration_services.RegistrationInput(name=name, email=email, language=language)


def test_no_private_token_is_stored_before_or_after_sending(smtp_app, smtp_server):
    official = factories.make_user("official")
    meeting = factories.make_meeting(registration_required=True, capacity=1, department_id=official.department_id,
                                     created_by=official, title="东湖绿道座谈会", venue_name="东湖会堂")
    seat = registration_services.register_citizen(meeting, person("张三", "zhang@example.cn"),
                                                  submission_id=secrets.token_urlsafe(32))
    waiting = registration_services.register_citizen(meeting, person("Grace Li", "grace@example.com", "en"),
                                                     submission_id=secrets.token_urlsafe(32))
    registration_services.register_citizen(meeting, person("又是张三", "ZHANG@example.cn"),
                                           submission_id=secrets.token_urlsafe(32))  # a fresh link by email
    asked = question_services.submit_question(
        meeting, question_services.QuestionInput(body="绿道什么时候修好？", topic="transport",
                                                 contact_email="wang@example.cn"),
        submission_id=secrets.token_urlsafe(32))
    question_services.enter_question(
        official, meeting, question_services.QuestionInput(body="热线来电：路灯坏了", topic="other",
                                                           contact_email="hotline@example.cn"), channel="hotline")
    item = make_item(official, meeting, title="修复绿道路灯")
    action_services.request_follow(item, "zhang@example.cn")
    known_before_sending = [seat.token, waiting.token, asked.token]
    for token in known_before_sending:
        assert places_holding(token) == [], "a token is stored in the clear while its email waits"

    assert notify_services.send_due().failed == 0
    [invite] = delivered_links(smtp_server)["actions/<id>/follow"]
    follower = action_services.confirm_follow(item, invite)
    action_services.change_action_status(official, item, "done", text="路灯已全部修复")  # the follower may rate it
    new_start = utc_to_local(meeting.starts_at + timedelta(days=1), meeting.timezone).replace(tzinfo=None)
    meeting_services.reschedule_meeting(official, meeting, meeting_services.Schedule(
        timezone=meeting.timezone, starts_local=new_start, venue_name="东湖会堂"), reason="场地维修")
    assert notify_services.send_due().failed == 0

    links = delivered_links(smtp_server)
    assert {seat.token, waiting.token} <= links["registrations"] and len(links["registrations"]) == 3
    assert asked.token in links["questions/t"] and len(links["questions/t"]) == 2
    assert links["actions/f"] == {action_services.follower_token(follower)} == links["actions/unsubscribe"]
    assert links["notifications/unsubscribe"] == {notifications.unsubscribe_token(seat.registration.id),
                                                  notifications.unsubscribe_token(waiting.registration.id)}
    tokens = set().union(*links.values())
    assert len(tokens) == 9
    for token in tokens:
        assert places_holding(token) == [], token
    assert all(m.status == OutboxStatus.SENT and m.private_values is None for m in all_messages())


def test_the_delivered_links_work(smtp_app, smtp_server, client):
    meeting = factories.make_meeting(registration_required=True, capacity=5, title="汉口江滩座谈会")
    registration_services.register_citizen(meeting, person("张三", "zhang@example.cn"),
                                           submission_id=secrets.token_urlsafe(32))
    question_services.submit_question(
        meeting, question_services.QuestionInput(body="江滩夜间噪音怎么管？", topic="environment",
                                                 contact_email="wang@example.cn"),
        submission_id=secrets.token_urlsafe(32))
    notify_services.send_due()
    links = delivered_links(smtp_server)
    [manage] = links["registrations"]
    [follow] = links["questions/t"]
    assert "张三" in client.get(f"/registrations/{manage}").get_data(as_text=True)
    assert "江滩夜间噪音怎么管？" in client.get(f"/questions/t/{follow}").get_data(as_text=True)


def test_the_stored_row_is_readable_with_a_placeholder_where_the_link_was(smtp_app):
    meeting = factories.make_meeting(registration_required=True, capacity=5, title="社区议事会")
    result = registration_services.register_citizen(meeting, person("张三", "zhang@example.cn"),
                                                    submission_id=secrets.token_urlsafe(32))
    [message] = all_messages()
    assert re.search(r"/registrations/\[private-link:[0-9a-f]{16}\]", message.body_text)
    assert message.private_values and result.token not in message.private_values
    assert f"/registrations/{result.token}" in reveal(message).text
    assert f'href="http://127.0.0.1:5000/registrations/{result.token}"' in reveal(message).html


def test_a_message_that_failed_for_good_holds_no_token_and_still_delivers_a_working_link_when_retried(
        smtp_app, smtp_server, client):
    smtp_server.handler.refuse["zhang@example.cn"] = "550 5.1.1 Mailbox unavailable"
    meeting = factories.make_meeting(registration_required=True, capacity=5, title="社区议事会")
    result = registration_services.register_citizen(meeting, person("张三", "zhang@example.cn"),
                                                    submission_id=secrets.token_urlsafe(32))
    summary = notify_services.send_due()
    assert (summary.sent, summary.gave_up) == (0, 1)
    [message] = all_messages()
    assert message.status == OutboxStatus.FAILED and message.private_values
    assert places_holding(result.token) == []

    smtp_server.handler.refuse.clear()
    assert notify_services.retry_failed() == 1
    assert notify_services.send_due().sent == 1
    [manage] = delivered_links(smtp_server)["registrations"]
    assert manage == result.token and client.get(f"/registrations/{manage}").status_code == 200
    assert places_holding(result.token) == [] and all_messages()[0].private_values is None


def test_links_that_cannot_be_decrypted_fail_the_message_at_once_and_nothing_is_sent(smtp_app, smtp_server):
    meeting = factories.make_meeting(registration_required=True, capacity=5)
    registration_services.register_citizen(meeting, person("张三", "zhang@example.cn"),
                                           submission_id=secrets.token_urlsafe(32))
    smtp_app.config["SECRET_KEY"] = "a different secret key"
    summary = notify_services.send_due()
    assert (summary.sent, summary.gave_up) == (0, 1)
    [message] = all_messages()
    assert message.status == OutboxStatus.FAILED and message.attempts == 1
    assert message.last_error == ("PrivateLinksUnreadable: its private links cannot be decrypted "
                                  "(was SECRET_KEY changed?)")
    assert smtp_server.deliveries == []


def test_an_old_secret_key_listed_as_a_fallback_still_opens_the_links(smtp_app, smtp_server):
    meeting = factories.make_meeting(registration_required=True, capacity=5)
    result = registration_services.register_citizen(meeting, person("张三", "zhang@example.cn"),
                                                    submission_id=secrets.token_urlsafe(32))
    old_key = smtp_app.config["SECRET_KEY"]
    smtp_app.config.update(SECRET_KEY="the new secret key", SECRET_KEY_FALLBACKS=[old_key])
    assert notify_services.send_due().sent == 1
    assert delivered_links(smtp_server)["registrations"] == {result.token}


def test_conceal_replaces_every_copy_with_a_fresh_placeholder_and_refuses_what_is_not_a_token(app):
    token = secrets.token_urlsafe(32)
    parts = MessageParts(subject="Hi", text=f"a {token} b {token}", html=f'<a href="/x/{token}">{token}</a>')
    stored, sealed = conceal(parts, [token, "unused-token-value-0123456789"])
    assert token not in stored.text + stored.html + sealed
    assert len(set(re.findall(r"\[private-link:[0-9a-f]+\]", stored.text + stored.html))) == 1
    again, _ = conceal(parts, [token])
    assert again.text != stored.text  # a new placeholder for every message
    assert conceal(MessageParts("s", "no links here"), [token]) == (MessageParts("s", "no links here"), None)
    for bad in ("short", "has space in it at all", "<script>alert(1)</script>"):
        with pytest.raises(ValueError):
            conceal(parts, [bad])


def test_user_text_that_looks_like_a_placeholder_is_never_filled_in(app):
    token = secrets.token_urlsafe(32)
    stored, sealed = conceal(MessageParts("s", f"link {token}"), [token])
    placeholder = re.search(r"\[private-link:[0-9a-f]+\]", stored.text).group(0)
    other = OutboxMessage(subject="s", body_text=f"我的名字是 {placeholder.replace(placeholder[14:], '0' * 16 + ']')}",
                          body_html=None, ics=None, private_values=sealed)
    assert token not in reveal(other).text


def test_a_tampered_ciphertext_is_refused(app):
    token = secrets.token_urlsafe(32)
    stored, sealed = conceal(MessageParts("s", f"link {token}"), [token])
    tampered = OutboxMessage(subject="s", body_text=stored.text, body_html=None, ics=None,
                             private_values=sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB"))
    with pytest.raises(PrivateLinksUnreadable):
        reveal(tampered)
