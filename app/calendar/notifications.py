"""Emails about a meeting through the outbox: reminders before it starts and notices when it is
rescheduled or cancelled, each in the registrant's language, with an unsubscribe link (which also stops
the published-minutes email, app.minutes.services.review).

Sending once: every message has a dedupe key (unique in the outbox, inserted with ON CONFLICT DO
NOTHING), so running `flask notify due` again, or on several machines at once, cannot queue a message
twice. Reminders are keyed by (registration, meeting sequence): a reschedule raises the sequence, so
the new time gets its own reminder. The reminder scan also claims its registrations with
SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so parallel runs share the work instead of rendering
the same emails and waiting on each other's unique-key inserts; correctness rests on the key alone
(on SQLite, transactions are serialised by BEGIN IMMEDIATE).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import contains_eager

from app.calendar.ics import meeting_calendar
from app.calendar.models import NotificationOptOut
from app.db import utcnow
from app.extensions import db
from app.i18n import DEFAULT_LANGUAGE, LOCALES
from app.meetings.models import Meeting, MeetingStatus
from app.notify.models import OutboxMessage
from app.registrations.models import Registration, RegistrationStatus
from app.urls import external_url

CHANGE_KINDS = ("rescheduled", "cancelled")
REMINDER_BATCH = 200
_UNSUBSCRIBE_SALT = "townhall.notifications.unsubscribe"
_UNSUBSCRIBE_PURPOSE = "meeting-emails"


# ---------------------------------------------------------------------------- unsubscribe links

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT)


def unsubscribe_token(registration_id: int) -> str:
    """A signed token naming the registration and the purpose; it never expires (old emails keep
    working) and reveals nothing but the registration's number."""
    return _serializer().dumps({"r": registration_id, "p": _UNSUBSCRIBE_PURPOSE})


def registration_id_from_token(token: str) -> int | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") != _UNSUBSCRIBE_PURPOSE or not isinstance(data.get("r"), int):
        return None
    return data["r"]


def unsubscribe_url(registration_id: int) -> str:
    return external_url("calendar.unsubscribe", token=unsubscribe_token(registration_id))


def get_registration_for_token(token: str) -> Registration | None:
    registration_id = registration_id_from_token(token)
    if registration_id is None:
        return None
    return db.session.execute(
        sa.select(Registration).options(contains_eager(Registration.meeting))
        .join(Meeting, Registration.meeting_id == Meeting.id).where(Registration.id == registration_id)
    ).scalar_one_or_none()


def is_opted_out(registration_id: int) -> bool:
    return db.session.get(NotificationOptOut, registration_id) is not None


def opt_out(registration: Registration) -> None:
    """Stop reminders, notices and minutes emails for this registration. Idempotent; commits."""
    if not is_opted_out(registration.id):
        db.session.add(NotificationOptOut(registration_id=registration.id))
    db.session.commit()


def not_opted_out():
    """A condition on Registration: its holder has not unsubscribed from the meeting's emails (reminders,
    change notices and published minutes)."""
    return ~sa.exists().where(NotificationOptOut.registration_id == Registration.id)


# ---------------------------------------------------------------------------- queueing

def _language(registration: Registration) -> str:
    return registration.language if registration.language in LOCALES else DEFAULT_LANGUAGE


def _queue(registration: Registration, meeting: Meeting, kind: str, dedupe_key: str,
           ics: str | None = None, **context) -> bool:
    from app.notify.rendering import render_email
    from app.notify.services import queue_email

    language = _language(registration)
    subject, text, html = render_email(
        f"calendar/{kind}", language, registration=registration, meeting=meeting,
        meeting_url=external_url("meetings.detail", meeting_id=meeting.id),
        unsubscribe_url=unsubscribe_url(registration.id), **context)
    return queue_email(to=registration.email, to_name=registration.name, subject=subject, text=text,
                       html=html, dedupe_key=dedupe_key, language=language, ics=ics,
                       private=(unsubscribe_token(registration.id),)) is not None


def meeting_ics_for(meeting: Meeting, language: str) -> str:
    """The meeting's .ics with its words (the "Cancelled" prefix) in `language`."""
    with force_locale(LOCALES.get(language, LOCALES[DEFAULT_LANGUAGE])):
        return meeting_calendar(meeting).decode("utf-8")


def queue_meeting_change(meeting: Meeting, kind: str) -> int:
    """Tell every registrant (confirmed and waitlisted, with an email address, not opted out) that
    the meeting was rescheduled or cancelled, with the updated .ics (same UID, higher SEQUENCE).
    Runs inside the caller's transaction (reschedule_meeting / cancel_meeting) and never commits.
    Returns the number of messages queued. Raises ValueError for an unknown kind."""
    if kind not in CHANGE_KINDS:
        raise ValueError(f"unknown change {kind!r}")
    if meeting.published_at is None:
        return 0  # never public, so nobody registered
    registrations = db.session.execute(
        sa.select(Registration)
        .where(Registration.meeting_id == meeting.id,
               Registration.status.in_([RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]),
               Registration.email != "", not_opted_out())
        .order_by(Registration.id)
    ).scalars().all()
    calendars: dict[str, str] = {}
    queued = 0
    for registration in registrations:
        language = _language(registration)
        if language not in calendars:
            calendars[language] = meeting_ics_for(meeting, language)
        key = f"meeting-{meeting.id}-{kind}-{meeting.sequence}-registration-{registration.id}"
        queued += _queue(registration, meeting, kind, key, ics=calendars[language])
    return queued


def _reminder_key_sql():
    return (sa.literal("reminder-registration-") + sa.cast(Registration.id, sa.String)
            + sa.literal("-sequence-") + sa.cast(Meeting.sequence, sa.String))


def reminder_key(registration: Registration, meeting: Meeting) -> str:
    return f"reminder-registration-{registration.id}-sequence-{meeting.sequence}"


def queue_due_reminders(*, hours: int | None = None, now: datetime | None = None) -> int:
    """Queue a reminder to each confirmed registrant (with an email, not opted out) of a published
    meeting starting within the next `hours` (REMINDER_HOURS_BEFORE, default 24) and not yet
    reminded of this schedule. Commits every REMINDER_BATCH messages; returns how many were queued.
    Safe to run any number of times, concurrently, on several machines (see the module docstring)."""
    now = now or utcnow()
    hours = hours if hours is not None else int(current_app.config.get("REMINDER_HOURS_BEFORE", 24))
    horizon = now + timedelta(hours=hours)
    already = sa.exists().where(OutboxMessage.dedupe_key == _reminder_key_sql())
    statement = (
        sa.select(Registration)
        .join(Meeting, Registration.meeting_id == Meeting.id)
        .options(contains_eager(Registration.meeting))
        .where(Registration.status == RegistrationStatus.CONFIRMED, Registration.email != "",
               Meeting.status == MeetingStatus.PUBLISHED, Meeting.starts_at > now, Meeting.starts_at <= horizon,
               not_opted_out(), ~already)
        .order_by(Meeting.starts_at, Registration.id)
        .limit(REMINDER_BATCH)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True, of=Registration)
    total = 0
    try:
        while True:
            registrations = db.session.execute(statement).unique().scalars().all()
            for registration in registrations:
                total += _queue(registration, registration.meeting, "reminder",
                                reminder_key(registration, registration.meeting))
            db.session.commit()
            if len(registrations) < REMINDER_BATCH:
                return total
    finally:
        db.session.rollback()
