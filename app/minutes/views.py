"""The public minutes page: the current published version, its fingerprint and the history."""
from flask import render_template

from app.meetings import queries as meeting_queries
from app.meetings.models import MeetingType
from app.minutes import bp
from app.minutes import queries as minutes_queries
from app.minutes.presenting import diff_contents, sections
from app.security import public
from app.site.cache import cached_public_page


@bp.get("/meetings/<int:meeting_id>/minutes")
@public
@cached_public_page
def show(meeting_id: int):
    meeting = meeting_queries.get_public_meeting_or_404(meeting_id)
    published = minutes_queries.get_public_minutes(meeting.id)
    history = []
    chain = ([published.current] + published.earlier) if published.current else []
    for newer, older in zip(chain, chain[1:]):
        history.append((older, newer, diff_contents(older.content, newer.content, meeting.timezone)))
    record = None
    if published.current and meeting.type == MeetingType.HEARING:
        record = minutes_queries.get_hearing_record(meeting.id)
    return render_template(
        "minutes/show.html", meeting=meeting, published=published, history=history,
        sections=sections(published.current.content, meeting.timezone) if published.current else [],
        record=record if record and record.is_complete else None,
    )
