"""The last seat goes to exactly one person: 30 registrations race for 5 seats on separate connections; and
registrations racing with the same contacts, or the same form submitted at once, create one registration."""
from __future__ import annotations

import secrets
import threading
from typing import NamedTuple

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


class Outcome(NamedTuple):
    registration_id: int | None
    token: str | None
    duplicate: bool


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


def race(app, meeting_id: int, racers: int = RACERS, person=None, submission=None) -> list:
    """`racers` registrations started at once, each on its own connection; `person(n)` and
    `submission(n)` give racer n's input and submission id (default: everyone different)."""
    person = person or (lambda n: reg.RegistrationInput(name=f"Racer {n}", mobile=f"1390000{n:04d}"))
    submission = submission or (lambda n: secrets.token_urlsafe(32))
    _db.session.remove()  # the test's own session must not hold a transaction (SQLite: the write lock)
    barrier = threading.Barrier(racers)
    outcomes: list = [None] * racers

    def worker(n: int):
        with app.app_context():
            meeting = _db.session.get(Meeting, meeting_id)
            data = person(n)
            _db.session.commit()  # end the read transaction: on SQLite it holds the write lock
            barrier.wait(timeout=60)
            try:
                result = reg.register_citizen(meeting, data, submission_id=submission(n))
                outcomes[n] = Outcome(result.registration.id if result.registration else None, result.token,
                                      result.duplicate)
            except Exception as error:  # recorded and asserted below
                outcomes[n] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(racers)]
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


SAME = 8


def check_one_registration(outcomes, meeting_id, *, same_submission: bool):
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors
    rows = _db.session.execute(sa.select(Registration).where(Registration.meeting_id == meeting_id)).scalars().all()
    assert len(rows) == 1 and rows[0].status == RegistrationStatus.CONFIRMED
    registered = [o for o in outcomes if o.registration_id is not None]
    if same_submission:
        # A form submitted several times at once: every answer shows the one registration and its link.
        assert len(registered) == SAME and {o.registration_id for o in registered} == {rows[0].id}
        assert len({o.token for o in registered}) == 1
    else:
        # The same person registering from several forms at once: one registration; the others are told
        # nothing more than anyone registering twice.
        assert len(registered) == 1 and sum(o.duplicate for o in outcomes) == SAME - 1
    seats_taken = _db.session.execute(sa.select(Meeting.seats_taken).where(Meeting.id == meeting_id)).scalar_one()
    assert seats_taken == 1


def same_person(n: int) -> reg.RegistrationInput:
    return reg.RegistrationInput(name="同一个人", email="same.person@example.cn", mobile="13900139000")


@pytest.mark.parametrize("same_submission", [False, True], ids=["same contacts", "same submission"])
def test_racing_registrations_of_one_person_create_one_on_sqlite(sqlite_file_app, same_submission):
    meeting = factories.make_meeting(registration_required=True, capacity=SEATS)
    submission_id = secrets.token_urlsafe(32)
    outcomes = race(sqlite_file_app, meeting.id, SAME, same_person,
                    (lambda n: submission_id) if same_submission else None)
    check_one_registration(outcomes, meeting.id, same_submission=same_submission)


@pytest.mark.postgres
@pytest.mark.parametrize("same_submission", [False, True], ids=["same contacts", "same submission"])
def test_racing_registrations_of_one_person_create_one_on_postgresql(app, same_submission):
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    meeting = factories.make_meeting(registration_required=True, capacity=SEATS)
    submission_id = secrets.token_urlsafe(32)
    outcomes = race(app, meeting.id, SAME, same_person, (lambda n: submission_id) if same_submission else None)
    check_one_registration(outcomes, meeting.id, same_submission=same_submission)
