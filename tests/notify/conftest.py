"""A real SMTP server (aiosmtpd on 127.0.0.1) that records what it receives, and an app that sends to it."""
from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from jinja2 import ChoiceLoader, DictLoader


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Delivery:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class RecordingHandler:
    """Stores every accepted message. `refuse` maps a recipient to the reply refusing it
    (e.g. "550 5.1.1 No such user"); `data_reply` replaces the reply to DATA (e.g. "451 try later")."""

    deliveries: list[Delivery] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
    delay: float = 0.0
    on_data: Callable[[], None] | None = None  # called while the client waits for the reply to DATA
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.on_data is not None:
            self.on_data()
        if self.data_reply:
            return self.data_reply
        with self.lock:
            self.deliveries.append(Delivery(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


class SMTPServer:
    """An aiosmtpd Controller on a fixed free port that can be stopped and started again."""

    def __init__(self, port: int | None = None, **controller_options) -> None:
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self.controller_options = controller_options
        self._controller: Controller | None = None

    @property
    def deliveries(self) -> list[Delivery]:
        return self.handler.deliveries

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **self.controller_options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(app, smtp_server):
    """The test app sending through the recording SMTP server."""
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5)
    return app


EMAIL_TEMPLATES = {
    "email/testing/hello.txt": (
        '{% extends "email/base.txt" %}'
        "{% block subject %}{{ _('Registration confirmed') }}: {{ meeting_title }}{% endblock %}"
        "{% block body %}{{ _('Hello') }} {{ name }},\n\n\n\n{{ meeting_title }}   \n"
        "{{ starts_at|local_datetime('Asia/Shanghai') }}{% endblock %}"
    ),
    "email/testing/hello.html": (
        '{% extends "email/base.html" %}'
        "{% block body %}<p>{{ _('Hello') }} {{ name }}</p><p>{{ meeting_title }}</p>{% endblock %}"
    ),
    "email/testing/text_only.txt": (
        '{% extends "email/base.txt" %}{% block subject %}Only text{% endblock %}{% block body %}Body{% endblock %}'
    ),
    "email/testing/no_subject.txt": '{% extends "email/base.txt" %}{% block body %}Body{% endblock %}',
}


@pytest.fixture
def email_templates(app):
    """Test-only email templates under email/testing/, next to the real ones."""
    app.jinja_env.loader = ChoiceLoader([DictLoader(EMAIL_TEMPLATES), app.jinja_env.loader])
    return app
