"""One app and one database per test module, so that a module seeds its data once and every test of
the sweep reads it (the seed and the crawl, not the assertions, are what cost time)."""
from __future__ import annotations

import pytest

from app import create_app
from app.extensions import db as _db
from app.extensions import limiter
from tests.conftest import USES_POSTGRES, FreshGlobalsClient, _truncate_all


@pytest.fixture(scope="module")
def app(_schema_ready):
    """Replaces the per-test app of tests/conftest.py; the tables are emptied when the module ends."""
    app = create_app("testing")
    app.test_client_class = FreshGlobalsClient
    limiter.reset()
    with app.app_context():
        if not USES_POSTGRES:
            _db.create_all()
        yield app
        _db.session.remove()
        if USES_POSTGRES:
            _truncate_all()
        else:
            _db.drop_all()
        _db.engine.dispose()
