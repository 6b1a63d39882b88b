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
from tests.helpers import row_counts


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


# ---------------------------------------------------------------------------- registering again

def latest_link_token(db, email: str) -> str:
    import re

    from app.notify.models import OutboxMessage
    from app.notify.private import reveal

    message = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.to_address == email)
                                 .order_by(OutboxMessage.id.desc())).scalars().first()
    return re.search(r"/registrations/([A-Za-z0-9_-]+)", reveal(message).text).group(1)


def link_works(db, token: str) -> bool:
    db.session.expire_all()
    return db.session.execute(sa.select(Registration).where(
        Registration.token_hash == codes.hash_token(token))).scalar_one_or_none() is not None


def test_registering_again_and_again_never_leaves_the_holder_without_a_working_link(app, db):
    """Someone (maybe a stranger) submits the holder's email twice within the hour: the second fresh link
    is not sent (one an hour), so the first one must keep working."""
    meeting = open_meeting()
    now = factories.now()
    register(meeting, 1, email="holder@example.cn")
    for minutes in (1, 2, 3):
        again = reg.register_citizen(meeting, person(90 + minutes, email="holder@example.cn"),
                                     submission_id=secrets.token_urlsafe(32), now=now + timedelta(minutes=minutes))
        assert again.duplicate
        assert link_works(db, latest_link_token(db, "holder@example.cn"))


def test_a_promoted_holder_gets_a_fresh_link_every_hour_someone_registers_again(app, db):
    meeting = open_meeting(capacity=1)
    first = register(meeting, 1)
    register(meeting, 2, email="waiting@example.cn")
    reg.cancel_registration(first.registration)          # the waiting person is promoted
    now = factories.now()
    for hours in (1, 2):
        reg.register_citizen(meeting, person(2, email="waiting@example.cn"), submission_id=secrets.token_urlsafe(32),
                             now=now + timedelta(hours=hours))
        token = latest_link_token(db, "waiting@example.cn")
        assert link_works(db, token)
    from app.notify.models import OutboxMessage
    subjects = db.session.execute(sa.select(OutboxMessage.subject).where(
        OutboxMessage.to_address == "waiting@example.cn")).scalars().all()
    assert len(subjects) == 4  # waitlisted, promoted, and one fresh link for each hour


@pytest.mark.parametrize("overrides, field", [
    ({"neighbourhood": "街" * 101}, "neighbourhood"),
    ({"needs": reg.Needs(interpretation_language="语" * 61)}, "interpretation_language"),
    ({"needs": reg.Needs(other="需" * 501)}, "other_needs"),
    ({"name": "名" * 101}, "name"),
])
def test_over_long_text_is_refused_on_its_field_never_cut_and_nothing_is_written(app, db, overrides, field):
    meeting = open_meeting()
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        register(meeting, 1, **overrides)
    assert caught.value.field == field
    assert row_counts() == before
    db.session.refresh(meeting)
    assert (meeting.queue_counter, meeting.seats_taken) == (0, 0)


def test_text_exactly_as_long_as_its_column_is_kept_whole(app, db):
    meeting = open_meeting()
    result = register(meeting, 1, name="名" * 100, neighbourhood=" 街" * 50,
                      needs=reg.Needs(interpretation_language="语" * 60, other="需" * 500))
    db.session.expire_all()
    stored = db.session.get(Registration, result.registration.id)
    assert (len(stored.name), stored.neighbourhood, len(stored.interpretation_language), len(stored.other_needs)) == (
        100, ("街 " * 50).strip(), 60, 500)


@pytest.mark.parametrize("needs, field", [
    (reg.Needs(interpretation_language="语" * 61), "interpretation_language"),
    (reg.Needs(wheelchair=True, other="需" * 501), "other_needs"),
])
def test_changing_needs_refuses_over_long_text_and_keeps_the_old_needs(app, db, needs, field):
    meeting = open_meeting()
    registration = register(meeting, 1, needs=reg.Needs(large_print=True, other="靠近出口")).registration
    with pytest.raises(ValidationFailed) as caught:
        reg.update_needs(registration, needs)
    assert caught.value.field == field
    db.session.expire_all()
    stored = db.session.get(Registration, registration.id)
    assert (stored.needs_large_print, stored.needs_wheelchair, stored.other_needs) == (True, False, "靠近出口")


@pytest.mark.parametrize("name, neighbourhood, field", [
    ("名" * 101, "", "name"),
    ("李四", "街" * 101, "neighbourhood"),
    (" \u200b ", "", "name"),
])
def test_a_walk_in_with_an_over_long_or_blank_field_is_refused_and_nothing_is_written(app, db, name, neighbourhood,
                                                                                      field):
    meeting = open_meeting()
    clerk = factories.make_user(role="clerk", department_id=meeting.department_id)
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        reg.add_walk_in(clerk, meeting, name=name, neighbourhood=neighbourhood)
    assert caught.value.field == field
    assert row_counts() == before
    walk_in = reg.add_walk_in(clerk, meeting, name="名" * 100, neighbourhood="街" * 100)
    assert (len(walk_in.name), len(walk_in.neighbourhood)) == (100, 100)


def test_the_service_limits_are_the_column_lengths():
    columns = Registration.__table__.c
    assert (reg.MAX_NAME, reg.MAX_NEIGHBOURHOOD, reg.MAX_INTERPRETATION_LANGUAGE, reg.MAX_OTHER_NEEDS) == (
        columns.name.type.length, columns.neighbourhood.type.length, columns.interpretation_language.type.length,
        columns.other_needs.type.length)


@pytest.fixture
def stale_objects(db):
    """Loaded objects keep their values across commits, as a request's objects do on PostgreSQL when
    another connection commits a change after they were loaded."""
    session = db.session()
    session.expire_on_commit = False
    yield
    session.expire_on_commit = True


def cancel_behind_its_back(db, meeting, **values):
    """Another request changes the meeting and commits; the object in hand is not refreshed."""
    values = values or {"status": "cancelled", "cancel_reason": "台风", "cancelled_at": factories.now()}
    db.session.execute(sa.update(Meeting).where(Meeting.id == meeting.id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


@pytest.mark.parametrize("change", ["cancelled", "closed"])
def test_a_registration_racing_a_cancellation_or_the_closing_loses(app, db, stale_objects, change):
    meeting = open_meeting()
    assert meeting.status == "published"  # loaded, as the view loads it
    if change == "cancelled":
        cancel_behind_its_back(db, meeting)
    else:
        cancel_behind_its_back(db, meeting, registration_closes_at=factories.now() - timedelta(minutes=1))
    assert meeting.status == "published" and meeting.registration_closes_at is None  # the object is stale
    with pytest.raises(reg.RegistrationUnavailable):
        register(meeting, 1)
    assert count(db) == 0
    db.session.expire_all()
    stored = db.session.get(Meeting, meeting.id)
    assert (stored.queue_counter, stored.seats_taken) == (0, 0)


def test_a_walk_in_racing_a_cancellation_loses(app, db, stale_objects):
    meeting = open_meeting()
    clerk = factories.make_user(role="clerk", department_id=meeting.department_id)
    cancel_behind_its_back(db, meeting)
    with pytest.raises(InvalidState):
        reg.add_walk_in(clerk, meeting, name="李四")
    assert count(db) == 0


@pytest.mark.postgres
def test_a_cancellation_committed_on_another_connection_stops_a_registration_in_flight(app, db):
    meeting = open_meeting()
    assert meeting.status == "published"  # loaded in this session's open transaction
    with db.engine.begin() as other:  # a separate connection: the staff member cancelling
        other.execute(sa.update(Meeting).where(Meeting.id == meeting.id)
                      .values(status="cancelled", cancel_reason="台风", cancelled_at=factories.now()))
    with pytest.raises(reg.RegistrationClosed):
        register(meeting, 1)
    assert count(db) == 0


def promotion_emails(db) -> list:
    from app.notify.models import OutboxMessage

    db.session.expire_all()
    return list(db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.dedupe_key.like("%-promoted"))
                                   .order_by(OutboxMessage.id)).scalars())


WAITING = [("Grace Li", "grace@example.com", "en"), ("王芳", "wang.fang@example.cn", "zh_CN"),
           ("李四", "", "zh_CN")]  # the last one gave only a mobile number


def full_meeting_with_waitlist(db):
    meeting = open_meeting(capacity=1, title="江滩夜间噪音座谈会")
    holder = register(meeting, 0, email="holder@example.cn").registration
    waiting = [register(meeting, n, name=name, email=email, language=language).registration
               for n, (name, email, language) in enumerate(WAITING, start=1)]
    assert all(r.status == RegistrationStatus.WAITLISTED for r in waiting)
    assert promotion_emails(db) == []
    return meeting, holder, waiting


def check_promotion_email(message, registration, language):
    from app.notify.private import reveal

    assert (message.to_address, message.to_name, message.language) == (registration.email, registration.name,
                                                                       language)
    assert message.dedupe_key == f"registration-{registration.code}-promoted"
    text = reveal(message).text
    if language == "en":
        assert message.subject == "A seat is yours: 江滩夜间噪音座谈会"
        assert "Good news: a seat has freed up and it is now yours." in text
    else:
        assert message.subject == "候补成功：江滩夜间噪音座谈会"
        assert "好消息：有座位空出，现已为您递补，您的报名已确认。" in text
    assert registration.code in text
    assert "BEGIN:VEVENT" in message.ics  # the seat goes into the calendar


def test_a_cancellation_promotes_the_first_person_waiting_and_emails_them_in_their_language(app, db):
    meeting, holder, waiting = full_meeting_with_waitlist(db)
    reg.cancel_registration(holder)
    [message] = promotion_emails(db)
    db.session.refresh(waiting[0])
    assert waiting[0].status == RegistrationStatus.CONFIRMED
    check_promotion_email(message, waiting[0], "en")
    reg.cancel_registration(waiting[0])  # the next one moves up: Chinese this time
    messages = promotion_emails(db)
    assert len(messages) == 2
    check_promotion_email(messages[1], waiting[1], "zh_CN")


def test_raising_the_capacity_emails_everyone_it_promotes_who_gave_an_address(app, db):
    meeting, _holder, waiting = full_meeting_with_waitlist(db)
    official = factories.make_user(department_id=meeting.department_id)
    promoted = reg.set_capacity(official, meeting, 4)
    assert [r.id for r in promoted] == [r.id for r in waiting]
    messages = promotion_emails(db)
    assert [m.to_address for m in messages] == ["grace@example.com", "wang.fang@example.cn"]  # 李四 has no email
    check_promotion_email(messages[0], waiting[0], "en")
    check_promotion_email(messages[1], waiting[1], "zh_CN")


def test_raising_the_capacity_in_the_meeting_form_emails_the_promoted_person_too(app, db):
    from app.meetings import services as meeting_services
    from app.timezones import utc_to_local

    meeting, _holder, waiting = full_meeting_with_waitlist(db)
    official = factories.make_user(department_id=meeting.department_id)
    local = lambda moment: utc_to_local(moment, meeting.timezone).replace(tzinfo=None)  # noqa: E731
    data = meeting_services.MeetingData(
        type=meeting.type, title=meeting.title, department_id=meeting.department_id,
        district_id=meeting.district_id, registration_required=True, capacity=2,
        schedule=meeting_services.Schedule(timezone=meeting.timezone, venue_name=meeting.venue_name,
                                           starts_local=local(meeting.starts_at), ends_local=local(meeting.ends_at)))
    meeting_services.update_meeting(official, meeting, data)
    [message] = promotion_emails(db)
    check_promotion_email(message, waiting[0], "en")
