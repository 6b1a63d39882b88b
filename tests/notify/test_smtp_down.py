"""The mail server down, hung, closing, or the database failing mid-delivery: nothing is lost, and what was
not delivered goes out later (test_sending.py covers refused connections, 4xx and 5xx replies)."""
from __future__ import annotations

import re
import socket
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.db import utcnow
from app.extensions import db
from app.notify import services as notify_services
from app.notify.models import OutboxMessage, OutboxStatus
from app.registrations.codes import hash_token
from app.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.conftest import csrf_token_from
from tests.faults import Fault, FaultInjector
from tests.notify.conftest import SMTPServer
from tests.notify.helpers import all_messages, queue, reload


def test_a_registration_made_while_the_mail_server_is_down_is_confirmed_by_email_once_it_is_back(app, client, runner):
    server = SMTPServer()  # nothing listens on its port yet
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    meeting = factories.make_meeting(registration_required=True, capacity=10, title="老旧小区加装电梯座谈会")
    url = f"/meetings/{meeting.id}/register"
    html = client.get(url).get_data(as_text=True)
    submission = re.search(r'name="submission_id"[^>]*value="([^"]+)"', html).group(1)

    page = client.post(url, data={"csrf_token": csrf_token_from(html), "submission_id": submission,
                                  "name": "张三", "email": "zhang.san@example.cn", "mobile": "", "neighbourhood": ""})

    # The citizen is registered at once: the web request never talks to the mail server.
    assert page.status_code == 200
    registration = db.session.execute(sa.select(Registration)).scalar_one()
    assert registration.status == RegistrationStatus.CONFIRMED

    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1 and "ConnectionRefusedError" in result.output
    [message] = all_messages()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.next_attempt_at > utcnow()

    server.start()
    try:
        assert notify_services.send_due(now=utcnow()).sent == 0  # not due yet: the server is left alone
        summary = notify_services.send_due(now=message.next_attempt_at)
    finally:
        server.stop()
    assert summary.sent == 1
    [delivery] = server.deliveries
    assert delivery.rcpt_tos == ["zhang.san@example.cn"]
    body = delivery.message.get_body(preferencelist=("plain",)).get_content()
    assert registration.code in body
    # The email carries the registration's private link (its token is stored only as a hash).
    token = re.search(r"/registrations/([A-Za-z0-9_-]{20,})", body).group(1)
    assert hash_token(token) == registration.token_hash
    assert reload(message.id).status == OutboxStatus.SENT


@pytest.fixture
def hung_server():
    """A server that accepts connections and never says a word (a frozen or overloaded mail server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_hung_mail_server_times_out_stops_the_run_and_loses_nothing(app, hung_server):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=hung_server, MAIL_TIMEOUT=0.5)
    for _ in range(3):
        queue()
    summary = notify_services.send_due()
    assert (summary.sent, summary.failed, summary.gave_up, summary.remaining) == (0, 1, 0, 2)
    assert "timed out" in summary.stopped
    assert [(m.status, m.attempts) for m in all_messages()] == [(OutboxStatus.PENDING, 1),
                                                                (OutboxStatus.PENDING, 0), (OutboxStatus.PENDING, 0)]


def test_a_server_closing_the_channel_stops_the_run_without_using_up_the_other_messages_attempts(smtp_app,
                                                                                                smtp_server):
    smtp_server.handler.data_reply = "421 4.3.2 Service shutting down, closing transmission channel"
    for _ in range(3):
        queue()
    t0 = utcnow()
    summary = notify_services.send_due(now=t0)
    assert (summary.sent, summary.failed, summary.gave_up) == (0, 1, 0)
    assert summary.stopped.startswith("SMTPDataError: 421")
    assert [m.attempts for m in all_messages()] == [1, 0, 0]

    smtp_server.handler.data_reply = None
    assert notify_services.send_due(now=t0 + timedelta(minutes=2)).sent == 3


def test_a_database_failure_while_recording_a_delivery_loses_nothing_and_resends_with_the_same_message_id(
        smtp_app, smtp_server):
    """The server accepted the message, then the database went away before 'sent' was committed: the message
    is still pending and goes out again, with the same Message-ID so that the receiver can drop the copy."""
    message = queue(subject="会议纪要已发布")
    injector = FaultInjector(db.engine)
    # While the server holds the message, the database goes down: the next statement and all after it fail.
    smtp_server.handler.on_data = lambda: setattr(injector, "fault", Fault(at=len(injector.statements) + 1,
                                                                           down=True))
    t0 = utcnow()
    with injector.watching(), pytest.raises(sa.exc.OperationalError):
        notify_services.send_due(now=t0)
    assert injector.failed
    smtp_server.handler.on_data = None

    stored = reload(message.id)
    assert (stored.status, stored.sent_at) == (OutboxStatus.PENDING, None)
    # On SQLite the claim was committed with a lease, so another sender leaves the message alone for a while.
    summary = notify_services.send_due(now=t0 + notify_services.CLAIM_LEASE + timedelta(seconds=1))
    assert summary.sent == 1
    first, second = smtp_server.deliveries
    assert first.message["Message-ID"] == second.message["Message-ID"] == stored.message_id
    assert reload(message.id).status == OutboxStatus.SENT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
