"""The meeting summary (会议纪要摘要): what happened and what will be done, from plain data.

Sections: details, attendance (with a bar chart), agenda with the approved minutes text, decisions
and votes per item, the most-voted questions with responses and outcomes, a count of the other
questions by topic (with a chart), the follow-up action items table, and the minutes version and
SHA-256. The builder never sees models or personal data: the caller passes only public fields.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer

from app.reports.pdf.base import CONTENT_WIDTH, PageSetup, render_pdf
from app.reports.pdf.elements import (INK, MUTED, RULE, bullets, clip, data_table_in_full, field_table,
                                      label_value, label_value_markup, para, rich, escape, styles)
from app.reports.pdf.fonts import cjk_font, replace_missing_glyphs

TEMPLATE_VERSION = "summary-2"
CHART_LABEL_MAX_CHARS = 26
ACTION_CELL_MAX_CHARS = 300  # longer cells are printed in full below their row
ACTION_COLUMN_WIDTHS = (46 * mm, 34 * mm, 22 * mm, 20 * mm, CONTENT_WIDTH - 122 * mm)


@dataclass(frozen=True)
class SummaryItem:
    """One agenda item: its title, the minutes text for it and its decisions (lines, translated)."""

    title: str
    text: str = ""
    decisions: Sequence[Sequence[str]] = ()


@dataclass(frozen=True)
class SummaryQuestion:
    body: str
    votes: int
    topic: str
    outcome: str = ""
    response: str = ""


@dataclass(frozen=True)
class SummaryAction:
    title: str
    department: str
    official: str
    due: str
    status: str
    latest_update: str = ""


@dataclass(frozen=True)
class SummaryData:
    """Everything the summary prints, as display strings (times already in the meeting's zone)."""

    meeting_title: str
    meeting_type: str
    when_text: str
    place: str
    hosts: str
    organiser: str
    registered: int = 0   # registered in advance (web or phone) with a seat
    checked_in: int = 0   # of those, how many checked in
    walk_ins: int = 0     # came without registering (never counted in `registered`)
    citizens_present: int | None = None  # as the minutes record it
    minutes_version: int | None = None
    minutes_sha256: str = ""
    minutes_status: str = ""
    presiding: str = ""
    recorder: str = ""
    items: Sequence[SummaryItem] = ()
    top_questions: Sequence[SummaryQuestion] = ()
    other_questions: Sequence[tuple[str, int]] = ()  # (topic, count), largest first
    question_total: int = 0
    actions: Sequence[SummaryAction] = field(default_factory=tuple)
    generated_on: str | None = None
    watermark: str | None = None


def build_summary(data: SummaryData) -> bytes:
    """The summary as PDF bytes."""
    setup = PageSetup(
        document_title=_("Meeting summary"),
        title=data.meeting_title,
        details=((_("Type"), data.meeting_type), (_("Date and time"), data.when_text)),
        generated_on=data.generated_on,
        watermark=data.watermark,
        subject=_("Meeting summary"),
    )
    story: list[Flowable] = []
    story += _details(data)
    story += _attendance(data)
    story += _agenda(data)
    story += _questions(data)
    story += _actions(data)
    story += _record(data)
    return render_pdf(story, setup)


def heading(text: str) -> Flowable:
    return para(text, styles().heading)


def _details(data: SummaryData) -> list[Flowable]:
    s = styles()
    return [heading(_("Meeting details")), field_table([
        (_("Title"), data.meeting_title),
        (_("Type"), data.meeting_type),
        (_("Date and time"), data.when_text),
        (_("Place"), data.place),
        (_("Hosted by"), data.hosts),
        (_("Organiser"), data.organiser),
        (_("Presiding"), data.presiding),
        (_("Recorded by"), data.recorder),
    ], (28 * mm, CONTENT_WIDTH - 28 * mm), value_style=s.body)]


def _attendance(data: SummaryData) -> list[Flowable]:
    s = styles()
    block: list[Flowable] = [heading(_("Attendance"))]
    bars = [(_("Registered"), data.registered), (_("Checked in"), data.checked_in), (_("Walk-ins"), data.walk_ins)]
    if any(value for _label, value in bars):
        figures = "\u3000".join(label_value(label, value) for label, value in
                                bars + [(_("Total present"), data.checked_in + data.walk_ins)])
        note = _("Registered counts those who registered in advance (web or phone), checked in those of them "
                 "who came; walk-ins came without registering.")
        block += [para(figures, s.body), para(note, s.small), bar_chart(bars)]
    else:
        block.append(para(_("No registrations or check-ins were recorded for this meeting."), s.body))
    if data.citizens_present:
        block.append(para(label_value(_("Citizens present, as recorded in the minutes"), data.citizens_present),
                          s.body))
    return [KeepTogether(block)]


def _agenda(data: SummaryData) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [heading(_("Agenda and minutes"))]
    if not data.items:
        story.append(para(_("No agenda items were recorded."), s.small))
    for number, item in enumerate(data.items, start=1):
        story.append(CondPageBreak(25 * mm))
        story.append(para(f"{number}. {item.title}", s.body_bold))
        if item.text:
            story.append(para(item.text, s.body))
        for index, lines in enumerate(item.decisions, start=1):
            story.append(para(_("Decision %(num)d", num=index), s.kicker))
            story += bullets(lines, s.small_ink)
    return story


def _questions(data: SummaryData) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [CondPageBreak(30 * mm), heading(_("Questions from the public"))]
    story.append(para(ngettext("%(num)d question was published.", "%(num)d questions were published.",
                               data.question_total) + " " + _("Askers' names are not printed."), s.small))
    if data.top_questions:
        story.append(para(_("Most-voted questions"), s.body_bold))
    for number, question in enumerate(data.top_questions, start=1):
        meta = " · ".join(part for part in (
            ngettext("%(num)d vote", "%(num)d votes", question.votes), question.topic,
            _("Outcome: %(outcome)s", outcome=question.outcome) if question.outcome else _("No outcome yet"))
            if part)
        block = [rich(f"<b>{number}.</b> {escape(question.body)}", s.body), para(meta, s.small)]
        if question.response:
            label = _("Response")
            block.append(rich(label_value_markup(f"<b>{escape(label)}</b>", escape(question.response)), s.small_ink))
        block.append(Spacer(1, 1.5 * mm))
        story.append(KeepTogether(block))  # splits anyway when taller than a page
    if data.other_questions:
        rest = sum(count for _topic, count in data.other_questions)
        story.append(KeepTogether([
            para(ngettext("The other question, by topic", "The other %(num)d questions, by topic", rest),
                 s.body_bold),
            para("\u3000".join(label_value(topic, count) for topic, count in data.other_questions), s.small_ink),
            bar_chart(list(data.other_questions)),
        ]))
    return story


def _actions(data: SummaryData) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [CondPageBreak(35 * mm), heading(_("Follow-up action items"))]
    if not data.actions:
        return story + [para(_("No action items yet."), s.small)]
    rows = [[a.title, f"{a.department}\n{a.official}" if a.official else a.department, a.due, a.status,
             a.latest_update] for a in data.actions]
    # An update (up to 4,000 characters, more with a plan) is printed whole: a long one below its row.
    story += data_table_in_full(
        [_("Item"), _("Department and official"), _("Due"), _("Status"), _("Latest update")],
        rows, ACTION_COLUMN_WIDTHS,
        cell_styles=[s.small_ink, s.small_ink, s.small_ink, s.small_ink, s.small_ink],
        max_cell_chars=ACTION_CELL_MAX_CHARS,
        full_text_heading=lambda row, _column: _("Latest update of «%(title)s», in full", title=row[0]),
    )
    return story


def _record(data: SummaryData) -> list[Flowable]:
    s = styles()
    if data.minutes_version is None:
        return [heading(_("Minutes record")), para(_("No minutes have been recorded yet."), s.small)]
    version = _("Version %(num)d", num=data.minutes_version)
    if data.minutes_status:
        version = f"{version} ({data.minutes_status})"
    return [KeepTogether([
        heading(_("Minutes record")),
        field_table([(_("Minutes version"), version), (_("SHA-256"), data.minutes_sha256)],
                    (28 * mm, CONTENT_WIDTH - 28 * mm), value_style=s.small_ink),
        para(_("The SHA-256 identifies the exact text of this minutes version; compare it with the one on "
               "the meeting's minutes page."), s.small),
    ])]


def bar_chart(bars: Sequence[tuple[str, int]], *, width: float = CONTENT_WIDTH * 0.75) -> Drawing:
    """A small horizontal bar chart of (label, value) pairs, labels in the CJK font."""
    font = cjk_font()
    bar_height = 6 * mm
    label_width = 50 * mm
    height = bar_height * len(bars) + 10 * mm
    drawing = Drawing(width, height, initialFontName=font.regular)
    chart = HorizontalBarChart()
    chart.x = label_width
    chart.y = 6 * mm
    chart.width = width - label_width - 12 * mm
    chart.height = bar_height * len(bars)
    values = [max(0, int(v)) for _label, v in reversed(bars)]
    chart.data = [values]
    chart.bars[0].fillColor = RULE
    chart.bars[0].strokeColor = None
    chart.barWidth = bar_height * 0.6
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(values + [1]) * 1.1
    chart.valueAxis.labels.fontName = font.regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fillColor = MUTED
    chart.valueAxis.strokeColor = MUTED
    chart.valueAxis.labelTextFormat = lambda v: str(int(v)) if float(v).is_integer() else ""
    chart.categoryAxis.categoryNames = [replace_missing_glyphs(clip(label, CHART_LABEL_MAX_CHARS), font)
                                        for label, _v in reversed(bars)]
    chart.categoryAxis.labels.fontName = font.regular
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -2 * mm
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.strokeColor = MUTED
    drawing.add(chart)
    step = chart.height / len(values)
    for index, value in enumerate(values):  # the figure at the end of each bar
        x = chart.x + chart.width * value / chart.valueAxis.valueMax + 1.5 * mm
        drawing.add(String(x, chart.y + step * (index + 0.5) - 3, str(value), fontName=font.regular,
                           fontSize=8, fillColor=INK))
    return drawing
