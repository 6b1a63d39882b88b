"""queue_email: part of the caller's transaction, deduplicated, with safe header text."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.notify import services as notify_services
from app.notify.models import OutboxMessage, OutboxStatus
from tests.notify.helpers import all_messages, queue


def test_queued_email_exists_only_if_the_callers_transaction_commits(app):
    message = queue(commit=False, dedupe_key="rolled-back")
    assert message is not None and message.id is not None
    db.session.rollback()
    assert all_messages() == []

    queue(commit=False, dedupe_key="committed")
    db.session.commit()
    [stored] = all_messages()
    assert stored.dedupe_key == "committed"
    assert stored.status == OutboxStatus.PENDING
    assert stored.attempts == 0
    assert stored.next_attempt_at == stored.created_at
    assert stored.sent_at is None


def test_same_dedupe_key_twice_keeps_one_row_without_aborting_the_transaction(app):
    first = queue(commit=False, dedupe_key="registration-A1-confirmation")
    again = queue(commit=False, dedupe_key="registration-A1-confirmation")
    other = queue(commit=False, dedupe_key="registration-A2-confirmation")
    db.session.commit()  # the duplicate did not spoil the transaction
    assert first is not None and again is None and other is not None

    later = queue(dedupe_key="registration-A1-confirmation")
    assert later is None
    assert [m.dedupe_key for m in all_messages()] == ["registration-A1-confirmation", "registration-A2-confirmation"]


def test_a_message_added_to_the_session_but_not_flushed_counts_as_a_duplicate(app):
    db.session.add(OutboxMessage(dedupe_key="pending-in-session", message_id="<x@test>", to_address="a@example.com",
                                 language="en", subject="s", body_text="t"))
    assert queue(commit=False, dedupe_key="pending-in-session") is None
    db.session.commit()
    assert len(all_messages()) == 1


def test_subject_and_name_are_squeezed_onto_one_line(app):
    message = queue(subject="报名确认\r\nBcc: evil@example.com\t\u2028x", to_name=" 张三\nBcc: evil@example.com ")
    assert message.subject == "报名确认 Bcc: evil@example.com x"
    assert message.to_name == "张三 Bcc: evil@example.com"


def test_every_message_gets_its_own_message_id_in_the_senders_domain(app):
    first, second = queue(), queue()
    assert first.message_id != second.message_id
    assert first.message_id.startswith("<") and first.message_id.endswith("@townhall.test>")


def test_message_id_domain_can_be_configured(app):
    app.config["MAIL_MESSAGE_ID_DOMAIN"] = "mail.wuhan.gov.cn"
    assert queue().message_id.endswith("@mail.wuhan.gov.cn>")


def test_a_broken_sender_setting_does_not_break_the_callers_transaction(app):
    app.config["MAIL_DEFAULT_SENDER"] = "not an address"
    assert queue().message_id.endswith("@townhall.localhost>")


def test_language_and_optional_parts_are_stored(app):
    message = queue(language="en", html="<p>Hi</p>", ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", to_name="Li Lei")
    assert (message.language, message.body_html, message.to_name) == ("en", "<p>Hi</p>", "Li Lei")
    assert message.ics.startswith("BEGIN:VCALENDAR")
    assert queue(html="", to_name="").body_html is None


@pytest.mark.parametrize("overrides", [
    {"to": ""},
    {"to": "no-at-sign"},
    {"to": "a@example.com\r\nBcc: evil@example.com"},
    {"to": "a@example.com, evil@example.com"},
    {"to": "Someone <a@example.com>"},
    {"language": "fr"},
    {"dedupe_key": ""},
    {"dedupe_key": "k" * 201},
])
def test_impossible_values_are_refused(app, overrides):
    with pytest.raises(ValueError):
        queue(commit=False, **overrides)
    db.session.rollback()


def test_queue_email_is_keyword_only(app):
    with pytest.raises(TypeError):
        notify_services.queue_email("a@example.com", "s", "t", dedupe_key="k")  # type: ignore[misc]
