"""Downloads of the meeting summary (public once minutes are published; a watermarked draft for staff)
and of the public notice (公告)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.meetings import permissions as meeting_permissions
from app.meetings import queries as meeting_queries
from app.reports import bp, documents, manage_bp
from app.security import Role, public, role_required

STAFF = (Role.ADMIN, Role.OFFICIAL, Role.CLERK)


@bp.get("/meetings/<int:meeting_id>/summary.pdf")
@public
def summary(meeting_id: int):
    """404 until minutes are published."""
    meeting = meeting_queries.get_public_meeting_or_404(meeting_id)
    response = documents.summary_response(meeting, draft=False)
    if response is None:
        abort(404)
    return response


@bp.get("/meetings/<int:meeting_id>/notice.pdf")
@public
def notice(meeting_id: int):
    """Published (not cancelled) meetings only: a notice is for announcing the meeting."""
    meeting = meeting_queries.get_public_meeting_or_404(meeting_id)
    if not meeting.is_published:
        abort(404)
    return documents.notice_response(meeting)


@manage_bp.get("/<int:meeting_id>/summary-draft.pdf")
@role_required(*STAFF)
def summary_draft(meeting_id: int):
    meeting = meeting_queries.get_meeting_or_404(meeting_id)
    if not meeting_permissions.is_meeting_staff(current_user, meeting):
        abort(403)
    return documents.summary_response(meeting, draft=True)
