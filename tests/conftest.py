"""Fixtures: a fresh database per test (in-memory SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
clients signed in as each role, and a query counter."""
from __future__ import annotations

import os
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db as _db
from app.extensions import limiter
from tests import factories
from tests.catalogs import compile_stale_catalogs

IS_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
USES_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))


def pytest_sessionstart(session):
    """Compile stale .mo files once (they are gitignored), so every run, even on a fresh clone, serves the
    translations in the .po catalogs, as `make translations` does before `make test`."""
    compile_stale_catalogs()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not USES_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="TEST_DATABASE_URL is not set"))
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="REDIS_URL is not set"))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """In CI a skipped PostgreSQL, Redis or browser test is a failure: report them loudly."""
    skipped = terminalreporter.stats.get("skipped", [])
    if IS_CI and skipped:
        terminalreporter.write_line(f"CI: {len(skipped)} test(s) were skipped; skips are failures in CI.", red=True)


def pytest_sessionfinish(session, exitstatus):
    if IS_CI and session.config.pluginmanager.get_plugin("terminalreporter"):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter.stats.get("skipped") and exitstatus == 0:
            session.exitstatus = 1


@pytest.fixture(scope="session")
def _schema_ready():
    """On PostgreSQL create the tables once per run (tests truncate between them)."""
    if not USES_POSTGRES:
        yield
        return
    app = create_app("testing")
    with app.app_context():
        _db.drop_all()
        _drop_leftover_tables()
        _db.create_all()
        # Close this app's pooled connections now: left open, they warn at exit and -W error fails the run.
        _db.engine.dispose()
    yield


def _drop_leftover_tables():
    inspector = sa.inspect(_db.engine)
    with _db.engine.begin() as conn:
        for table in inspector.get_table_names():
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request gets an empty `g`, as in production.

    The `app` fixture keeps an app context pushed so tests can use the database, and Flask reuses that
    context for test requests; without this, `g` (Flask-Login's current user, Flask-Babel's locale)
    would leak from one request, or one client, into the next.
    """

    def open(self, *args, **kwargs):
        ctx = _cv_app.get(None)
        if ctx is None:
            return super().open(*args, **kwargs)
        saved, ctx.g = ctx.g, ctx.app.app_ctx_globals_class()
        try:
            return super().open(*args, **kwargs)
        finally:
            ctx.g = saved


@contextmanager
def app_on_empty_tables(**config):
    """The testing app (with `config` overrides) inside its app context, on empty tables that are
    emptied again afterwards. Needs the `_schema_ready` fixture."""
    app = create_app("testing", **config)
    app.test_client_class = FreshGlobalsClient
    limiter.reset()
    with app.app_context():
        if not USES_POSTGRES:
            _db.create_all()
        try:
            yield app
        finally:
            _db.session.remove()
            if USES_POSTGRES:
                _truncate_all()
            else:
                _db.drop_all()
            _db.engine.dispose()


@pytest.fixture
def app(_schema_ready, tmp_path):
    with app_on_empty_tables() as app:
        yield app


def _truncate_all():
    names = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
    with _db.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Client:
    """Test client helpers: GET a form page, then POST with its CSRF token."""

    def __init__(self, client):
        self.raw = client

    def get(self, *args, **kwargs):
        return self.raw.get(*args, **kwargs)

    def post_form(self, form_url: str, data: dict, *, post_url: str | None = None, **kwargs):
        page = self.raw.get(form_url)
        token = csrf_token_from(page.get_data(as_text=True))
        return self.raw.post(post_url or form_url, data={"csrf_token": token, **data}, **kwargs)

    def token(self, url: str = "/login") -> str:
        return csrf_token_from(self.raw.get(url).get_data(as_text=True))


@pytest.fixture
def web(client):
    return Client(client)


@pytest.fixture
def login_as(app, client):
    """Sign the test client in as a new user of `role`; returns the user."""

    def _login(role="official", **kwargs):
        user = factories.make_user(role=role, **kwargs)
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"csrf_token": token, "email": user.email,
                                               "password": factories.DEFAULT_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return _login


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements run inside it: `with count_queries() as counter: ...`."""

    @contextmanager
    def _count():
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "PRAGMA")):
                statements.append(statement)

        engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return _count
