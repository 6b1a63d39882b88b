"""The same sweep over `flask demo load` data: every contact the demo holds, and markers added to it
through the services, stay off every public surface."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.accounts import models as account_models
from app.extensions import db
from app.meetings.models import Meeting, MeetingStatus
from tests.crawl import Crawler, find_markers
from tests.privacy.seed import seed_demo


@pytest.fixture(scope="module")
def demo(app):
    with pytest.MonkeyPatch.context() as patch:  # a dozen real password hashes would dominate the load
        patch.setattr(account_models, "generate_password_hash",
                      lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))
        return seed_demo()


@pytest.fixture(scope="module")
def crawl(app, demo):
    crawler = Crawler(app, demo.objects, probes=demo.probes, probe_meetings=demo.probe_meetings)
    crawler.run()
    db.session.remove()
    return crawler


def test_the_demo_holds_personal_data_to_look_for(demo):
    assert len(demo.markers) > 300 and len(demo.phones) > 300


def test_the_crawl_read_the_whole_demo(crawl, demo):
    fetched = {r.url for r in crawl.responses if r.status == 200}
    public_meetings = [m for m in demo.objects["meeting_id"] if f"/meetings/{m}" in fetched]
    assert len(public_meetings) >= 35
    cancelled = set(db.session.execute(sa.select(Meeting.id).where(Meeting.status == MeetingStatus.CANCELLED))
                    .scalars())
    assert all(f"/meetings/{m}/notice.pdf" in fetched for m in public_meetings if m not in cancelled)
    assert sum(url.endswith("/summary.pdf") for url in fetched) >= 3
    assert {"/feeds/meetings.atom", "/feeds/minutes.atom", "/calendar.ics", "/actions"} <= fetched


def test_no_public_request_fails(crawl):
    assert not crawl.errors


def test_no_public_surface_of_the_demo_shows_personal_data_or_unpublished_work(crawl, demo):
    leaks = find_markers(crawl.responses, demo.markers, demo.phones)
    assert not leaks, "\n".join(str(leak) for leak in leaks[:40])
