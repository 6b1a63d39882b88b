"""Who may do what with a meeting's questions. Predicates only: no queries beyond loaded attributes."""
from __future__ import annotations

from app.meetings.permissions import is_meeting_staff
from app.security import Role


def can_moderate_questions(user, meeting) -> bool:
    """Moderators: the meeting's officials and clerks (and admins). They approve, reject, edit, merge,
    enter questions from other channels, run the live console and change the question settings."""
    return is_meeting_staff(user, meeting)


def can_answer_questions(user, meeting) -> bool:
    """Written responses and outcomes come from the meeting's officials (and admins), not clerks."""
    return is_meeting_staff(user, meeting) and user.role in (Role.ADMIN, Role.OFFICIAL)
