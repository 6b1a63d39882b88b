"""Minutes tests read pages in English (the visitor's Accept-Language), unless a test says otherwise."""
import pytest


@pytest.fixture
def client(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
