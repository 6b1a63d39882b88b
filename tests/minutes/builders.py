"""Meetings ready for minutes: past, published, with an agenda, a host official, a clerk and a second official."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.accounts.models import User
from app.meetings.models import Meeting
from app.minutes import services as ms
from app.minutes.content import Decision, MinutesContent, format_instant
from app.minutes.models import MinutesVersion
from app.registrations.models import Registration, RegistrationStatus
from app.extensions import db
from tests import factories


@dataclass
class Setting:
    meeting: Meeting
    clerk: User
    official: User
    second_official: User


def past_meeting(*, type: str = "town_hall", agenda=("开场", "方案说明"), days_ago: int = 2, **meeting) -> Setting:
    dept = factories.make_department()
    official = factories.make_user("official", department=dept, name="李明")
    second = factories.make_user("official", department=dept, name="王芳")
    clerk = factories.make_user("clerk", department=dept, name="张记")
    meeting = factories.make_meeting(type=type, starts_in=timedelta(days=-days_ago), agenda=list(agenda),
                                     department_id=dept.id, created_by=official, hosts=[official, second], **meeting)
    return Setting(meeting, clerk, official, second)


def complete_content(setting: Setting, **overrides) -> MinutesContent:
    meeting = setting.meeting
    content = ms.prefill_content(meeting)
    content.presiding = "李明"
    content.recorder = "张记"
    content.citizens_present = overrides.pop("citizens_present", 10)
    content.adjourned_at = format_instant(meeting.starts_at + timedelta(hours=2))
    if meeting.type == "hearing":
        content.quorum_present = True
    content.items[0].summary = "介绍改造方案"
    content.items[0].decisions = [Decision(motion="同意方案", mover="李明", votes_for=8, votes_against=1,
                                           votes_abstain=1)]
    for key, value in overrides.items():
        setattr(content, key, value)
    return content


def submitted(setting: Setting, **overrides) -> MinutesVersion:
    version = ms.open_minutes(setting.clerk, setting.meeting)
    ms.save_draft(setting.clerk, version, complete_content(setting, **overrides))
    return ms.submit_minutes(setting.clerk, version)


def published(setting: Setting, **overrides) -> MinutesVersion:
    version = submitted(setting, **overrides)
    ms.approve_minutes(setting.official, version)
    return ms.publish_minutes(setting.official, version)


def add_registrant(meeting: Meeting, n: int, *, email: str = "", language: str = "zh_CN",
                   status: RegistrationStatus = RegistrationStatus.CONFIRMED, checked_in: bool = False) -> Registration:
    registration = Registration(
        meeting_id=meeting.id, code=f"M{n:06d}", token_hash=f"{n:064d}", name=f"市民{n}", email=email,
        mobile=f"1390000{n:04d}", email_normalized=email or None, mobile_normalized=f"1390000{n:04d}",
        status=status, queue_number=n, language=language,
        checked_in_at=factories.now() if checked_in else None)
    db.session.add(registration)
    db.session.commit()
    return registration
