"""Who may do what with a meeting. Predicates only: no queries beyond loaded attributes."""
from __future__ import annotations

from app.security import Role


def _is_staff(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in tuple(Role))


def can_create_meeting(user) -> bool:
    return _is_staff(user) and user.role in (Role.ADMIN, Role.OFFICIAL)


def is_meeting_staff(user, meeting) -> bool:
    """Staff of the meeting: its department's officials and clerks, its creator and hosts, and admins."""
    if not _is_staff(user):
        return False
    if user.role == Role.ADMIN:
        return True
    if meeting.created_by_id == user.id or meeting.department_id == user.department_id:
        return True
    return any(host.id == user.id for host in meeting.hosts)


def can_view_meeting_admin(user, meeting) -> bool:
    return is_meeting_staff(user, meeting)


def can_edit_meeting(user, meeting) -> bool:
    return is_meeting_staff(user, meeting) and user.role in (Role.ADMIN, Role.OFFICIAL)
