"""Use cases for registrations: register, cancel, change needs, capacity, check-in and walk-ins.

Seats: every use case that changes who holds a seat locks the meeting row (an UPDATE of
`queue_counter`, or SELECT ... FOR UPDATE) and takes a seat with one conditional UPDATE
(`seats_taken < capacity`), backed by the CHECK constraint `seats_taken <= capacity`. On PostgreSQL
the row lock serialises registrations of one meeting; on SQLite BEGIN IMMEDIATE does (app/sqlite.py).
Emails go to the outbox in the same transaction.

The lock is held until the commit, so a citizen's registration does all it can before taking it
(checks, the code, the confirmation email and its .ics rendered for the outcome the meeting's seats
predict) and under it runs only statements: take the place in line, insert, queue, commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.exc import IntegrityError

from app.accounts.audit import record_audit
from app.accounts.models import User
from app.db import utcnow
from app.urls import external_url
from app.errors import DomainError, InvalidState, NotAllowed, ValidationFailed
from app.extensions import db
from app.formtools import is_blank
from app.meetings import permissions as meeting_permissions
from app.meetings.models import Meeting, MeetingStatus
from app.registrations import codes
from app.registrations.models import Registration, RegistrationChannel, RegistrationStatus


class RegistrationUnavailable(DomainError):
    status_code = 409
    default_message = _l("Registration is not open for this meeting.")


class RegistrationNotNeeded(RegistrationUnavailable):
    default_message = _l("This meeting needs no registration: just come.")


class RegistrationNotYetOpen(RegistrationUnavailable):
    default_message = _l("Registration for this meeting has not opened yet.")


class RegistrationClosed(RegistrationUnavailable):
    default_message = _l("Registration for this meeting is closed.")


class MeetingFull(DomainError):
    status_code = 409
    default_message = _l("The meeting is full.")


@dataclass
class Needs:
    wheelchair: bool = False
    sign_language: bool = False
    large_print: bool = False
    interpretation_language: str = ""
    other: str = ""


@dataclass
class RegistrationInput:
    name: str
    email: str = ""
    mobile: str = ""
    neighbourhood: str = ""
    needs: Needs = field(default_factory=Needs)
    language: str = "zh_CN"


@dataclass
class RegistrationResult:
    """`token` is the private manage token (only for a new or repeated submission of the same form);
    `duplicate` means these contacts were already registered and nothing new was created."""

    registration: Optional[Registration]
    token: Optional[str]
    duplicate: bool = False


# ---------------------------------------------------------------------------- helpers

def _fail(error: DomainError):
    db.session.rollback()
    raise error


def _check_open(meeting: Meeting, now: datetime) -> None:
    if meeting.status != MeetingStatus.PUBLISHED or meeting.published_at is None:
        raise RegistrationClosed(_l("This meeting is not open for registration."))
    state = meeting.registration_state(now)
    if state == "not_required":
        raise RegistrationNotNeeded()
    if state == "not_yet_open":
        raise RegistrationNotYetOpen()
    if state != "open":
        raise RegistrationClosed()


def _clean_input(data: RegistrationInput) -> tuple[str, Optional[str], Optional[str]]:
    name = " ".join((data.name or "").split())
    if is_blank(name):
        raise ValidationFailed(_l("Please give your name."), field="name")
    if len(name) > 100:
        raise ValidationFailed(_l("The name is too long (at most 100 characters)."), field="name")
    try:
        email = codes.normalise_email(data.email)
    except ValueError:
        raise ValidationFailed(_l("Enter a valid email address."), field="email") from None
    try:
        mobile = codes.normalise_mobile(data.mobile)
    except ValueError:
        raise ValidationFailed(
            _l("Enter a valid mobile number: 11 digits for mainland China, or international format such as "
               "+44 7700 900123."), field="mobile") from None
    if email is None and mobile is None:
        raise ValidationFailed(_l("Give an email address or a mobile number so we can reach you."), field="email")
    return name, email, mobile


def _lock_meeting_and_queue(meeting_id: int) -> int:
    """Take the meeting's row lock by advancing its queue counter; returns this caller's number."""
    return db.session.execute(
        sa.update(Meeting).where(Meeting.id == meeting_id)
        .values(queue_counter=Meeting.queue_counter + 1).returning(Meeting.queue_counter)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def _seat_free():
    return sa.or_(Meeting.capacity.is_(None), Meeting.seats_taken < Meeting.capacity)


def _take_place(meeting_id: int) -> tuple[int, bool]:
    """Lock the meeting row and join the line: (this caller's queue number, whether they got a seat).

    While seats are free this is one atomic statement: the conditional seat UPDATE also advances the
    queue counter. When it matches no row the meeting was full at that instant: the caller queues
    with a second statement (which takes the lock), and takes a seat after all if one was freed in
    between (a freed seat goes to the waitlist first, so a free seat means nobody is waiting).
    """
    queue_number = db.session.execute(
        sa.update(Meeting).where(Meeting.id == meeting_id, _seat_free())
        .values(seats_taken=Meeting.seats_taken + 1, queue_counter=Meeting.queue_counter + 1)
        .returning(Meeting.queue_counter).execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if queue_number is not None:
        return queue_number, True
    queue_number, seats_taken, capacity = db.session.execute(
        sa.update(Meeting).where(Meeting.id == meeting_id)
        .values(queue_counter=Meeting.queue_counter + 1)
        .returning(Meeting.queue_counter, Meeting.seats_taken, Meeting.capacity)
        .execution_options(synchronize_session=False)
    ).one()
    return queue_number, (capacity is None or seats_taken < capacity) and _take_seat(meeting_id)


def _lock_meeting(meeting_id: int) -> None:
    db.session.execute(sa.select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())


def _take_seat(meeting_id: int) -> bool:
    """One atomic statement: take a seat if one is free. True if this caller got it."""
    result = db.session.execute(
        sa.update(Meeting)
        .where(Meeting.id == meeting_id, _seat_free())
        .values(seats_taken=Meeting.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _free_seat(meeting_id: int) -> None:
    db.session.execute(
        sa.update(Meeting).where(Meeting.id == meeting_id, Meeting.seats_taken > 0)
        .values(seats_taken=Meeting.seats_taken - 1).execution_options(synchronize_session=False)
    )


def _unique_code() -> str:
    for _attempt in range(20):
        code = codes.new_code()
        if db.session.execute(sa.select(Registration.id).where(Registration.code == code)).first() is None:
            return code
    raise RuntimeError("could not find a free registration code")


def _promote_waitlisted(meeting: Meeting, now: datetime) -> list[Registration]:
    """Fill free seats from the waitlist in arrival order; the caller holds the meeting lock."""
    promoted = []
    while True:
        first = db.session.execute(
            sa.select(Registration)
            .where(Registration.meeting_id == meeting.id, Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.queue_number).limit(1)
        ).scalar_one_or_none()
        if first is None or not _take_seat(meeting.id):
            break
        first.status = RegistrationStatus.CONFIRMED
        first.promoted_at = now
        promoted.append(first)
        _queue_email(first, "promoted", meeting)
    return promoted


def _manage_url(token: str) -> str:
    return external_url("registrations.manage", token=token)


def _compose_email(registration: Registration, kind: str, meeting: Meeting, token: str | None = None) -> dict:
    """Render one email about this registration (confirmation, promotion, link resent): the arguments
    of `queue_email`. Reads only the registration's and the meeting's loaded columns, so it may run
    before the registration is inserted."""
    from app.notify.rendering import render_email

    subject, text, html = render_email(
        f"registrations/{kind}", registration.language, registration=registration, meeting=meeting,
        manage_url=_manage_url(token) if token else None,
        meeting_url=external_url("meetings.detail", meeting_id=meeting.id),
    )
    stamp = registration.promoted_at or registration.updated_at or utcnow()
    dedupe = {
        "confirmation": f"registration-{registration.code}-confirmation",
        "promoted": f"registration-{registration.code}-promoted",
        "link": f"registration-{registration.code}-link-{stamp:%Y%m%d%H}",
    }[kind]
    ics = None
    if kind in ("confirmation", "promoted") and registration.status == RegistrationStatus.CONFIRMED:
        from app.calendar.notifications import meeting_ics_for

        ics = meeting_ics_for(meeting, registration.language)
    return dict(to=registration.email, to_name=registration.name, subject=subject, text=text, html=html,
                dedupe_key=dedupe, language=registration.language, ics=ics)


def _queue_email(registration: Registration, kind: str, meeting: Meeting, token: str | None = None) -> None:
    """Queue one email about this registration in the current transaction. Registrations without an
    email address get nothing."""
    from app.notify.services import queue_email

    if registration.email:
        queue_email(**_compose_email(registration, kind, meeting, token))


def _resend_link(existing: Registration, meeting: Meeting, now: datetime) -> None:
    """Someone registered again with these contacts: give the holder a fresh private link by email.
    The old link stops working; nothing is shown to whoever submitted the form."""
    if not existing.email:
        return
    token = codes.new_token()
    existing.token_hash = codes.hash_token(token)
    existing.updated_at = now
    _queue_email(existing, "link", meeting, token=token)


# ---------------------------------------------------------------------------- use cases

def register_citizen(meeting: Meeting, data: RegistrationInput, *, submission_id: str | None,
                     now: datetime | None = None) -> RegistrationResult:
    """Register a citizen (no account) for a published meeting whose registration is open.

    Rules: name and at least one valid contact (email, or a mainland / E.164 mobile); one live
    registration per normalised contact per meeting; confirmed while seats remain, otherwise
    waitlisted in arrival order (the order in which registrations take the meeting's lock). A repeat
    of the same form submission returns the first result. A second registration with the same
    contacts creates nothing, returns `duplicate=True` and emails the existing holder a fresh link
    (the caller shows a neutral message); the unique constraints catch the same contacts or the same
    submission arriving at the same time, and the loser is then answered like a later arrival.
    Raises RegistrationUnavailable subclasses and ValidationFailed.
    """
    now = now or utcnow()
    try:
        _check_open(meeting, now)
        name, email, mobile = _clean_input(data)
    except DomainError as error:
        _fail(error)
    if not submission_id or len(submission_id) < codes.MIN_SUBMISSION_ID_LENGTH or len(submission_id) > 200:
        submission_id = codes.new_token()
    submission_hash = codes.hash_token(submission_id)
    token = codes.token_for_submission(current_app.config["SECRET_KEY"], submission_id)
    meeting_id = meeting.id
    for _attempt in range(3):
        earlier = _earlier_registration(meeting, submission_hash, email, mobile, token, now)
        if earlier is not None:
            return earlier
        registration = _new_registration(meeting_id, data, name=name, email=email, mobile=mobile, token=token,
                                         submission_hash=submission_hash, now=now)
        try:
            _add_in_line(registration, meeting, token)
        except IntegrityError:
            # A concurrent registration with these contacts or this submission won the race (the next
            # round answers as if it had arrived later), or, rarely, another took the same code.
            db.session.rollback()
            continue
        return RegistrationResult(registration, token)
    raise RuntimeError("registration kept conflicting with concurrent ones")


def _earlier_registration(meeting: Meeting, submission_hash: str, email: str | None, mobile: str | None,
                          token: str, now: datetime) -> RegistrationResult | None:
    """The answer when this submission was already registered (a repeat) or these contacts hold a
    live registration (emailed a fresh link, committed); None for a new registration. One query."""
    contact_match = []
    if email:
        contact_match.append(Registration.email_normalized == email)
    if mobile:
        contact_match.append(Registration.mobile_normalized == mobile)
    matches = list(db.session.execute(
        sa.select(Registration).where(sa.or_(
            Registration.submission_hash == submission_hash,
            sa.and_(Registration.meeting_id == meeting.id, sa.or_(*contact_match))))
        .order_by(Registration.id).limit(3)
    ).scalars())
    repeat = next((r for r in matches if r.submission_hash == submission_hash), None)
    if repeat is not None:
        db.session.rollback()
        if repeat.meeting_id != meeting.id or not repeat.is_active:
            return RegistrationResult(None, None, duplicate=True)
        return RegistrationResult(repeat, token)
    if matches:
        _resend_link(matches[0], meeting, now)
        db.session.commit()
        return RegistrationResult(None, None, duplicate=True)
    return None


def _new_registration(meeting_id: int, data: RegistrationInput, *, name: str, email: str | None,
                      mobile: str | None, token: str, submission_hash: str, now: datetime) -> Registration:
    """The registration, not yet added to the session: its place in line and status come later."""
    needs = data.needs
    return Registration(
        meeting_id=meeting_id, code=_unique_code(), token_hash=codes.hash_token(token),
        submission_hash=submission_hash, name=name, email=email or "", mobile=mobile or "",
        email_normalized=email, mobile_normalized=mobile,
        neighbourhood=(data.neighbourhood or "").strip()[:100],
        needs_wheelchair=needs.wheelchair, needs_sign_language=needs.sign_language,
        needs_large_print=needs.large_print,
        interpretation_language=(needs.interpretation_language or "").strip()[:60],
        other_needs=(needs.other or "").strip()[:500],
        channel=RegistrationChannel.WEB, language=data.language, created_at=now, updated_at=now,
    )


def _add_in_line(registration: Registration, meeting: Meeting, token: str) -> None:
    """Render the confirmation for the outcome the loaded meeting predicts, then, holding the
    meeting's lock, take the place in line, insert the registration and queue the email, and commit.
    Only a registration whose outcome differs from the prediction (the meeting filled up, or a seat
    was freed, since it was loaded) renders its email again under the lock. Raises IntegrityError
    (rolled back by the caller) when a unique constraint refuses the registration."""
    from app.notify.services import queue_email

    registration.status = RegistrationStatus.CONFIRMED if meeting.seats_left != 0 else RegistrationStatus.WAITLISTED
    draft = _compose_email(registration, "confirmation", meeting, token) if registration.email else None
    predicted = registration.status
    registration.queue_number, confirmed = _take_place(meeting.id)
    registration.status = RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED
    if draft is not None and registration.status != predicted:
        draft = _compose_email(registration, "confirmation", meeting, token)
    db.session.add(registration)
    db.session.flush()
    if draft is not None:
        queue_email(**draft)
    db.session.commit()


def cancel_registration(registration: Registration, *, actor: User | None = None,
                        now: datetime | None = None) -> Registration:
    """Cancel a registration (by its holder through the private link, or by staff). A freed seat goes
    to the first person waiting, who is told by email. The contacts are released so the person may
    register again; the private link stops working."""
    now = now or utcnow()
    meeting = registration.meeting
    if actor is not None and not meeting_permissions.is_meeting_staff(actor, meeting):
        raise NotAllowed()
    if not registration.is_active:
        _fail(InvalidState(_l("This registration is already cancelled.")))
    _lock_meeting(meeting.id)
    db.session.refresh(registration)
    if not registration.is_active:
        _fail(InvalidState(_l("This registration is already cancelled.")))
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.email_normalized = None
    registration.mobile_normalized = None
    db.session.flush()
    if was_confirmed:
        _free_seat(meeting.id)
        _promote_waitlisted(meeting, now)
    if actor is not None:
        record_audit(actor, "registration.cancel", "registration", registration.id)
    db.session.commit()
    return registration


def update_needs(registration: Registration, needs: Needs) -> Registration:
    """Change accommodation needs through the private link."""
    if not registration.is_active:
        raise InvalidState(_l("This registration is cancelled."))
    registration.needs_wheelchair = needs.wheelchair
    registration.needs_sign_language = needs.sign_language
    registration.needs_large_print = needs.large_print
    registration.interpretation_language = (needs.interpretation_language or "").strip()[:60]
    registration.other_needs = (needs.other or "").strip()[:500]
    db.session.commit()
    return registration


def set_capacity(actor: User, meeting: Meeting, capacity: int | None, *, now: datetime | None = None) -> list:
    """Raise or lower a meeting's capacity. Raising promotes people from the waitlist in order.
    Lowering below the seats already confirmed is refused (cancel registrations first)."""
    now = now or utcnow()
    if not meeting_permissions.is_meeting_staff(actor, meeting):
        raise NotAllowed()
    if capacity is not None and capacity < 0:
        raise ValidationFailed(_l("Capacity cannot be negative."), field="capacity")
    _lock_meeting(meeting.id)
    db.session.refresh(meeting)
    if capacity is not None and capacity < meeting.seats_taken:
        _fail(ValidationFailed(
            lazy_ngettext("%(num)d person already holds a seat: capacity cannot be lower than that.",
                          "%(num)d people already hold a seat: capacity cannot be lower than that.",
                          meeting.seats_taken),
            field="capacity"))
    before = meeting.capacity
    meeting.capacity = capacity
    db.session.flush()
    promoted = _promote_waitlisted(meeting, now)
    record_audit(actor, "meeting.capacity", "meeting", meeting.id,
                 details={"before": before, "after": capacity, "promoted": len(promoted)})
    db.session.commit()
    return promoted


def promote_after_capacity_change(meeting: Meeting, now: datetime | None = None) -> list:
    """For the meeting edit form: fill newly available seats, inside the caller's transaction."""
    return _promote_waitlisted(meeting, now or utcnow())


def check_in(actor: User, registration: Registration, *, now: datetime | None = None) -> Registration:
    """Mark a confirmed registrant as present. Checking in twice is harmless (keeps the first time)."""
    now = now or utcnow()
    if not meeting_permissions.is_meeting_staff(actor, registration.meeting):
        raise NotAllowed()
    if registration.status != RegistrationStatus.CONFIRMED:
        raise InvalidState(_l("Only confirmed registrations can be checked in. This one is %(status)s.",
                              status=registration.status.label))
    if registration.checked_in_at is None:
        registration.checked_in_at = now
        registration.checked_in_by_id = actor.id
        record_audit(actor, "registration.check_in", "registration", registration.id)
        db.session.commit()
    return registration


def undo_check_in(actor: User, registration: Registration) -> Registration:
    if not meeting_permissions.is_meeting_staff(actor, registration.meeting):
        raise NotAllowed()
    if registration.checked_in_at is not None:
        registration.checked_in_at = None
        registration.checked_in_by_id = None
        record_audit(actor, "registration.undo_check_in", "registration", registration.id)
        db.session.commit()
    return registration


def add_walk_in(actor: User, meeting: Meeting, *, name: str, neighbourhood: str = "",
                now: datetime | None = None) -> Registration:
    """Record someone who came without registering: confirmed, checked in, holding a seat.
    Refused with MeetingFull when no seat is free (raise the capacity first if the room allows)."""
    now = now or utcnow()
    if not meeting_permissions.is_meeting_staff(actor, meeting):
        raise NotAllowed()
    name = " ".join((name or "").split())
    if is_blank(name):
        raise ValidationFailed(_l("Please give the person's name."), field="name")
    if meeting.status != MeetingStatus.PUBLISHED:
        raise InvalidState(_l("Walk-ins can only be added to a published meeting."))
    queue_number = _lock_meeting_and_queue(meeting.id)
    if not _take_seat(meeting.id):
        _fail(MeetingFull(_l("The meeting is full. Raise the capacity if the room allows more people.")))
    registration = Registration(
        meeting_id=meeting.id, code=_unique_code(), token_hash=codes.hash_token(codes.new_token()),
        name=name[:100], neighbourhood=(neighbourhood or "").strip()[:100],
        status=RegistrationStatus.CONFIRMED, channel=RegistrationChannel.WALK_IN, queue_number=queue_number,
        checked_in_at=now, checked_in_by_id=actor.id, created_at=now, updated_at=now,
    )
    db.session.add(registration)
    db.session.flush()
    record_audit(actor, "registration.walk_in", "registration", registration.id)
    db.session.commit()
    return registration
