"""Demo action items: every state across departments, some overdue, one extended, from a question, from the
minutes and direct, with dated updates, followers and ratings. Written through the action services (with
explicit past times), so every rule and audit event applies."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.actions import services as action_services
from app.actions.models import ActionFollower, ActionItem
from app.db import utcnow
from app.extensions import db
from app.meetings.models import Meeting, MeetingStatus
from app.minutes.content import decode
from app.minutes.models import Minutes, MinutesVersion, VersionStatus
from app.questions.models import Question, QuestionStatus
from app.registrations import codes
from app.registrations.models import Registration
from app.security import Role

# (title, days since created, days from creation to due, final state, updates [(day, text)], extension)
PLANS = (
    ("修复社区主干道破损路面", 40, 20, "done_on_time", [(5, "已完成现场勘察，确定维修范围约300平方米。"),
                                                (15, "维修施工完成，等待验收。")], None),
    ("增设老年人助餐点", 60, 30, "done_late", [(10, "已选定两处候选场地。"), (45, "助餐点已开业试运营。")], None),
    ("整治小区违规停车", 35, 14, "overdue_in_progress", [(3, "已约谈物业公司。"), (12, "划线方案征求居民意见中。")],
     None),
    ("清理河道沿岸垃圾", 25, 10, "overdue_open", [], None),
    ("更新社区健身器材", 20, 20, "extended", [(4, "器材采购招标已发布。")], (30, "招标流标，需重新招标。")),
    ("延长夜间公交运营时间", 30, 15, "cannot_resolve", [(6, "已与公交集团会商。")], None),
    ("加装老旧楼栋电梯", 10, 90, "in_progress", [(2, "已完成第一批楼栋意见征集。")], None),
    ("改善菜市场排水", 2, 45, "open", [], None),
)


def _first(role: Role, department_id: int | None = None) -> User | None:
    stmt = sa.select(User).where(User.role == role, User.is_active.is_(True)).order_by(User.id)
    if department_id is not None:
        stmt = stmt.where(User.department_id == department_id)
    return db.session.execute(stmt.limit(1)).scalar_one_or_none()


def _owner(meeting: Meeting) -> User | None:
    return _first(Role.OFFICIAL, meeting.department_id) or _first(Role.ADMIN)


def _follow(item: ActionItem, meeting: Meeting, limit: int = 3) -> list[ActionFollower]:
    rows = db.session.execute(
        sa.select(Registration.id, Registration.email_normalized).where(
            Registration.meeting_id == meeting.id, Registration.email_normalized.is_not(None))
        .order_by(Registration.id).limit(limit)).all()
    followers = []
    for registration_id, email in rows:
        follower = ActionFollower(action_item_id=item.id, email=email, token_hash=f"demo-{item.id}-{registration_id}",
                                  registration_id=registration_id)
        db.session.add(follower)
        db.session.flush()
        follower.token_hash = codes.hash_token(action_services.follower_token(follower))
        followers.append(follower)
    db.session.commit()
    return followers


def _build(plan, meeting: Meeting, owner: User, now: datetime, *, question=None, version=None, ref=None) -> None:
    title, age, due_in, state, updates, extension = plan
    created = now - timedelta(days=age)
    due_on = (created + timedelta(days=due_in)).date()
    data = action_services.ActionInput(title=title, description=f"{title}：会上居民反映强烈，由责任部门跟进落实。",
                                       due_on=due_on, department_id=meeting.department_id, responsible_id=owner.id,
                                       priority="high" if "overdue" in state else "normal")
    item = action_services.create_action_item(owner, data, meeting=meeting, question=question,
                                              minutes_version=version, minutes_ref=ref, now=created)
    if state != "open" and state != "overdue_open":
        action_services.change_action_status(owner, item, "in_progress", now=created + timedelta(days=1))
    for day, text in updates:
        action_services.record_action_progress(owner, item, text, now=created + timedelta(days=day))
    if extension:
        action_services.extend_due_date(owner, item, due_on + timedelta(days=extension[0]), extension[1],
                                        now=created + timedelta(days=8))
    if state == "done_on_time":
        action_services.change_action_status(owner, item, "done", text="已全部完成并通过验收。",
                                             now=created + timedelta(days=due_in - 2))
    elif state == "done_late":
        action_services.change_action_status(owner, item, "done", text="已完成，比原定时间晚两周。",
                                             now=created + timedelta(days=due_in + 14))
    elif state == "cannot_resolve":
        action_services.change_action_status(
            owner, item, "cannot_resolve", text="运营成本超出当年预算，暂无法实施。",
            plan="先在两条主线试点延长至23点，明年纳入预算统筹考虑。", now=created + timedelta(days=12))
    # Followers join after the updates, so the demo queues no emails; they rate the done items.
    followers = _follow(item, meeting) if state.startswith("done") else []
    for follower, value in zip(followers, ("satisfied", "partly", "not_satisfied" if state == "done_late" else
                                           "satisfied")):
        action_services.rate_action_item(follower, value, now=now - timedelta(days=1))


def load_demo_actions(echo=print) -> int:
    """Add the demo action items once; returns how many were created (0 when already present)."""
    if db.session.execute(sa.select(sa.func.count()).select_from(ActionItem)).scalar_one():
        echo("  action items: already present")
        return 0
    now = utcnow()
    meetings = [m for m in db.session.execute(
        sa.select(Meeting).where(Meeting.status == MeetingStatus.PUBLISHED).order_by(Meeting.starts_at)
    ).scalars() if m.is_past()]
    if not meetings:
        echo("  action items: no past meetings to follow up")
        return 0
    created = 0
    for index, plan in enumerate(PLANS):
        meeting = meetings[index % len(meetings)]
        owner = _owner(meeting)
        if owner is None:
            continue
        question = version = ref = None
        if index == 0:
            question = db.session.execute(
                sa.select(Question).where(Question.meeting_id.in_([m.id for m in meetings]),
                                          Question.status == QuestionStatus.APPROVED, Question.outcome.is_(None))
                .order_by(Question.id).limit(1)).scalar_one_or_none()
            if question is not None:
                meeting = question.meeting
                owner = _owner(meeting)
        if index == 1:
            version = db.session.execute(
                sa.select(MinutesVersion).join(Minutes).where(MinutesVersion.status == VersionStatus.PUBLISHED)
                .order_by(MinutesVersion.id.desc()).limit(1)).scalar_one_or_none()
            if version is not None:
                meeting = version.minutes.meeting
                owner = _owner(meeting)
                content = decode(version.content)
                ref = "c0" if content.commitments else ("d0.0" if content.items and content.items[0].decisions
                                                        else None)
                version = version if ref else None
        _build(plan, meeting, owner, now, question=question, version=version, ref=ref)
        created += 1
        echo(f"  action item: {plan[0]}")
    return created
