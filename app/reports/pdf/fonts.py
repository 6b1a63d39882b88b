"""The embedded CJK TrueType font every PDF uses: found, checked and registered once per process.

ReportLab silently drops any character its font lacks, and the built-in CID font STSong-Light is not
embedded (many viewers then show nothing), so there is no silent fallback: a missing or unusable font
is a `FontNotFound` error naming what was tried. Noto CJK (OpenType/CFF outlines) cannot be loaded by
ReportLab; a TrueType font such as WenQuanYi Micro Hei (Debian `fonts-wqy-microhei`) can.

Few CJK fonts ship a bold TrueType face, so unless `PDF_CJK_BOLD_FONT_PATH` names one, bold is
simulated: the bold name is an alias of the regular face for metrics, and `BoldAwareTextObject` draws
it with the regular glyphs filled and stroked (PDF text render mode 2), which looks like a bold weight.
Only canvases that use that text object draw it bold (base.DocumentCanvas, which render_pdf uses); on
a plain ReportLab canvas the alias still prints, in the regular weight.
"""
from __future__ import annotations

import copy
import os
import string
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from weakref import WeakKeyDictionary

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.textobject import PDFTextObject

REGULAR = "TownhallCJK"
BOLD = "TownhallCJK-Bold"

# Searched in order when PDF_CJK_FONT_PATH is not set: TrueType (glyf) fonts only.
CANDIDATE_PATHS: tuple[str, ...] = (
    # Debian / Ubuntu
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    # Fedora / RHEL / Arch / Alpine
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei-fonts/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/google-droid/DroidSansFallback.ttf",
    "/usr/share/fonts/droid/DroidSansFallbackFull.ttf",
    # macOS
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    # Windows
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
)

# Every document mixes these: a font that lacks any of them would silently lose text.
REQUIRED_CHARACTERS = string.ascii_letters + string.digits + "中文签到表会议第期号：，。（）"

# Shown instead of a character the font lacks (emoji, rare CJK Extension B characters in names),
# so a reader sees that something is missing rather than a silently shortened name.
MISSING_GLYPH = "\u25a1"  # □

# Stroke width of simulated bold, as a fraction of the font size.
SIMULATED_BOLD_STROKE = 0.035


class FontNotFound(RuntimeError):
    """No usable CJK TrueType font: the message says what was tried and how to fix it."""


@dataclass(frozen=True)
class CJKFont:
    regular: str
    bold: str
    path: str
    bold_path: str | None
    simulated_bold: bool
    codepoints: frozenset[int]

    def covers(self, char: str) -> bool:
        return ord(char) in self.codepoints


_lock = threading.Lock()
_font: CJKFont | None = None


def cjk_font() -> CJKFont:
    """Register the CJK font on first use (thread-safe) and return it.

    Reads `PDF_CJK_FONT_PATH`, `PDF_CJK_FONT_INDEX` and `PDF_CJK_BOLD_FONT_PATH` from the Flask config
    when an app context exists, else from the environment. The first registration wins for the
    process. Raises FontNotFound.
    """
    global _font
    if _font is None:
        with _lock:
            if _font is None:
                settings = _settings()
                _font = register_font(
                    find_font_file(settings["PDF_CJK_FONT_PATH"]),
                    subfont_index=int(settings["PDF_CJK_FONT_INDEX"] or 0),
                    bold_path=settings["PDF_CJK_BOLD_FONT_PATH"],
                )
    return _font


def _settings() -> dict[str, str | None]:
    keys = ("PDF_CJK_FONT_PATH", "PDF_CJK_FONT_INDEX", "PDF_CJK_BOLD_FONT_PATH")
    from flask import current_app, has_app_context

    if has_app_context():
        return {key: current_app.config.get(key) or os.environ.get(key) for key in keys}
    return {key: os.environ.get(key) for key in keys}


def find_font_file(configured: str | None = None, candidates: tuple[str, ...] = CANDIDATE_PATHS) -> str:
    """The configured font path if it exists, else the first existing candidate. Raises FontNotFound."""
    if configured:
        if not Path(configured).is_file():
            raise FontNotFound(f"PDF_CJK_FONT_PATH points to {configured!r}, which is not a file.")
        return configured
    for candidate in candidates:
        if Path(candidate).is_file():
            return candidate
    raise FontNotFound(
        "No CJK TrueType font found for PDFs. Install one (Debian/Ubuntu: apt-get install "
        "fonts-wqy-microhei) or set PDF_CJK_FONT_PATH to a .ttf/.ttc file with Chinese and Latin "
        "glyphs (Noto CJK .otf/.ttc files do not work in ReportLab). Looked in: " + ", ".join(candidates)
    )


def register_font(path: str, *, subfont_index: int = 0, bold_path: str | None = None) -> CJKFont:
    """Load, check and register the font under REGULAR and BOLD. Raises FontNotFound.

    Call it once per process (cjk_font() does); the names are global to ReportLab.
    """
    regular = _load(REGULAR, path, subfont_index)
    if bold_path:
        bold = _load(BOLD, bold_path, 0)
    else:
        # Same face under the bold name, used for metrics only: BoldAwareTextObject draws it
        # with the regular font's glyphs, so the file is embedded once.
        bold = copy.copy(regular)
        bold.fontName = BOLD
        bold.state = WeakKeyDictionary()
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    return CJKFont(
        regular=REGULAR,
        bold=BOLD,
        path=path,
        bold_path=bold_path,
        simulated_bold=not bold_path,
        codepoints=frozenset(regular.face.charToGlyph),
    )


def _load(name: str, path: str, subfont_index: int) -> TTFont:
    try:
        font = TTFont(name, path, subfontIndex=subfont_index)
    except Exception as exc:  # ReportLab raises TTFError, OSError or struct errors for bad files
        raise FontNotFound(
            f"Cannot use {path!r} as the PDF font: {exc}. It must be a TrueType .ttf/.ttc file "
            "(OpenType CFF fonts such as Noto CJK are not supported by ReportLab)."
        ) from exc
    missing = [ch for ch in REQUIRED_CHARACTERS if ord(ch) not in font.face.charToGlyph]
    if missing:
        raise FontNotFound(
            f"The font {path!r} lacks characters the PDFs need ({''.join(missing)}); "
            "ReportLab would silently drop them. Use a font covering Chinese, Latin and digits."
        )
    return font


def replace_missing_glyphs(text: str, font: CJKFont) -> str:
    """Make every character drawable: a space or hyphen variant the font lacks (Babel puts U+202F
    in English times) becomes its plain form, anything else missing becomes MISSING_GLYPH."""
    if all(ord(ch) in font.codepoints or ch in "\n\t" for ch in text):
        return text
    return "".join(_drawable(ch, font) for ch in text)


def _drawable(char: str, font: CJKFont) -> str:
    if ord(char) in font.codepoints or char in "\n\t":
        return char
    if unicodedata.category(char) == "Zs":
        return " "
    if char in "\u2010\u2011":
        return "-"
    return MISSING_GLYPH


class BoldAwareTextObject(PDFTextObject):
    """A text object that draws the simulated BOLD alias as REGULAR glyphs, filled and stroked.

    The text object keeps the requested font name (ReportLab compares it to decide when to switch
    fonts) and only swaps in REGULAR while emitting glyphs, so the font file is embedded once. The
    stroke colour follows the fill colour; fill alpha is not mirrored, so draw translucent text in
    REGULAR. When bold was drawn the text object is wrapped in q/Q, so the stroke settings never
    leak into the rest of the page.
    """

    def __init__(self, canvas, x=0, y=0, direction=None):
        self._bold = self._bold_used = False
        super().__init__(canvas, x, y, direction=direction)
        self._fill = getattr(canvas, "_fillColorObj", None)
        if self._fontname == BOLD:  # the canvas's current font, e.g. before drawString
            self._bold_on(self._fontsize)

    def _bold_on(self, size: float) -> None:
        self._code.append(f"2 Tr {fp_str(size * SIMULATED_BOLD_STROKE)} w")
        if self._fill is not None:
            PDFTextObject.setStrokeColor(self, self._fill)
        self._textRenderMode = 2
        self._bold = self._bold_used = True

    def _bold_off(self) -> None:
        self._code.append("0 Tr")
        self._textRenderMode = 0
        self._bold = False

    def _switch(self, psfontname: str, size: float) -> None:
        if psfontname == BOLD:
            self._bold_on(size)
        elif self._bold:
            self._bold_off()

    def _setFont(self, psfontname, size):
        self._switch(psfontname, size)
        super()._setFont(psfontname, size)

    def setFont(self, psfontname, size, leading=None):
        self._switch(psfontname, size)
        super().setFont(psfontname, size, leading)

    def _formatText(self, text):
        requested = self._fontname
        if requested == BOLD:
            self._fontname = REGULAR
        try:
            return super()._formatText(text)
        finally:
            self._fontname = requested

    def setFillColor(self, aColor, alpha=None):
        super().setFillColor(aColor, alpha)
        self._fill = getattr(self, "_fillColorObj", aColor)
        if self._bold:
            PDFTextObject.setStrokeColor(self, self._fill)

    def getCode(self):
        code = super().getCode()
        return f"q {code} Q" if self._bold_used else code
