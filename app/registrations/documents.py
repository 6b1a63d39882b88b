"""Files about registrations: the registrants CSV (staff), the ticket and the sign-in sheet PDFs."""
from __future__ import annotations

from flask import Response
from flask_babel import gettext as _

from app.csvexport import csv_response
from app.http import attachment_disposition
from app.i18n import local_datetime, localized_name, tz_label
from app.meetings.models import Meeting
from app.registrations import queries as registration_queries
from app.registrations.models import Registration
from app.timezones import utc_to_local
from app.urls import external_url


def _file_stem(meeting: Meeting) -> str:
    day = utc_to_local(meeting.starts_at, meeting.timezone).strftime("%Y-%m-%d")
    return f"{day} {meeting.title}"[:120]


def registrants_csv_response(meeting: Meeting) -> Response:
    header = [_("Code"), _("Name"), _("Email"), _("Mobile number"), _("District or neighbourhood"), _("Status"),
              _("Channel"), _("Registered at"), _("Checked in at"), _("Needs")]
    tz = meeting.timezone

    def rows():
        for r in registration_queries.iter_registrants(meeting.id):
            yield [r.code, r.name, r.email, r.mobile, r.neighbourhood, r.status.label, r.channel.label,
                   local_datetime(r.created_at, tz, "short"),
                   local_datetime(r.checked_in_at, tz, "short") if r.checked_in_at else "",
                   "; ".join(r.needs)]

    label = _("registrants")
    return csv_response(f"{_file_stem(meeting)} {label}.csv", header, rows())


def _pdf_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = attachment_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def _place(meeting: Meeting) -> str:
    parts = [p for p in (meeting.venue_name, meeting.address) if p]
    if meeting.online_url:
        parts.append(meeting.online_url)
    return ", ".join(parts)


def check_in_payload(meeting: Meeting, registration: Registration) -> str:
    """What the ticket's QR code holds: the staff check-in page for this code. Scanning it with a
    staff phone opens the registrant ready to check in; a USB scanner types it into the search."""
    return external_url("registrations_manage.check_in", meeting_id=meeting.id, q=registration.code)


def _time_text(meeting: Meeting) -> str:
    from app.i18n import local_time

    text = local_time(meeting.starts_at, meeting.timezone)
    if meeting.ends_at:
        text += " – " + local_time(meeting.ends_at, meeting.timezone)
    return text


def _date_text(meeting: Meeting) -> str:
    from app.i18n import local_date

    return local_date(meeting.starts_at, meeting.timezone, "full")


def ticket_response(registration: Registration) -> Response:
    """The registrant's ticket: meeting details, their code and a QR code of the check-in link."""
    from app.registrations.queries import waitlist_position
    from app.reports.pdf.ticket import TicketData, TicketStatus, build_ticket

    meeting = registration.meeting
    status = TicketStatus.CONFIRMED if registration.status == "confirmed" else TicketStatus.WAITLISTED
    data = TicketData(
        meeting_title=meeting.title, meeting_type=str(meeting.type.label), date_text=_date_text(meeting),
        time_text=_time_text(meeting), timezone_label=tz_label(meeting.timezone, meeting.starts_at),
        organiser=localized_name(meeting.department), attendee_name=registration.name, code=registration.code,
        checkin_payload=check_in_payload(meeting, registration), place=meeting.venue_name,
        address=meeting.address, online_url=meeting.online_url, status=status,
        waitlist_position=waitlist_position(registration), accommodations=tuple(registration.needs),
    )
    label = _("ticket")
    return _pdf_response(build_ticket(data), f"{_file_stem(meeting)} {label} {registration.code}.pdf")


def signin_sheet_response(meeting: Meeting) -> Response:
    """签到表: one row per confirmed registrant in queue order, then blank rows for walk-ins."""
    from app.reports.pdf.signin_sheet import SigninSheetData, build_signin_sheet

    data = SigninSheetData(
        meeting_title=meeting.title, meeting_type=str(meeting.type.label), date_text=_date_text(meeting),
        time_text=_time_text(meeting), timezone_label=tz_label(meeting.timezone, meeting.starts_at), place=_place(meeting),
        organiser=localized_name(meeting.department),
        registrants=tuple(registration_queries.list_confirmed_for_sheet(meeting.id)),
    )
    label = _("sign-in sheet")
    return _pdf_response(build_signin_sheet(data), f"{_file_stem(meeting)} {label}.pdf")
