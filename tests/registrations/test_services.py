"""Registration rules: seats, waitlist order, duplicates, tokens, capacity, check-in and walk-ins."""
from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.errors import InvalidState, ValidationFailed
from app.meetings.models import Meeting
from app.registrations import codes
from app.registrations import services as reg
from app.registrations.models import Registration, RegistrationStatus
from tests import factories


def open_meeting(capacity=5, **overrides):
    return factories.make_meeting(registration_required=True, capacity=capacity, **overrides)


def person(n: int, **overrides) -> reg.RegistrationInput:
    return reg.RegistrationInput(name=overrides.pop("name", f"市民{n}"),
                                 mobile=overrides.pop("mobile", f"1380000{n:04d}"), **overrides)


def register(meeting, n, submission_id=None, **overrides):
    return reg.register_citizen(meeting, person(n, **overrides), submission_id=submission_id or secrets.token_urlsafe(32))


def count(db, **where):
    stmt = sa.select(sa.func.count()).select_from(Registration)
    for key, value in where.items():
        stmt = stmt.where(getattr(Registration, key) == value)
    return db.session.execute(stmt).scalar_one()


def test_seats_are_confirmed_until_full_then_people_are_waitlisted_in_arrival_order(app, db):
    meeting = open_meeting(capacity=2)
    results = [register(meeting, n) for n in range(4)]
    statuses = [r.registration.status for r in results]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    db.session.refresh(meeting)
    assert meeting.seats_taken == 2
    from app.registrations.queries import waitlist_position
    assert [waitlist_position(r.registration) for r in results[2:]] == [1, 2]


def test_cancelling_a_confirmed_seat_promotes_the_first_person_waiting(app, db):
    meeting = open_meeting(capacity=1)
    first, second, third = (register(meeting, n).registration for n in range(3))
    reg.cancel_registration(first)
    db.session.refresh(second)
    db.session.refresh(third)
    assert second.status == RegistrationStatus.CONFIRMED and second.promoted_at is not None
    assert third.status == RegistrationStatus.WAITLISTED
    db.session.refresh(meeting)
    assert meeting.seats_taken == 1


def test_the_same_contact_cannot_register_twice_and_nothing_is_written(app, db):
    meeting = open_meeting()
    register(meeting, 1, mobile="138 0013 8000")
    before = count(db)
    again = register(meeting, 2, mobile="+86 13800138000")
    assert again.duplicate and again.registration is None and again.token is None
    assert count(db) == before


def test_a_repeated_submission_of_the_same_form_returns_the_first_registration(app, db):
    meeting = open_meeting()
    submission = secrets.token_urlsafe(32)
    first = register(meeting, 1, submission_id=submission)
    second = register(meeting, 1, submission_id=submission)
    assert second.registration.id == first.registration.id
    assert second.token == first.token and not second.duplicate
    assert count(db) == 1


def test_only_the_hash_of_the_manage_token_is_stored(app, db):
    meeting = open_meeting()
    result = register(meeting, 1)
    stored = db.session.execute(sa.select(Registration.token_hash)).scalar_one()
    assert stored == codes.hash_token(result.token)
    assert result.token not in stored


@pytest.mark.parametrize("overrides, field", [
    ({"name": "   \u200b "}, "name"),
    ({"mobile": "12345"}, "mobile"),
    ({"mobile": "", "email": "not-an-email"}, "email"),
    ({"mobile": "", "email": ""}, "email"),
    ({"mobile": "+86 1234567"}, "mobile"),
])
def test_bad_input_is_refused_with_a_field_error_and_writes_nothing(app, db, overrides, field):
    meeting = open_meeting()
    with pytest.raises(ValidationFailed) as caught:
        register(meeting, 1, **overrides)
    assert caught.value.field == field
    assert count(db) == 0
    db.session.refresh(meeting)
    assert meeting.queue_counter == 0


@pytest.mark.parametrize("state", ["draft", "cancelled", "past", "closed", "not_open", "not_required"])
def test_registration_is_refused_outside_its_window(app, db, state):
    now = factories.now()
    overrides = {}
    if state == "draft":
        overrides["status"] = "draft"
    elif state == "cancelled":
        overrides.update(status="cancelled", cancel_reason="rain")
    elif state == "past":
        overrides["starts_in"] = timedelta(days=-2)
    elif state == "closed":
        overrides["registration_closes_at"] = now - timedelta(minutes=1)
    elif state == "not_open":
        overrides["registration_opens_at"] = now + timedelta(days=1)
    meeting = open_meeting(**overrides)
    if state == "not_required":
        meeting.registration_required = False
        db.session.commit()
    with pytest.raises(reg.RegistrationUnavailable):
        register(meeting, 1)
    assert count(db) == 0


def test_mobile_numbers_are_normalised_to_e164():
    assert codes.normalise_mobile("138-0013-8000") == "+8613800138000"
    assert codes.normalise_mobile("0086 138 0013 8000") == "+8613800138000"
    assert codes.normalise_mobile("+44 7700 900123") == "+447700900123"
    with pytest.raises(ValueError):
        codes.normalise_mobile("2800138000")


def test_codes_are_typed_back_in_any_case_and_spacing():
    assert codes.normalise_code("k7p 4q2") == "K7P-4Q2"
    assert codes.normalise_code("K7P4Q2") == "K7P-4Q2"
    assert codes.normalise_code("K7P-4Q") == ""


def test_a_cancelled_person_may_register_again(app, db):
    meeting = open_meeting()
    first = register(meeting, 1).registration
    reg.cancel_registration(first)
    again = register(meeting, 1)
    assert again.registration is not None and again.registration.status == RegistrationStatus.CONFIRMED


def test_cancelling_twice_is_refused(app, db):
    meeting = open_meeting()
    registration = register(meeting, 1).registration
    reg.cancel_registration(registration)
    with pytest.raises(InvalidState):
        reg.cancel_registration(registration)


def test_raising_capacity_promotes_from_the_waitlist_and_lowering_below_confirmed_is_refused(app, db):
    meeting = open_meeting(capacity=1)
    official = factories.make_user(department_id=meeting.department_id)
    people = [register(meeting, n).registration for n in range(4)]
    promoted = reg.set_capacity(official, meeting, 3)
    assert [p.id for p in promoted] == [people[1].id, people[2].id]
    with pytest.raises(ValidationFailed):
        reg.set_capacity(official, meeting, 2)
    db.session.refresh(meeting)
    assert meeting.capacity == 3 and meeting.seats_taken == 3


def test_check_in_and_walk_ins(app, db):
    meeting = open_meeting(capacity=2)
    clerk = factories.make_user(role="clerk", department_id=meeting.department_id)
    confirmed = register(meeting, 1).registration
    reg.check_in(clerk, confirmed)
    assert confirmed.checked_in_at is not None
    walk_in = reg.add_walk_in(clerk, meeting, name="李四", neighbourhood="水果湖街道")
    assert walk_in.status == RegistrationStatus.CONFIRMED and walk_in.checked_in_at is not None
    with pytest.raises(reg.MeetingFull):
        reg.add_walk_in(clerk, meeting, name="王五")
    waitlisted_meeting = open_meeting(capacity=0)
    waiting = register(waitlisted_meeting, 9).registration
    with pytest.raises(InvalidState):
        reg.check_in(factories.make_user(role="admin"), waiting)


def test_staff_of_another_department_cannot_run_the_door(app, db):
    meeting = open_meeting()
    outsider = factories.make_user(role="clerk")
    registration = register(meeting, 1).registration
    from app.errors import NotAllowed
    with pytest.raises(NotAllowed):
        reg.check_in(outsider, registration)


def test_the_database_refuses_more_seats_than_capacity(app, db):
    meeting = open_meeting(capacity=1)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Meeting).where(Meeting.id == meeting.id).values(seats_taken=2))
        db.session.flush()
    db.session.rollback()


# ---------------------------------------------------------------------------- the meeting's lock
# Registrations of one meeting queue on its row lock until they commit, so a registration renders its
# confirmation (and .ics) before taking the lock, for the outcome the loaded meeting predicts.

def registration_statements(count_queries, meeting, n, **overrides) -> list[str]:
    with count_queries() as statements:
        register(meeting, n, email=f"person{n}@example.cn", **overrides)
    return [" ".join(s.split()).upper() for s in statements]


def test_under_the_meeting_lock_a_registration_only_takes_its_place_inserts_and_queues(app, db, count_queries):
    meeting = open_meeting(capacity=1)
    for n, status in ((1, "confirmed"), (2, "waitlisted")):
        statements = registration_statements(count_queries, meeting, n)
        locked = next(i for i, s in enumerate(statements) if s.startswith("UPDATE MEETINGS"))
        under_lock = [s.split(" (")[0].split(" SET")[0] for s in statements[locked:]]
        assert all(not s.startswith("SELECT") for s in under_lock), under_lock
        # A free seat is taken with the place in line in one statement; a full meeting needs a second.
        meetings_updates = 1 if status == "confirmed" else 2
        assert under_lock[:meetings_updates] == ["UPDATE MEETINGS"] * meetings_updates
        assert under_lock[meetings_updates:meetings_updates + 2] == ["INSERT INTO REGISTRATIONS",
                                                                     "INSERT INTO OUTBOX_MESSAGES"]
        assert db.session.execute(sa.select(Registration.status).where(Registration.email == f"person{n}@example.cn")
                                  ).scalar_one() == status


def other_process_sets_seats_taken(meeting, seats: int) -> None:
    """What a concurrent registration or cancellation does to the row, behind this session's back."""
    db_conn = reg.db.session.connection()
    db_conn.execute(sa.text("UPDATE meetings SET seats_taken = :n WHERE id = :id"), {"n": seats, "id": meeting.id})


@pytest.mark.parametrize("loaded_seats, actual_seats, status", [(0, 1, "waitlisted"), (1, 0, "confirmed")])
def test_the_email_follows_the_outcome_when_the_seats_changed_since_the_meeting_was_loaded(
        app, db, loaded_seats, actual_seats, status):
    from app.notify.models import OutboxMessage

    meeting = open_meeting(capacity=1, seats_taken=loaded_seats)
    assert meeting.seats_left == 1 - loaded_seats
    other_process_sets_seats_taken(meeting, actual_seats)
    result = register(meeting, 1, email="late@example.cn", language="en")
    assert result.registration.status == status
    email = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    if status == "confirmed":
        assert "Your seat is confirmed." in email.body_text and "BEGIN:VEVENT" in email.ics
    else:
        assert "you are on the waitlist" in email.body_text and email.ics is None
    assert result.registration.code in email.body_text
