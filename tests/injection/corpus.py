"""Hostile text for every user-writable field, one round of the sweep per kind of attack.

Injected HTML carries the mark `injmark` in its tag or attribute names and values, so a check can tell
an element or attribute that came from the input from the page's own markup. Each round gives a field
the longest variant that fits its maximum length; what a form refuses is retried with the round's
fallback, after checking the refusal (400, a message, nothing written).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable

MARK = "injmark"

HTML = (
    f'<script>alert("{MARK}-script")</script>'
    f'<img src=x data-{MARK}=1 onerror=alert(1)>'
    f'"><svg/onload=alert(2) class={MARK}>'
    f"'><a href=\"javascript:alert(3)\" id={MARK}>link</a>"
    f'<iframe src="javascript:alert(4)" name={MARK}></iframe>'
    f'</textarea></title><b data-{MARK} onmouseover="alert(5)">x</b>'
    f'<meta http-equiv=refresh content="0;url=javascript:alert(6)" data-{MARK}>'
)
TEMPLATE = "{{7*7}} {{ config.SECRET_KEY }} {% for x in range(3) %}loop{% endfor %} ${7*7} #{7*7} {# c #}"
REPORTLAB = ('<b>bold</b><font color=red size=40 face=Courier>font</font><img src="/etc/passwd" width=400/>'
             '<a href="http://evil.example/">link</a>&amp;&lt;&#x41;&nbsp;<para>para</para><br/><br>'
             '<seq id=x/><onDraw name=x/>')
LINES = "line one\r\nBcc: victim@evil.example\r\nX-Injected: 1\rlone CR\nlone LF\r\n\r\nBEGIN:VEVENT\nUID:evil"
UNICODE = "\u202eevil\u202c \u200b\u200c\u200d\ufeff 中文标题 😀👍🏽 עברית \u2066isolate\u2069 \u00ad"
COMBINED = f"{UNICODE} {HTML} {TEMPLATE} {REPORTLAB} {LINES}"
SHORT_HTML = f'<img src=x data-{MARK} onerror=alert(1)>"\'><b class={MARK}>{{{{7*7}}}}</b>&amp;\r\n中文😀\u202e'
TINY_HTML = f"<b class={MARK}>{{{{7*7}}}}&amp;\u202e中😀"
JAVASCRIPT = "javascript:alert(document.domain)//"
FORMULAS = ("=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1")
LONG_RUN = 10_000


@dataclass(frozen=True)
class Round:
    """What every field gets in one round: `value(field)` first, `fallback(field)` if refused (the
    field: a tests.injection.fields.TextField, with its form, path and maximum length)."""

    name: str
    value: Callable[[object], str]
    fallback: Callable[[object], str]
    shows_text: bool = True  # whether each page is expected to show the value as typed (positive checks)


def _fit(*variants: str) -> Callable[[object], str]:
    """The longest variant that fits the field (cut to its length when none does)."""
    def value(field) -> str:
        limit = field.max_length
        for variant in variants:
            if limit is None or len(variant) <= limit:
                return variant
        return variants[-1][:limit]
    return value


def _alternate(*choices: Callable[[object], str]) -> Callable[[object], str]:
    """Fields take turns (by a stable hash of their form and path) between the choices."""
    def value(field) -> str:
        return choices[zlib.crc32(f"{field.form}/{field.path}".encode()) % len(choices)](field)
    return value


def _run(char: str, size: int | None = None) -> Callable[[object], str]:
    """A run of one character: `size` long, else as long as the field allows."""
    def value(field) -> str:
        return char * (size or field.max_length or 2000)
    return value


ROUNDS = [
    # Markup, template syntax, ReportLab markup, line breaks, bidi and invisible characters together.
    Round("combined", _fit(COMBINED, f"{HTML} {TEMPLATE}", SHORT_HTML, TINY_HTML), _fit(SHORT_HTML, TINY_HTML)),
    # Values that are dangerous whole: a javascript: URL (in an href) or a spreadsheet formula.
    Round("whole-value", _alternate(_fit(JAVASCRIPT), _fit(*FORMULAS[:4], "=1+1")),
          _alternate(_fit(JAVASCRIPT), _fit("=1+1"))),
    # 10,000 characters (refused everywhere), then as many as each field allows: one word of Latin
    # letters or of Chinese characters, which the PDFs must still break into lines.
    Round("long", _alternate(_run("W", LONG_RUN), _run("长", LONG_RUN)), _alternate(_run("W"), _run("长")),
          shows_text=False),
]
ROUND_NAMES = [r.name for r in ROUNDS]
