"""The recording SMTP server of tests/notify for the injection sweep."""
from __future__ import annotations

import pytest

from tests.notify.conftest import SMTPServer


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """A round signs in half a dozen times; scrypt would cost seconds. Any method checks the same."""
    from werkzeug.security import generate_password_hash

    from app.accounts import models as account_models
    from tests import factories

    monkeypatch.setattr(account_models, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))
    monkeypatch.setattr(factories, "_default_hash", [])
