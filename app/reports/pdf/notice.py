"""The public notice (公告) for community notice boards: one A4 page (or more for a long agenda),
legible from a distance, with a QR code to the meeting's page beside the time and place, so that it is
on the first page whatever follows."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, KeepTogether, Spacer, Table

from app.reports.pdf.base import CONTENT_WIDTH, PageSetup, render_pdf
from app.reports.pdf.elements import RULE, bullets, clip, para, qr_code, styles, table_style

TEMPLATE_VERSION = "notice-2"
MIN_SCALE = 0.8  # the smallest text then is 10 pt, the title 21 pt
QR_SIZE = 40 * mm
QR_COLUMN = QR_SIZE + 6 * mm
TITLE_MAX_CHARS = 200


@dataclass(frozen=True)
class NoticeData:
    """The notice's content as display strings (times already in the meeting's time zone)."""

    meeting_title: str
    meeting_type: str
    when_text: str
    place: str
    online_url: str
    organiser: str
    meeting_url: str
    summary: str = ""
    agenda: Sequence[str] = ()
    registration: str = ""       # how to register, with the URL and the deadline
    questions: str = ""          # how to ask questions
    accommodations: str = ""     # how to request accommodations and by when
    short_notice_reason: str = ""
    generated_on: str | None = None


@dataclass(frozen=True)
class _NoticeStyles:
    title: ParagraphStyle
    big: ParagraphStyle
    label: ParagraphStyle
    fact_label: ParagraphStyle
    text: ParagraphStyle


def _notice_styles() -> _NoticeStyles:
    s = styles()
    return _NoticeStyles(
        title=ParagraphStyle("th-notice-title", parent=s.title, fontSize=26, leading=34, alignment=TA_CENTER,
                             spaceAfter=4 * mm),
        big=ParagraphStyle("th-notice-big", parent=s.body, fontSize=15, leading=21, spaceAfter=1 * mm),
        label=ParagraphStyle("th-notice-label", parent=s.kicker, fontSize=14, leading=20, spaceBefore=2 * mm),
        fact_label=ParagraphStyle("th-notice-fact-label", parent=s.label, fontSize=11, leading=21),
        text=ParagraphStyle("th-notice-text", parent=s.body, fontSize=12.5, leading=18),
    )


def build_notice(data: NoticeData) -> bytes:
    """The notice as PDF bytes. A notice board shows one sheet: a notice that spills over a little is
    shrunk onto one page (down to MIN_SCALE, still legible); a longer one flows onto more pages, its QR
    code and the facts on the first."""
    setup = PageSetup(document_title=_("Public notice"), title=data.meeting_title, title_in_header=False,
                      generated_on=data.generated_on, subject=_("Public notice"))
    # 0 x 0 means "the frame's size"; its _scale (how many times smaller it drew) is known after layout.
    fitted = KeepInFrame(0, 0, _story(data, one_page=True), mode="shrink")
    pdf = render_pdf([fitted], setup)
    if 1 / getattr(fitted, "_scale", 1.0) >= MIN_SCALE:
        return pdf
    return render_pdf(_story(data, one_page=False), setup)


def _story(data: NoticeData, *, one_page: bool) -> list[Flowable]:
    """The notice's flowables; on more pages, a heading stays with its text (on one page nothing splits,
    and KeepInFrame cannot draw KeepTogether)."""

    def together(parts: list[Flowable]) -> list[Flowable]:
        return parts if one_page else [KeepTogether(parts)]

    ns = _notice_styles()
    story: list[Flowable] = [
        para(data.meeting_type, ParagraphStyle("th-notice-type", parent=ns.label, alignment=TA_CENTER)),
        para(clip(data.meeting_title, TITLE_MAX_CHARS), ns.title),
    ]
    facts = _facts([(_("When"), data.when_text), (_("Where"), data.place), (_("Online"), data.online_url),
                    (_("Organiser"), data.organiser), (_("Web page"), data.meeting_url)], ns,
                   CONTENT_WIDTH - QR_COLUMN)
    story.append(_beside_qr(facts, data))
    if data.short_notice_reason:
        story += together([para(_("Published at short notice"), ns.label), para(data.short_notice_reason, ns.text)])
    if data.summary:
        story += [Spacer(1, 2 * mm), para(data.summary, ns.text)]
    if data.agenda:
        story += [para(_("Agenda"), ns.label), *bullets(data.agenda, ns.big)]
    how = [(_("How to register"), data.registration), (_("How to ask questions"), data.questions),
           (_("Accommodations"), data.accommodations)]
    story.append(Spacer(1, 3 * mm))
    for label, text in how:
        if text:
            story += together([para(label, ns.label), para(text, ns.text)])
    return story


def _facts(rows: list[tuple[str, str]], ns: _NoticeStyles, width: float) -> Table:
    label_width = 24 * mm
    table = Table([[para(label, ns.fact_label), para(value, ns.big)] for label, value in rows if value],
                  colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * mm),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
    ]))
    return table


def _beside_qr(facts: Table, data: NoticeData) -> Table:
    """The facts on the left, the QR code to the meeting's page with what it is for on the right."""
    s = styles()
    caption = ParagraphStyle("th-notice-qr-caption", parent=s.label_center, fontSize=9.5, leading=13)
    code = [qr_code(data.meeting_url, QR_SIZE), para(_("Scan for details, registration and questions"), caption)]
    table = Table([[facts, code]], colWidths=[CONTENT_WIDTH - QR_COLUMN, QR_COLUMN], hAlign="LEFT")
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (0, 0), 4 * mm),
        ("RIGHTPADDING", (1, 0), (1, 0), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("ALIGN", (1, 0), (1, 0), "CENTER"),
    ]))
    return table
