"""Use cases for meetings: create, edit, publish, reschedule and cancel. Each is one transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.orm import selectinload

from app.accounts.audit import record_audit
from app.accounts.models import Department, District, User
from app.db import utcnow
from app.errors import DomainError, InvalidState, NotAllowed, ValidationFailed
from app.extensions import db
from app.formtools import HTTP_URL_MESSAGE, is_http_url
from app.meetings import permissions
from app.meetings.models import MAX_MEETING_SPAN, AgendaItem, Meeting, MeetingStatus, MeetingType
from app.meetings.rules import active_profile, profile_named
from app.security import Role
from app.timezones import is_valid_timezone, local_to_utc


# The reason columns (short_notice_reason, reschedule_reason, cancel_reason), in characters.
MAX_REASON_LENGTH = 500


class ShortNoticeReasonRequired(DomainError):
    status_code = 409
    default_message = _l("This meeting starts sooner than the minimum public notice allows. "
                         "Give a reason for the short notice; it will be shown on the public page.")


class ConflictsNeedConfirmation(DomainError):
    status_code = 409
    default_message = _l("This meeting overlaps with other meetings at the same venue or with the same host. "
                         "Review the conflicts and confirm to publish anyway.")

    def __init__(self, conflicts: list["Conflict"]):
        super().__init__(field="confirm_conflicts")
        self.conflicts = conflicts


@dataclass
class AgendaEntry:
    title: str
    description: str = ""
    presenter: str = ""
    duration_minutes: Optional[int] = None


@dataclass
class Schedule:
    """When and where, as typed in the meeting's local time."""

    timezone: str
    starts_local: datetime
    ends_local: Optional[datetime] = None
    venue_name: str = ""
    address: str = ""
    online_url: str = ""


@dataclass
class MeetingData:
    type: MeetingType
    title: str
    department_id: int
    district_id: int
    schedule: Schedule
    summary: str = ""
    purpose: str = ""
    host_ids: list[int] = field(default_factory=list)
    host_note: str = ""
    registration_required: bool = False
    capacity: Optional[int] = None
    registration_opens_local: Optional[datetime] = None
    registration_closes_local: Optional[datetime] = None
    agenda: list[AgendaEntry] = field(default_factory=list)


@dataclass
class Conflict:
    kind: str  # "venue" or "host"
    meeting: Meeting
    host: Optional[User] = None


# ---------------------------------------------------------------------------- helpers

def _clean(text: str | None) -> str:
    return (text or "").strip()


def _schedule_to_utc(schedule: Schedule) -> tuple[datetime, Optional[datetime]]:
    if not is_valid_timezone(schedule.timezone):
        raise ValidationFailed(_l("Unknown time zone."), field="timezone")
    starts_at = local_to_utc(schedule.starts_local, schedule.timezone, field="starts_at")
    ends_at = None
    if schedule.ends_local is not None:
        ends_at = local_to_utc(schedule.ends_local, schedule.timezone, field="ends_at")
        if ends_at <= starts_at:
            raise ValidationFailed(_l("The end must be after the start."), field="ends_at")
        if ends_at - starts_at > MAX_MEETING_SPAN:
            raise ValidationFailed(_l("A meeting cannot last longer than seven days."), field="ends_at")
    if not _clean(schedule.venue_name) and not _clean(schedule.online_url):
        raise ValidationFailed(_l("Give a venue or an online link (or both)."), field="venue_name")
    # The link becomes an href on the public page, whatever the entry point (form, CLI, demo, API).
    if _clean(schedule.online_url) and not is_http_url(_clean(schedule.online_url)):
        raise ValidationFailed(HTTP_URL_MESSAGE, field="online_url")
    return starts_at, ends_at


def _apply_schedule(meeting: Meeting, schedule: Schedule) -> None:
    meeting.starts_at, meeting.ends_at = _schedule_to_utc(schedule)
    meeting.timezone = schedule.timezone
    meeting.venue_name = _clean(schedule.venue_name)
    meeting.address = _clean(schedule.address)
    meeting.online_url = _clean(schedule.online_url)


def _load_hosts(host_ids: list[int]) -> list[User]:
    if not host_ids:
        return []
    hosts = list(db.session.execute(
        sa.select(User).where(User.id.in_(set(host_ids)), User.is_active.is_(True),
                              User.role.in_([Role.OFFICIAL, Role.ADMIN]))
    ).scalars())
    if len(hosts) != len(set(host_ids)):
        raise ValidationFailed(_l("Hosts must be active officials."), field="host_ids")
    return hosts


def _apply_data(meeting: Meeting, data: MeetingData) -> None:
    if db.session.get(Department, data.department_id) is None:
        raise ValidationFailed(_l("Unknown department."), field="department_id")
    if db.session.get(District, data.district_id) is None:
        raise ValidationFailed(_l("Unknown district."), field="district_id")
    title = _clean(data.title)
    if not title:
        raise ValidationFailed(_l("A title is required."), field="title")
    if data.capacity is not None and data.capacity < 0:
        raise ValidationFailed(_l("Capacity cannot be negative."), field="capacity")
    if data.capacity is not None and data.capacity < (meeting.seats_taken or 0):
        raise ValidationFailed(
            lazy_ngettext("%(num)d person already holds a seat: capacity cannot be lower than that.",
                          "%(num)d people already hold a seat: capacity cannot be lower than that.",
                          meeting.seats_taken),
            field="capacity")
    meeting.type = MeetingType(data.type)
    meeting.title = title
    meeting.summary = _clean(data.summary)
    meeting.purpose = _clean(data.purpose)
    meeting.department_id = data.department_id
    meeting.district_id = data.district_id
    meeting.host_note = _clean(data.host_note)
    meeting.hosts = _load_hosts(data.host_ids)
    meeting.registration_required = data.registration_required
    meeting.capacity = data.capacity
    tz = meeting.timezone
    meeting.registration_opens_at = (
        local_to_utc(data.registration_opens_local, tz, field="registration_opens_at")
        if data.registration_opens_local else None
    )
    meeting.registration_closes_at = (
        local_to_utc(data.registration_closes_local, tz, field="registration_closes_at")
        if data.registration_closes_local else None
    )
    if (meeting.registration_opens_at and meeting.registration_closes_at
            and meeting.registration_opens_at >= meeting.registration_closes_at):
        raise ValidationFailed(_l("Registration must open before it closes."), field="registration_closes_at")
    if meeting.registration_closes_at and meeting.registration_closes_at > meeting.effective_end:
        raise ValidationFailed(_l("Registration cannot close after the meeting ends."),
                               field="registration_closes_at")
    _replace_agenda(meeting, data.agenda)


def _replace_agenda(meeting: Meeting, entries: list[AgendaEntry]) -> None:
    meeting.agenda_items.clear()
    db.session.flush()
    for position, entry in enumerate((e for e in entries if _clean(e.title)), start=1):
        if entry.duration_minutes is not None and entry.duration_minutes < 0:
            raise ValidationFailed(_l("Durations cannot be negative."), field="agenda")
        meeting.agenda_items.append(AgendaItem(
            position=position,
            title=_clean(entry.title),
            description=_clean(entry.description),
            presenter=_clean(entry.presenter),
            duration_minutes=entry.duration_minutes,
        ))


def _fail(error: DomainError):
    db.session.rollback()
    raise error


def _check_reason_length(reason: str, field: str) -> None:
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(_l("The reason is too long (at most 500 characters)."), field=field)


def _schedule_snapshot(meeting: Meeting) -> dict:
    return {
        "timezone": meeting.timezone,
        "starts_at": meeting.starts_at.isoformat() if meeting.starts_at else None,
        "ends_at": meeting.ends_at.isoformat() if meeting.ends_at else None,
        "venue_name": meeting.venue_name,
        "address": meeting.address,
        "online_url": meeting.online_url,
    }


# ---------------------------------------------------------------------------- use cases

def create_meeting(actor: User, data: MeetingData) -> Meeting:
    """Create a draft meeting. Officials and admins only. Raises ValidationFailed on bad data."""
    if not permissions.can_create_meeting(actor):
        raise NotAllowed()
    meeting = Meeting(status=MeetingStatus.DRAFT, created_by_id=actor.id, sequence=0)
    try:
        _apply_schedule(meeting, data.schedule)
        _apply_data(meeting, data)
        db.session.add(meeting)
        db.session.flush()
        record_audit(actor, "meeting.create", "meeting", meeting.id, details={"title": meeting.title})
        db.session.commit()
    except DomainError as error:
        _fail(error)
    return meeting


def update_meeting(actor: User, meeting: Meeting, data: MeetingData) -> Meeting:
    """Edit a meeting. Drafts may change anything; a published meeting's time and place change only
    through reschedule_meeting (so the public is told). Cancelled meetings cannot be edited."""
    if not permissions.can_edit_meeting(actor, meeting):
        raise NotAllowed()
    if meeting.is_cancelled:
        raise InvalidState(_l("A cancelled meeting cannot be edited."))
    try:
        if meeting.is_draft:
            _apply_schedule(meeting, data.schedule)
        else:
            before = _schedule_snapshot(meeting)
            probe = Meeting()
            _apply_schedule(probe, data.schedule)
            if _schedule_snapshot(probe) != before:
                raise InvalidState(_l("To change the time or place of a published meeting, use Reschedule."))
        # Lock the row and read the seats held now, so a capacity change cannot race registrations.
        db.session.execute(sa.select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
        db.session.refresh(meeting, ["seats_taken"])
        old_capacity = meeting.capacity
        _apply_data(meeting, data)
        if meeting.capacity != old_capacity:
            from app.registrations.services import promote_after_capacity_change

            db.session.flush()
            promote_after_capacity_change(meeting)
        record_audit(actor, "meeting.update", "meeting", meeting.id, details={"title": meeting.title})
        db.session.commit()
    except DomainError as error:
        _fail(error)
    return meeting


def find_conflicts(meeting: Meeting) -> list[Conflict]:
    """Published meetings overlapping in time with `meeting` at the same venue or with a shared host.

    Meetings without an end time count as lasting DEFAULT_DURATION; no meeting is assumed to last
    longer than MAX_MEETING_SPAN, which bounds the query.
    """
    end = meeting.effective_end
    candidates = db.session.execute(
        sa.select(Meeting).options(selectinload(Meeting.hosts)).where(
            Meeting.id != meeting.id,
            Meeting.status == MeetingStatus.PUBLISHED,
            Meeting.starts_at < end,
            Meeting.starts_at > meeting.starts_at - MAX_MEETING_SPAN,
        ).order_by(Meeting.starts_at)
    ).scalars()
    venue_key = _venue_key(meeting)
    host_ids = {host.id for host in meeting.hosts}
    conflicts: list[Conflict] = []
    for other in candidates:
        if other.effective_end <= meeting.starts_at:
            continue
        if venue_key and _venue_key(other) == venue_key:
            conflicts.append(Conflict("venue", other))
        conflicts.extend(Conflict("host", other, host) for host in other.hosts if host.id in host_ids)
    return conflicts


def _venue_key(meeting: Meeting) -> str:
    name = " ".join(meeting.venue_name.split()).lower()
    address = " ".join(meeting.address.split()).lower()
    return f"{name}|{address}" if name else ""


def check_notice(meeting: Meeting, now: datetime, starts_at: datetime | None = None) -> bool:
    """Whether publishing at `now` gives enough notice. A published meeting keeps the rules profile it
    was published under (a later change of profile does not apply to it); a draft uses the active one."""
    profile = profile_named(meeting.notice_profile) if meeting.notice_profile else active_profile()
    rule = profile.notice_for(meeting.type)
    return rule.is_satisfied(now, starts_at or meeting.starts_at, meeting.timezone)


def publish_meeting(actor: User, meeting: Meeting, *, short_notice_reason: str | None = None,
                    confirm_conflicts: bool = False, now: datetime | None = None) -> Meeting:
    """Publish a draft.

    Rules: only drafts; the start must be in the future; the minimum notice of the active rules profile
    must be met or a short-notice reason given (kept and shown publicly); overlapping meetings at the
    same venue or with the same host must be confirmed. Raises ShortNoticeReasonRequired,
    ConflictsNeedConfirmation, InvalidState, NotAllowed.
    """
    now = now or utcnow()
    if not permissions.can_edit_meeting(actor, meeting):
        raise NotAllowed()
    if not meeting.is_draft:
        raise InvalidState(_l("Only a draft can be published."))
    if meeting.starts_at <= now:
        raise InvalidState(_l("This meeting's start time has passed. Change the time before publishing."))
    reason = _clean(short_notice_reason)
    _check_reason_length(reason, "short_notice_reason")
    profile = active_profile()
    if not check_notice(meeting, now):
        if not reason:
            raise ShortNoticeReasonRequired(field="short_notice_reason")
    else:
        reason = ""
    conflicts = find_conflicts(meeting)
    if conflicts and not confirm_conflicts:
        raise ConflictsNeedConfirmation(conflicts)
    # Guard against a concurrent publish or cancel: only a row still in draft moves.
    updated = db.session.execute(
        sa.update(Meeting).where(Meeting.id == meeting.id, Meeting.status == MeetingStatus.DRAFT)
        .values(status=MeetingStatus.PUBLISHED, published_at=now, notice_profile=profile.code,
                short_notice_reason=reason or None, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if updated != 1:
        _fail(InvalidState(_l("Only a draft can be published.")))
    record_audit(actor, "meeting.publish", "meeting", meeting.id,
                 details={"profile": profile.code, "conflicts": [c.meeting.id for c in conflicts]},
                 reason=reason or None)
    db.session.commit()
    db.session.refresh(meeting)
    return meeting


def reschedule_meeting(actor: User, meeting: Meeting, schedule: Schedule, *, reason: str,
                       short_notice_reason: str | None = None, confirm_conflicts: bool = False,
                       now: datetime | None = None) -> Meeting:
    """Change the time or place of a published meeting.

    Rules: a reason (at most 500 characters) is required and shown publicly; the new start must be in
    the future; the notice rule is checked again against a new start (a short-notice reason of at most
    500 characters is then needed); overlapping meetings at the same venue or with the same host at the
    new time must be confirmed, as when publishing. SEQUENCE rises so calendars update, and registrants
    are told. Raises NotAllowed, InvalidState, ValidationFailed, ShortNoticeReasonRequired and
    ConflictsNeedConfirmation.
    """
    now = now or utcnow()
    if not permissions.can_edit_meeting(actor, meeting):
        raise NotAllowed()
    if not meeting.is_published:
        raise InvalidState(_l("Only a published meeting can be rescheduled; edit a draft directly."))
    reason = _clean(reason)
    if not reason:
        raise ValidationFailed(_l("Give the reason for the change; it is shown to the public."), field="reason")
    _check_reason_length(reason, "reason")
    before = _schedule_snapshot(meeting)
    old_start = meeting.starts_at
    short_reason = None
    try:
        _apply_schedule(meeting, schedule)
        if _schedule_snapshot(meeting) == before:
            raise ValidationFailed(_l("Nothing changed: give a new time or place."), field="starts_at")
        if meeting.starts_at <= now:
            raise ValidationFailed(_l("The new start must be in the future."), field="starts_at")
        if meeting.starts_at != old_start and not check_notice(meeting, now):
            short_reason = _clean(short_notice_reason)
            if not short_reason:
                raise ShortNoticeReasonRequired(field="short_notice_reason")
            _check_reason_length(short_reason, "short_notice_reason")
            meeting.short_notice_reason = short_reason
        conflicts = find_conflicts(meeting)
        if conflicts and not confirm_conflicts:
            raise ConflictsNeedConfirmation(conflicts)
    except DomainError as error:
        _fail(error)
    meeting.previous_starts_at = old_start if meeting.starts_at != old_start else meeting.previous_starts_at
    meeting.sequence += 1
    meeting.rescheduled_at = now
    meeting.reschedule_reason = reason
    details = {"before": before, "after": _schedule_snapshot(meeting)}
    if short_reason:
        details["short_notice_reason"] = short_reason
    if conflicts:
        details["conflicts"] = [c.meeting.id for c in conflicts]
    record_audit(actor, "meeting.reschedule", "meeting", meeting.id, details=details, reason=reason)
    from app.calendar.notifications import queue_meeting_change

    queue_meeting_change(meeting, "rescheduled")  # the registrants' notices commit with the change
    db.session.commit()
    return meeting


def cancel_meeting(actor: User, meeting: Meeting, *, reason: str, now: datetime | None = None) -> Meeting:
    """Cancel a draft or published meeting with a reason (at most 500 characters). A published meeting
    stays public, marked cancelled with the reason; a draft cancelled before publication never becomes
    public. Raises NotAllowed, InvalidState (already cancelled) and ValidationFailed."""
    now = now or utcnow()
    if not permissions.can_edit_meeting(actor, meeting):
        raise NotAllowed()
    if meeting.is_cancelled:
        raise InvalidState(_l("This meeting is already cancelled."))
    reason = _clean(reason)
    if not reason:
        raise ValidationFailed(_l("Give the reason for cancelling; it is shown to the public."), field="reason")
    _check_reason_length(reason, "reason")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = now
    meeting.cancel_reason = reason
    meeting.sequence += 1
    record_audit(actor, "meeting.cancel", "meeting", meeting.id, reason=reason)
    from app.calendar.notifications import queue_meeting_change

    queue_meeting_change(meeting, "cancelled")  # the registrants' notices commit with the change
    db.session.commit()
    return meeting
