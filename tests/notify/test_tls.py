"""Sending over STARTTLS with a login, and over implicit TLS, with certificate verification on."""
from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from app.notify import services as notify_services
from app.notify.models import OutboxStatus
from tests.notify.conftest import SMTPServer
from tests.notify.helpers import queue, reload

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def server_context(certificate, monkeypatch):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the sender trusts this certificate, and only through its CA store
    return context


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"clerk", b"s3cret")
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd sends the 535 reply itself


@pytest.fixture
def starttls_server(server_context):
    server = SMTPServer(tls_context=server_context, require_starttls=True, authenticator=authenticator,
                        auth_required=True)
    server.start()
    yield server
    server.stop()


def test_starttls_with_login_delivers(app, starttls_server):
    app.config.update(MAIL_BACKEND="smtp", MAIL_PORT=starttls_server.port, MAIL_USE_TLS=True,
                      MAIL_USERNAME="clerk", MAIL_PASSWORD="s3cret")
    message = queue(subject="加密发送")
    assert notify_services.send_due().sent == 1
    assert starttls_server.deliveries[0].message["Subject"] == "加密发送"
    assert reload(message.id).status == OutboxStatus.SENT


def test_a_wrong_password_stops_the_run_and_is_retried_later(app, starttls_server):
    app.config.update(MAIL_BACKEND="smtp", MAIL_PORT=starttls_server.port, MAIL_USE_TLS=True,
                      MAIL_USERNAME="clerk", MAIL_PASSWORD="wrong-password")
    first, second = queue(), queue()
    summary = notify_services.send_due()
    assert (summary.sent, summary.failed, summary.remaining) == (0, 1, 1)
    stored = reload(first.id)
    assert stored.status == OutboxStatus.PENDING and stored.last_error.startswith("SMTPAuthenticationError: 535")
    assert "wrong-password" not in stored.last_error
    assert reload(second.id).attempts == 0


def test_without_starttls_the_server_refuses_and_nothing_is_lost(app, starttls_server):
    app.config.update(MAIL_BACKEND="smtp", MAIL_PORT=starttls_server.port)
    message = queue()
    summary = notify_services.send_due()
    assert summary.failed == 1 and summary.stopped
    assert reload(message.id).status == OutboxStatus.PENDING


def test_implicit_tls_delivers(app, server_context):
    server = SMTPServer(ssl_context=server_context)
    server.start()
    try:
        app.config.update(MAIL_BACKEND="smtp", MAIL_PORT=server.port, MAIL_USE_SSL=True)
        queue()
        assert notify_services.send_due().sent == 1
    finally:
        server.stop()
    assert len(server.deliveries) == 1
