"""The staff side through the real pages: the moderation queue and settings, entering questions from other
channels, one question (edit, merge, outcome), the live console, and overdue questions on the dashboard."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.extensions import db as _db
from app.questions import services as qs
from app.questions.models import Question, QuestionOutcome, QuestionSettings, QuestionStatus
from tests import factories
from tests.conftest import csrf_token_from
from tests.helpers import field_error, row_counts, sign_in, text_of
from tests.questions.builders import make_question

EN = {"Accept-Language": "en"}


def html_of(response) -> str:
    return response.get_data(as_text=True)


def staff_client(client, meeting, role="official"):
    user = factories.make_user(role, department_id=meeting.department_id)
    sign_in(client, user)
    return user


def post(client, page_url: str, action_url: str, data: dict, **kwargs):
    token = csrf_token_from(html_of(client.get(page_url)))
    return client.post(action_url, data={"csrf_token": token, **data}, headers=EN, **kwargs)


def base(meeting) -> str:
    return f"/manage/meetings/{meeting.id}/questions"


def reload(question) -> Question:
    _db.session.expire_all()
    return _db.session.get(Question, question.id)


# ---------------------------------------------------------------------------- access

def test_staff_pages_send_anonymous_visitors_to_sign_in_and_refuse_other_departments(client, db):
    meeting = factories.make_meeting()
    question = make_question(meeting)
    urls = [base(meeting), f"{base(meeting)}/{question.id}", f"{base(meeting)}/console", f"{base(meeting)}/new"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    sign_in(client, factories.make_user("official"))            # another department
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.get("/manage/questions/overdue").status_code == 200


def test_a_clerk_moderates_but_cannot_record_an_outcome(client, db):
    meeting = factories.make_meeting()
    question = make_question(meeting)
    staff_client(client, meeting, "clerk")
    detail = html_of(client.get(f"{base(meeting)}/{question.id}", headers=EN))
    assert f"{base(meeting)}/{question.id}/answered-live" in detail
    assert f"{base(meeting)}/{question.id}/outcome" not in detail
    response = post(client, f"{base(meeting)}/{question.id}", f"{base(meeting)}/{question.id}/outcome",
                    {"outcome": "answered", "response": "Yes"})
    assert response.status_code == 403
    assert reload(question).outcome is None


# ---------------------------------------------------------------------------- the queue

def test_the_queue_approves_and_rejects_with_a_reason(client, db):
    meeting = factories.make_meeting()
    first = make_question(meeting, status="pending", body="第一个问题", contact_email="ask@example.cn")
    second = make_question(meeting, status="pending", body="第二个问题")
    staff_client(client, meeting, "clerk")
    queue = html_of(client.get(base(meeting), headers=EN))
    assert "第一个问题" in queue and "ask@example.cn" in queue    # staff see contacts
    assert queue.index("第一个问题") < queue.index("第二个问题")    # oldest first
    approved = post(client, base(meeting), f"{base(meeting)}/{first.id}/approve", {"next": base(meeting)})
    assert approved.status_code == 303 and approved.headers["Location"].startswith(base(meeting))
    assert reload(first).status == QuestionStatus.APPROVED

    before = row_counts()
    no_reason = post(client, base(meeting), f"{base(meeting)}/{second.id}/reject", {"reason": "  "})
    assert no_reason.status_code == 400 and field_error(no_reason, "reason")
    assert row_counts() == before
    rejected = post(client, base(meeting), f"{base(meeting)}/{second.id}/reject",
                    {"reason": "与本次会议无关。", "next": base(meeting)})
    assert rejected.status_code == 303 and reload(second).rejection_reason == "与本次会议无关。"
    actions = _db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert actions == ["question.approve", "question.reject"]
    tabs = html_of(client.get(base(meeting) + "?view=rejected", headers=EN))
    assert "第二个问题" in tabs and "与本次会议无关。" in tabs


def test_settings_switch_moderation_and_close_questions_with_a_message(client, db):
    meeting = factories.make_meeting()
    staff_client(client, meeting, "clerk")
    response = post(client, base(meeting), f"{base(meeting)}/settings",
                    {"moderation_mode": "post", "closed_message": ""})
    assert response.status_code == 303
    assert _db.session.get(QuestionSettings, meeting.id).moderation_mode.value == "post"
    bad = post(client, base(meeting), f"{base(meeting)}/settings", {"moderation_mode": "sometimes"})
    assert bad.status_code == 400
    post(client, base(meeting), f"{base(meeting)}/settings",
         {"moderation_mode": "post", "is_closed": "y", "closed_message": "会议已结束，书面答复将在15天内公布。"})
    public = text_of(client.get(f"/meetings/{meeting.id}/questions"))
    assert "会议已结束，书面答复将在15天内公布。" in public


def test_staff_enter_a_hotline_question_on_someone_s_behalf(client, db):
    meeting = factories.make_meeting()
    clerk = staff_client(client, meeting, "clerk")
    url = f"{base(meeting)}/new"
    missing = post(client, url, url, {"body": "路灯不亮", "topic": "urban_management", "channel": ""})
    assert missing.status_code == 400 and field_error(missing, "channel")
    web = post(client, url, url, {"body": "路灯不亮", "topic": "urban_management", "channel": "web"})
    assert web.status_code == 400
    assert _db.session.execute(sa.select(sa.func.count()).select_from(Question)).scalar_one() == 0
    done = post(client, url, url, {"body": "路灯不亮", "topic": "urban_management", "channel": "hotline",
                                   "asker_name": "赵大爷", "is_anonymous": "y", "contact_mobile": "13912345678",
                                   "language": "zh_CN"})
    assert done.status_code == 303
    question = _db.session.execute(sa.select(Question)).scalar_one()
    assert question.channel.value == "hotline" and question.entered_by_id == clerk.id
    assert question.status == QuestionStatus.APPROVED and question.is_anonymous
    page = text_of(client.get(f"/meetings/{meeting.id}/questions", headers=EN))
    assert "路灯不亮" in page and "Phone hotline" in page and "赵大爷" not in page


# ---------------------------------------------------------------------------- one question

def test_editing_out_personal_data_keeps_the_original_for_staff_only(client, db):
    meeting = factories.make_meeting()
    question = make_question(meeting, body="我是王五，电话13800138000，小区门口的路灯不亮。", asker_name="王五")
    staff_client(client, meeting, "clerk")
    url = f"{base(meeting)}/{question.id}"
    saved = post(client, url, f"{url}/edit", {"body": "小区门口的路灯不亮。", "topic": "urban_management",
                                              "asker_name": "王五"})
    assert saved.status_code == 303
    public = text_of(client.get(f"/meetings/{meeting.id}/questions"))
    assert "13800138000" not in public and "小区门口的路灯不亮。" in public
    history = text_of(client.get(url))
    assert "13800138000" in history                                  # the original, in the history for staff
    empty = post(client, url, f"{url}/edit", {"body": " ", "topic": "urban_management"})
    assert empty.status_code == 400 and field_error(empty, "body")


def test_merging_from_a_suggestion_and_by_number(client, db):
    meeting = factories.make_meeting()
    kept = make_question(meeting, body="老旧小区加装电梯什么时候开工？", votes=4)
    duplicate = make_question(meeting, body="小区加装电梯什么时候开工", status="pending", votes=0)
    other = make_question(meeting, body="What time does the library close?", votes=1)
    staff_client(client, meeting, "clerk")
    url = f"{base(meeting)}/{duplicate.id}"
    detail = html_of(client.get(url, headers=EN))
    assert f'name="into_id" value="{kept.id}"' in detail             # suggested by similarity
    assert f'name="into_id" value="{other.id}"' not in detail
    unknown = post(client, url, f"{url}/merge", {"into_id": "999999"})
    assert unknown.status_code == 400 and "no question number 999999" in field_error(unknown, "into_id")
    merged = post(client, url, f"{url}/merge", {"into_id": str(kept.id)})
    assert merged.status_code == 303 and merged.headers["Location"].endswith(f"/questions/{kept.id}")
    assert reload(duplicate).status == QuestionStatus.MERGED and reload(duplicate).merged_into_id == kept.id


def test_an_official_records_an_outcome_and_bad_ones_get_messages(client, db):
    meeting = factories.make_meeting(starts_in=timedelta(days=-2))
    question = make_question(meeting)
    staff_client(client, meeting)
    url = f"{base(meeting)}/{question.id}"
    before = row_counts()
    no_plan = post(client, url, f"{url}/outcome", {"outcome": "cannot_solve_now", "reason": "Budget not approved."})
    assert no_plan.status_code == 400 and field_error(no_plan, "plan")
    no_department = post(client, url, f"{url}/outcome", {"outcome": "referred", "department_id": ""})
    assert no_department.status_code == 400 and field_error(no_department, "department_id")
    assert row_counts() == before
    done = post(client, url, f"{url}/outcome", {"outcome": "cannot_solve_now", "reason": "Budget not approved.",
                                                "plan": "Apply again in the 2027 budget, answer by March."})
    assert done.status_code == 303
    question = reload(question)
    assert question.outcome == QuestionOutcome.CANNOT_SOLVE_NOW and question.outcome_plan.startswith("Apply again")
    public = text_of(client.get(f"/meetings/{meeting.id}/questions", headers=EN))
    assert "Budget not approved." in public and "Apply again in the 2027 budget" in public


# ---------------------------------------------------------------------------- the console

def test_the_console_shows_a_question_on_the_projector_then_marks_it_answered(client, db):
    meeting = factories.make_meeting(starts_in=timedelta(minutes=-20))
    low = make_question(meeting, body="票少的问题", votes=1)
    high = make_question(meeting, body="票多的问题", votes=8)
    staff_client(client, meeting, "clerk")
    console = f"{base(meeting)}/console"
    page = html_of(client.get(console))
    assert page.index("票多的问题") < page.index("票少的问题")
    assert post(client, console, f"{base(meeting)}/{low.id}/now-answering", {"next": console}).status_code == 303
    projector = html_of(client.get(f"/meetings/{meeting.id}/questions/projector"))
    assert projector.index("票少的问题") < projector.index("票多的问题")   # the current one comes first
    assert post(client, console, f"{base(meeting)}/{low.id}/answered-live", {"next": console}).status_code == 303
    assert reload(low).outcome == QuestionOutcome.ANSWERED_LIVE
    assert "票少的问题" not in html_of(client.get(f"/meetings/{meeting.id}/questions/projector"))
    post(client, console, f"{base(meeting)}/{high.id}/now-answering", {"next": console})
    assert post(client, console, f"{base(meeting)}/console/clear", {"next": console}).status_code == 303
    assert _db.session.get(QuestionSettings, meeting.id).current_question_id is None


# ---------------------------------------------------------------------------- overdue on the dashboard

def overdue_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'/questions/(\d+)">#\d+</a>', html)]


def test_the_dashboard_lists_questions_without_an_outcome_past_the_deadline_oldest_first(client, db):
    department = factories.make_department()
    official = factories.make_user("official", department=department)

    def meeting_ago(days: int, **kw):
        return factories.make_meeting(starts_in=timedelta(days=-days), department_id=department.id, **kw)

    older, old, recent = meeting_ago(40), meeting_ago(20), meeting_ago(10)
    oldest_q = make_question(older, body="四十天前的问题", status="pending")
    old_q = make_question(old, body="二十天前的问题")
    make_question(old, body="已答复", outcome="answered", response="已答复", outcome_at=factories.now())
    make_question(old, body="被拒绝", status="rejected")
    recent_q = make_question(recent, body="十天前的问题")                   # still within 15 days
    make_question(factories.make_meeting(starts_in=timedelta(days=-30)), body="别的部门的问题")
    sign_in(client, official)
    dashboard = html_of(client.get("/manage/", headers=EN))
    assert "Questions without an outcome past the deadline" in dashboard
    assert overdue_ids(dashboard) == [oldest_q.id, old_q.id]
    assert "别的部门的问题" not in dashboard
    full = html_of(client.get("/manage/questions/overdue"))
    assert overdue_ids(full) == [oldest_q.id, old_q.id]
    client.application.config["QUESTION_DEADLINE_DAYS"] = 5
    assert overdue_ids(html_of(client.get("/manage/"))) == [oldest_q.id, old_q.id, recent_q.id]


def queries_for(client, count_queries, url) -> int:
    client.get(url)
    _db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


PAGES = ["{base}", "{base}?view=all", "{base}?view=merged", "{base}/console", "/manage/questions/overdue", "/manage/",
         "{base}/{question}"]


@pytest.mark.parametrize("path", PAGES)
def test_one_question_and_thirty_cost_the_same_number_of_queries_on_staff_pages(client, db, count_queries, path):
    meeting = factories.make_meeting(starts_in=timedelta(days=-30))
    official = staff_client(client, meeting)
    target = make_question(meeting, body="加装电梯 0", votes=2)
    make_question(meeting, body="加装电梯什么时候开工")      # so the question page has a merge suggestion
    qs.set_now_answering(official, meeting, target)

    def add(n: int):
        for i in range(n):
            question = make_question(meeting, body=f"加装电梯 {i + 1}", status="pending" if i % 2 else "approved",
                                     votes=i % 3, entered_by_id=official.id, channel="letter")
            if i % 4 == 0:
                qs.merge_questions(official, question, target) if question.status == QuestionStatus.APPROVED else None
            qs.edit_question(official, target, body=f"加装电梯 0 ({i})", topic="housing", asker_name="",
                             is_anonymous=False)

    url = path.format(base=base(meeting), question=target.id)
    add(1)
    one = queries_for(client, count_queries, url)
    add(29)
    thirty = queries_for(client, count_queries, url)
    assert one == thirty, f"{url}: {one} queries with 1 question, {thirty} with 30"
    assert thirty <= 16, f"{url}: {thirty} queries"


def test_the_meeting_preview_links_to_moderation_and_the_console(client, db):
    meeting = factories.make_meeting()
    staff_client(client, meeting, "clerk")
    page = html_of(client.get(f"/manage/meetings/{meeting.id}"))
    assert f"{base(meeting)}\"" in page and f"{base(meeting)}/console" in page
