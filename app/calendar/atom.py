"""A small Atom 1.0 (RFC 4287) writer on xml.etree: every text and attribute is escaped by the
serialiser, and characters XML 1.0 cannot carry (control characters) are removed first, so user text
can neither break the document nor add elements."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


def _stamp(value: datetime) -> str:
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    summary: str = ""
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    self_url: str
    alternate_url: str
    author: str
    language: str
    entries: list[Entry] = field(default_factory=list)
    subtitle: str = ""


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {key: xml_text(value) for key, value in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def render_feed(feed: Feed, *, fallback_updated: datetime) -> bytes:
    """The feed as UTF-8 XML. `updated` is the newest entry's, or `fallback_updated` for an empty feed."""
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": feed.language})
    _sub(root, "id", feed.id)
    _sub(root, "title", feed.title)
    if feed.subtitle:
        _sub(root, "subtitle", feed.subtitle)
    updated = max((entry.updated for entry in feed.entries), default=fallback_updated)
    _sub(root, "updated", _stamp(updated))
    _sub(root, "link", rel="self", type="application/atom+xml", href=feed.self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=feed.alternate_url)
    author = _sub(root, "author")
    _sub(author, "name", feed.author)
    for entry in feed.entries:
        item = _sub(root, "entry")
        _sub(item, "id", entry.id)
        _sub(item, "title", entry.title, type="text")
        _sub(item, "link", rel="alternate", type="text/html", href=entry.url)
        _sub(item, "published", _stamp(entry.published))
        _sub(item, "updated", _stamp(entry.updated))
        for category in entry.categories:
            _sub(item, "category", term=category)
        if entry.summary:
            _sub(item, "summary", entry.summary, type="text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
