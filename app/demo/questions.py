"""Demo questions: every channel, Chinese and English, votes, merged duplicates, live answers, written
responses and every outcome, with some past their deadline. Loaded through the question services."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import Department, User
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db
from app.meetings.models import Meeting, MeetingStatus
from app.questions import services as qs
from app.questions.models import Question, QuestionStatus
from app.questions.queries import question_deadline
from app.questions.voters import voter_key_for_browser
from app.security import Role

EMAIL_DOMAIN = "townhall.example"  # reserved: demo mail can never reach anyone

TOPIC_OF = {
    "housing": "housing", "transport": "transport", "ecology": "environment", "water": "public_safety",
    "civil-affairs": "social_welfare", "education": "education", "health": "health",
    "urban-management": "urban_management", "letters-visits": "other",
}

ZH = {
    "housing": ["老旧小区加装电梯，一楼住户的补偿怎么算？", "小区物业费上涨前是否必须征求业主意见？",
                "改造期间施工噪音太大，晚上几点必须停工？", "楼顶防水年年漏，这次改造能不能彻底解决？"],
    "transport": ["地铁站到小区的最后一公里能否增加微循环公交？", "早高峰公交车太挤，能否加密班次？",
                  "学校门口接送车辆拥堵，能否设置临时停车位？", "路内停车收费后，夜间居民停车能否优惠？"],
    "environment": ["东湖边的蓝藻什么时候能治理好？", "垃圾焚烧厂扩建后，周边空气监测数据能否公开？",
                    "河道沿岸还有偷排污水的口子，举报后多久处理？", "湿地公园能否增加公共厕所？"],
    "public_safety": ["下雨时涵洞积水很深，能否设置水位警示牌？", "防汛物资存放在哪里，居民怎么领取？",
                      "老旧小区电动车充电桩不够，飞线充电很危险怎么办？", "泵站运行时间能否提前公布？"],
    "social_welfare": ["社区食堂能否给80岁以上老人优惠？", "独居老人的紧急呼叫设备怎么申请？",
                       "居家养老服务补贴申请要多久才能批下来？", "养老服务站周末能否开门？"],
    "education": ["新建小区的配套小学什么时候开学？", "学区划片调整后，已经买房的家庭怎么办？",
                  "课后服务能否延长到六点？", "学校周边能否增加护学岗？"],
    "health": ["社区卫生服务中心能否周末开门？", "家庭医生签约后怎么预约上门服务？",
               "65岁以上老人免费体检需要带什么材料？", "乡镇卫生院能否配备儿科医生？"],
    "urban_management": ["小区门口的路灯坏了很久，谁来修？", "人行道被共享单车占满，如何管理？",
                         "农贸市场门口占道经营，什么时候整治？", "垃圾定时投放的时间能否延长到晚上九点？"],
    "other": ["上次反映的问题一直没有回复，应该找哪个部门？", "信访事项办理进度能否在网上查询？",
              "街道能否每月固定一天领导接待日？", "拆迁补偿纠纷有没有调解渠道？"],
}

EN = {
    "housing": ["Will tenants get any say in the renovation plans, or only owners?",
                "How long will the scaffolding stay up on our block?"],
    "transport": ["Will bus route 38 keep its late-evening service after the restructuring?",
                  "Is there a plan for protected bike lanes on Zhongnan Road?"],
    "environment": ["Can the water quality readings for East Lake be published every week?",
                    "How can foreign residents join the river clean-up volunteers?"],
    "public_safety": ["Can the flood warnings also be sent in English?",
                      "Which underpasses are closed during heavy rain, and where is that announced?"],
    "social_welfare": ["Can elderly foreign residents apply for the home-care subsidy?",
                       "Is there an English-speaking contact for the elderly care service?"],
    "education": ["When will the new primary school open for enrolment?",
                  "Can children of foreign residents enrol in the local public school?"],
    "health": ["Can the community health centre offer appointments in English?",
               "Are the free health checks also open to residents without a local hukou?"],
    "urban_management": ["Can the night market stay open until 11 pm in summer?",
                         "Who cleans the alley after the night market closes?"],
    "other": ["How do I follow up a complaint I made online last month?",
              "Can the reception day also be held on a Saturday?"],
}

# (the question kept, a duplicate asked later in other words)
DUPLICATES = {
    False: ("加装电梯的政府补贴什么时候发放？", "电梯加装补贴啥时候能到账？"),
    True: ("When will the late-evening buses on route 38 be cut?", "Is the 38 bus going to stop running at night?"),
}

NAMES_ZH = ["王秀英", "李建华", "张志强", "刘桂兰", "陈海燕", "杨国平", "黄晓明", "赵淑珍", "吴德福", "周红霞"]
NAMES_EN = ["Alice Chen", "Brian Walker", "Grace Liu", "Daniel Hughes", "Maria Lopez", "Priya Shah"]
CHANNELS = ["hotline", "letter", "email", "in_person"]
OUTCOMES = ["answered", "referred", "action", "declined", "cannot_solve_now", "answered"]

TEXTS = {
    False: {
        "answered": "经核实，相关工作已列入今年计划，预计三个月内完成，进展将在社区公告栏公布。",
        "action": "已转为会后跟进事项，由责任部门制定整改方案，每月公布进度。",
        "referred": "该问题属于其他部门职责，已转交办理，请关注后续答复。",
        "reason": "该事项涉及的场地属于私人产权，政府无法直接实施。",
        "plan": "街道将组织业主和产权单位协商，下次座谈会通报协商结果。",
        "budget_reason": "今年预算已经批复，暂无资金安排。",
        "budget_plan": "已列入明年预算申请，预算批复后第一时间公布实施时间。",
        "reject": "问题中含有他人的姓名和电话，请删去个人信息后重新提问。",
        "closed": "本场活动已结束，未现场答复的问题将在会后15天内书面答复。",
        "private": "（我住幸福路12号3单元，电话13800138000）",
    },
    True: {
        "answered": "The works are in this year's plan and should finish within three months; progress is posted "
                    "on the community notice board.",
        "action": "This is now a follow-up action: the department will publish a plan and report progress monthly.",
        "referred": "This is handled by another department; we have passed it on and they will reply.",
        "reason": "The site is privately owned, so the city cannot carry out the work directly.",
        "plan": "The sub-district will bring the owners together and report back at the next meeting.",
        "budget_reason": "This year's budget is already allocated.",
        "budget_plan": "It is in next year's budget request; the start date will be published once approved.",
        "reject": "The question named a neighbour and their phone number; please ask again without them.",
        "closed": "This meeting has ended. Questions not answered in the room get a written answer within 15 days.",
        "private": " (I live at 12 Xingfu Road, flat 3, phone 13800138000)",
    },
}


@dataclass
class _Staff:
    moderator: User
    official: User


def _is_english(meeting: Meeting) -> bool:
    return all(ord(ch) < 0x2E80 for ch in meeting.title)


def _staff_for(meeting: Meeting) -> _Staff:
    def first(role: Role) -> User | None:
        return db.session.execute(
            sa.select(User).where(User.role == role, User.is_active.is_(True),
                                  User.department_id == meeting.department_id).order_by(User.id).limit(1)
        ).scalar_one_or_none()

    admin = db.session.execute(sa.select(User).where(User.role == Role.ADMIN, User.is_active.is_(True))
                               .order_by(User.id).limit(1)).scalar_one()
    official = first(Role.OFFICIAL) or admin
    return _Staff(moderator=first(Role.CLERK) or official, official=official)


class _Clock:
    """Plausible moments for one meeting, never later than the real now."""

    def __init__(self, meeting: Meeting, now: datetime, rng: random.Random):
        self.now, self.rng = now, rng
        self.opens = meeting.published_at or meeting.starts_at - timedelta(days=7)
        self.before = min(meeting.starts_at - timedelta(minutes=30), now)
        self.starts, self.ends = meeting.starts_at, meeting.effective_end

    def asking(self) -> datetime:
        low = max(self.opens, self.before - timedelta(days=6))
        span = max((self.before - low).total_seconds(), 0)
        return low + timedelta(seconds=self.rng.uniform(0, span))

    def during(self, minutes: int) -> datetime:
        return min(self.starts + timedelta(minutes=minutes), self.ends - timedelta(minutes=1), self.now)

    def after(self, days_at_most: int) -> datetime:
        return min(self.ends + timedelta(days=self.rng.randint(1, max(1, days_at_most)), hours=3), self.now)


def load_demo_questions(echo=print) -> int:
    """Give published meetings that have no questions yet a realistic set. Safe to run again: meetings
    that already have questions are left alone. Returns how many questions were created."""
    now = utcnow().replace(microsecond=0)
    meetings = list(db.session.execute(
        sa.select(Meeting).where(Meeting.status == MeetingStatus.PUBLISHED, Meeting.published_at.is_not(None),
                                 ~sa.exists().where(Question.meeting_id == Meeting.id))
        .order_by(Meeting.starts_at, Meeting.id)
    ).scalars())
    if not meetings:
        echo("  questions: already present")
        return 0
    departments = list(db.session.execute(sa.select(Department).order_by(Department.code)).scalars())
    created = 0
    for index, meeting in enumerate(meetings):
        try:
            made = _fill_meeting(meeting, index, now, departments)
        except DomainError as error:
            raise RuntimeError(f"demo questions for meeting {meeting.id}: {error.message}") from error
        created += made
        echo(f"  questions: meeting {index + 1}/{len(meetings)} «{meeting.title[:30]}»: {made}")
    return created


def _fill_meeting(meeting: Meeting, index: int, now: datetime, departments: list[Department]) -> int:
    rng = random.Random(20261127 + index)
    english = _is_english(meeting)
    texts = TEXTS[english]
    topic = TOPIC_OF.get(meeting.department.code, "other")
    staff = _staff_for(meeting)
    clock = _Clock(meeting, now, rng)
    past = meeting.is_past(now)
    if not past and index % 4 == 1:
        qs.update_settings(staff.moderator, meeting, moderation_mode="post", is_closed=False)

    own = (EN if english else ZH)[topic]
    other = (ZH if english else EN)[topic]
    bodies = own[:] + [rng.choice(other)]
    rng.shuffle(bodies)
    questions: list[Question] = []
    for n, body in enumerate(bodies):
        questions.append(_ask(meeting, body, rng, english=all(ord(ch) < 0x2E80 for ch in body), at=clock.asking(),
                              private=texts["private"] if n == 0 and index % 3 == 0 else ""))
    entered = qs.enter_question(
        staff.moderator, meeting,
        qs.QuestionInput(body=rng.choice(own), topic=topic, asker_name=rng.choice(NAMES_EN if english else NAMES_ZH),
                         is_anonymous=rng.random() < 0.3, contact_mobile=f"139{rng.randint(10_000_000, 99_999_999)}",
                         contact_email=f"caller{index}@{EMAIL_DOMAIN}", language="en" if english else "zh_CN"),
        channel=CHANNELS[index % len(CHANNELS)], now=clock.asking())
    questions.append(entered)
    created = len(questions)

    _moderate(meeting, questions, index, staff, texts, clock, topic)
    published = [q for q in questions if q.status == QuestionStatus.APPROVED]
    _vote(meeting, published, rng, clock)
    if index % 2 == 0 and published:
        created += _merge_duplicate(meeting, english, staff, rng, clock)
    if past:
        _answer(meeting, published, index, staff, texts, clock, departments, now)
        if index % 5 == 0:
            qs.update_settings(staff.moderator, meeting, moderation_mode="pre", is_closed=True,
                               closed_message=texts["closed"])
    return created


def _ask(meeting: Meeting, body: str, rng: random.Random, *, english: bool, at: datetime, private: str) -> Question:
    name = rng.choice(NAMES_EN if english else NAMES_ZH) if rng.random() < 0.75 else ""
    email = f"resident{rng.randint(100, 999)}@{EMAIL_DOMAIN}" if rng.random() < 0.4 else ""
    data = qs.QuestionInput(body=body + private, topic=TOPIC_OF.get(meeting.department.code, "other"),
                            asker_name=name, is_anonymous=bool(name) and rng.random() < 0.3, contact_email=email,
                            language="en" if english else "zh_CN")
    return qs.submit_question(meeting, data, submission_id=secrets.token_urlsafe(32), now=at).question


def _moderate(meeting, questions, index, staff, texts, clock, topic) -> None:
    """Approve most; reject one now and then; take personal data out of one; leave one waiting upcoming."""
    past = meeting.is_past(clock.now)
    for n, question in enumerate(questions):
        db.session.refresh(question)
        if question.body.endswith(texts["private"]):
            qs.edit_question(staff.moderator, question, body=question.body[: -len(texts["private"])].rstrip(),
                             topic=topic, asker_name=question.asker_name, is_anonymous=question.is_anonymous,
                             now=clock.asking())
        if question.status != QuestionStatus.PENDING:
            continue
        if n == 1 and index % 3 == 2:
            qs.reject_question(staff.moderator, question, reason=texts["reject"], now=clock.asking())
        elif n == 2 and not past and index % 2 == 0:
            continue  # still waiting for a moderator
        else:
            qs.approve_question(staff.moderator, question, now=clock.asking())


def _vote(meeting, published, rng, clock, voters: int = 16) -> None:
    for question in published:
        for n in rng.sample(range(voters), rng.randint(0, 9)):
            qs.cast_vote(question, voter_key_for_browser(f"demo-{meeting.id}-{n}"), now=clock.asking())


def _merge_duplicate(meeting, english, staff, rng, clock) -> int:
    original, duplicate = DUPLICATES[english]
    kept = _ask(meeting, original, rng, english=english, at=clock.asking(), private="")
    copy = _ask(meeting, duplicate, rng, english=english, at=clock.asking(), private="")
    for question in (kept, copy):
        qs.approve_question(staff.moderator, question, now=clock.asking())
    _vote(meeting, [kept, copy], rng, clock)
    qs.merge_questions(staff.moderator, copy, kept, now=clock.asking())
    return 2


def _answer(meeting, published, index, staff, texts, clock, departments, now) -> None:
    """The top questions are answered in the room; the rest get written outcomes afterwards, except one
    left open now and then (overdue once the deadline has passed)."""
    db.session.expire_all()
    ranked = sorted((db.session.get(Question, q.id) for q in published), key=lambda q: -q.vote_count)
    ranked = [q for q in ranked if q.status == QuestionStatus.APPROVED]
    for minutes, question in zip((15, 35), ranked[:2]):
        qs.set_now_answering(staff.moderator, meeting, question, now=clock.during(minutes))
        qs.mark_answered_live(staff.moderator, question, now=clock.during(minutes + 12))
    deadline_passed = question_deadline(meeting) < now
    rest = ranked[2:]
    leave_open = 1 if index % 3 == 0 or not deadline_passed else 0
    days = max(1, (min(now, question_deadline(meeting)) - meeting.effective_end).days)
    other_departments = [d for d in departments if d.id != meeting.department_id] or departments
    for n, question in enumerate(rest[: len(rest) - leave_open] if leave_open else rest):
        if not deadline_passed and n % 2:
            continue  # the officials still have time
        outcome = OUTCOMES[(index + n) % len(OUTCOMES)]
        data = qs.OutcomeInput(outcome=outcome, response=texts.get(outcome, ""))
        if outcome == "referred":
            data.department_id = other_departments[(index + n) % len(other_departments)].id
        elif outcome == "declined":
            data.reason, data.plan = texts["reason"], texts["plan"]
        elif outcome == "cannot_solve_now":
            data.reason, data.plan, data.response = texts["budget_reason"], texts["budget_plan"], ""
        qs.record_outcome(staff.official, question, data, now=clock.after(days))
