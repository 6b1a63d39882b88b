"""Minutes tests read pages in English (the visitor's Accept-Language), unless a test says otherwise."""
import pytest


@pytest.fixture
def client(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def english_messages(app):
    """Service errors are checked by their English wording; outside a request the default locale is
    Chinese, so these tests read messages in English."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield
