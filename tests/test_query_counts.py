"""Every list page runs the same number of queries for 1 row as for 50: no query per row; and each page the
load benchmark (bench/load.py) measures costs the same for a few rows as for many."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.accounts.audit import record_audit
from app.actions.models import ActionStatus
from app.extensions import db
from app.meetings.models import AgendaItem, Meeting, MeetingStatus, MeetingType
from app.questions.models import Question, QuestionStatus, QuestionTopic
from app.registrations import services as registration_services
from app.registrations.codes import hash_token
from app.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.actions.builders import raw_item
from tests.conftest import csrf_token_from
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


# ---------------------------------------------------------------------------- the benchmarked public pages
# bench/load.py loads these pages with a large city; here each one must cost the same number of queries
# with a few rows behind it as with many (SMALL and LARGE rows of what the page lists or counts), and at
# most BENCHMARK_MAX_QUERIES. The page cache is off in tests, so these are the queries of a full render.

SMALL, LARGE = 2, 120
BENCHMARK_MAX_QUERIES = 10


def bulk_meetings(city, n, *, past=False, start=0):
    """Published meetings with agendas, added in one commit (upcoming, or past when `past`)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    for i in range(start, start + n):
        starts = now + (timedelta(days=-(i + 2)) if past else timedelta(days=i + 2, hours=i % 5))
        meeting = Meeting(type=MeetingType.TOWN_HALL if i % 2 else MeetingType.HEARING,
                          status=MeetingStatus.CANCELLED if i % 9 == 8 else MeetingStatus.PUBLISHED,
                          title=f"会议{i}", summary="议题", starts_at=starts, ends_at=starts + timedelta(hours=2),
                          venue_name=f"社区中心{i}", timezone="Asia/Shanghai", department_id=city["dept"].id,
                          district_id=city["district"].id, created_by_id=city["official"].id,
                          published_at=starts - timedelta(days=20), cancel_reason="改期" if i % 9 == 8 else None)
        meeting.agenda_items = [AgendaItem(position=1, title="开场"), AgendaItem(position=2, title="讨论")]
        meeting.hosts = [city["official"]]
        db.session.add(meeting)
    db.session.commit()


@pytest.fixture
def big_meeting(city):
    """An upcoming town hall taking questions and registrations, like the benchmark's meeting 1."""
    return factories.make_meeting(title="全区居民大会", department_id=city["dept"].id,
                                  district_id=city["district"].id, created_by=city["official"],
                                  hosts=[city["official"]], agenda=["开场", "讨论", "答复"],
                                  registration_required=True, capacity=10_000)


def add_questions(meeting, n, start=0):
    for i in range(start, start + n):
        db.session.add(Question(meeting_id=meeting.id, body=f"问题{i}：什么时候开工？", topic=QuestionTopic.HOUSING,
                                status=QuestionStatus.APPROVED, vote_count=i % 7, asker_name=f"居民{i}",
                                created_at=datetime.now(timezone.utc) - timedelta(minutes=i)))
    db.session.commit()


def add_registrations(meeting, n, start=0):
    meeting = db.session.get(Meeting, meeting.id, populate_existing=True)
    queue = meeting.queue_counter
    for i in range(start, start + n):
        email = f"r{i}@example.cn"
        db.session.add(Registration(meeting_id=meeting.id, code=f"{i:03d}-{i:03d}", token_hash=hash_token(f"t{i}"),
                                    name=f"居民{i}", email=email, email_normalized=email,
                                    status=RegistrationStatus.CONFIRMED, queue_number=queue + i - start + 1))
    meeting.seats_taken += n
    meeting.queue_counter += n
    db.session.commit()


def add_action_items(city, meeting, n, start=0):
    today = datetime.now(timezone.utc).date()
    for i in range(start, start + n):
        status = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.DONE)[i % 3]
        raw_item(city["dept"], city["official"], meeting=meeting if i % 2 else None, status=status,
                 due_on=today + timedelta(days=i - n // 2), n=i)
    db.session.commit()


def add_meeting_activity(city, meeting, n, start=0):
    add_questions(meeting, n, start)
    add_registrations(meeting, n, start)
    add_action_items(city, meeting, n, start)


BENCHMARKED = [
    # (page, how to add `n` more rows of what it shows, starting at number `start`)
    ("/meetings", lambda city, meeting, n, start: bulk_meetings(city, n, start=start)),
    ("/meetings?when=past", lambda city, meeting, n, start: bulk_meetings(city, n, past=True, start=start)),
    ("/meetings/{id}", lambda city, meeting, n, start: add_meeting_activity(city, meeting, n, start)),
    ("/meetings/{id}/questions", lambda city, meeting, n, start: add_meeting_activity(city, meeting, n, start)),
    ("/actions", lambda city, meeting, n, start: add_action_items(city, meeting, n, start)),
    ("/meetings/{id}.ics", lambda city, meeting, n, start: add_meeting_activity(city, meeting, n, start)),
    ("/calendar.ics", lambda city, meeting, n, start: bulk_meetings(city, n, start=start)),
]


@pytest.mark.parametrize("url, add", BENCHMARKED, ids=[p[0] for p in BENCHMARKED])
def test_each_benchmarked_page_costs_the_same_queries_for_few_and_many_rows(client, count_queries, city,
                                                                           big_meeting, url, add):
    url = url.format(id=big_meeting.id)
    add(city, big_meeting, SMALL, 0)
    few = queries_for(client, count_queries, url)
    add(city, big_meeting, LARGE - SMALL, SMALL)
    many = queries_for(client, count_queries, url)
    assert few == many, f"{url}: {few} queries with {SMALL} rows, {many} with {LARGE}"
    assert many <= BENCHMARK_MAX_QUERIES, f"{url}: {many} queries"


def test_a_registration_costs_the_same_queries_whatever_the_meeting_already_holds(client, count_queries, city,
                                                                                 big_meeting):
    def register(n: int) -> int:
        page = client.get(f"/meetings/{big_meeting.id}/register")
        token = csrf_token_from(page.get_data(as_text=True))
        data = {"csrf_token": token, "name": "张三", "email": f"new{n}@example.cn",
                "submission_id": f"submission-{n}".ljust(40, "x")}
        db.session.remove()  # a fresh session, as each request in production has
        with count_queries() as statements:
            response = client.post(f"/meetings/{big_meeting.id}/register", data=data)
        assert response.status_code == 200
        assert db.session.execute(sa.select(Registration.id).where(
            Registration.meeting_id == big_meeting.id, Registration.email == f"new{n}@example.cn")).scalar()
        return len(statements)

    add_registrations(big_meeting, SMALL)
    register(0)  # the first write of a process also checks that the page cache's table exists
    few = register(1)
    add_registrations(big_meeting, LARGE, start=SMALL)
    many = register(2)
    assert few == many, f"{few} statements with {SMALL} registrations, {many} with {LARGE + SMALL}"
    assert many <= BENCHMARK_MAX_QUERIES, f"{many} statements"


def register_through_the_service(meeting, start, n):
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
    register_through_the_service(meeting, 0, 1)
    one = queries_for(client, count_queries, url)
    register_through_the_service(meeting, 1, 49)
    fifty = queries_for(client, count_queries, url)
    assert one == fifty, f"{url}: {one} queries with 1 registrant, {fifty} with 50"
    assert fifty <= MAX_QUERIES, f"{url}: {fifty} queries"
