"""The recording SMTP server fixtures of the outbox tests, shared with the calendar tests."""
from tests.notify.conftest import smtp_app, smtp_server  # noqa: F401
