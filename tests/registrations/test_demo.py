"""Demo registrations: on past and upcoming meetings, confirmed, waitlisted, cancelled, checked in and
walk-ins, one full upcoming meeting with a waitlist, seat counts that agree, loaded once."""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.accounts import models as account_models
from app.db import utcnow
from app.demo import data as demo_data
from app.demo.data import load_demo
from app.demo.registrations import load_demo_registrations
from app.meetings.models import Meeting
from app.registrations.models import Registration, RegistrationChannel, RegistrationStatus
from app.registrations.queries import count_registrations
from tests.helpers import row_counts


@pytest.fixture(autouse=True)
def only_meetings_and_registrations(monkeypatch):
    """Load the meetings and their registrations only (questions, minutes and action items have their own
    demo tests), with cheap password hashes: the checks work with any method."""
    monkeypatch.setattr(demo_data, "_EXTRA_LOADERS", [demo_data._load_registrations])
    monkeypatch.setattr(account_models, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def test_demo_registrations_cover_every_state_on_past_and_upcoming_meetings_and_load_once(db):
    load_demo(echo=lambda line: None)
    now = utcnow()
    meetings = {m.id: m for m in db.session.execute(sa.select(Meeting)).scalars()}
    registrations = list(db.session.execute(sa.select(Registration)).scalars())
    by_meeting: dict[int, list[Registration]] = defaultdict(list)
    for registration in registrations:
        by_meeting[registration.meeting_id].append(registration)
    past = [m for m in meetings.values() if m.id in by_meeting and m.is_past(now)]
    upcoming = [m for m in meetings.values() if m.id in by_meeting and not m.is_past(now)]
    assert past and upcoming

    def states(group) -> Counter:
        tally: Counter = Counter()
        for meeting in group:
            for r in by_meeting[meeting.id]:
                tally[r.status.value] += 1
                tally["checked_in"] += r.checked_in_at is not None
                tally["walk_in"] += r.channel == RegistrationChannel.WALK_IN
        return tally

    on_past, on_upcoming = states(past), states(upcoming)
    for state in ("confirmed", "cancelled", "checked_in", "walk_in"):
        assert on_past[state] > 0, f"no {state} registration on a past meeting"
    for state in ("confirmed", "waitlisted", "cancelled"):
        assert on_upcoming[state] > 0, f"no {state} registration on an upcoming meeting"
    assert on_upcoming["checked_in"] == on_upcoming["walk_in"] == 0  # nobody has come to the door yet

    full = [m for m in upcoming if m.capacity is not None and m.seats_taken == m.capacity
            and count_registrations(m.id).waitlisted > 0]
    assert len(full) == 1, "one full upcoming meeting with a waitlist"

    for meeting_id, group in by_meeting.items():
        meeting = meetings[meeting_id]
        confirmed = [r for r in group if r.status == RegistrationStatus.CONFIRMED]
        assert meeting.seats_taken == len(confirmed) <= meeting.capacity, meeting.title
        assert all(r.checked_in_at is None or r.status == RegistrationStatus.CONFIRMED for r in group)
        if any(r.status == RegistrationStatus.WAITLISTED for r in group):
            assert meeting.seats_taken == meeting.capacity, f"{meeting.title}: people wait while seats are free"
    walk_ins = [r for r in registrations if r.channel == RegistrationChannel.WALK_IN]
    assert all(r.checked_in_at and not r.email and not r.mobile for r in walk_ins)
    web = [r for r in registrations if r.channel == RegistrationChannel.WEB and r.is_active]
    assert all(r.email_normalized or r.mobile_normalized for r in web)
    assert {r.language for r in web} == {"zh_CN", "en"}
    assert any(r.has_needs for r in web)

    counts = row_counts()
    lines: list[str] = []
    assert load_demo_registrations(echo=lines.append) == 0
    assert lines == ["  registrations: already present"] and row_counts() == counts
