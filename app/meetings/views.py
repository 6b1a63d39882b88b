"""Public meeting pages: the upcoming list, the archive and one meeting."""
from flask import render_template, request

from app.accounts import queries as account_queries
from app.meetings import bp
from app.meetings import queries as meeting_queries
from app.meetings.models import MeetingType
from app.security import public
from app.site.cache import cached_public_page


@bp.get("/")
@bp.get("/meetings")
@public
@cached_public_page
def index():
    filters = meeting_queries.MeetingFilters.from_args(request.args)
    page = meeting_queries.list_public_meetings(filters)
    return render_template(
        "meetings/index.html",
        page=page,
        filters=filters,
        meeting_types=list(MeetingType),
        districts=account_queries.list_districts(),
        departments=account_queries.list_departments(),
    )


@bp.get("/meetings/<int:meeting_id>")
@public
@cached_public_page
def detail(meeting_id: int):
    from app.actions import queries as action_queries
    from app.minutes import queries as minutes_queries
    from app.questions import queries as question_queries
    from app.registrations import queries as registration_queries

    meeting = meeting_queries.get_public_meeting_or_404(meeting_id)
    counts = registration_queries.count_registrations(meeting.id)
    questions = question_queries.meeting_questions_summary(meeting)
    return render_template("meetings/detail.html", meeting=meeting, preview=False, counts=counts,
                           questions=questions, minutes_published=minutes_queries.has_published_minutes(meeting.id),
                           action_items=action_queries.list_meeting_action_items(meeting.id))
