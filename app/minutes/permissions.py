"""Who may do what with minutes and hearing records. Predicates on loaded attributes only."""
from __future__ import annotations

from app.meetings.permissions import is_meeting_staff
from app.security import Role


def can_view_minutes_admin(user, meeting) -> bool:
    return is_meeting_staff(user, meeting)


def can_edit_minutes(user, meeting) -> bool:
    """Clerks and officials of the meeting (and admins) write drafts and corrections."""
    return is_meeting_staff(user, meeting)


def can_review_minutes(user, meeting) -> bool:
    """Officials of the meeting and admins approve, send back and publish."""
    return is_meeting_staff(user, meeting) and user.role in (Role.ADMIN, Role.OFFICIAL)


def can_approve_version(user, meeting, version) -> bool:
    """A reviewer who did not submit this version themselves."""
    return can_review_minutes(user, meeting) and version.submitted_by_id != user.id


def can_note_refusal(user, record) -> bool:
    """A refusal to sign the hearing record is noted by the record's presiding official, nobody else
    (not another official, not an administrator)."""
    return (record is not None and record.presiding_official_id is not None
            and getattr(user, "is_authenticated", False) and user.id == record.presiding_official_id
            and is_meeting_staff(user, record.meeting))
