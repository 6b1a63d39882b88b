"""Checking a rendered HTML page for anything that came from the input as markup rather than text.

The page is parsed (Python's parser, which is stricter than a browser's: it also reads markup inside
<textarea> and <title>); the real browser's view is tests/browser/test_hostile_input.py. No element
or attribute may carry the corpus mark, no attribute may be an event handler, no URL attribute may
run script, scripts come only from /static/, and nothing may embed or redirect elsewhere.
"""
from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

from tests.injection.corpus import MARK

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset",
                  "ping", "cite"}
EMBEDDING = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}
_SCHEME_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
SECRET = "testing-secret"


def runs_script(url: str) -> bool:
    compact = _SCHEME_NOISE.sub("", url).lower()
    return compact.startswith(("javascript:", "vbscript:", "data:text/html", "data:image/svg"))


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:80]!r}")
        self.text.append(data)

    def _check(self, tag: str, attrs) -> None:
        where = f"<{tag}>"
        if MARK in tag:
            self.problems.append(f"an element made from the input: {where}")
        if tag in EMBEDDING:
            self.problems.append(f"an embedding element {where}")
        values = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if MARK in name:
                self.problems.append(f"an attribute made from the input: {where} {name}={value[:60]!r}")
            if name.startswith("on"):
                self.problems.append(f"an event handler attribute: {where} {name}={value[:60]!r}")
            if value.strip().lower().startswith(MARK):
                self.problems.append(f"an attribute value made from the input: {where} {name}={value[:60]!r}")
            if name in URL_ATTRIBUTES and runs_script(value):
                self.problems.append(f"a script URL: {where} {name}={value[:60]!r}")
            if name == "style" and ("expression(" in value or "url(" in value):
                self.problems.append(f"a style that loads or runs something: {where} {value[:60]!r}")
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"a script not from /static/: {values!r}")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh" \
                and "url" in (values.get("content") or "").lower():
            self.problems.append(f"a refresh to another address: {values.get('content')!r}")


def parse(body: str) -> _Checker:
    checker = _Checker()
    checker.feed(body)
    checker.close()
    return checker


def html_problems(body: str) -> list[str]:
    checker = parse(body)
    problems = list(checker.problems)
    if SECRET in body:
        problems.append("the secret key is on the page (template syntax was evaluated)")
    return problems


def page_text(body: str) -> str:
    """What a reader sees: the page's text nodes, entities decoded."""
    return "".join(parse(body).text)


def squeeze(text: str) -> str:
    """Text without white space and invisible characters (controls, format characters): to compare
    what was typed with what is shown, whatever the layout and the app's trimming did."""
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")))


def shows(body: str, typed: str) -> bool:
    """Whether the page shows `typed` as text (after the app's trimming and line-break handling)."""
    return squeeze(typed) in squeeze(page_text(body))
