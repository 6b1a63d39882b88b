"""The last seat goes to exactly one person: 30 registrations race for 5 seats on separate connections."""
from __future__ import annotations

import secrets
import threading

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db as _db
from app.meetings.models import Meeting
from app.registrations import services as reg
from app.registrations.models import Registration, RegistrationStatus
from tests import factories

RACERS = 30
SEATS = 5


@pytest.fixture
def sqlite_file_app(tmp_path):
    # A generous busy timeout: on a loaded CI machine thirty writers may queue for a while.
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'race.sqlite3'}",
                     SQLITE_BUSY_TIMEOUT_MS=180_000)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def race(app, meeting_id: int) -> list:
    _db.session.remove()  # the test's own session must not hold a transaction (SQLite: the write lock)
    barrier = threading.Barrier(RACERS)
    outcomes: list = [None] * RACERS

    def worker(n: int):
        with app.app_context():
            meeting = _db.session.get(Meeting, meeting_id)
            data = reg.RegistrationInput(name=f"Racer {n}", mobile=f"1390000{n:04d}")
            _db.session.commit()  # end the read transaction: on SQLite it holds the write lock
            barrier.wait(timeout=60)
            try:
                outcomes[n] = reg.register_citizen(meeting, data, submission_id=secrets.token_urlsafe(32))
            except Exception as error:  # recorded and asserted below
                outcomes[n] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert not any(thread.is_alive() for thread in threads), "a registration never finished"
    return outcomes


def check_outcome(outcomes, meeting_id):
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors
    rows = _db.session.execute(
        sa.select(Registration.status, Registration.queue_number).where(Registration.meeting_id == meeting_id)
        .order_by(Registration.queue_number)
    ).all()
    assert len(rows) == RACERS
    statuses = [status for status, _ in rows]
    assert statuses.count(RegistrationStatus.CONFIRMED) == SEATS
    assert statuses.count(RegistrationStatus.WAITLISTED) == RACERS - SEATS
    # The first five in line got the seats; everyone after them waits in the order they arrived.
    assert statuses == [RegistrationStatus.CONFIRMED] * SEATS + [RegistrationStatus.WAITLISTED] * (RACERS - SEATS)
    assert [q for _, q in rows] == list(range(1, RACERS + 1))
    seats_taken = _db.session.execute(sa.select(Meeting.seats_taken).where(Meeting.id == meeting_id)).scalar_one()
    assert seats_taken == SEATS


def test_thirty_registrations_race_for_five_seats_on_sqlite(sqlite_file_app):
    meeting = factories.make_meeting(registration_required=True, capacity=SEATS)
    outcomes = race(sqlite_file_app, meeting.id)
    check_outcome(outcomes, meeting.id)


@pytest.mark.postgres
def test_thirty_registrations_race_for_five_seats_on_postgresql(app):
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    meeting = factories.make_meeting(registration_required=True, capacity=SEATS)
    outcomes = race(app, meeting.id)
    check_outcome(outcomes, meeting.id)
