"""The staff dashboard: my meetings (drafts included) and what needs attention."""
from flask import render_template
from flask_login import current_user

from app.dashboard import manage_bp as bp
from app.meetings import permissions
from app.meetings import queries as meeting_queries
from app.security import Role, role_required


@bp.get("/")
@role_required(Role.ADMIN, Role.OFFICIAL, Role.CLERK)
def index():
    from app.actions import queries as action_queries
    from app.minutes import queries as minutes_queries
    from app.questions import queries as question_queries

    mine = meeting_queries.list_staff_meetings(current_user, mine_only=True, per_page=10)
    drafts = meeting_queries.list_staff_meetings(current_user, status="draft", per_page=10)
    overdue = question_queries.list_overdue_questions(current_user, per_page=10)
    overdue_minutes = minutes_queries.list_overdue_minutes(current_user, per_page=10)
    return render_template("dashboard/index.html", mine=mine, drafts=drafts, overdue=overdue,
                           overdue_minutes=overdue_minutes,
                           action_lists=action_queries.staff_action_lists(current_user, limit=10),
                           can_create=permissions.can_create_meeting(current_user))
