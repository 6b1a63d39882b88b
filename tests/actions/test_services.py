"""The rules of action items, called through the services with explicit times."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.actions import queries as action_queries
from app.actions import services as action_services
from app.actions.models import ActionDueChange, ActionFollower, ActionItem, ActionRating, ActionStatus, ActionUpdate
from app.errors import DomainError, InvalidState, NotAllowed, ValidationFailed
from app.extensions import db
from app.notify.models import OutboxMessage
from app.notify.private import reveal
from app.questions.models import QuestionOutcome
from tests import factories
from tests.actions.builders import item_input, make_item
from tests.helpers import row_counts
from tests.minutes import builders as minutes_builders
from tests.questions.builders import make_question


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


# ---------------------------------------------------------------------------- overdue

def test_overdue_is_computed_on_the_due_date_in_the_meetings_time_zone(app):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, timezone="Asia/Shanghai")
    item = make_item(official, meeting, due_on=date(2026, 12, 1), now=utc(2026, 11, 1))
    assert not item.is_overdue(utc(2026, 12, 1, 15, 59))   # 23:59 in Wuhan on the due date
    assert item.is_overdue(utc(2026, 12, 1, 16, 0))        # 00:00 the next day


def test_overdue_follows_another_time_zone_and_defaults_to_shanghai_without_meeting(app):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, timezone="America/Los_Angeles")
    pacific = make_item(official, meeting, due_on=date(2026, 12, 1), now=utc(2026, 11, 1))
    direct = make_item(official, due_on=date(2026, 12, 1), now=utc(2026, 11, 1))
    assert not pacific.is_overdue(utc(2026, 12, 2, 7, 59))  # 23:59 PST
    assert pacific.is_overdue(utc(2026, 12, 2, 8, 0))
    assert direct.is_overdue(utc(2026, 12, 1, 16, 0))


def test_the_tracker_overdue_filter_uses_the_same_boundary(app):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id)
    item = make_item(official, meeting, due_on=date(2026, 12, 1), now=utc(2026, 11, 1))
    filters = action_queries.ActionFilters(overdue=True)
    assert action_queries.list_public_action_items(filters, now=utc(2026, 12, 1, 15, 59)).items == []
    assert action_queries.list_public_action_items(filters, now=utc(2026, 12, 1, 16, 0)).items == [item]


def test_a_done_item_is_never_overdue(app):
    official = factories.make_user("official")
    item = make_item(official, due_on=date(2026, 12, 1), now=utc(2026, 11, 1))
    action_services.change_action_status(official, item, "done", text="已修好", now=utc(2026, 11, 20))
    assert not item.is_overdue(utc(2027, 1, 1))


# ---------------------------------------------------------------------------- creating

def test_a_due_date_before_creation_is_refused_and_nothing_is_written(app):
    official = factories.make_user("official")
    before = row_counts()
    with pytest.raises(ValidationFailed) as error:
        make_item(official, due_on=date(2026, 11, 30), now=utc(2026, 12, 1, 2))  # 1 Dec 10:00 in Wuhan
    assert error.value.field == "due_on"
    assert row_counts() == before


def test_today_is_an_acceptable_due_date(app):
    official = factories.make_user("official")
    item = make_item(official, due_on=date(2026, 12, 1), now=utc(2026, 11, 30, 16, 30))  # 1 Dec 00:30 local
    assert item.original_due_on == date(2026, 12, 1)


def test_clerks_create_action_items_for_their_own_department_with_an_official_responsible(app):
    department = factories.make_department()
    clerk = factories.make_user("clerk", department=department)
    official = factories.make_user("official", department=department)
    meeting = factories.make_meeting(department_id=department.id, created_by=official)
    question = make_question(meeting, body="垃圾站气味太大")
    direct = action_services.create_action_item(clerk, item_input(official, title="直接记录"))
    for_meeting = action_services.create_action_item(clerk, item_input(official, title="会议事项"), meeting=meeting)
    from_question = action_services.create_action_item(clerk, item_input(official), question=question)
    assert direct.department_id == department.id and direct.responsible_id == official.id
    assert direct.created_by_id == clerk.id and for_meeting.meeting_id == meeting.id
    assert from_question.question_id == question.id
    db.session.refresh(question)
    assert question.outcome == QuestionOutcome.ACTION
    assert count(ActionItem) == 3


def test_clerks_cannot_create_items_for_another_department_or_make_a_clerk_responsible(app):
    department = factories.make_department()
    clerk = factories.make_user("clerk", department=department)
    official = factories.make_user("official", department=department)
    other_official = factories.make_user("official")
    other_meeting = factories.make_meeting(department_id=other_official.department_id, created_by=other_official)
    homeless = factories.make_user("clerk", department_id=None)
    before = row_counts()
    with pytest.raises(NotAllowed):  # another department's meeting, even for an item of the clerk's department
        action_services.create_action_item(clerk, item_input(official), meeting=other_meeting)
    with pytest.raises(ValidationFailed) as error:  # an item owned by another department
        action_services.create_action_item(clerk, item_input(other_official))
    assert error.value.field == "department_id"
    with pytest.raises(ValidationFailed) as error:  # the responsible person is an official, not a clerk
        action_services.create_action_item(clerk, item_input(official, responsible_id=clerk.id))
    assert error.value.field == "responsible_id"
    with pytest.raises(ValidationFailed) as error:  # officials cannot name a clerk either
        action_services.create_action_item(official, item_input(official, responsible_id=clerk.id))
    assert error.value.field == "responsible_id"
    with pytest.raises(NotAllowed):
        action_services.create_action_item(homeless, item_input(official), meeting=other_meeting)
    assert row_counts() == before


def test_a_question_turned_into_an_item_links_both_ways_and_gets_the_action_outcome(app):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    question = make_question(meeting, body="小区门口的路灯坏了三个月")
    item = action_services.create_action_item(official, item_input(official), question=question)
    assert item.question_id == question.id and item.meeting_id == meeting.id
    assert item.source_text == "小区门口的路灯坏了三个月"
    db.session.refresh(question)
    assert question.outcome == QuestionOutcome.ACTION
    assert action_queries.question_action_items([question.id]) == {question.id: item}
    with pytest.raises(InvalidState):
        action_services.create_action_item(official, item_input(official), question=question)
    assert count(ActionItem) == 1


def test_an_item_from_published_minutes_copies_the_commitment_text(app):
    from app.minutes.content import Commitment

    setting = minutes_builders.past_meeting()
    version = minutes_builders.published(setting, commitments=[Commitment(text="两周内清理垃圾站")])
    item = action_services.create_action_item(setting.official, item_input(setting.official),
                                              minutes_version=version, minutes_ref="c0")
    assert item.source_text == "两周内清理垃圾站" and item.meeting_id == setting.meeting.id
    decision = action_services.create_action_item(setting.official, item_input(setting.official),
                                                  minutes_version=version, minutes_ref="d0.0")
    assert decision.source_text == "同意方案"
    with pytest.raises(ValidationFailed):
        action_services.create_action_item(setting.official, item_input(setting.official),
                                           minutes_version=version, minutes_ref="c9")
    assert count(ActionItem) == 2


# ---------------------------------------------------------------------------- progress and status

def test_empty_updates_are_refused_and_nothing_is_written(app):
    official = factories.make_user("official")
    item = make_item(official)
    before = row_counts()
    for body in ("", "   ", "\u200b"):
        with pytest.raises(ValidationFailed):
            action_services.record_action_progress(official, item, body)
    assert row_counts() == before


def test_updates_are_appended_with_their_date(app):
    official = factories.make_user("official")
    item = make_item(official, now=utc(2026, 11, 1))
    action_services.record_action_progress(official, item, "已联系供电公司", now=utc(2026, 11, 2))
    action_services.record_action_progress(official, item, "更正：已联系路灯管理所", now=utc(2026, 11, 3))
    history = action_queries.list_history(item)
    assert [(e.at, e.body) for e in history] == [(utc(2026, 11, 2), "已联系供电公司"),
                                                 (utc(2026, 11, 3), "更正：已联系路灯管理所")]
    assert item.last_update_at == utc(2026, 11, 3)


def test_the_service_layer_offers_no_way_to_edit_or_delete_updates(app):
    assert not [name for name in dir(action_services) if name.startswith(("edit_", "delete_", "update_"))]


def test_done_needs_text_and_cannot_resolve_needs_a_reason_and_a_plan(app):
    official = factories.make_user("official")
    item = make_item(official)
    before = row_counts()
    with pytest.raises(ValidationFailed):
        action_services.change_action_status(official, item, "done", text=" ")
    with pytest.raises(ValidationFailed):
        action_services.change_action_status(official, item, "cannot_resolve", text="资金不足", plan="")
    assert row_counts() == before
    action_services.change_action_status(official, item, "cannot_resolve", text="资金不足", plan="纳入明年预算")
    assert item.status == ActionStatus.CANNOT_RESOLVE and item.alternative_plan == "纳入明年预算"


def test_a_reason_and_plan_too_long_for_one_public_update_are_refused_and_nothing_is_written(app):
    official = factories.make_user("official")
    item = make_item(official)
    before = row_counts()
    with pytest.raises(ValidationFailed) as refused:
        action_services.change_action_status(official, item, "cannot_resolve", text="因" * 2500, plan="计" * 2500)
    assert refused.value.field == "plan"
    with pytest.raises(ValidationFailed):
        action_services.change_action_status(official, item, "in_progress", text="始" * 4001)
    assert row_counts() == before
    action_services.change_action_status(official, item, "cannot_resolve", text="因" * 1999, plan="计" * 1999)
    assert len(action_queries.list_history(item)[-1].body) == 4000


def test_reopening_needs_a_reason_and_is_audited(app):
    official = factories.make_user("official")
    item = make_item(official)
    action_services.change_action_status(official, item, "done", text="已修好")
    with pytest.raises(ValidationFailed):
        action_services.change_action_status(official, item, "in_progress", text="")
    action_services.change_action_status(official, item, "in_progress", text="居民反映又坏了")
    assert item.status == ActionStatus.IN_PROGRESS and item.closed_at is None
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "action.reopen")).scalar_one()
    assert event.object_id == item.id and event.reason == "居民反映又坏了"


def test_every_staff_change_is_audited(app):
    official = factories.make_user("official")
    item = make_item(official)
    action_services.record_action_progress(official, item, "进展")
    action_services.extend_due_date(official, item, item.due_on + timedelta(days=10), "等待材料")
    action_services.change_action_status(official, item, "in_progress")
    actions = db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert actions == ["action.create", "action.update", "action.extend", "action.status"]


def test_extending_keeps_the_original_date_and_needs_a_reason(app):
    official = factories.make_user("official")
    item = make_item(official, due_on=date(2026, 12, 1), now=utc(2026, 11, 1))
    with pytest.raises(ValidationFailed):
        action_services.extend_due_date(official, item, date(2026, 12, 20), " ")
    with pytest.raises(ValidationFailed):
        action_services.extend_due_date(official, item, date(2026, 11, 20), "提前")
    assert count(ActionDueChange) == 0
    action_services.extend_due_date(official, item, date(2026, 12, 20), "等待设备到货")
    assert item.due_on == date(2026, 12, 20) and item.original_due_on == date(2026, 12, 1)
    assert item.was_extended


def test_officials_of_another_department_cannot_change_an_item(app):
    official = factories.make_user("official")
    other = factories.make_user("official")
    item = make_item(official)
    with pytest.raises(NotAllowed):
        action_services.record_action_progress(other, item, "进展")
    with pytest.raises(NotAllowed):
        action_services.change_action_status(other, item, "done", text="x")


# ---------------------------------------------------------------------------- followers and ratings

def _follower(item, email="citizen@example.cn") -> ActionFollower:
    follower = ActionFollower(action_item_id=item.id, email=email, token_hash="t" * 64)
    db.session.add(follower)
    db.session.flush()
    follower.token_hash = action_services.codes.hash_token(action_services.follower_token(follower))
    db.session.commit()
    return follower


def test_only_registrants_and_askers_get_a_follow_link_and_the_answer_does_not_tell(app):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    minutes_builders.add_registrant(meeting, 1, email="reg@example.cn")
    question = make_question(meeting, contact_email="Asker@Example.cn")
    item = action_services.create_action_item(official, item_input(official), question=question)
    assert action_services.request_follow(item, "stranger@example.cn") is None
    assert count(OutboxMessage) == 0
    action_services.request_follow(item, "reg@example.cn")
    action_services.request_follow(item, "asker@example.cn")
    assert sorted(db.session.execute(sa.select(OutboxMessage.to_address)).scalars()) == \
        ["asker@example.cn", "reg@example.cn"]
    assert count(ActionFollower) == 0  # following starts only when the link is confirmed


def test_a_bad_follow_link_is_refused(app):
    item = make_item()
    other = make_item()
    with pytest.raises(DomainError) as error:
        action_services.confirm_follow(item, "nonsense")
    assert error.value.status_code == 404
    token = action_services._invite_serializer().dumps({"a": other.id, "e": "x@example.cn"})
    with pytest.raises(DomainError):
        action_services.confirm_follow(item, token)
    assert count(ActionFollower) == 0


def test_followers_get_an_email_with_an_unsubscribe_link_on_each_update(app):
    official = factories.make_user("official")
    item = make_item(official)
    follower = _follower(item)
    gone = _follower(item, "gone@example.cn")
    action_services.unsubscribe_follower(gone)
    action_services.record_action_progress(official, item, "已开工")
    action_services.change_action_status(official, item, "done", text="已完成")
    messages = db.session.execute(sa.select(OutboxMessage)).scalars().all()
    assert [m.to_address for m in messages] == [follower.email, follower.email]
    unsubscribe = action_services.unsubscribe_url(follower)
    assert all(unsubscribe in reveal(m).text and unsubscribe not in m.body_text for m in messages)


def test_followers_get_an_email_with_an_unsubscribe_link_when_the_due_date_is_extended(app):
    official = factories.make_user("official")
    item = make_item(official, due_on=date(2026, 12, 1), now=utc(2026, 11, 1))
    follower = _follower(item)
    english = _follower(item, "reader@example.com")
    english.language = "en"
    gone = _follower(item, "gone@example.cn")
    action_services.unsubscribe_follower(gone)
    action_services.extend_due_date(official, item, date(2026, 12, 20), "等待设备到货", now=utc(2026, 11, 10))
    action_services.extend_due_date(official, item, date(2027, 1, 10), "施工队伍调整", now=utc(2026, 11, 20))
    messages = db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert sorted(m.to_address for m in messages) == sorted([follower.email, english.email] * 2)
    assert len({m.dedupe_key for m in messages}) == 4
    first_en, second_en = [m for m in messages if m.to_address == english.email]
    assert first_en.subject == f"New due date for: {item.title}"
    assert "The due date was extended from" in first_en.body_text and "等待设备到货" in first_en.body_text
    assert "Original due date" not in first_en.body_text  # the first extension moves the original date itself
    assert "Original due date" in second_en.body_text and "施工队伍调整" in second_en.body_text
    chinese = [m for m in messages if m.to_address == follower.email]
    assert all("/actions/unsubscribe/" in m.body_text and "/actions/unsubscribe/" in m.body_html for m in messages)
    assert action_services.unsubscribe_url(follower) in reveal(chinese[0]).text
    assert "等待设备到货" in chinese[0].body_html and chinese[0].subject.startswith("完成期限调整")
    assert "完成期限已由" in chinese[0].body_text


def test_rating_an_open_item_or_twice_is_refused(app):
    official = factories.make_user("official")
    item = make_item(official)
    follower = _follower(item)
    with pytest.raises(InvalidState):
        action_services.rate_action_item(follower, "satisfied")
    action_services.change_action_status(official, item, "done", text="已完成")
    action_services.rate_action_item(follower, "partly", "还行")
    with pytest.raises(DomainError) as error:
        action_services.rate_action_item(follower, "satisfied")
    assert isinstance(error.value, action_services.AlreadyRated)
    assert count(ActionRating) == 1
    summary = action_queries.rating_summary(item.id)
    assert summary.total == 1 and summary.score == 0.5


def test_the_database_refuses_to_edit_or_delete_updates_and_due_changes(app):
    official = factories.make_user("official")
    item = make_item(official)
    update = action_services.record_action_progress(official, item, "原文")
    action_services.extend_due_date(official, item, item.due_on + timedelta(days=3), "原因")
    for statement in (sa.update(ActionUpdate).values(body="改过"), sa.delete(ActionUpdate),
                      sa.update(ActionDueChange).values(reason="改过"), sa.delete(ActionDueChange)):
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.get(ActionUpdate, update.id).body == "原文"


def test_the_askers_of_a_question_turned_into_an_item_are_told_by_email(app):
    from tests.questions.builders import follow

    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official)
    question = make_question(meeting)
    follow(question, email="asker@example.cn")
    action_services.create_action_item(official, item_input(official, title="修路灯"), question=question)
    message = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    assert message.to_address == "asker@example.cn" and "修路灯" in message.body_text


def test_department_figures_count_states_overdue_on_time_rate_median_and_satisfaction(app):
    from tests.actions.builders import raw_item

    official = factories.make_user("official")
    department = official.department
    now = utc(2026, 12, 10, 4)  # 10 Dec, noon in Wuhan
    created = utc(2026, 11, 1)
    raw_item(department, official, due_on=date(2026, 12, 9), created_at=created, n=1)                 # overdue
    raw_item(department, official, due_on=date(2026, 12, 10), created_at=created, n=2)                # due today
    raw_item(department, official, status=ActionStatus.DONE, due_on=date(2026, 11, 20), created_at=created,
             closed_at=utc(2026, 11, 11), n=3)                                                        # 10 days, on time
    late = raw_item(department, official, status=ActionStatus.DONE, due_on=date(2026, 11, 20), created_at=created,
                    closed_at=utc(2026, 12, 1), n=4)                                                  # 30 days, late
    raw_item(department, official, status=ActionStatus.CANNOT_RESOLVE, due_on=date(2026, 11, 20),
             created_at=created, n=5)
    db.session.commit()
    for value, email in (("satisfied", "a@example.cn"), ("not_satisfied", "b@example.cn")):
        follower = _follower(late, email)
        action_services.rate_action_item(follower, value)
    [figures] = action_queries.department_figures(now=now)
    assert (figures.open_count, figures.done_count, figures.cannot_resolve_count, figures.overdue_count) == (2, 2, 1, 1)
    assert figures.on_time_rate == 0.5
    assert figures.median_days_to_close == 20
    assert figures.ratings.total == 2 and figures.ratings.score == 0.5
