"""Converting between meeting forms, service data and stored meetings (local times <-> UTC)."""
from __future__ import annotations

from app.meetings.forms import MeetingForm, RescheduleForm
from app.meetings.models import Meeting
from app.meetings.services import AgendaEntry, MeetingData, Schedule
from app.timezones import utc_to_local


def _local_naive(value, tz_name):
    return utc_to_local(value, tz_name).replace(tzinfo=None) if value else None


def schedule_from_form(form) -> Schedule:
    return Schedule(
        timezone=form.timezone.data,
        starts_local=form.starts_at.data,
        ends_local=form.ends_at.data,
        venue_name=form.venue_name.data or "",
        address=form.address.data or "",
        online_url=form.online_url.data or "",
    )


def meeting_data_from_form(form: MeetingForm) -> MeetingData:
    return MeetingData(
        type=form.type.data,
        title=form.title.data,
        summary=form.summary.data or "",
        purpose=form.purpose.data or "",
        department_id=form.department_id.data,
        district_id=form.district_id.data,
        host_ids=list(form.host_ids.data or []),
        host_note=form.host_note.data or "",
        schedule=schedule_from_form(form),
        registration_required=bool(form.registration_required.data),
        capacity=form.capacity.data,
        registration_opens_local=form.registration_opens_at.data,
        registration_closes_local=form.registration_closes_at.data,
        agenda=[
            AgendaEntry(title=row.title.data, description=row.description.data or "",
                        presenter=row.presenter.data or "", duration_minutes=row.duration_minutes.data)
            for row in form.agenda_entries()
        ],
    )


def _schedule_values(meeting: Meeting) -> dict:
    tz = meeting.timezone
    return {
        "timezone": tz,
        "starts_at": _local_naive(meeting.starts_at, tz),
        "ends_at": _local_naive(meeting.ends_at, tz),
        "venue_name": meeting.venue_name,
        "address": meeting.address,
        "online_url": meeting.online_url,
    }


def form_from_meeting(meeting: Meeting) -> dict:
    """Keyword arguments that prefill a MeetingForm from a stored meeting."""
    tz = meeting.timezone
    values = _schedule_values(meeting)
    values.update(
        type=meeting.type.value,
        title=meeting.title,
        summary=meeting.summary,
        purpose=meeting.purpose,
        department_id=meeting.department_id,
        district_id=meeting.district_id,
        host_ids=[host.id for host in meeting.hosts],
        host_note=meeting.host_note,
        registration_required=meeting.registration_required,
        capacity=meeting.capacity,
        registration_opens_at=_local_naive(meeting.registration_opens_at, tz),
        registration_closes_at=_local_naive(meeting.registration_closes_at, tz),
        agenda=[
            {"position": item.position, "title": item.title, "presenter": item.presenter,
             "duration_minutes": item.duration_minutes, "description": item.description}
            for item in meeting.agenda_items
        ],
    )
    return values


def schedule_into_form(meeting: Meeting, form: RescheduleForm) -> None:
    for name, value in _schedule_values(meeting).items():
        getattr(form, name).data = value
