"""Browser-test fixtures: the app on a temp-file SQLite database served by a live werkzeug server in a
thread, and pytest-playwright pointed at Debian's Chromium.

Why not the in-memory database of tests/conftest.py: Flask-SQLAlchemy gives `sqlite://` a StaticPool, so
every thread shares one connection. As soon as the test thread and a request thread both have a
transaction open, SQLite answers "cannot start a transaction within a transaction" (checked: the server
then returns 500). A file database gives each thread its own connection; WAL and the busy timeout from
app.sqlite keep them apart.

The test thread must not hold a transaction while the browser works: app.sqlite begins every
transaction with BEGIN IMMEDIATE (the write lock), so a lazy attribute load in the test would make every
request wait for the busy timeout. Set up data first, read the ids you need, then call `settle()`.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from app.extensions import db as _db
from app.extensions import limiter

CHROMIUM = Path(os.environ.get("TOWNHALL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the system Chromium (never a downloaded one); skip when it is missing (CI fails skips)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture
def app(tmp_path):
    """Replaces the in-memory app of tests/conftest.py for browser tests (see the module docstring)."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'browser.sqlite3'}")
    limiter.reset()
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request drowns the test output
        pass


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url      # absolute links (private registration links, feeds) lead here
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def base_url(live_server):
    """Overrides pytest-playwright's session-wide base_url with this test's live server."""
    return live_server


@pytest.fixture
def browser_context_args(base_url):
    """Replaces pytest-playwright's session-scoped fixture, which cannot use a per-test base_url.

    Visitors send Accept-Language: en-GB. Playwright's default window is 1280x720; pass
    viewport=PHONE (or DESKTOP) to new_context for another size."""
    return {"base_url": base_url, "locale": "en-GB"}


def settle() -> None:
    """End the test thread's transaction so requests can take the SQLite write lock."""
    _db.session.remove()


def sign_in_as(page, email: str) -> None:
    """Sign in through the sign-in form and wait until the page shows the signed-in header."""
    from playwright.sync_api import expect

    from tests import factories

    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(factories.DEFAULT_PASSWORD)
    page.locator("form.stacked-form [type=submit]").click()
    expect(page.locator("form[action$='/logout'] button")).to_be_visible()


def signed_in_page(context, email: str):
    """A new page of `context`, signed in as `email`."""
    page = context.new_page()
    sign_in_as(page, email)
    return page


def private_link_sent_to(email: str) -> str:
    """The private link in the latest email to `email`, as a path (the page after registering never shows
    it, see tests/abuse/test_enumeration.py)."""
    import re

    import sqlalchemy as sa

    from app.notify.models import OutboxMessage
    from app.notify.private import reveal

    message = _db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.to_address == email)
                                  .order_by(OutboxMessage.id.desc())).scalars().first()
    assert message is not None, f"no email to {email}"
    path = re.search(r"https?://\S+?(/registrations/[A-Za-z0-9_-]+)", reveal(message).text).group(1)
    settle()
    return path


@pytest.fixture
def shots(output_path) -> Path:
    """Where a test saves screenshots: test-results/<test id>/ (pytest-playwright's --output folder)."""
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
