"""Atom feeds: well-formed XML, escaped, newest first, public meetings only, no personal data."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from tests import factories
from tests.calendar.helpers import add_registration, assert_no_personal_data

NS = {"a": "http://www.w3.org/2005/Atom"}
NASTY = 'Fares & <script>alert("x")</script> ]]> \x01\x0b\x1f end'


def test_meetings_feed_is_well_formed_escaped_and_public_only(app, client):
    older = factories.make_meeting(title="Older")
    nasty = factories.make_meeting(title=NASTY, summary=NASTY, venue_name=NASTY)
    cancelled = factories.make_meeting(title="Called off", status="cancelled", cancel_reason="Storm")
    factories.make_meeting(title="Secret draft", status="draft")
    for m in (older, nasty, cancelled):
        add_registration(m)
    from app.extensions import db
    older.published_at = nasty.published_at.replace(year=nasty.published_at.year - 1)
    db.session.commit()

    response = client.get("/feeds/meetings.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    text = response.get_data(as_text=True)
    root = ET.fromstring(response.get_data())  # raises if not well-formed
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    titles = [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert "Secret draft" not in text
    assert titles[-1] == "Older"  # newest publication first
    assert any(t.startswith("Fares & <script>") and "\x01" not in t for t in titles)
    assert "<script>" not in text  # escaped in the bytes
    assert any("Called off" in t for t in titles)
    ids = [e.findtext("a:id", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert f"http://127.0.0.1:5000/meetings/{nasty.id}" in ids
    for entry in root.findall("a:entry", NS):
        assert entry.find("a:link", NS).get("href").startswith("http://127.0.0.1:5000/meetings/")
        assert entry.findtext("a:updated", namespaces=NS).endswith("Z")
    assert_no_personal_data(text)
    etag = response.headers["ETag"]
    assert client.get("/feeds/meetings.atom", headers={"If-None-Match": etag}).status_code == 304


def test_an_empty_meetings_feed_is_still_valid(app, client):
    root = ET.fromstring(client.get("/feeds/meetings.atom").get_data())
    assert root.findall("a:entry", NS) == []
    assert root.findtext("a:updated", namespaces=NS)


def test_pages_announce_the_feeds_and_calendar_links(app, client):
    m = factories.make_meeting()
    page = client.get("/meetings?type=hearing&district=x%26y").get_data(as_text=True)
    assert 'type="application/atom+xml"' in page and "/feeds/meetings.atom" in page
    assert "webcal://127.0.0.1:5000/calendar.ics?type=hearing&amp;district=x%26y" in page
    assert 'href="http://127.0.0.1:5000/calendar.ics?type=hearing&amp;district=x%26y"' in page
    detail = client.get(f"/meetings/{m.id}").get_data(as_text=True)
    assert f"/meetings/{m.id}.ics" in detail


def test_minutes_feed_lists_published_versions_only(app, client):
    from tests.minutes import builders

    shown = builders.past_meeting()
    shown.meeting.title = NASTY
    from app.extensions import db
    db.session.commit()
    builders.published(shown)
    pending = builders.past_meeting()
    builders.submitted(pending)
    add_registration(shown.meeting)

    response = client.get("/feeds/minutes.atom")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.get_data())
    entries = root.findall("a:entry", NS)
    assert len(entries) == 1
    assert entries[0].find("a:link", NS).get("href") == f"http://127.0.0.1:5000/meetings/{shown.meeting.id}/minutes"
    assert "Fares & <script>" in entries[0].findtext("a:title", namespaces=NS)
    text = response.get_data(as_text=True)
    assert f"/meetings/{pending.meeting.id}/" not in text
    assert_no_personal_data(text)


def test_the_feeds_are_linked_visibly_on_every_page_the_list_and_the_minutes_page(app, client):
    import re

    from tests.minutes import builders as minutes_builders

    setting = minutes_builders.past_meeting()
    minutes_builders.published(setting)
    pages = ["/", "/meetings?when=past", f"/meetings/{setting.meeting.id}", "/actions",
             f"/meetings/{setting.meeting.id}/minutes"]
    for language, meetings_label, minutes_label in (("en", "New meetings (Atom feed)", "Published minutes (Atom feed)"),
                                                    ("zh-CN", "新发布的活动（Atom 订阅源）", "已发布的会议纪要（Atom 订阅源）")):
        for url in pages:
            body = client.get(url, headers={"Accept-Language": language}).get_data(as_text=True)
            footer = re.search(r'<footer class="site-footer">.*?</footer>', body, re.S).group(0)
            assert re.search(rf'<a href="/feeds/meetings.atom"[^>]*>{re.escape(meetings_label)}</a>', footer), url
            assert re.search(rf'<a href="/feeds/minutes.atom"[^>]*>{re.escape(minutes_label)}</a>', footer), url
            assert '<a href="/calendar.ics"' in footer, url
        listing = client.get("/meetings", headers={"Accept-Language": language}).get_data(as_text=True)
        links = re.search(r'<p class="calendar-links">.*?</p>', listing, re.S).group(0)
        assert "webcal://" in links and 'href="/feeds/meetings.atom"' in links
        minutes_page = client.get(f"/meetings/{setting.meeting.id}/minutes",
                                  headers={"Accept-Language": language}).get_data(as_text=True)
        main = re.search(r"<main.*?</main>", minutes_page, re.S).group(0)
        assert 'href="/feeds/minutes.atom"' in main
    assert client.get("/feeds/minutes.atom").status_code == 200
