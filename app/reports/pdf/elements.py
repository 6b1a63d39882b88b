"""Building blocks for PDF documents: paragraph styles, escaped paragraphs, tables and QR codes.

User text never becomes ReportLab markup: `para()` escapes everything, and only strings written in
this package are passed to `Paragraph` as markup.

Breaking long words (a 10,000-character run, a URL, Chinese without spaces) is done at layout time,
not by editing the text: every style sets `splitLongWords`, and `wrap_style()` wraps text containing
Chinese with `wordWrap="CJK"` (a break between any two CJK characters) and other text at spaces.
Either way a run longer than the line is cut at the line's end. Inserting zero-width spaces would not
help: ReportLab draws them as glyphs and they end up in copied text. What cannot split is one table
cell, or a one-page document, taller than the page: `data_table_in_full()` prints a long cell's whole
text below its row, where it flows across pages; `data_table()` and the ticket `clip()` fields whose
length their forms already bound.

Labels and values are joined by the catalog's "%(label)s: %(value)s" pattern (`label_value()`), as on
the HTML pages, so Chinese documents get a full-width colon.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.reports.pdf.fonts import cjk_font, replace_missing_glyphs

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#8c1c13")  # the deep red of Chinese official letterheads; prints as dark grey
HEADER_FILL = colors.HexColor("#e6e6e6")
LINE = colors.black

# Longest text in one table cell: a cell cannot split across pages, so it must fit on one.
CELL_MAX_CHARS = 400

_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]")
_PLACEHOLDER = re.compile(r"(%\(label\)s|%\(value\)s)")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    body_bold: ParagraphStyle
    small: ParagraphStyle
    small_ink: ParagraphStyle
    label: ParagraphStyle
    label_center: ParagraphStyle
    kicker: ParagraphStyle
    status: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_header: ParagraphStyle
    detail: ParagraphStyle
    letterhead_site: ParagraphStyle
    letterhead_title: ParagraphStyle
    letterhead_document: ParagraphStyle
    code: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    """The standard styles, in the registered CJK font (registering it on first use)."""
    font = cjk_font()

    def style(name: str, *, bold: bool = False, size: float = 10.5, leading: float | None = None,
              **extra) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=font.bold if bold else font.regular,
            fontSize=size,
            leading=leading or round(size * 1.45, 1),
            textColor=extra.pop("textColor", INK),
            bulletFontName=font.regular,  # the default is a non-embedded Helvetica
            wordWrap="CJK",
            splitLongWords=True,
            allowWidows=0,
            allowOrphans=0,
            **extra,
        )

    return Styles(
        title=style("th-title", bold=True, size=18, leading=25, spaceAfter=2 * mm),
        heading=style("th-heading", bold=True, size=12, leading=17, spaceBefore=4 * mm, spaceAfter=1.5 * mm),
        body=style("th-body", size=10.5, spaceAfter=1.5 * mm),
        body_bold=style("th-body-bold", bold=True, size=10.5),
        small=style("th-small", size=8.5, textColor=MUTED),
        small_ink=style("th-small-ink", size=9, leading=13),
        label=style("th-label", size=8.5, leading=12, textColor=MUTED),
        label_center=style("th-label-center", size=8.5, leading=12, textColor=MUTED, alignment=TA_CENTER,
                           spaceBefore=1 * mm),
        kicker=style("th-kicker", bold=True, size=10, leading=14, textColor=RULE),
        status=style("th-status", bold=True, size=12, leading=17, spaceAfter=1 * mm),
        cell=style("th-cell", size=10, leading=13.5),
        cell_center=style("th-cell-center", size=10, leading=13.5, alignment=TA_CENTER),
        cell_header=style("th-cell-header", bold=True, size=10, leading=13.5, alignment=TA_CENTER),
        detail=style("th-detail", size=9, leading=12.5),
        letterhead_site=style("th-lh-site", size=8.5, leading=12, textColor=MUTED, alignment=TA_CENTER),
        letterhead_title=style("th-lh-title", bold=True, size=14, leading=19, alignment=TA_CENTER),
        letterhead_document=style("th-lh-document", bold=True, size=12, leading=17, textColor=RULE,
                                  alignment=TA_CENTER),
        code=style("th-code", bold=True, size=24, leading=30, alignment=TA_CENTER),
    )


def escape(text: object) -> str:
    """User text as ReportLab paragraph markup that shows it literally.

    Escapes & < > (so tags such as <img>, <a>, <font> and entities such as &amp; stay text), drops
    control characters, replaces characters the font lacks with a visible box, and keeps line
    breaks as <br/>.
    """
    if text is None:
        return ""
    font = cjk_font()
    lines = _LINE_BREAK.split(_CONTROL.sub("", str(text)).replace("\t", " "))
    return "<br/>".join(
        replace_missing_glyphs(line, font)
        .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        for line in lines
    )


def para(text: object, style: ParagraphStyle | None = None) -> Paragraph:
    """A Paragraph showing `text` exactly as written, never as markup."""
    return rich(escape(text), style)


def rich(markup: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A Paragraph from markup written in this package; every user part must go through escape()."""
    return Paragraph(markup, wrap_style(markup, style or styles().body))


def wrap_style(text: str, style: ParagraphStyle) -> ParagraphStyle:
    """The style to wrap `text` with: CJK wrapping (break between any two Chinese characters) when
    the text has CJK characters, else ordinary wrapping at spaces, which keeps Latin words whole
    (ReportLab's CJK mode may cut a Latin word that does not fit in the second half of a line).
    Both split a word longer than the line."""
    if style.wordWrap == "CJK" and not _CJK.search(text):
        return _space_wrapped(style)
    return style


@lru_cache(maxsize=128)
def _space_wrapped(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-spaces", parent=style, wordWrap=None)


def label_value(label: object, value: object) -> str:
    """Label and value joined by the catalog's pattern, as on the HTML pages (a full-width colon in Chinese)."""
    return _("%(label)s: %(value)s", label=label, value=value)


def label_value_markup(label_markup: str, value_markup: str) -> str:
    """The same pattern around markup written in this package (its parts already escaped)."""
    pattern = _("%(label)s: %(value)s")  # without arguments gettext returns the pattern itself
    parts = {"%(label)s": label_markup, "%(value)s": value_markup}
    return "".join(parts.get(piece, escape(piece)) for piece in _PLACEHOLDER.split(pattern))


def labelled(label: str, value: object, style: ParagraphStyle | None = None) -> Paragraph:
    """'Label  value' with the label in bold; both are escaped."""
    return rich(f"<b>{escape(label)}</b>\u3000{escape(value)}", style)


def bullets(items: Sequence[object], style: ParagraphStyle | None = None) -> list[Paragraph]:
    """One escaped, bulleted paragraph per non-empty item, wrapped lines indented under the text."""
    base = style or styles().body
    bulleted = ParagraphStyle(f"{base.name}-bullet", parent=base, leftIndent=base.leftIndent + 4 * mm,
                              bulletIndent=base.leftIndent, spaceAfter=0.5 * mm)
    return [Paragraph(escape(item), wrap_style(escape(item), bulleted), bulletText="\u2022")
            for item in items if item not in (None, "")]


def clip(text: object, limit: int) -> str:
    """`text` shortened to at most `limit` characters, ending in an ellipsis when cut."""
    value = "" if text is None else str(text)
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "\u2026"


def table_style(commands: Sequence[tuple]) -> TableStyle:
    """A TableStyle whose plain-string cells use the CJK font (ReportLab's default is a non-embedded
    Helvetica, which would otherwise appear in the PDF's font list for every empty cell)."""
    return TableStyle([("FONT", (0, 0), (-1, -1), cjk_font().regular, 10), *commands])


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float],
    *,
    min_row_height: float = 0,
    cell_styles: Sequence[ParagraphStyle] | None = None,
    max_cell_chars: int = CELL_MAX_CHARS,
) -> Table:
    """A ruled table whose header row repeats on every page and whose rows never split.

    Cells that are not flowables become escaped, clipped Paragraphs in the matching column style,
    so text wraps inside its column. `min_row_height` gives room for handwriting.
    """
    s = styles()
    column_styles = list(cell_styles or [s.cell] * len(col_widths))
    data: list[list[Flowable]] = [[para(label, s.cell_header) for label in header]]
    for row in rows:
        data.append([
            cell if isinstance(cell, Flowable) else para(clip(cell, max_cell_chars), column_styles[i])
            for i, cell in enumerate(row)
        ])
    padding = 1.6 * mm
    row_heights = None
    if min_row_height:
        row_heights = [None] + [
            max(min_row_height, _content_height(row, col_widths, padding)) for row in data[1:]
        ]
    table = Table(data, colWidths=list(col_widths), rowHeights=row_heights, repeatRows=1,
                  splitByRow=1, splitInRow=0, hAlign="LEFT")
    table.setStyle(table_style([
        ("GRID", (0, 0), (-1, -1), 0.6, LINE),
        ("BOX", (0, 0), (-1, -1), 1.0, LINE),
        ("LINEBELOW", (0, 0), (-1, 0), 1.0, LINE),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
    ]))
    return table


def data_table_in_full(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    col_widths: Sequence[float],
    *,
    cell_styles: Sequence[ParagraphStyle] | None = None,
    max_cell_chars: int = CELL_MAX_CHARS,
    full_text_heading: Callable[[Sequence[object], int], str],
    preview_chars: int = 120,
) -> list[Flowable]:
    """A data_table that cuts no text off. A cell cannot split across pages, so a cell longer than
    `max_cell_chars` shows its beginning and "continued below the row"; its whole text follows that row
    at full width, under `full_text_heading(row, column)`, where it flows across pages as long as it
    needs; then the table goes on, its header repeated."""
    s = styles()
    story: list[Flowable] = []
    pending: list[list[object]] = []
    for row in rows:
        long_columns = [i for i, cell in enumerate(row) if not isinstance(cell, Flowable)
                        and len(str(cell or "")) > max_cell_chars]
        if not long_columns:
            pending.append(list(row))
            continue
        shown = list(row)
        continued = _("(continued below the row)")
        for i in long_columns:
            shown[i] = f"{clip(row[i], preview_chars)}\n{continued}"
        pending.append(shown)
        story.append(data_table(header, pending, col_widths, cell_styles=cell_styles, max_cell_chars=max_cell_chars))
        pending = []
        for i in long_columns:
            story += [Spacer(1, 1.5 * mm), para(full_text_heading(row, i), s.kicker),
                      para(row[i], _full_text_style()), Spacer(1, 2 * mm)]
    if pending or not story:
        story.append(data_table(header, pending, col_widths, cell_styles=cell_styles, max_cell_chars=max_cell_chars))
    return story


@lru_cache(maxsize=1)
def _full_text_style() -> ParagraphStyle:
    base = styles().small_ink
    return ParagraphStyle("th-full-text", parent=base, leftIndent=3 * mm, borderPadding=0, spaceAfter=1 * mm)


def _content_height(row: Sequence[Flowable], col_widths: Sequence[float], padding: float) -> float:
    tallest = 0.0
    for cell, width in zip(row, col_widths):
        _w, height = cell.wrap(width - 2 * padding, 10_000)
        tallest = max(tallest, height)
    return tallest + 2 * padding


def field_table(fields: Sequence[tuple[str, object]], col_widths: Sequence[float],
                *, value_style: ParagraphStyle | None = None) -> Table:
    """Label/value pairs as an unruled two-column table; rows with an empty value are left out."""
    s = styles()
    data = [
        [para(label, s.label), value if isinstance(value, Flowable) else para(value, value_style or s.body)]
        for label, value in fields
        if value not in (None, "")
    ]
    table = Table(data or [["", ""]], colWidths=list(col_widths), hAlign="LEFT")
    table.setStyle(table_style([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 1.2 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2 * mm),
        ("TOPPADDING", (0, 0), (0, -1), 2.0 * mm),  # labels are smaller: align their baselines
    ]))
    return table


def qr_code(payload: str, size: float, *, level: str = "M") -> Drawing:
    """A size x size Drawing of a QR code for `payload`, including the standard 4-module quiet zone."""
    if not payload:
        raise ValueError("a QR code needs a payload")
    widget = QrCodeWidget(payload, barLevel=level, barBorder=4)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0],
                      initialFontName=cjk_font().regular)  # not the non-embedded Helvetica
    drawing.add(widget)
    return drawing
