"""Demo action items: every state across departments, some overdue, one extended, from a question, from the
minutes and direct, with dated updates, followers and ratings. Written through the action services (with
explicit past times), so every rule and audit event applies.

The timeline holds together: an item is created after its meeting ended (from the minutes: after they
were published), its updates, extension and closing follow in order, and followers rate a done item
after it was closed. Each plan is placed on the most recent past meeting that ended before the item's
creation date, spreading the items over departments."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
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

# The earliest an item is created after its meeting ends (the next working morning, roughly).
AFTER_MEETING = timedelta(hours=20)


@dataclass(frozen=True)
class Plan:
    title: str
    age: int                   # days since the item was created
    due_in: int                # days from creation to the due date
    state: str
    updates: tuple = ()        # (day after creation, text)
    extension: tuple | None = None  # (days added, reason), on day 8
    source: str = "direct"     # direct, question or minutes


PLANS = (
    Plan("修复社区主干道破损路面", 40, 20, "done_on_time", ((5, "已完成现场勘察，确定维修范围约300平方米。"),
                                                    (15, "维修施工完成，等待验收。")), source="question"),
    Plan("增设老年人助餐点", 60, 30, "done_late", ((10, "已选定两处候选场地。"), (40, "助餐点装修完成，开始招募运营方。"))),
    Plan("整治小区违规停车", 35, 14, "overdue_in_progress", ((3, "已约谈物业公司。"), (12, "划线方案征求居民意见中。"))),
    Plan("清理河道沿岸垃圾", 25, 10, "overdue_open"),
    Plan("更新社区健身器材", 20, 20, "extended", ((4, "器材采购招标已发布。"),), (30, "招标流标，需重新招标。")),
    Plan("延长夜间公交运营时间", 30, 15, "cannot_resolve", ((6, "已与公交集团会商。"),)),
    Plan("加装老旧楼栋电梯", 10, 90, "in_progress", ((2, "已完成第一批楼栋意见征集。"),)),
    Plan("改善菜市场排水", 2, 45, "open"),
    Plan("公布修改后的施工计划", 0, 30, "open", source="minutes"),
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


def _build(plan: Plan, meeting: Meeting, owner: User, created: datetime, now: datetime, *, question=None,
           version=None, ref=None) -> None:
    due_on = (created + timedelta(days=plan.due_in)).date()
    data = action_services.ActionInput(title=plan.title, description=f"{plan.title}：会上居民反映强烈，由责任部门跟进落实。",
                                       due_on=due_on, department_id=meeting.department_id, responsible_id=owner.id,
                                       priority="high" if "overdue" in plan.state else "normal")
    item = action_services.create_action_item(owner, data, meeting=meeting, question=question,
                                              minutes_version=version, minutes_ref=ref, now=created)
    state = plan.state
    if state not in ("open", "overdue_open"):
        action_services.change_action_status(owner, item, "in_progress", now=created + timedelta(days=1))
    for day, text in plan.updates:
        action_services.record_action_progress(owner, item, text, now=created + timedelta(days=day))
    if plan.extension:
        action_services.extend_due_date(owner, item, due_on + timedelta(days=plan.extension[0]), plan.extension[1],
                                        now=created + timedelta(days=8))
    closed_at = None
    if state == "done_on_time":
        closed_at = created + timedelta(days=plan.due_in - 2)
        action_services.change_action_status(owner, item, "done", text="已全部完成并通过验收。", now=closed_at)
    elif state == "done_late":
        closed_at = created + timedelta(days=plan.due_in + 14)
        action_services.change_action_status(owner, item, "done", text="助餐点已正式开业，比原定时间晚两周。",
                                             now=closed_at)
    elif state == "cannot_resolve":
        action_services.change_action_status(
            owner, item, "cannot_resolve", text="运营成本超出当年预算，暂无法实施。",
            plan="先在两条主线试点延长至23点，明年纳入预算统筹考虑。", now=created + timedelta(days=12))
    if closed_at is None:
        return
    # Followers join after the updates, so the demo queues no emails; they rate in the days after closing.
    values = ("satisfied", "partly", "not_satisfied" if state == "done_late" else "satisfied")
    for day, (follower, value) in enumerate(zip(_follow(item, meeting), values), start=1):
        action_services.rate_action_item(follower, value, now=min(closed_at + timedelta(days=day), now))


class _Meetings:
    """The past published meetings, with what a plan needs to know to be placed on one."""

    def __init__(self, meetings: list[Meeting]):
        self.meetings = meetings
        ids = [m.id for m in meetings]
        self.registrants = Counter(dict(db.session.execute(
            sa.select(Registration.meeting_id, sa.func.count()).where(
                Registration.meeting_id.in_(ids), Registration.email_normalized.is_not(None))
            .group_by(Registration.meeting_id)).all()))
        self.used_departments: set[int] = set()

    def pick(self, created: datetime, *, followers: bool, among: set[int] | None = None) -> Meeting | None:
        """The most recent meeting that ended before `created`, preferring departments without an item yet
        and, when the item will be rated, meetings whose registrants can follow it."""
        eligible = [m for m in self.meetings if m.effective_end + AFTER_MEETING <= created
                    and (among is None or m.id in among)]
        if not eligible:
            return None
        return max(eligible, key=lambda m: (not followers or self.registrants[m.id] > 0,
                                            m.department_id not in self.used_departments, m.effective_end))


def _open_question(meeting: Meeting) -> Question | None:
    return db.session.execute(
        sa.select(Question).where(Question.meeting_id == meeting.id, Question.status == QuestionStatus.APPROVED,
                                  Question.outcome.is_(None)).order_by(Question.id).limit(1)).scalar_one_or_none()


def _minutes_source() -> tuple[MinutesVersion, str] | None:
    """The newest published minutes version and a commitment or decision of it."""
    version = db.session.execute(
        sa.select(MinutesVersion).join(Minutes).where(MinutesVersion.status == VersionStatus.PUBLISHED)
        .order_by(MinutesVersion.id.desc()).limit(1)).scalar_one_or_none()
    if version is None:
        return None
    content = decode(version.content)
    ref = "c0" if content.commitments else ("d0.0" if content.items and content.items[0].decisions else None)
    return (version, ref) if ref else None


def _place(plan: Plan, places: _Meetings, now: datetime) -> tuple[Meeting, datetime, dict] | None:
    """(meeting, creation time, source arguments) for a plan, or None when no meeting fits."""
    created = now - timedelta(days=plan.age)
    followers = plan.state.startswith("done")
    if plan.source == "minutes":
        source = _minutes_source()
        if source is None:
            return None
        version, ref = source
        meeting = version.minutes.meeting
        return meeting, max(created, version.published_at), {"version": version, "ref": ref}
    if plan.source == "question":
        with_questions = set(db.session.execute(
            sa.select(Question.meeting_id).where(Question.meeting_id.in_([m.id for m in places.meetings]),
                                                 Question.status == QuestionStatus.APPROVED,
                                                 Question.outcome.is_(None)).distinct()).scalars())
        meeting = places.pick(created, followers=followers, among=with_questions)
        question = _open_question(meeting) if meeting is not None else None
        return (meeting, created, {"question": question}) if question is not None else None
    meeting = places.pick(created, followers=followers)
    return (meeting, created, {}) if meeting is not None else None


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
    places = _Meetings(meetings)
    created = 0
    for plan in PLANS:
        placed = _place(plan, places, now)
        if placed is None:
            echo(f"  action item skipped (no meeting fits its dates): {plan.title}")
            continue
        meeting, created_at, source = placed
        owner = _owner(meeting)
        if owner is None:
            continue
        _build(plan, meeting, owner, created_at, now, **source)
        places.used_departments.add(meeting.department_id)
        created += 1
        echo(f"  action item: {plan.title}")
    return created
