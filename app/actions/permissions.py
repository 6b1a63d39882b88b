"""Who may do what with an action item. Predicates only: loaded attributes, no queries."""
from __future__ import annotations

from app.meetings.permissions import is_meeting_staff
from app.security import Role


def _is_staff(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.role in tuple(Role))


def can_create_action_item(user, meeting=None, department_id: int | None = None) -> bool:
    """Officials and admins create items (for a meeting: only its staff). Clerks create items owned by their
    own department, directly or for their own department's meetings. `department_id` is the owning
    department once chosen (None: not chosen yet, as when deciding whether to show the link)."""
    if not _is_staff(user):
        return False
    if user.role == Role.CLERK:
        if user.department_id is None:
            return False
        if meeting is not None and meeting.department_id != user.department_id:
            return False
        return department_id is None or department_id == user.department_id
    return meeting is None or is_meeting_staff(user, meeting)


def can_manage_action_item(user, item) -> bool:
    """The responsible official, officials of the owning department, and admins; clerks of the owning
    department may post progress updates only (see can_post_action_update)."""
    if not _is_staff(user):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.OFFICIAL:
        return False
    return item.responsible_id == user.id or item.department_id == user.department_id


def can_post_action_update(user, item) -> bool:
    if can_manage_action_item(user, item):
        return True
    return _is_staff(user) and user.role == Role.CLERK and item.department_id == user.department_id
