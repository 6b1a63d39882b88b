"""Benchmark (not a test): the meeting summary PDF for 10, 300 and 3,000 questions, against ReportLab
laying out plain paragraphs of the same text in the same run (the overhead of our layout).

    .venv/bin/python bench/summary_pdf.py              # 10, 300 and 3,000
    .venv/bin/python bench/summary_pdf.py 50 1000      # other sizes

Per size, in a fresh temporary SQLite file: a past meeting with published minutes, N published
questions (with responses), N/15 action items with an update each, and 100 registrations.
  "request":  GET /meetings/<id>/summary.pdf through the app, cache cleared (queries + layout). The
              summary lists the 10 most-voted questions and counts the rest by topic.
  "all":      the builder alone with every one of the N questions listed in full (layout stress).
  "plain":    SimpleDocTemplate + one Paragraph per string of that same data, in the same font.
Ratios: all/plain (our layout's overhead on the same text) and request/plain-of-the-request's-data.
"""
from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import asdict, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_babel import force_locale  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import Department, District, User  # noqa: E402
from app.actions.models import ActionItem, ActionStatus, ActionUpdate  # noqa: E402
from app.extensions import db  # noqa: E402
from app.meetings.models import AgendaItem, Meeting, MeetingStatus, MeetingType  # noqa: E402
from app.minutes import services as minutes_services  # noqa: E402
from app.minutes.content import Decision, format_instant  # noqa: E402
from app.questions.models import Question, QuestionOutcome, QuestionStatus, QuestionTopic  # noqa: E402
from app.registrations.models import Registration, RegistrationStatus  # noqa: E402
from app.reports import documents  # noqa: E402
from app.reports.pdf.elements import escape, styles  # noqa: E402
from app.reports.pdf.summary import SummaryQuestion, build_summary  # noqa: E402
from app.security import Role  # noqa: E402


def progress(message: str) -> None:
    print(message, flush=True)


def fill(questions: int) -> int:
    dept = Department(code="bench", name_zh="江岸区住房和城市更新局", name_en="Housing Bureau")
    district = District(code="bench", name_zh="江岸区", name_en="Jiang'an")
    db.session.add_all([dept, district])
    db.session.flush()
    official = User(email="o@example.gov.cn", name="李明", role=Role.OFFICIAL, department_id=dept.id, password_hash="x")
    clerk = User(email="c@example.gov.cn", name="张记", role=Role.CLERK, department_id=dept.id, password_hash="x")
    db.session.add_all([official, clerk])
    db.session.flush()
    now = datetime.now(UTC).replace(microsecond=0)
    starts = now - timedelta(days=3)
    meeting = Meeting(type=MeetingType.TOWN_HALL, status=MeetingStatus.PUBLISHED, title="后湖片区老旧小区改造居民座谈会",
                      summary="听取居民意见。", department_id=dept.id, district_id=district.id,
                      created_by_id=official.id, starts_at=starts, ends_at=starts + timedelta(hours=2),
                      venue_name="后湖街道社区服务中心", published_at=starts - timedelta(days=20))
    meeting.hosts = [official]
    for position, title in enumerate(["开场", "方案说明", "居民提问", "下一步安排"], start=1):
        meeting.agenda_items.append(AgendaItem(position=position, title=title, description="说明" * 20))
    db.session.add(meeting)
    db.session.commit()
    progress("  meeting and agenda created; adding registrations, questions and action items")
    db.session.execute(sa.insert(Registration), [dict(
        meeting_id=meeting.id, code=f"B{n:06d}", token_hash=f"{n:064d}", name=f"市民{n}", email=f"r{n}@example.org",
        mobile=f"1390000{n:04d}", email_normalized=f"r{n}@example.org", mobile_normalized=f"1390000{n:04d}",
        status=RegistrationStatus.CONFIRMED, queue_number=n, language="zh_CN", created_at=now,
        checked_in_at=now if n % 3 else None) for n in range(100)])
    topics = list(QuestionTopic)
    db.session.execute(sa.insert(Question), [dict(
        meeting_id=meeting.id, body=f"第{n}个问题：小区改造后停车位如何分配？Will parking change? " + "补充说明。" * (n % 12),
        topic=topics[n % len(topics)], status=QuestionStatus.APPROVED, vote_count=(n * 37) % 500,
        asker_name=f"提问人{n}", contact_email=f"q{n}@example.org", created_at=now,
        outcome=QuestionOutcome.ANSWERED if n % 2 else None, outcome_at=now if n % 2 else None,
        response="将按照公开方案分配，详情见公告。" * (1 + n % 3) if n % 2 else "") for n in range(questions)])
    items = max(10, questions // 15)
    db.session.execute(sa.insert(ActionItem), [dict(
        title=f"行动事项 {n}：修复路灯并公布进度", description="", department_id=dept.id, responsible_id=official.id,
        meeting_id=meeting.id, status=ActionStatus.IN_PROGRESS, due_on=date.today() + timedelta(days=n % 90),
        original_due_on=date.today() + timedelta(days=n % 90), created_by_id=official.id, created_at=now)
        for n in range(items)])
    ids = db.session.execute(sa.select(ActionItem.id)).scalars().all()
    db.session.execute(sa.insert(ActionUpdate), [dict(action_item_id=i, body="已完成现场勘察，正在采购。",
                                                      author_id=official.id, created_at=now) for i in ids])
    db.session.commit()
    progress(f"  {questions:,} questions and {items:,} action items; publishing the minutes")
    version = minutes_services.open_minutes(clerk, meeting)
    content = minutes_services.prefill_content(meeting)
    content.presiding, content.recorder, content.citizens_present = "李明", "张记", 66
    content.adjourned_at = format_instant(starts + timedelta(hours=2))
    for item in content.items:
        item.summary = "会议听取了方案说明，居民代表发表了意见。" * 10
        item.decisions = [Decision(motion="同意方案", mover="李明", votes_for=8, votes_against=1, votes_abstain=1)]
    minutes_services.save_draft(clerk, version, content)
    minutes_services.submit_minutes(clerk, version)
    minutes_services.approve_minutes(official, version)
    minutes_services.publish_minutes(official, version)
    return meeting.id


def strings_of(data) -> list[str]:
    """Every string the summary prints from its data, in order (labels aside)."""
    found: list[str] = []

    def walk(value):
        if isinstance(value, str):
            if value:
                found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
    walk(asdict(data))
    return found


def plain(data) -> bytes:
    import io

    buffer = io.BytesIO()
    style = styles().body
    SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph(escape(text), style) for text in strings_of(data)])
    return buffer.getvalue()


def best_of(runs: int, action):
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - began)
    return min(times), result


def bench(questions: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                         RATELIMIT_ENABLED=False)
        with app.app_context():
            progress(f"{questions:,} questions: filling a temporary SQLite database")
            db.create_all()
            meeting_id = fill(questions)
            client = app.test_client()
            runs = 3 if questions <= 300 else 2

            def request():
                documents.pdf_cache.clear()
                response = client.get(f"/meetings/{meeting_id}/summary.pdf", headers={"Accept-Language": "zh-CN"})
                assert response.status_code == 200, response.status_code
                return response.data

            progress(f"  GET /meetings/{meeting_id}/summary.pdf through the app ({runs} runs, cache cleared)")
            request_time, body = best_of(runs, request)
            with app.test_request_context(headers={"Accept-Language": "zh-CN"}), force_locale("zh_CN"):
                meeting = db.session.get(Meeting, meeting_id)
                gathered = documents.gather_summary(meeting, draft=False).data
                everything = replace(gathered, top_questions=tuple(SummaryQuestion(
                    body=q.body, votes=q.vote_count, topic=str(q.topic.label),
                    outcome=str(q.outcome.label) if q.outcome else "", response=q.response)
                    for q in db.session.execute(sa.select(Question).where(Question.meeting_id == meeting_id)
                                                .order_by(Question.vote_count.desc())).scalars()),
                    other_questions=())
                progress(f"  plain paragraphs of the request's data ({runs} runs)")
                plain_request_time, _ = best_of(runs, lambda: plain(gathered))
                progress(f"  the builder with all {questions:,} questions listed ({runs} runs)")
                all_time, all_pdf = best_of(runs, lambda: build_summary(everything))
                progress(f"  plain paragraphs of that same text ({runs} runs)")
                plain_time, plain_pdf = best_of(runs, lambda: plain(everything))
            print(f"  request: {request_time:7.3f} s  {len(body) / 1e3:8.1f} kB   "
                  f"plain of same data: {plain_request_time:7.3f} s   ratio {request_time / plain_request_time:.2f}")
            print(f"  all:     {all_time:7.3f} s  {len(all_pdf) / 1e3:8.1f} kB   "
                  f"plain of same text: {plain_time:7.3f} s   ratio {all_time / plain_time:.2f}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    sizes = [int(arg) for arg in sys.argv[1:]] or [10, 300, 3000]
    for size in sizes:
        bench(size)
