"""`flask notify due` run by several workers at once queues each reminder exactly once."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.calendar import notifications
from app.extensions import db as _db
from app.notify.models import OutboxMessage
from tests import factories
from tests.calendar.helpers import add_registration

WORKERS = 4
REGISTRANTS = 30


@pytest.fixture
def sqlite_file_app(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'reminders.sqlite3'}",
                     SQLITE_BUSY_TIMEOUT_MS=120_000)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def race(app) -> list:
    _db.session.remove()  # the test's session must hold no transaction (on SQLite: the write lock)
    barrier = threading.Barrier(WORKERS)
    outcomes: list = [None] * WORKERS

    def worker(n: int):
        with app.app_context():
            try:
                barrier.wait(timeout=60)
                outcomes[n] = notifications.queue_due_reminders()
            except Exception as error:  # asserted below
                outcomes[n] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def check_once(app) -> None:
    meeting = factories.make_meeting(starts_in=timedelta(hours=12), registration_required=True)
    for n in range(REGISTRANTS):
        add_registration(meeting, language="en" if n % 2 else "zh_CN")
    outcomes = race(app)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(outcomes) == REGISTRANTS
    keys = _db.session.execute(sa.select(OutboxMessage.dedupe_key)).scalars().all()
    assert len(keys) == len(set(keys)) == REGISTRANTS
    assert notifications.queue_due_reminders() == 0  # and again later: nothing new


def test_parallel_reminder_runs_queue_each_reminder_once_on_sqlite(sqlite_file_app):
    check_once(sqlite_file_app)


@pytest.mark.postgres
def test_parallel_reminder_runs_queue_each_reminder_once_on_postgresql(app):
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    check_once(app)


@pytest.mark.postgres
def test_reminder_runs_in_small_batches_still_queue_once_on_postgresql(app, monkeypatch):
    """Small batches make the runs interleave: claimed rows are skipped (SKIP LOCKED), none queued twice."""
    monkeypatch.setattr(notifications, "REMINDER_BATCH", 5)
    check_once(app)
