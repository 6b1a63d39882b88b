"""Benchmark (not a test): the /calendar.ics feed for 1,000 and 10,000 meetings, against building the
same events directly with the icalendar library in the same run.

    .venv/bin/python bench/ics_feed.py            # 1,000 and 10,000
    .venv/bin/python bench/ics_feed.py 500 2000   # other sizes

Each size gets a fresh SQLite file in a temporary folder, filled here. "feed" is a full GET of
/calendar.ics through the app (queries, streaming, VTIMEZONEs); "direct" loads the same meetings with
one ORM query and builds one icalendar Calendar with Event.new() per meeting and one to_ical().
"""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from icalendar import Calendar, Event  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import Department, District, User  # noqa: E402
from app.extensions import db  # noqa: E402
from app.meetings.models import Meeting, MeetingStatus, MeetingType  # noqa: E402
from app.security import Role  # noqa: E402


def progress(message: str) -> None:
    print(message, flush=True)


def fill(count: int) -> None:
    dept = Department(code="bench", name_zh="部门", name_en="Department")
    district = District(code="bench", name_zh="区", name_en="District")
    db.session.add_all([dept, district])
    db.session.flush()
    user = User(email="bench@example.gov.cn", name="Bench", role=Role.OFFICIAL, department_id=dept.id,
                password_hash="x")
    db.session.add(user)
    db.session.flush()
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    zones = ["Asia/Shanghai"] * 9 + ["America/New_York"]
    rows = []
    for n in range(count):
        at = start + timedelta(hours=3 * n)
        rows.append({
            "type": MeetingType.TOWN_HALL, "status": MeetingStatus.CANCELLED if n % 50 == 0 else MeetingStatus.PUBLISHED,
            "title": f"第{n}次社区座谈会：老旧小区改造, 停车; 加装电梯", "summary": "讨论老旧小区改造方案。" * 8,
            "purpose": "", "department_id": dept.id, "district_id": district.id, "created_by_id": user.id,
            "host_note": "", "timezone": zones[n % 10], "starts_at": at,
            "ends_at": None if n % 7 == 0 else at + timedelta(hours=2), "venue_name": f"社区中心 {n}",
            "address": "江汉区建设大道 100 号", "online_url": "", "registration_required": False,
            "seats_taken": 0, "queue_counter": 0, "sequence": n % 3, "published_at": start - timedelta(days=10),
            "created_at": start, "updated_at": start,
        })
        if len(rows) == 2000 or n == count - 1:
            db.session.execute(sa.insert(Meeting), rows)
            rows = []
            progress(f"  filled {n + 1:,}/{count:,} meetings")
    db.session.commit()


def direct(app) -> bytes:
    """The baseline: the same events, built straight with icalendar from ORM objects."""
    meetings = db.session.execute(sa.select(Meeting).order_by(Meeting.starts_at)).scalars().all()
    base = app.config["PUBLIC_BASE_URL"]
    calendar = Calendar.new(prodid="-//bench//EN", method="PUBLISH", uid="bench@x")
    for m in meetings:
        zone = ZoneInfo(m.timezone)
        calendar.add_component(Event.new(
            uid=f"meeting-{m.id}@127.0.0.1", stamp=m.updated_at, last_modified=m.updated_at,
            start=m.starts_at.astimezone(zone), end=(m.ends_at or m.starts_at + timedelta(hours=2)).astimezone(zone),
            summary=m.title, sequence=m.sequence, status="CANCELLED" if m.is_cancelled else "CONFIRMED",
            location=f"{m.venue_name}, {m.address}", url=f"{base}/meetings/{m.id}",
            description=f"{m.summary}\n\n{base}/meetings/{m.id}"))
    calendar.add_missing_timezones()
    db.session.rollback()
    return calendar.to_ical()


def through_app(client) -> tuple[bytes, int]:
    response = client.get("/calendar.ics")
    chunks = 0
    body = bytearray()
    for chunk in response.response:  # the streamed pieces, as a server would send them
        body += chunk
        chunks += 1
    response.close()
    return bytes(body), chunks


def best_of(runs: int, action):
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - began)
    return min(times), result


def bench(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                         RATELIMIT_ENABLED=False)
        with app.app_context():
            progress(f"{count:,} meetings: filling a temporary SQLite database")
            db.create_all()
            fill(count)
            client = app.test_client()
            runs = 3 if count <= 2000 else 2
            progress(f"  building the feed through the app ({runs} runs)")
            feed_time, (body, chunks) = best_of(runs, lambda: through_app(client))
            progress(f"  building the same events directly with icalendar ({runs} runs)")
            direct_time, direct_body = best_of(runs, lambda: direct(app))
            events = body.count(b"BEGIN:VEVENT")
            assert events == count == direct_body.count(b"BEGIN:VEVENT"), (events, count)
            print(f"  feed:   {feed_time:7.3f} s  {feed_time / count * 1e6:7.1f} µs/event  "
                  f"{len(body) / 1e6:6.2f} MB in {chunks} chunks")
            print(f"  direct: {direct_time:7.3f} s  {direct_time / count * 1e6:7.1f} µs/event  "
                  f"{len(direct_body) / 1e6:6.2f} MB in 1 piece")
            print(f"  ratio feed/direct: {feed_time / direct_time:.2f}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    sizes = [int(arg) for arg in sys.argv[1:]] or [1000, 10000]
    for size in sizes:
        bench(size)
