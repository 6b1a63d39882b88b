"""Several senders at once never send a message twice; a concurrent duplicate never aborts its caller."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from app import create_app
from app.extensions import db as _db
from app.notify import services as notify_services
from app.notify.models import OutboxStatus
from tests.notify.helpers import all_messages, queue

SENDERS = 4
MESSAGES = 40


@pytest.fixture
def sqlite_file_app(tmp_path, smtp_server):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'outbox.sqlite3'}")
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def run_in_threads(app, targets) -> list:
    """Run each target in its own thread with its own app context (so its own session and connection)."""
    _db.session.remove()  # the test's session must hold no transaction (on SQLite: the write lock)
    barrier = threading.Barrier(len(targets))
    outcomes: list = [None] * len(targets)

    def worker(n: int, target):
        with app.app_context():
            try:
                barrier.wait()
                outcomes[n] = target()
            except Exception as error:  # recorded and asserted by the test
                outcomes[n] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(n, target)) for n, target in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def check_parallel_senders(app, smtp_server) -> None:
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    smtp_server.handler.delay = 0.005  # keep each message in flight long enough for the senders to overlap
    ids = {queue().message_id for _ in range(MESSAGES)}

    summaries = run_in_threads(app, [lambda: notify_services.send_due(limit=MESSAGES)] * SENDERS)

    assert not [s for s in summaries if isinstance(s, Exception)], summaries
    assert sum(s.sent for s in summaries) == MESSAGES
    assert sum(1 for s in summaries if s.sent) >= 2  # the work really was shared
    delivered = [d.message["Message-ID"] for d in smtp_server.deliveries]
    assert sorted(delivered) == sorted(ids)  # every message exactly once
    assert {m.status for m in all_messages()} == {OutboxStatus.SENT}
    assert {m.attempts for m in all_messages()} == {1}


@pytest.mark.postgres
def test_parallel_senders_never_send_a_message_twice_on_postgresql(app, smtp_server):
    check_parallel_senders(app, smtp_server)


def test_parallel_senders_never_send_a_message_twice_on_sqlite(sqlite_file_app, smtp_server):
    check_parallel_senders(sqlite_file_app, smtp_server)


def test_on_sqlite_the_database_stays_writable_while_a_message_is_with_the_server(sqlite_file_app, smtp_server,
                                                                                tmp_path):
    sqlite_file_app.config.update(MAIL_BACKEND="smtp", MAIL_PORT=smtp_server.port)
    writes = []

    def write_from_elsewhere():
        # Another process's connection: with the lock held during the SMTP exchange this would time out.
        connection = sqlite3.connect(tmp_path / "outbox.sqlite3", timeout=0.2, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE outbox_messages SET last_error = last_error")
            connection.execute("COMMIT")
            writes.append("ok")
        except sqlite3.OperationalError as error:
            writes.append(str(error))
        finally:
            connection.close()

    smtp_server.handler.on_data = write_from_elsewhere
    queue()
    _db.session.remove()
    assert notify_services.send_due().sent == 1
    assert writes == ["ok"]


@pytest.mark.postgres
@pytest.mark.parametrize("first_commits", [True, False])
def test_a_concurrent_duplicate_waits_for_the_first_transaction_and_never_aborts(app, first_commits):
    first_inserted = threading.Event()

    def first():
        message = queue(commit=False, dedupe_key="registration-R1-confirmation")
        first_inserted.set()
        time.sleep(0.3)  # the second transaction is now waiting on the unique index
        if first_commits:
            _db.session.commit()
        else:
            _db.session.rollback()
        return message

    def second():
        assert first_inserted.wait(timeout=10)
        started = time.monotonic()
        duplicate = queue(commit=False, dedupe_key="registration-R1-confirmation")
        waited = time.monotonic() - started
        other = queue(commit=False, dedupe_key="registration-R2-confirmation")
        _db.session.commit()  # the caller's transaction is intact
        return duplicate, other, waited

    first_result, (duplicate, other, waited) = run_in_threads(app, [first, second])

    assert first_result is not None and other is not None
    assert waited > 0.1
    assert (duplicate is None) is first_commits
    assert sorted(m.dedupe_key for m in all_messages()) == ["registration-R1-confirmation",
                                                            "registration-R2-confirmation"]
