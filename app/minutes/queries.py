"""Reads of minutes and hearing records for the public page, staff pages, the dashboard and the CLI."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, current_app
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.db import utcnow
from app.extensions import db
from app.meetings.models import DEFAULT_DURATION, Meeting, MeetingStatus, meeting_hosts
from app.meetings.rules import PROFILES, profile_named
from app.minutes.content import IDENTITY_SCHEMA, AnsweredQuestion, MinutesContent, decode, identity_of, is_canonical, sha256_hex
from app.minutes.deadlines import cutoff_instant
from app.minutes.models import (FROZEN_STATUSES, HearingParticipant, HearingRecord, Minutes, MinutesVersion, ParticipantState,
                                VersionStatus)
from app.pagination import Page, clean_page_number, paginate
from app.security import Role


def _version_options():
    return (joinedload(MinutesVersion.updated_by), joinedload(MinutesVersion.submitted_by),
            joinedload(MinutesVersion.approved_by), joinedload(MinutesVersion.published_by))


def get_minutes(meeting_id: int) -> Optional[Minutes]:
    """The minutes of a meeting with every version and the people on it (two queries)."""
    return db.session.execute(
        sa.select(Minutes).options(selectinload(Minutes.versions).options(*_version_options()))
        .where(Minutes.meeting_id == meeting_id)
    ).scalar_one_or_none()


def get_meeting_version_or_404(meeting_id: int, version_id: int) -> MinutesVersion:
    version = db.session.execute(
        sa.select(MinutesVersion).join(Minutes).options(*_version_options())
        .where(MinutesVersion.id == version_id, Minutes.meeting_id == meeting_id)
    ).unique().scalar_one_or_none()
    if version is None:
        abort(404)
    return version


@dataclass
class PublishedVersion:
    version: MinutesVersion
    content: MinutesContent


@dataclass
class PublicMinutes:
    current: Optional[PublishedVersion] = None
    earlier: list[PublishedVersion] = field(default_factory=list)  # newest first


def get_public_minutes(meeting_id: int) -> PublicMinutes:
    """Published versions only, newest first, in one query."""
    versions = db.session.execute(
        sa.select(MinutesVersion).join(Minutes)
        .options(joinedload(MinutesVersion.approved_by), joinedload(MinutesVersion.published_by))
        .where(Minutes.meeting_id == meeting_id, MinutesVersion.status == VersionStatus.PUBLISHED)
        .order_by(MinutesVersion.number.desc())
    ).scalars().all()
    published = [PublishedVersion(v, decode(v.content)) for v in versions]
    if not published:
        return PublicMinutes()
    return PublicMinutes(current=published[0], earlier=published[1:])


def has_published_minutes(meeting_id: int) -> bool:
    return db.session.execute(
        sa.select(sa.exists().where(MinutesVersion.minutes_id == Minutes.id, Minutes.meeting_id == meeting_id,
                                    MinutesVersion.status == VersionStatus.PUBLISHED))
    ).scalar_one()


def list_answered_live_questions(meeting_id: int) -> list:
    from app.questions.models import Question, QuestionOutcome

    return list(db.session.execute(
        sa.select(Question).where(Question.meeting_id == meeting_id,
                                  Question.outcome == QuestionOutcome.ANSWERED_LIVE)
        .order_by(Question.outcome_at, Question.id)
    ).scalars())


def list_versions_quoting_old_text(question) -> list[MinutesVersion]:
    """Approved or published versions of the question's meeting whose copy of it is no longer its
    public text (it was edited after their approval). They never change; a correction can."""
    versions = db.session.execute(
        sa.select(MinutesVersion).join(Minutes)
        .where(Minutes.meeting_id == question.meeting_id, MinutesVersion.status.in_(FROZEN_STATUSES))
        .order_by(MinutesVersion.number)).scalars()
    current = AnsweredQuestion.of(question)
    return [v for v in versions
            if any(q.question_id == question.id and q != current for q in decode(v.content).questions)]


def get_hearing_record(meeting_id: int) -> Optional[HearingRecord]:
    return db.session.execute(
        sa.select(HearingRecord)
        .options(selectinload(HearingRecord.participants).joinedload(HearingParticipant.state_by),
                 selectinload(HearingRecord.statements), joinedload(HearingRecord.presiding_official))
        .where(HearingRecord.meeting_id == meeting_id)
    ).scalar_one_or_none()


def list_presiding_candidates(meeting: Meeting) -> list[User]:
    """Who may preside over the meeting's hearing: active officials who host it, created it or belong
    to its department (the officials among its staff), by name."""
    hosted = sa.select(meeting_hosts.c.user_id).where(meeting_hosts.c.meeting_id == meeting.id)
    return list(db.session.execute(
        sa.select(User).where(User.role == Role.OFFICIAL, User.is_active.is_(True),
                              sa.or_(User.id.in_(hosted), User.id == meeting.created_by_id,
                                     User.department_id == meeting.department_id))
        .order_by(User.name, User.id)).scalars())


def get_participant_or_404(meeting_id: int, participant_id: int) -> HearingParticipant:
    participant = db.session.execute(
        sa.select(HearingParticipant).join(HearingRecord)
        .options(joinedload(HearingParticipant.record).selectinload(HearingRecord.statements))
        .where(HearingParticipant.id == participant_id, HearingRecord.meeting_id == meeting_id)
    ).unique().scalar_one_or_none()
    if participant is None:
        abort(404)
    return participant


def count_participant_states(record: HearingRecord) -> dict[ParticipantState, int]:
    counts = {state: 0 for state in ParticipantState}
    for participant in record.participants:
        counts[participant.state] += 1
    return counts


# ---------------------------------------------------------------------------- overdue publication

def _ended_before(cutoff: datetime):
    return sa.or_(sa.and_(Meeting.ends_at.is_not(None), Meeting.ends_at < cutoff),
                  sa.and_(Meeting.ends_at.is_(None), Meeting.starts_at < cutoff - DEFAULT_DURATION))


def minutes_deadline_working_days(profile_code: str | None) -> int:
    """Working days after a meeting within which its minutes are due: MINUTES_DEADLINE_WORKING_DAYS
    when configured, else the rules profile the meeting was published under (default 20)."""
    override = current_app.config.get("MINUTES_DEADLINE_WORKING_DAYS")
    if override not in (None, ""):
        return int(override)
    return profile_named(profile_code).minutes_deadline_working_days


def _zones() -> list[str]:
    zones = set(db.session.execute(
        sa.select(Meeting.timezone).where(Meeting.status == MeetingStatus.PUBLISHED).distinct()).scalars())
    return sorted(z for z in zones if z)


def _past_minutes_deadline(now: datetime, zones: list[str]):
    """Each meeting judged in its own time zone (its end date and today there), by the deadline of the
    profile it was published under."""
    conditions = []
    for tz_name in zones:
        today = now.astimezone(ZoneInfo(tz_name)).date()
        in_zone = Meeting.timezone == tz_name
        for code in PROFILES:
            cutoff = cutoff_instant(today, minutes_deadline_working_days(code), tz_name)
            conditions.append(sa.and_(in_zone, Meeting.notice_profile == code, _ended_before(cutoff)))
        default = cutoff_instant(today, minutes_deadline_working_days(None), tz_name)
        other = sa.or_(Meeting.notice_profile.is_(None), Meeting.notice_profile.not_in(list(PROFILES)))
        conditions.append(sa.and_(in_zone, other, _ended_before(default)))
    return sa.or_(*conditions) if conditions else sa.false()


def list_overdue_minutes(user: User, *, now: datetime | None = None, page: int = 1, per_page: int = 20) -> Page:
    """Published (not cancelled) meetings of this staff member that ended more than the deadline
    (working days) ago and have no published minutes, oldest first."""
    now = now or utcnow()
    published = (sa.select(Minutes.meeting_id).join(MinutesVersion)
                 .where(MinutesVersion.status == VersionStatus.PUBLISHED))
    stmt = (sa.select(Meeting).options(joinedload(Meeting.department))
            .where(Meeting.status == MeetingStatus.PUBLISHED, _past_minutes_deadline(now, _zones()),
                   Meeting.id.not_in(published))
            .order_by(sa.func.coalesce(Meeting.ends_at, Meeting.starts_at), Meeting.id))
    if user.role != Role.ADMIN:
        hosted = sa.select(meeting_hosts.c.meeting_id).where(meeting_hosts.c.user_id == user.id)
        stmt = stmt.where(sa.or_(Meeting.created_by_id == user.id, Meeting.id.in_(hosted),
                                 Meeting.department_id == user.department_id))
    return paginate(stmt, clean_page_number(page), per_page)


# ---------------------------------------------------------------------------- chain verification

@dataclass
class ChainReport:
    meeting_id: Optional[int]  # None: the versions whose minutes row is missing
    versions: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _version_problems(minutes: Minutes, version: MinutesVersion, by_id: dict[int, MinutesVersion]) -> list[str]:
    problems = []
    label = f"version {version.number}"
    if not is_canonical(version.content):
        problems.append(f"{label}: content is not canonical JSON")
    if sha256_hex(version.content) != version.content_hash:
        problems.append(f"{label}: content does not match its SHA-256")
    try:
        identity = identity_of(version.content)
    except ValueError:
        identity = None
    if identity is not None and identity.schema >= IDENTITY_SCHEMA and (identity.meeting_id, identity.number) != (minutes.meeting_id,
                                                                                         version.number):
        problems.append(f"{label}: the hashed content is version {identity.number} of meeting "
                        f"{identity.meeting_id}, not version {version.number} of meeting {minutes.meeting_id}")
    previous = by_id.get(version.supersedes_id) if version.supersedes_id else None
    if version.supersedes_id and previous is None:
        problems.append(f"{label}: supersedes a version that is not part of these minutes")
    expected = previous.content_hash if previous else ""
    if version.prev_hash != expected:
        problems.append(f"{label}: prev_hash does not match the version it supersedes")
    return problems


def verify_chains() -> list[ChainReport]:
    """Walk every meeting's versions in order: each non-draft version's content must be canonical, hash
    to content_hash and (schema 2 on) name the meeting and number it is stored under, and its prev_hash
    must be the hash of the version it supersedes. Minutes of a meeting that no longer exists, and
    versions whose minutes row is gone (possible on SQLite with foreign keys off), are reported too."""
    reports = []
    minutes_rows = db.session.execute(
        sa.select(Minutes, Meeting.id).outerjoin(Meeting, Meeting.id == Minutes.meeting_id)
        .options(selectinload(Minutes.versions)).order_by(Minutes.meeting_id)).all()
    for minutes, meeting_exists in minutes_rows:
        problems = [] if meeting_exists else [f"minutes {minutes.id} belong to meeting {minutes.meeting_id}, "
                                              "which does not exist"]
        by_id = {v.id: v for v in minutes.versions}
        for version in minutes.versions:
            if not version.is_draft:
                problems += _version_problems(minutes, version, by_id)
        reports.append(ChainReport(minutes.meeting_id, len(minutes.versions), problems))
    orphans = db.session.execute(
        sa.select(MinutesVersion.id, MinutesVersion.minutes_id, MinutesVersion.number, MinutesVersion.status)
        .where(MinutesVersion.minutes_id.not_in(sa.select(Minutes.id)))
        .order_by(MinutesVersion.minutes_id, MinutesVersion.number)).all()
    if orphans:
        reports.append(ChainReport(None, len(orphans), [
            f"version {row.number} (id {row.id}, {row.status}) belongs to minutes {row.minutes_id}, "
            "which do not exist" for row in orphans]))
    return reports
