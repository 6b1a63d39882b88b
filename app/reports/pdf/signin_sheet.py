"""The sign-in sheet (签到表) staff print for the door: registrants in order, then blank walk-in rows.

Printed in black and white and written on by hand: ruled rows tall enough for a signature, the
meeting's details and the column headings repeated on every page, and no row split across pages.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from app.reports.pdf.base import CONTENT_WIDTH, PageSetup, render_pdf
from app.reports.pdf.elements import LINE, data_table, para, styles, table_style

DEFAULT_WALK_IN_ROWS = 10
ROW_HEIGHT = 11 * mm  # room for a handwritten signature
COLUMN_WIDTHS = (14 * mm, 44 * mm, 46 * mm, CONTENT_WIDTH - 104 * mm)


@dataclass(frozen=True)
class SigninSheetData:
    """The meeting's details (strings formatted by the caller in the meeting's time zone) and the
    confirmed registrants as (name, district or neighbourhood) pairs, in the order to print them."""

    meeting_title: str
    meeting_type: str
    date_text: str
    time_text: str
    timezone_label: str
    place: str
    organiser: str
    registrants: Sequence[tuple[str, str | None]] = field(default_factory=tuple)
    walk_in_rows: int = DEFAULT_WALK_IN_ROWS
    generated_on: str | None = None
    watermark: str | None = None


def build_signin_sheet(data: SigninSheetData) -> bytes:
    """The sign-in sheet as PDF bytes: one numbered row per registrant, then `walk_in_rows` blank rows."""
    if data.walk_in_rows < 0:
        raise ValueError("walk_in_rows must not be negative")
    when = " ".join(part for part in (data.date_text, data.time_text) if part)
    if data.timezone_label:
        when = f"{when} ({data.timezone_label})" if when else data.timezone_label
    setup = PageSetup(
        document_title=_("Sign-in sheet"),
        title=data.meeting_title,
        details=(
            (_("Type"), data.meeting_type),
            (_("Date and time"), when),
            (_("Place"), data.place),
            (_("Organiser"), data.organiser),
            (_("Registered"), str(len(data.registrants))),
            (_("Walk-in rows"), str(data.walk_in_rows)),
        ),
        generated_on=data.generated_on,
        watermark=data.watermark,
        subject=_("Sign-in sheet"),
    )
    return render_pdf([_table(data), Spacer(1, 6 * mm), _sign_off()], setup)


def _table(data: SigninSheetData) -> Table:
    s = styles()
    rows: list[list[object]] = [
        [str(number), name, district or "", ""]
        for number, (name, district) in enumerate(data.registrants, start=1)
    ]
    first_walk_in = len(rows) + 1
    rows += [[str(number), "", "", ""] for number in range(first_walk_in, first_walk_in + data.walk_in_rows)]
    table = data_table(
        [_("No."), _("Name"), _("District / neighbourhood"), _("Signature")],
        rows,
        COLUMN_WIDTHS,
        min_row_height=ROW_HEIGHT,
        cell_styles=[s.cell_center, s.cell, s.cell, s.cell],
        max_cell_chars=120,
    )
    if data.registrants and data.walk_in_rows:
        # A heavier rule where the walk-in rows begin.
        table.setStyle(TableStyle([("LINEABOVE", (0, first_walk_in), (-1, first_walk_in), 1.6, LINE)]))
    return table


def _sign_off() -> KeepTogether:
    """Totals and the recorder's name, filled in by hand after the meeting."""
    s = styles()
    labels = [_("Total present"), _("Walk-ins"), _("Recorded by")]
    cells = [part for label in labels for part in (para(label, s.body), "")]
    label_width, line_width = 24 * mm, CONTENT_WIDTH / 3 - 24 * mm - 4 * mm
    table = Table([cells], colWidths=[label_width, line_width + 4 * mm] * 3, hAlign="LEFT")
    table.setStyle(table_style(
        [("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]
        + [("LINEBELOW", (col, 0), (col, 0), 0.6, LINE) for col in (1, 3, 5)]
        + [("RIGHTPADDING", (col, 0), (col, 0), 4 * mm) for col in (1, 3, 5)]
    ))
    return KeepTogether([table])
