"""Builders and parsers shared by the calendar tests."""
from __future__ import annotations

import itertools
import re

import vobject
from icalendar import Calendar

from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus

_seq = itertools.count(1)
# Personal data planted on every registrant: none of it may reach a feed or a public file.
MARKER_EMAIL_DOMAIN = "leak-marker.example"
MARKER_PHONE = "13912345678"
MARKER_NAME = "LEAKMARKER"


def add_registration(meeting, *, status: str = "confirmed", language: str = "zh_CN", email: str | None = None,
                     name: str | None = None) -> Registration:
    n = next(_seq)
    email = email if email is not None else f"person{n}@{MARKER_EMAIL_DOMAIN}"
    registration = Registration(
        meeting_id=meeting.id, code=f"C{n:06d}", token_hash=f"{n:064d}", name=name or f"{MARKER_NAME} {n}",
        email=email, mobile=MARKER_PHONE if n % 2 else "", email_normalized=email or None,
        mobile_normalized=None if email else f"+86139{n:08d}", status=RegistrationStatus(status), queue_number=n, language=language,
        other_needs="wheelchair LEAKMARKER-needs",
    )
    db.session.add(registration)
    db.session.commit()
    return registration


def parse_both(data: bytes) -> tuple[Calendar, object]:
    """Parse with icalendar and with vobject (an independent implementation); both must accept it."""
    calendar = Calendar.from_ical(data)
    other = vobject.readOne(data.decode("utf-8"), validate=True)
    return calendar, other


def vevents(calendar: Calendar) -> list:
    return [c for c in calendar.walk("VEVENT")]


def assert_folded(data: bytes) -> None:
    """RFC 5545 3.1: lines end in CRLF and are at most 75 octets (excluding the CRLF)."""
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line


def assert_no_personal_data(text: str) -> None:
    assert MARKER_EMAIL_DOMAIN not in text
    assert MARKER_PHONE not in text
    assert MARKER_NAME not in text


def unfold(data: bytes) -> str:
    return re.sub(r"\r\n[ \t]", "", data.decode("utf-8"))
