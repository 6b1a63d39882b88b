"""Every list page runs the same number of queries for 1 row as for 50: no query per row."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.accounts.audit import record_audit
from app.extensions import db
from app.registrations import services as registration_services
from tests import factories
from tests.helpers import sign_in

# A ceiling per page, so an added query shows up here and is a decision, not an accident.
MAX_QUERIES = 12


@pytest.fixture
def city(app):
    dept = factories.make_department()
    return {"dept": dept, "district": factories.make_district(),
            "official": factories.make_user("official", department=dept),
            "admin": factories.make_user("admin", department=dept)}


def add_meetings(city, n, *, past=False):
    now = datetime.now(timezone.utc)
    for i in range(n):
        offset = timedelta(days=-(i + 2)) if past else timedelta(days=i + 2)
        factories.make_meeting(
            starts_at=(now + offset).replace(microsecond=0), title=f"会议{i}", department_id=city["dept"].id,
            district_id=city["district"].id, created_by=city["official"], hosts=[city["official"]],
            agenda=["开场", "讨论"], status="draft" if i % 5 == 4 and not past else "published")


def add_users(city, n):
    for _ in range(n):
        factories.make_user("clerk", department=city["dept"])


def add_audit_events(city, n):
    for i in range(n):
        record_audit(city["admin"], "test.event", "meeting", i, reason=f"原因{i}")
    db.session.commit()


def queries_for(client, count_queries, url) -> int:
    client.get(url)  # warm up: first-request work is not what we measure
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


PAGES = [
    # (url, who signs in, how to add rows)
    ("/meetings", None, lambda city, n: add_meetings(city, n)),
    ("/", None, lambda city, n: add_meetings(city, n)),
    ("/meetings?when=past", None, lambda city, n: add_meetings(city, n, past=True)),
    ("/meetings?q=会议&type=town_hall", None, lambda city, n: add_meetings(city, n)),
    ("/manage/meetings/", "official", lambda city, n: add_meetings(city, n)),
    ("/manage/", "official", lambda city, n: add_meetings(city, n)),
    ("/manage/users", "admin", add_users),
    ("/manage/audit", "admin", add_audit_events),
]


@pytest.mark.parametrize("url, who, add", PAGES, ids=[p[0] for p in PAGES])
def test_one_row_and_fifty_rows_cost_the_same_number_of_queries(client, count_queries, city, url, who, add):
    if who:
        sign_in(client, city[who])
    add(city, 1)
    one = queries_for(client, count_queries, url)
    add(city, 49)
    fifty = queries_for(client, count_queries, url)
    assert one == fifty, f"{url}: {one} queries with 1 row, {fifty} with 50"
    assert fifty <= MAX_QUERIES, f"{url}: {fifty} queries"


def test_the_meeting_page_cost_does_not_grow_with_its_agenda_or_hosts(app, client, count_queries):
    small = factories.make_meeting(agenda=["一"], hosts=[factories.make_user("official")])
    big = factories.make_meeting(agenda=[f"议程{i}" for i in range(30)],
                                 hosts=[factories.make_user("official") for _ in range(8)])
    assert queries_for(client, count_queries, f"/meetings/{small.id}") == \
        queries_for(client, count_queries, f"/meetings/{big.id}")


def add_registrations(meeting, start, n):
    """n registrations through the service: the first few confirmed, the rest waitlisted, every third with
    accommodation needs, every fourth checked in once confirmed."""
    clerk = factories.make_user("clerk", department_id=meeting.department_id)
    for i in range(start, start + n):
        needs = registration_services.Needs(wheelchair=i % 3 == 0, other="需要座位靠前" if i % 3 == 0 else "")
        result = registration_services.register_citizen(
            meeting, registration_services.RegistrationInput(name=f"市民{i}", mobile=f"1380000{i:04d}",
                                                             email=f"person{i}@example.cn", needs=needs),
            submission_id=f"query-count-submission-{i:06d}-" + "x" * 20)
        if i % 4 == 0 and result.registration.status == "confirmed":
            registration_services.check_in(clerk, result.registration)


@pytest.mark.parametrize("url", ["/manage/meetings/{id}/registrations", "/manage/meetings/{id}/check-in?q=市民",
                                 "/manage/meetings/{id}/registrations?q=市民&status=confirmed"])
def test_the_registrants_and_check_in_pages_cost_the_same_for_one_and_fifty_registrants(client, count_queries,
                                                                                       city, url):
    meeting = factories.make_meeting(registration_required=True, capacity=30, department_id=city["dept"].id,
                                     district_id=city["district"].id, created_by=city["official"])
    sign_in(client, city["official"])
    url = url.format(id=meeting.id)
    add_registrations(meeting, 0, 1)
    one = queries_for(client, count_queries, url)
    add_registrations(meeting, 1, 49)
    fifty = queries_for(client, count_queries, url)
    assert one == fifty, f"{url}: {one} queries with 1 registrant, {fifty} with 50"
    assert fifty <= MAX_QUERIES, f"{url}: {fifty} queries"
