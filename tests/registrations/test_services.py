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


def test_an_integrity_error_that_is_not_a_duplicate_is_not_reported_as_one(app, db, monkeypatch):
    """Two registrations drawing the same code at once: the loser must not be told they are registered."""
    taken = register(open_meeting(), 1).registration.code
    meeting = open_meeting()
    monkeypatch.setattr(reg, "_unique_code", lambda: taken)
    with pytest.raises(sa.exc.IntegrityError):
        register(meeting, 2)
    assert count(db, meeting_id=meeting.id) == 0


def test_a_concurrent_registration_with_the_same_contacts_is_still_a_duplicate(app, db, monkeypatch):
    meeting = open_meeting()
    real_code = reg._unique_code
    raced = []

    def code_after_the_other_registration_commits():
        # The same person's other submission commits between this one's duplicate check and its insert.
        if not raced:
            raced.append("the other one")
            assert register(meeting, 1).registration is not None
        return real_code()

    monkeypatch.setattr(reg, "_unique_code", code_after_the_other_registration_commits)
    again = register(meeting, 1)
    assert raced and again.duplicate and again.registration is None
    assert count(db, meeting_id=meeting.id) == 1


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
