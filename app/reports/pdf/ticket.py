"""The attendee's admission ticket: one A4 page with the registration code and a check-in QR code.

The ticket is private to the attendee (it lists accommodation needs), so it is only ever served to
the person holding the registration's manage link, or to the meeting's staff.
"""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, Spacer, Table

from app.reports.pdf.base import CONTENT_WIDTH, PageSetup, render_pdf
from app.reports.pdf.elements import (
    HEADER_FILL,
    LINE,
    bullets,
    clip,
    field_table,
    para,
    qr_code,
    styles,
    table_style,
)

QR_SIZE = 46 * mm
FIELD_MAX_CHARS = 300
URL_MAX_CHARS = 500


class TicketStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"


@dataclass(frozen=True)
class TicketData:
    """Everything printed on a ticket, already formatted by the caller.

    Dates and times are strings in the meeting's time zone (`timezone_label` names it); the meeting
    type is its translated label. `checkin_payload` is what the QR code encodes. Give `place` and/or
    `address` for a meeting in person, `online_url` for one online (or both).
    """

    meeting_title: str
    meeting_type: str
    date_text: str
    time_text: str
    timezone_label: str
    organiser: str
    attendee_name: str
    code: str
    checkin_payload: str
    place: str = ""
    address: str = ""
    online_url: str = ""
    status: TicketStatus = TicketStatus.CONFIRMED
    waitlist_position: int | None = None
    accommodations: Sequence[str] = field(default_factory=tuple)
    generated_on: str | None = None
    watermark: str | None = None


def build_ticket(data: TicketData) -> bytes:
    """The ticket as PDF bytes: always exactly one page (long texts are clipped, then shrunk to fit)."""
    status = TicketStatus(data.status)
    setup = PageSetup(
        document_title=_("Admission ticket"),
        title=data.meeting_title,
        title_in_header=False,
        generated_on=data.generated_on,
        watermark=data.watermark,
        subject=_("Admission ticket"),
    )
    story = [_card(data, status)]
    if data.accommodations:
        story += _accommodations(data.accommodations)
    story += _instructions(status)
    # 0 x 0 means "the frame's size": whatever does not fit is shrunk, never pushed to a second page.
    return render_pdf([KeepInFrame(0, 0, story, mode="shrink")], setup)


def _card(data: TicketData, status: TicketStatus) -> Table:
    s = styles()
    width = CONTENT_WIDTH
    right = QR_SIZE + 8 * mm
    left = width - right
    when = " ".join(part for part in (data.date_text, data.time_text) if part)
    fields = [
        (_("Date and time"), when),
        (_("Time zone"), data.timezone_label),
        (_("Place"), clip(data.place, FIELD_MAX_CHARS)),
        (_("Address"), clip(data.address, FIELD_MAX_CHARS)),
        (_("Online"), clip(data.online_url, URL_MAX_CHARS)),
        (_("Organiser"), clip(data.organiser, FIELD_MAX_CHARS)),
        (_("Attendee"), para(clip(data.attendee_name, FIELD_MAX_CHARS), s.body_bold)),
    ]
    details = field_table(fields, [24 * mm, left - 24 * mm - 8 * mm])
    code_block = [
        qr_code(data.checkin_payload, QR_SIZE),
        para(_("Registration code"), s.label_center),
        para(clip(data.code, 40), s.code),
    ]
    rows = [
        [para(data.meeting_type, s.kicker), ""],
        [para(clip(data.meeting_title, FIELD_MAX_CHARS), s.title), ""],
        [details, code_block],
        [_status_block(data, status), ""],
    ]
    card = Table(rows, colWidths=[left, right], hAlign="LEFT")
    card.setStyle(table_style([
        ("SPAN", (0, 0), (1, 0)),
        ("SPAN", (0, 1), (1, 1)),
        ("SPAN", (0, 3), (1, 3)),
        ("BOX", (0, 0), (-1, -1), 1.2, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 2), (1, 2), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6 * mm),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
        ("LEFTPADDING", (1, 2), (1, 2), 0),
        ("TOPPADDING", (0, 0), (-1, 0), 5 * mm),
        ("TOPPADDING", (0, 1), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
        ("LINEABOVE", (0, 3), (-1, 3), 0.6, LINE),
        ("BACKGROUND", (0, 3), (-1, 3), HEADER_FILL),
        ("TOPPADDING", (0, 3), (-1, 3), 3 * mm),
        ("BOTTOMPADDING", (0, 3), (-1, 3), 3 * mm),
    ]))
    return card


def _status_block(data: TicketData, status: TicketStatus) -> list:
    s = styles()
    if status is TicketStatus.CONFIRMED:
        headline = _("Confirmed: your seat is reserved")
        note = _("Please arrive 15 minutes before the start. If you cannot come, cancel with the link "
                 "in your confirmation so that someone on the waiting list can take your seat.")
    else:
        if data.waitlist_position:
            headline = _("Waiting list: number %(position)d", position=data.waitlist_position)
        else:
            headline = _("Waiting list")
        note = _("You do not have a seat yet. We will tell you if one becomes free; this ticket "
                 "admits you only once your registration is confirmed.")
    return [para(headline, s.status), para(note, s.small_ink)]


def _accommodations(needs: Sequence[str]) -> list:
    s = styles()
    return [
        Spacer(1, 5 * mm),
        para(_("Accommodation you asked for"), s.heading),
        *bullets([clip(need, FIELD_MAX_CHARS) for need in needs], s.body),
        para(_("Only you and the meeting's staff can see this."), s.small),
    ]


def _instructions(status: TicketStatus) -> list:
    s = styles()
    return [
        Spacer(1, 5 * mm),
        para(_("At the entrance"), s.heading),
        para(_("Bring this ticket, printed or on your phone, or tell the staff your registration code. "
               "Staff scan the QR code or look up the code to check you in."), s.body),
        para(_("This ticket is for you only and contains personal information: please do not share it."),
             s.small),
    ]
