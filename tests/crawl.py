"""A crawler for the security sweeps, and a search for markers in what it saw.

It starts from every GET route of app.url_map (outside /manage for an anonymous visitor; URL
arguments filled from the ids it is given, so a route added later is crawled without touching this
file; an argument it cannot fill fails the sweep), then follows every same-site link, image, script,
feed and GET form (submitted as shown and with probe texts typed into its text boxes). Each response
is read the way its consumer reads it: HTML and its unescaped text, PDF text extracted with pypdf (and
its metadata), unfolded and unescaped iCalendar, Atom parsed as XML, JSON decoded; headers too.
Used by tests/privacy (as an anonymous visitor), tests/injection and tests/browser (also as staff).
"""
from __future__ import annotations

import html
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import product
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

from pypdf import PdfReader

BOGUS_TOKEN = "anonymous-visitors-know-no-private-token-0123456789"
# Filled in the crawler itself, not from the seeded objects.
FIXED_ARGUMENTS = {"token": [BOGUS_TOKEN], "code": ["en", "zh_CN"]}
SKIPPED_PREFIXES = ("/manage", "/static/")


@dataclass
class Response:
    url: str
    status: int
    kind: str                      # html, pdf, ics, atom, json, text, empty
    texts: list[str] = field(default_factory=list)
    body: bytes = b""              # kept when the crawler is asked to (keep_bodies)
    mimetype: str = ""
    headers: dict = field(default_factory=dict)


@dataclass
class Leak:
    label: str
    value: str
    url: str
    context: str

    def __str__(self) -> str:
        return f"{self.label} ({self.value!r}) at {self.url}: …{self.context}…"


class _Links(HTMLParser):
    """The URLs a page points at, and its GET forms."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            match = re.search(r"url=(.+)", attrs.get("content") or "", re.IGNORECASE)
            if match:
                self.urls.append(match.group(1).strip("'\" "))
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = {"action": attrs.get("action") or "", "fields": []} if method == "get" else None
            if self._form is not None:
                self.forms.append(self._form)
        elif self._form is not None and tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "image", "reset"):
                self._form["fields"].append([attrs["name"], attrs.get("value") or "", kind in ("text", "search")])
        elif self._form is not None and tag == "select" and attrs.get("name"):
            self._select = [attrs["name"], None, False]
            self._form["fields"].append(self._select)
        elif self._select is not None and tag == "option" and (self._select[1] is None or "selected" in attrs):
            self._select[1] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def read_pdf(body: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(body))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    return [text, re.sub(r"\s+", "", text), metadata]


def read_ics(body: str) -> list[str]:
    unfolded = re.sub(r"\r?\n[ \t]", "", body)
    unescaped = (unfolded.replace("\\n", "\n").replace("\\N", "\n").replace("\\,", ",").replace("\\;", ";")
                 .replace("\\\\", "\\"))
    return [body, unfolded, unescaped]


def read_xml(body: bytes) -> list[str]:
    root = ET.fromstring(body)  # a feed that is not well-formed XML fails the crawl
    parts = []
    for element in root.iter():
        parts.extend(element.attrib.values())
        parts.append(element.text or "")
    return [body.decode("utf-8"), "\n".join(parts)]


class Crawler:
    def __init__(self, app, objects: dict[str, list], *, probes=(), probe_meetings=None,
                 languages=("zh-CN,zh;q=0.9",), max_variants: int = 8, max_pages: int = 5000,
                 client=None, skip: tuple[str, ...] = SKIPPED_PREFIXES, keep_bodies: bool = False,
                 read_texts: bool = True) -> None:
        """`client` defaults to an anonymous visitor without cookies (every request a fresh one);
        a signed-in client crawls what that user sees (then skip /language/, which would switch it)."""
        self.app = app
        self.client = client or app.test_client(use_cookies=False)
        self.skip = skip
        self.keep_bodies = keep_bodies
        self.read_texts = read_texts  # False: keep only the bodies (the caller reads them itself)
        self.arguments = {**objects, **FIXED_ARGUMENTS}
        self.probes = list(probes)
        self.probe_meetings = set(probe_meetings) if probe_meetings is not None else None
        self.languages = languages
        self.max_variants = max_variants
        self.max_pages = max_pages
        host = urlsplit(app.config["PUBLIC_BASE_URL"]).netloc
        self.own_hosts = {"", "localhost", host}
        self.responses: list[Response] = []
        self.errors: list[str] = []
        self._seen: set[str] = set()
        self._variants: Counter = Counter()
        self._queue: deque[str] = deque()
        self._probe_routes: set[str] = set()  # start URLs that also get ?q=<probe>, if they are pages
        self._probes_sent: set[str] = set()

    # ------------------------------------------------------------------ where to start

    def start_urls(self) -> list[str]:
        urls: list[str] = []
        missing: set[str] = set()
        adapter = self.app.url_map.bind("localhost")
        for rule in sorted(self.app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith(self.skip):
                continue
            names = sorted(rule.arguments)
            absent = [name for name in names if name not in self.arguments]
            if absent:
                missing.update(f"{rule.endpoint}:{name}" for name in absent)
                continue
            for values in product(*(self.arguments[name] for name in names)):
                url = adapter.build(rule.endpoint, dict(zip(names, values, strict=True)))
                urls.append(url)
                if self.probes and self._probe_route(dict(zip(names, values, strict=True))):
                    self._probe_routes.add(url)
        assert not missing, f"the crawl cannot fill these URL arguments; give it ids for them: {sorted(missing)}"
        return urls

    def _probe_route(self, values: dict) -> bool:
        meeting_id = values.get("meeting_id")
        return meeting_id is None or self.probe_meetings is None or meeting_id in self.probe_meetings

    # ------------------------------------------------------------------ the crawl

    def run(self) -> list[Response]:
        for url in self.start_urls():
            self._enqueue(url)
        while self._queue:
            assert len(self.responses) < self.max_pages, "the crawl does not end: too many pages"
            url = self._queue.popleft()
            kind = self._fetch(url, self.languages[0], follow=True)
            # Documents (PDF, calendars, feeds) and probe results say the same in every language.
            if kind == "html" and url not in self._probes_sent:
                for language in self.languages[1:]:
                    self._fetch(url, language, follow=False)
        return self.responses

    def _normalise(self, url: str, base: str = "/") -> str | None:
        absolute = urljoin("http://localhost" + base, url.strip())  # the parser has decoded entities
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https", "webcal") or parts.netloc not in self.own_hosts:
            return None
        if parts.path.startswith(self.skip):
            return None
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        return parts.path + (f"?{query}" if query else "")

    def _enqueue(self, url: str, base: str = "/") -> None:
        path = self._normalise(url, base)
        if path is None or path in self._seen:
            return
        route = path.split("?", 1)[0]
        if "?" in path:
            if self._variants[route] >= self.max_variants:
                return
            self._variants[route] += 1
        self._seen.add(path)
        self._queue.append(path)

    def _fetch(self, url: str, language: str, *, follow: bool) -> str:
        """Fetch one URL, record what it says, queue what it links to; returns the kind of content."""
        response = self.client.get(url, headers={"Accept-Language": language})
        status = response.status_code
        headers = "\n".join(f"{key}: {value}" for key, value in response.headers.items())
        texts = [headers, unquote(headers)]
        if status >= 500:
            self.errors.append(f"{status} at {url}")
        if status in (301, 302, 303, 307, 308) and follow:
            self._enqueue(response.headers.get("Location", ""), url)
        content_type = response.mimetype or ""
        body = response.get_data()
        kind = "text"
        if not body:
            kind = "empty"
        elif content_type == "text/html":
            kind, page = "html", body.decode("utf-8")
            texts += [page, html.unescape(page), unquote(page)]
            if follow and status == 200:
                self._follow(page, url)
                if url in self._probe_routes:
                    for probe in self.probes:
                        probed = f"{url}?{urlencode({'q': probe})}"
                        self._probes_sent.add(probed)
                        self._queue.append(probed)
        elif content_type == "application/pdf":
            kind = "pdf"
            texts += read_pdf(body) if self.read_texts else []
        elif content_type == "text/calendar":
            kind = "ics"
            texts += read_ics(body.decode("utf-8")) if self.read_texts else []
        elif content_type in ("application/atom+xml", "application/xml", "text/xml"):
            kind = "atom"
            texts += read_xml(body) if self.read_texts else []
        elif content_type == "application/json":
            kind = "json"
            texts += [body.decode("utf-8"), json.dumps(json.loads(body), ensure_ascii=False)]
        else:
            texts.append(body.decode("utf-8", "replace"))
        self.responses.append(Response(url, status, kind, texts, body if self.keep_bodies else b"",
                                       response.mimetype or "", dict(response.headers)))
        return kind

    def _follow(self, page: str, url: str) -> None:
        links = _Links()
        links.feed(page)
        for target in links.urls:
            self._enqueue(target, url)
        for form in links.forms:
            action = form["action"] or url.split("?", 1)[0]
            fields = [(name, value or "") for name, value, _typed in form["fields"]]
            self._enqueue(f"{action}?{urlencode(fields)}", url)
            typed = [index for index, (_name, _value, is_text) in enumerate(form["fields"]) if is_text]
            for index, probe in product(typed, self.probes):
                filled = list(fields)
                filled[index] = (filled[index][0], probe)
                self._enqueue(f"{action}?{urlencode(filled)}", url)


def _trie_pattern(words: list[str]) -> re.Pattern:
    """One regex matching any of `words`, built as a trie (a|b|... over thousands of words would try
    every alternative at every position)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = True

    def pattern(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return re.compile(pattern(trie))


def find_markers(responses: list[Response], markers: dict[str, str], phones: dict[str, str]) -> list[Leak]:
    """Every place a marker (case-insensitive) or a phone number (in its usual spellings) appears."""
    labels: dict[str, str] = {}
    for label, value in markers.items():
        labels.setdefault(value.lower(), label)
    for label, number in phones.items():
        digits = number.removeprefix("+86")
        for spelling in (number, digits, f"{digits[:3]} {digits[3:7]} {digits[7:]}",
                         f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"):
            labels.setdefault(spelling.lower(), label)
    if not labels:
        return []
    search = _trie_pattern(list(labels))
    leaks = []
    for response in responses:
        text = "\n\x00\n".join(response.texts).lower()
        found = {}
        for match in search.finditer(text):
            found.setdefault(match.group(), match.start())
        for value, at in found.items():
            leaks.append(Leak(labels[value], value, response.url, text[max(0, at - 60): at + len(value) + 60]))
    return leaks
