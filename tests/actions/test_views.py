"""The public tracker, an item's page, the figures, following and rating through the web, and staff pages."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.actions import services as action_services
from app.actions.models import ActionFollower, ActionItem, ActionRating, ActionStatus, ActionUpdate
from app.db import utcnow
from app.extensions import db
from app.notify.models import OutboxMessage
from app.questions.models import QuestionOutcome
from tests import factories
from tests.actions.builders import item_input, make_item, raw_item
from tests.helpers import field_error, page_token, row_counts, sign_in, text_of
from tests.minutes import builders as minutes_builders
from tests.questions.builders import make_question


def _bulk(n: int):
    department = factories.make_department()
    district = factories.make_district()
    official = factories.make_user("official", department=department)
    meeting = factories.make_meeting(department_id=department.id, district_id=district.id, created_by=official)
    today = utcnow().date()
    statuses = list(ActionStatus)
    for i in range(n):
        raw_item(department, official, meeting=meeting if i % 2 else None, status=statuses[i % 4],
                 due_on=today + timedelta(days=(i % 7) - 3), n=i)
    db.session.commit()
    return department, district


@pytest.mark.parametrize("url", ["/actions", "/actions?overdue=1&status=open", "/actions/figures"])
def test_tracker_and_figures_run_the_same_number_of_queries_for_1_and_500_items(app, client, count_queries, url):
    def queries_for(n):
        db.session.execute(sa.delete(ActionItem))
        db.session.commit()
        department, district = _bulk(n)
        full = url + ("&" if "?" in url else "?") + f"department={department.code}" if "figures" not in url else url
        db.session.expire_all()
        with count_queries() as statements:
            response = client.get(full)
        assert response.status_code == 200
        return len(statements)

    assert queries_for(1) == queries_for(500)


def test_unknown_filter_values_give_an_empty_list_and_a_bad_page_the_first(app, client):
    item = make_item()
    assert item.title in text_of(client.get("/actions"))
    for query in ("status=nope", "department=nope", "district=nope", "overdue=maybe", "meeting=x"):
        response = client.get(f"/actions?{query}")
        assert response.status_code == 200 and item.title not in text_of(response), query
    assert item.title in text_of(client.get("/actions?page=abc"))
    assert item.title in text_of(client.get("/actions?page=-3"))


def test_the_tracker_filters_by_meeting_department_and_status(app, client):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    mine = make_item(official, meeting, title="会议事项")
    other = make_item(title="其他事项")
    body = text_of(client.get(f"/actions?meeting={meeting.id}"))
    assert mine.title in body and other.title not in body
    body = text_of(client.get(f"/actions?department={other.department.code}&status=open"))
    assert other.title in body and mine.title not in body


def test_items_of_draft_meetings_are_not_public(app, client):
    official = factories.make_user("official")
    meeting = factories.make_meeting(status="draft", department_id=official.department_id, created_by=official)
    item = make_item(official, meeting, title="草稿会议事项")
    assert client.get(f"/actions/{item.id}").status_code == 404
    assert item.title not in text_of(client.get("/actions"))


def test_an_items_page_shows_its_origin_history_and_aggregate_ratings_only(app, client):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    question = make_question(meeting, body="路灯什么时候修？")
    item = action_services.create_action_item(official, item_input(official, title="修路灯"), question=question)
    action_services.record_action_progress(official, item, "已派人勘察")
    action_services.extend_due_date(official, item, item.due_on + timedelta(days=5), "等待配件")
    action_services.change_action_status(official, item, "done", text="路灯已修好")
    follower = ActionFollower(action_item_id=item.id, email="a@example.cn", token_hash="h" * 64)
    db.session.add(follower)
    db.session.flush()
    db.session.add(ActionRating(action_item_id=item.id, follower_id=follower.id, value="not_satisfied",
                                comment="私人意见不公开"))
    db.session.commit()
    body = text_of(client.get(f"/actions/{item.id}"))
    for text in (meeting.title, "路灯什么时候修？", "已派人勘察", "等待配件", "路灯已修好"):
        assert text in body
    assert "私人意见不公开" not in body and "a@example.cn" not in body


def test_following_from_the_web_answers_the_same_whoever_asks(app, client):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    minutes_builders.add_registrant(meeting, 1, email="reg@example.cn")
    item = make_item(official, meeting)
    token = page_token(client, f"/actions/{item.id}")
    answers = []
    for email in ("stranger@example.cn", "reg@example.cn"):
        response = client.post(f"/actions/{item.id}/follow", data={"csrf_token": token, "email": email},
                               follow_redirects=True)
        assert response.status_code == 200
        answers.append(re.search(r'class="flash[^"]*"[^>]*>(.*?)</div>', response.get_data(as_text=True)).group(1))
    assert answers[0] == answers[1]
    assert db.session.execute(sa.select(OutboxMessage.to_address)).scalars().all() == ["reg@example.cn"]


def test_a_bad_email_is_refused_with_a_message_and_nothing_written(app, client):
    item = make_item()
    token = page_token(client, f"/actions/{item.id}")
    before = row_counts()
    response = client.post(f"/actions/{item.id}/follow", data={"csrf_token": token, "email": "not-an-email"})
    assert response.status_code == 400 and field_error(response, "email")
    assert row_counts() == before


def test_bad_follow_and_follower_links_are_the_same_404(app, client):
    item = make_item()
    def main(response) -> str:
        return re.search(r"<main.*</main>", response.get_data(as_text=True), re.S).group(0)

    unknown = main(client.get("/actions/999999"))
    token = page_token(client, f"/actions/{item.id}")
    before = row_counts()
    for url in (f"/actions/{item.id}/follow/nonsense", "/actions/f/nonsense", "/actions/unsubscribe/nonsense"):
        for response in (client.get(url), client.post(url, data={"csrf_token": token, "value": "satisfied"})):
            assert response.status_code == 404, url
            assert main(response) == unknown, url
    assert row_counts() == before


def test_confirming_then_rating_through_the_private_link(app, client):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    item = make_item(official, meeting)
    invite = action_services._invite_serializer().dumps({"a": item.id, "e": "reg@example.cn", "r": None, "q": None})
    token = page_token(client, f"/actions/{item.id}/follow/{invite}")
    response = client.post(f"/actions/{item.id}/follow/{invite}", data={"csrf_token": token})
    assert response.status_code == 303
    private = response.headers["Location"]
    assert client.get(private).status_code == 200
    token = page_token(client, f"/actions/{item.id}")
    before = row_counts()
    response = client.post(private, data={"csrf_token": token, "value": "satisfied"})
    assert response.status_code == 409 and row_counts() == before  # not done yet
    action_services.change_action_status(official, item, "done", text="已完成")
    assert client.post(private, data={"csrf_token": token, "value": "satisfied"}).status_code == 303
    response = client.post(private, data={"csrf_token": token, "value": "partly"})
    assert response.status_code == 409
    assert db.session.execute(sa.select(sa.func.count()).select_from(ActionRating)).scalar_one() == 1


def test_the_figures_page_shows_numbers_and_svg_charts_without_inline_styles(app, client):
    department, _ = _bulk(8)
    response = client.get("/actions/figures")
    body = response.get_data(as_text=True)
    assert "<svg" in body and "<rect" in body and "style=" not in body and "<script" not in body
    assert department.name_zh in body or department.name_en in body


def test_an_official_creates_an_item_from_a_question_on_the_staff_page(app, client):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    question = make_question(meeting, body="公园厕所太少")
    sign_in(client, official)
    url = f"/manage/actions/new?question={question.id}"
    token = page_token(client, url)
    data = {"csrf_token": token, "title": "增建公园厕所", "description": "", "department_id": official.department_id,
            "responsible_id": official.id, "priority": "normal", "minutes_ref": ""}
    before = row_counts()
    response = client.post(url, data={**data, "due_on": (utcnow() - timedelta(days=3)).date().isoformat()})
    assert response.status_code == 400 and field_error(response, "due_on")
    assert row_counts() == before
    response = client.post(url, data={**data, "due_on": (utcnow() + timedelta(days=30)).date().isoformat()})
    assert response.status_code == 302
    item = db.session.execute(sa.select(ActionItem)).scalar_one()
    assert item.question_id == question.id
    db.session.refresh(question)
    assert question.outcome == QuestionOutcome.ACTION
    token = page_token(client, f"/manage/actions/{item.id}")
    response = client.post(f"/manage/actions/{item.id}/updates", data={"csrf_token": token, "body": "  "})
    assert response.status_code == 400 and field_error(response, "body")
    response = client.post(f"/manage/actions/{item.id}/status",
                           data={"csrf_token": token, "status": "done", "text": ""})
    assert response.status_code == 400 and field_error(response, "text")
    assert db.session.execute(sa.select(sa.func.count()).select_from(ActionUpdate)).scalar_one() == 0
    assert client.get("/manage/actions").status_code == 200


def test_the_questions_page_links_to_the_item_and_shows_its_state(app, client):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    question = make_question(meeting, body="公交站台太远")
    item = action_services.create_action_item(official, item_input(official, title="增设公交站台"),
                                              question=question)
    body = text_of(client.get(f"/meetings/{meeting.id}/questions"))
    assert f"/actions/{item.id}" in body and "增设公交站台" in body
    action_services.change_action_status(official, item, "done", text="站台已建成")
    body = text_of(client.get(f"/meetings/{meeting.id}/questions"))
    assert "action-status-done" in body
    assert f"/meetings/{meeting.id}/questions#q-{question.id}" in text_of(client.get(f"/actions/{item.id}"))


def test_the_meeting_page_lists_its_action_items(app, client):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    item = make_item(official, meeting, title="整治占道经营")
    body = text_of(client.get(f"/meetings/{meeting.id}"))
    assert "整治占道经营" in body and f"/actions/{item.id}" in body


def test_control_characters_in_the_tracker_filters_are_ignored(app, client):
    """PostgreSQL refuses NUL in text: a filter carrying one must not reach the query."""
    item = make_item()
    for query in ("department=%00", "district=%00%01", "status=open%00", "meeting=%00", "overdue=1%00"):
        response = client.get(f"/actions?{query}")
        assert response.status_code == 200, query
    assert item.title in text_of(client.get("/actions?status=%00open"))


def test_the_dashboard_lists_overdue_soon_due_and_stale_items(app, client):
    official = factories.make_user("official")
    today = utcnow().date()
    raw_item(official.department, official, due_on=today - timedelta(days=2), n=1).title = "逾期事项"
    raw_item(official.department, official, due_on=today + timedelta(days=5), n=2,
             created_at=utcnow() - timedelta(days=3)).title = "即将到期"
    raw_item(official.department, official, due_on=today + timedelta(days=60), n=3,
             created_at=utcnow() - timedelta(days=45)).title = "久未更新"
    raw_item(official.department, official, due_on=today + timedelta(days=60), n=4,
             created_at=utcnow() - timedelta(days=2)).title = "正常事项"
    db.session.commit()
    sign_in(client, official)
    body = text_of(client.get("/manage/"))
    for title in ("逾期事项", "即将到期", "久未更新"):
        assert title in body
    assert "正常事项" not in body


def test_an_items_page_runs_the_same_number_of_queries_for_1_and_40_updates(app, client, count_queries):
    def queries_for(n):
        official = factories.make_user("official")
        meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
        item = make_item(official, meeting)
        for i in range(n):
            action_services.record_action_progress(official, item, f"进展 {i}")
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get(f"/actions/{item.id}").status_code == 200
        return len(statements)

    assert queries_for(1) == queries_for(40)


def test_staff_create_an_item_from_a_minutes_commitment(app, client):
    from app.minutes.content import Commitment

    setting = minutes_builders.past_meeting()
    minutes_builders.published(setting, commitments=[Commitment(text="一个月内修复人行道")])
    sign_in(client, setting.official)
    url = f"/manage/actions/new?meeting={setting.meeting.id}"
    assert "一个月内修复人行道" in text_of(client.get(url))
    token = page_token(client, url)
    response = client.post(url, data={
        "csrf_token": token, "title": "修复人行道", "department_id": setting.official.department_id,
        "responsible_id": setting.official.id, "priority": "high", "minutes_ref": "c0",
        "due_on": (utcnow() + timedelta(days=30)).date().isoformat()})
    assert response.status_code == 302
    item = db.session.execute(sa.select(ActionItem)).scalar_one()
    assert item.minutes_ref == "c0" and item.source_text == "一个月内修复人行道"
    body = text_of(client.get(f"/actions/{item.id}"))
    assert "一个月内修复人行道" in body and f"/meetings/{setting.meeting.id}/minutes" in body


def test_officials_of_another_department_cannot_change_an_item_on_the_web(app, client):
    official = factories.make_user("official")
    item = make_item(official)
    sign_in(client, factories.make_user("official"))
    token = page_token(client, f"/manage/actions/{item.id}")
    before = row_counts()
    response = client.post(f"/manage/actions/{item.id}/status", data={"csrf_token": token, "status": "done",
                                                                      "text": "x"})
    assert response.status_code == 403 and row_counts() == before


def test_a_clerk_creates_an_item_for_their_department_on_the_staff_pages(app, client):
    department = factories.make_department()
    clerk = factories.make_user("clerk", department=department)
    official = factories.make_user("official", department=department, name="责任干部")
    meeting = factories.make_meeting(department_id=department.id, created_by=official)
    question = make_question(meeting, body="小区路灯不亮")
    other_meeting = factories.make_meeting()
    sign_in(client, clerk)
    assert "/manage/actions/new" in text_of(client.get("/manage/actions"))
    assert f"/manage/actions/new?meeting={meeting.id}" in text_of(client.get(f"/meetings/{meeting.id}"))
    assert f"/manage/actions/new?meeting={other_meeting.id}" not in text_of(client.get(f"/meetings/{other_meeting.id}"))
    detail = text_of(client.get(f"/manage/meetings/{meeting.id}/questions/{question.id}"))
    assert f"/manage/actions/new?question={question.id}" in detail
    url = f"/manage/actions/new?question={question.id}"
    page = client.get(url).get_data(as_text=True)
    offered = re.search(r'<select[^>]*name="department_id".*?</select>', page, re.S).group(0)
    assert offered.count("<option") == 1 and f'<option selected value="{department.id}">' in offered
    assert f'<option selected value="{official.id}">' in page
    token = page_token(client, url)
    data = {"csrf_token": token, "title": "修复路灯", "description": "", "department_id": department.id,
            "responsible_id": official.id, "priority": "normal", "minutes_ref": "",
            "due_on": (utcnow() + timedelta(days=14)).date().isoformat()}
    before = row_counts()
    response = client.post(url, data={**data, "department_id": other_meeting.department_id})
    assert response.status_code == 400 and field_error(response, "department_id")
    response = client.post(url, data={**data, "responsible_id": clerk.id})
    assert response.status_code == 400 and field_error(response, "responsible_id")
    assert row_counts() == before
    response = client.post(url, data=data)
    assert response.status_code == 302
    item = db.session.execute(sa.select(ActionItem)).scalar_one()
    assert (item.question_id, item.department_id, item.responsible_id, item.created_by_id) == \
        (question.id, department.id, official.id, clerk.id)
    assert client.get(f"/manage/actions/new?meeting={other_meeting.id}").status_code == 403


def test_the_figures_page_charts_the_median_days_to_close_with_a_text_alternative(app, client):
    first = factories.make_department(name_en="Roads Office")
    second = factories.make_department(name_en="Parks Office")
    official = factories.make_user("official", department=first)
    created = utcnow() - timedelta(days=60)
    for department, days in ((first, 10), (first, 30), (second, 5)):
        raw_item(department, official, status=ActionStatus.DONE, due_on=(created + timedelta(days=90)).date(),
                 created_at=created, closed_at=created + timedelta(days=days, hours=1))
    raw_item(factories.make_department(name_en="Quiet Office"), official, due_on=utcnow().date(), n=9)
    db.session.commit()
    body = client.get("/actions/figures", headers={"Accept-Language": "en"}).get_data(as_text=True)
    svg = re.search(r'<svg[^>]*aria-labelledby="chart-median_days-title".*?</svg>', body, re.S)
    assert svg, "no median chart"
    chart = svg.group(0)
    assert '<title id="chart-median_days-title">Median days to close</title>' in chart
    assert 'aria-describedby="chart-median_days-desc"' in chart
    desc = re.search(r'<desc id="chart-median_days-desc">(.*?)</desc>', chart, re.S).group(1)
    assert {part.strip() for part in desc.split(";")} == {"Parks Office: 5", "Quiet Office: –", "Roads Office: 20"}
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', chart)]
    assert sorted(widths) == [0.0, 100.0, 400.0]  # bars scaled to the longest median (20 days)
    assert "style=" not in chart and "<script" not in body
