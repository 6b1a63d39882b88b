"""The A4 page every document shares: letterhead on each page, footer with "page X of Y", watermark.

`render_pdf(story, PageSetup(...))` lays out a list of flowables and returns the PDF bytes. The
letterhead (document title, meeting title, optional details) is measured once, then drawn at the top
of every page; the footer is drawn when the document is saved, when the page count is known.
Labels are translated with Flask-Babel at build time, so callers render inside a request or
`flask_babel.force_locale(...)`.
"""
from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Table

from app.reports.pdf.elements import MUTED, RULE, clip, para, styles, table_style
from app.reports.pdf.fonts import BoldAwareTextObject, cjk_font, replace_missing_glyphs

MARGIN_X = 18 * mm
MARGIN_TOP = 13 * mm
MARGIN_BOTTOM = 18 * mm  # the footer sits inside it
HEADER_GAP = 5 * mm
CONTENT_WIDTH = A4[0] - 2 * MARGIN_X
HEADER_TITLE_MAX_CHARS = 160
HEADER_VALUE_MAX_CHARS = 200


@dataclass(frozen=True)
class PageSetup:
    """What is printed around the content of every page.

    document_title: the kind of document, a translated label ("Sign-in sheet").
    title: the meeting title (user text, clipped in the letterhead; also the PDF's title).
    title_in_header: False when the document shows the title prominently itself (the ticket).
    details: (label, value) pairs shown under the title on every page, two per line.
    generated_on: shown in the footer; default: now, in DEFAULT_TIMEZONE, in the current locale.
    watermark: e.g. "DRAFT / 草稿", drawn diagonally in light grey over every page.
    """

    document_title: str
    title: str = ""
    title_in_header: bool = True
    details: Sequence[tuple[str, str]] = field(default_factory=tuple)
    generated_on: str | None = None
    watermark: str | None = None
    subject: str = ""
    pagesize: tuple[float, float] = A4


def render_pdf(story: list[Flowable], setup: PageSetup) -> bytes:
    """Lay out `story` on A4 pages framed by `setup` and return the PDF bytes."""
    font = cjk_font()
    page_width, page_height = setup.pagesize
    content_width = page_width - 2 * MARGIN_X
    letterhead = _letterhead(setup, content_width)
    header_height = sum(height for _flowable, height in letterhead)
    frame_top = page_height - MARGIN_TOP - header_height - HEADER_GAP
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, content_width, frame_top - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")

    def on_page(canvas: Canvas, _doc) -> None:
        _draw_letterhead(canvas, letterhead, page_width, page_height)

    def on_page_end(canvas: Canvas, _doc) -> None:
        if setup.watermark:
            _draw_watermark(canvas, setup.watermark, page_width, page_height)

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=setup.pagesize,
        leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM,
        title=" – ".join(part for part in (setup.title, setup.document_title) if part),
        author=current_app.config.get("SITE_NAME") or "Townhall",
        subject=setup.subject,
        creator="Townhall",
        lang=_language_tag(),
        displayDocTitle=True,
        initialFontName=font.regular,  # else every page lists a non-embedded Helvetica
        initialFontSize=10,
        initialLeading=14,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page, onPageEnd=on_page_end)])
    footer = functools.partial(_draw_footer, generated_on=_generated_on_label(setup.generated_on),
                               page_width=page_width)
    doc.build(story, canvasmaker=functools.partial(DocumentCanvas, draw_footer=footer))
    return buffer.getvalue()


class DocumentCanvas(Canvas):
    """A canvas that holds its pages until save, so each footer can say "page X of Y",
    and that draws the simulated bold font (see fonts.BoldAwareTextObject)."""

    def __init__(self, *args, draw_footer: Callable[[Canvas, int, int], None], **kwargs):
        super().__init__(*args, **kwargs)
        self._draw_footer = draw_footer
        self._pages: list[dict] = []

    def beginText(self, x=0, y=0, direction=None):
        return BoldAwareTextObject(self, x, y, direction=direction)

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(self, number, total)
            super().showPage()
        super().save()


def _letterhead(setup: PageSetup, width: float) -> list[tuple[Flowable, float]]:
    s = styles()
    parts: list[Flowable] = []
    site_name = current_app.config.get("SITE_NAME")
    if site_name:
        parts.append(para(site_name, s.letterhead_site))
    if setup.title and setup.title_in_header:
        parts.append(para(clip(setup.title, HEADER_TITLE_MAX_CHARS), s.letterhead_title))
    parts.append(para(setup.document_title, s.letterhead_document))
    if setup.details:
        parts.append(_details_table(setup.details, width))
    measured = []
    for part in parts:
        _w, height = part.wrap(width, 10_000)
        measured.append((part, height + 0.6 * mm))
    return measured


def _details_table(details: Sequence[tuple[str, str]], width: float) -> Table:
    """Label/value pairs, two pairs to a line."""
    s = styles()
    label_width = 22 * mm
    cells: list[Flowable] = []
    for label, value in details:
        if value:
            cells += [para(label, s.label), para(clip(value, HEADER_VALUE_MAX_CHARS), s.detail)]
    if len(cells) % 4:
        cells += [para("", s.detail), para("", s.detail)]
    rows = [cells[i:i + 4] for i in range(0, len(cells), 4)]
    value_width = width / 2 - label_width
    table = Table(rows, colWidths=[label_width, value_width - 3 * mm, label_width, value_width + 3 * mm])
    table.setStyle(table_style(_FLAT_COMMANDS + [
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0.8 * mm),
        ("TOPPADDING", (0, 0), (0, -1), 0.4 * mm),  # labels are smaller: line up the baselines
        ("TOPPADDING", (2, 0), (2, -1), 0.4 * mm),
        ("RIGHTPADDING", (1, 0), (1, -1), 3 * mm),
    ]))
    return table


_FLAT_COMMANDS = [
    ("LEFTPADDING", (0, 0), (-1, -1), 0),
    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ("TOPPADDING", (0, 0), (-1, -1), 0),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
]


def _draw_letterhead(canvas: Canvas, letterhead: list[tuple[Flowable, float]],
                     page_width: float, page_height: float) -> None:
    y = page_height - MARGIN_TOP
    for flowable, height in letterhead:
        y -= height
        flowable.drawOn(canvas, MARGIN_X, y)
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(1.2)
    y -= 1.2 * mm
    canvas.line(MARGIN_X, y, page_width - MARGIN_X, y)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN_X, y - 0.9 * mm, page_width - MARGIN_X, y - 0.9 * mm)
    canvas.restoreState()


def _draw_footer(canvas: Canvas, number: int, total: int, *, generated_on: str, page_width: float) -> None:
    font = cjk_font()
    y = MARGIN_BOTTOM - 9 * mm
    canvas.saveState()
    canvas.setStrokeColor(MUTED)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN_X, y + 4 * mm, page_width - MARGIN_X, y + 4 * mm)
    canvas.setFillColor(MUTED)
    canvas.setFont(font.regular, 8)
    canvas.drawString(MARGIN_X, y, replace_missing_glyphs(generated_on, font))
    canvas.drawRightString(page_width - MARGIN_X, y, _("Page %(page)d of %(total)d", page=number, total=total))
    canvas.restoreState()


def _draw_watermark(canvas: Canvas, text: str, page_width: float, page_height: float) -> None:
    font = cjk_font()
    text = replace_missing_glyphs(text, font)
    diagonal = (page_width**2 + page_height**2) ** 0.5
    size = min(96.0, 0.7 * diagonal / max(canvas.stringWidth(text, font.regular, 1), 1))
    canvas.saveState()
    canvas.setFillColorRGB(0.5, 0.5, 0.5, alpha=0.18)
    canvas.translate(page_width / 2, page_height / 2)
    canvas.rotate(math.degrees(math.atan2(page_height, page_width)))  # along the page's diagonal
    canvas.setFont(font.regular, size)  # simulated bold would stroke it without the alpha
    canvas.drawCentredString(0, -size / 3, text)
    canvas.restoreState()


def _generated_on_label(generated_on: str | None) -> str:
    if generated_on is None:
        from app.i18n import local_date, local_time

        now = datetime.now(UTC)
        generated_on = f"{local_date(now)} {local_time(now)}"
    return _("Generated on %(date)s", date=generated_on)


def _language_tag() -> str:
    locale = get_locale()
    if locale is None:
        return "zh-CN"
    return "zh-CN" if locale.language == "zh" else locale.language
