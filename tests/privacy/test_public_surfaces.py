"""Personal data and unpublished work never reach a public surface.

A city is seeded through the services with a unique marker in every contact, private name, need,
token, follower address, rating comment and reviewer comment, and in every draft meeting, pending or
rejected question and unpublished minutes version. An anonymous visitor then crawls everything public
(tests/crawl.py): no marker may appear in any page, PDF, calendar, feed or header.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.crawl import Crawler, find_markers
from tests.factories import make_user
from tests.helpers import sign_in
from tests.privacy.seed import seed_city


@pytest.fixture(scope="module")
def city(app):
    return seed_city()


@pytest.fixture(scope="module")
def crawl(app, city):
    crawler = Crawler(app, city.objects, probes=city.probes, probe_meetings=city.probe_meetings,
                      languages=("zh-CN,zh;q=0.9", "en"))
    crawler.run()
    db.session.remove()
    return crawler


def stored_text() -> str:
    """Every string stored in the database, to check that the markers were really written."""
    parts = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text))]
        if columns:
            for row in db.session.execute(sa.select(*columns)):
                parts.extend(str(value) for value in row if value)
    return "\n".join(parts).lower()


def test_every_marker_was_stored(city):
    stored = stored_text()
    unstored = [label for label, value in city.markers.items()
                if not label.endswith("-token") and value.lower() not in stored]  # tokens are kept as hashes
    unstored += [label for label, number in city.phones.items() if number not in stored]
    assert not unstored


def test_the_crawl_reached_every_kind_of_public_surface(crawl, city):
    kinds = {response.kind for response in crawl.responses if response.status == 200}
    assert {"html", "pdf", "ics", "atom"} <= kinds
    fetched = {response.url.split("?")[0] for response in crawl.responses if response.status == 200}
    for meeting_id in city.objects["meeting_id"][:2]:
        assert {f"/meetings/{meeting_id}", f"/meetings/{meeting_id}.ics", f"/meetings/{meeting_id}/notice.pdf",
                f"/meetings/{meeting_id}/questions/similar"} <= fetched
    assert any(url.endswith("/summary.pdf") for url in fetched)
    assert any(url.startswith("/actions/") for url in fetched)
    # The scan reads what it fetched: public names are found where they belong.
    found = find_markers(crawl.responses, city.public, {})
    assert {leak.label for leak in found} == set(city.public)


def test_markers_are_there_for_the_meetings_staff(app, city):
    """The control: the same search finds the contacts on the staff registrants page."""
    client = app.test_client()
    sign_in(client, make_user("admin"))
    meeting_id = city.objects["meeting_id"][0]
    page = client.get(f"/manage/meetings/{meeting_id}/registrations").get_data(as_text=True)
    assert city.markers["reg-full-email"] in page


def test_no_public_request_fails(crawl):
    assert not crawl.errors


def test_no_public_surface_shows_personal_data_or_unpublished_work(crawl, city):
    leaks = find_markers(crawl.responses, city.markers, city.phones)
    assert not leaks, "\n".join(str(leak) for leak in leaks[:40])
