"""One app and one database per test module, so that a module seeds its data once and every test of
the sweep reads it (the seed and the crawl, not the assertions, are what cost time)."""
from __future__ import annotations

import pytest

from tests.conftest import app_on_empty_tables


@pytest.fixture(scope="module")
def app(_schema_ready):
    """Replaces the per-test app of tests/conftest.py; the tables are emptied when the module ends."""
    with app_on_empty_tables() as app:
        yield app
