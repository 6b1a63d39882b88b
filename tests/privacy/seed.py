"""Personal data and unpublished work, made through the services, each carrying a unique marker.

Every marker is a string that must never reach a public surface: registrants' and askers' contacts,
names of registrants and of anonymous askers, accommodation needs, private-link tokens, follower
addresses, rating comments, reviewers' comments, and the titles and texts of drafts, pending and
rejected questions and minutes versions that are not published. `Seeded.objects` lists, per URL
argument name, the ids the crawl fills routes with (drafts included: they must answer 404).
"""
from __future__ import annotations

import itertools
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import User
from app.actions import services as action_services
from app.actions.models import ActionFollower, ActionItem
from app.db import utcnow
from app.demo.data import load_demo
from app.extensions import db
from app.notify.private import reveal
from app.meetings import services as meeting_services
from app.meetings.models import Meeting, MeetingStatus, MeetingType
from app.minutes import services as minutes_services
from app.minutes.content import Commitment, Decision, PublicComment, format_instant
from app.minutes.models import ParticipantState
from app.minutes.services.hearing import ParticipantEntry, StatementEntry
from app.notify.models import OutboxMessage
from app.questions import queries as question_queries
from app.questions import services as question_services
from app.questions.models import Question, QuestionFollower, QuestionStatus
from app.questions.services import OutcomeInput, QuestionInput
from app.registrations import services as registration_services
from app.registrations.models import Registration
from app.registrations.services import Needs, RegistrationInput
from app.security import Role
from tests import factories

WUHAN = ZoneInfo("Asia/Shanghai")
MARKER_DOMAIN = "leak.example"
_phones = itertools.count(1)


@dataclass
class Seeded:
    markers: dict[str, str] = field(default_factory=dict)   # label -> text never to be public
    phones: dict[str, str] = field(default_factory=dict)    # label -> E.164 number never to be public
    objects: dict[str, list] = field(default_factory=dict)  # URL argument -> values to crawl with
    probes: list[str] = field(default_factory=list)         # hidden texts to type into search boxes
    probe_meetings: list[int] = field(default_factory=list) # meetings whose pages get the probes too
    public: dict[str, str] = field(default_factory=dict)    # label -> text that must be public (controls)

    def marker(self, label: str, text: str | None = None) -> str:
        value = text or f"pdmark-{label}-{secrets.token_hex(3)}"
        assert label not in self.markers, label
        self.markers[label] = value
        return value

    def email(self, label: str) -> str:
        return self.marker(label, f"pdmark-{label}-{secrets.token_hex(3)}@{MARKER_DOMAIN}")

    def phone(self, label: str) -> str:
        """A valid mainland mobile number, unique in this run; returned in a typed form (spaces, +86)."""
        digits = f"1390{next(_phones):03d}{secrets.randbelow(10_000):04d}"
        self.phones[label] = "+86" + digits
        return f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"

    def hidden(self, label: str, text: str) -> str:
        """Unpublished text (a draft title, a pending question) behind a unique tag. The tag is the
        marker: it leads the text, so even a shortened excerpt would show it. The rest is typed into
        search boxes, which may echo it back."""
        tag = f"hx{secrets.token_hex(4)}"
        self.marker(label, tag)
        self.probes.append(text)
        return f"{tag}{text}"


def local(days: float, hour: int = 10) -> datetime:
    """A local Wuhan time `days` from today (negative: in the past), on the hour."""
    day = (datetime.now(WUHAN) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=WUHAN).replace(tzinfo=None)


def _schedule(starts_local: datetime, hours: int = 2, venue: str = "江汉区市民之家") -> meeting_services.Schedule:
    return meeting_services.Schedule(timezone="Asia/Shanghai", starts_local=starts_local,
                                     ends_local=starts_local + timedelta(hours=hours), venue_name=venue,
                                     address="江汉区新华路 100 号")


def _meeting(official, department, district, *, title: str, starts_local: datetime, publish_at=None,
             type: str = "town_hall", agenda=("开场", "方案说明"), **extra) -> Meeting:
    """A meeting created (and, with `publish_at`, published at that instant) through the services."""
    data = meeting_services.MeetingData(
        type=MeetingType(type), title=title, department_id=department.id, district_id=district.id,
        schedule=_schedule(starts_local, venue=extra.pop("venue", "江汉区市民之家")),
        summary=extra.pop("summary", "听取居民意见。"), host_ids=[official.id],
        agenda=[meeting_services.AgendaEntry(title=t) for t in agenda], **extra)
    meeting = meeting_services.create_meeting(official, data)
    if publish_at is not None:
        meeting_services.publish_meeting(official, meeting, short_notice_reason="议题紧急，提前召开。",
                                         confirm_conflicts=True, now=publish_at)
    return meeting


def _register(seeded: Seeded, meeting, label: str, *, email=True, mobile=True, now=None, language="zh_CN"):
    data = RegistrationInput(
        name=seeded.marker(f"{label}-name", f"登记人{label}-{secrets.token_hex(3)}"),
        email=seeded.email(f"{label}-email") if email else "",
        mobile=seeded.phone(f"{label}-mobile") if mobile else "",
        neighbourhood=seeded.marker(f"{label}-neighbourhood"),
        needs=Needs(wheelchair=True, interpretation_language=seeded.marker(f"{label}-interpretation"),
                    other=seeded.marker(f"{label}-needs")),
        language=language)
    result = registration_services.register_citizen(meeting, data, submission_id=secrets.token_urlsafe(32), now=now)
    assert result.registration is not None, label
    seeded.marker(f"{label}-token", result.token)
    return result.registration


def _ask(seeded: Seeded, meeting, label: str, *, body: str | None = None, name: str = "", anonymous=False,
         now=None, language="zh_CN") -> Question:
    """A web question with both follow-up contacts; an anonymous asker's name is a marker."""
    if anonymous:
        name = seeded.marker(f"{label}-anonymous-name", f"匿名者{label}-{secrets.token_hex(3)}")
    data = QuestionInput(body=body or f"关于{label}的问题：社区公园什么时候开放？", topic="urban_management",
                         asker_name=name, is_anonymous=anonymous, contact_email=seeded.email(f"{label}-email"),
                         contact_mobile=seeded.phone(f"{label}-mobile"), language=language)
    result = question_services.submit_question(meeting, data, submission_id=secrets.token_urlsafe(32), now=now)
    seeded.marker(f"{label}-token", result.token)
    return result.question


def _enter(seeded: Seeded, clerk, meeting, label: str, *, channel: str, name: str = "", anonymous=False,
           now=None) -> Question:
    """A question entered by staff for the hotline, a letter...; with contacts for the follow-up."""
    if anonymous:
        name = seeded.marker(f"{label}-anonymous-name", f"来电匿名{label}-{secrets.token_hex(3)}")
    data = QuestionInput(body=f"{label}：小区门口的路灯坏了很久。", topic="urban_management", asker_name=name,
                         is_anonymous=anonymous, contact_email=seeded.email(f"{label}-email"),
                         contact_mobile=seeded.phone(f"{label}-mobile"))
    return question_services.enter_question(clerk, meeting, data, channel=channel, now=now)


def _invite_token(item_id: int, address: str) -> str:
    """The confirmation token of the follow invitation just queued for `address` (read from the outbox)."""
    message = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id.desc())
    ).scalars().first()
    assert message is not None, f"no follow invitation for {address}"
    return re.search(rf"/actions/{item_id}/follow/([A-Za-z0-9_.\-]+)", reveal(message).text).group(1)


def _follow(seeded: Seeded, item: ActionItem, address: str, label: str):
    action_services.request_follow(item, address)
    follower = action_services.confirm_follow(item, _invite_token(item.id, address))
    seeded.marker(f"{label}-follower-token", action_services.follower_token(follower))
    return follower


@dataclass
class Staff:
    department: object
    district: object
    official: object
    second: object
    clerk: object


def make_staff(seeded: Seeded) -> Staff:
    department = factories.make_department(code="pd-housing", name_zh="市住房局", name_en="Housing Bureau")
    district = factories.make_district(code="pd-jianghan", name_zh="江汉区", name_en="Jianghan District")
    official = factories.make_user("official", department=department, name="周正",
                                   email=seeded.email("staff-official-email"))
    second = factories.make_user("official", department=department, name="吴敏",
                                 email=seeded.email("staff-second-email"))
    clerk = factories.make_user("clerk", department=department, name="郑书",
                                email=seeded.email("staff-clerk-email"))
    return Staff(department, district, official, second, clerk)


def seed_upcoming(seeded: Seeded, staff: Staff) -> Meeting:
    """A published meeting still to come: registrations (confirmed, waitlisted, cancelled, a walk-in)
    and questions of every kind: named, anonymous, entered by staff, pending, rejected, edited, merged."""
    meeting = _meeting(staff.official, staff.department, staff.district, title="江汉路步行街改造座谈会",
                       starts_local=local(10, 14), publish_at=utcnow(), registration_required=True, capacity=3)
    _register(seeded, meeting, "reg-full")
    _register(seeded, meeting, "reg-email-only", mobile=False, language="en")
    registration_services.add_walk_in(staff.clerk, meeting, name=seeded.marker("walk-in-name"),
                                      neighbourhood=seeded.marker("walk-in-neighbourhood"))
    _register(seeded, meeting, "reg-waitlisted", email=False)
    cancelled = _register(seeded, meeting, "reg-cancelled")
    registration_services.cancel_registration(cancelled)

    named = _ask(seeded, meeting, "q-named", name="公开提问人甲")
    seeded.public["named asker"] = "公开提问人甲"
    question_services.approve_question(staff.clerk, named)
    anonymous = _ask(seeded, meeting, "q-anonymous", anonymous=True, language="en")
    question_services.approve_question(staff.clerk, anonymous)
    _ask(seeded, meeting, "q-pending", body=seeded.hidden("q-pending-body", "待审标记：我家住三楼，电话能否公开？"))
    rejected = _ask(seeded, meeting, "q-rejected", body=seeded.hidden("q-rejected-body", "驳回标记：广告内容"))
    question_services.reject_question(staff.clerk, rejected, reason=seeded.marker("q-rejected-reason"))
    taken_down = _ask(seeded, meeting, "q-taken-down",
                      body=seeded.hidden("q-taken-down-body", "撤下标记：先发布后驳回的问题"))
    question_services.approve_question(staff.clerk, taken_down)
    question_services.reject_question(staff.clerk, taken_down, reason=seeded.marker("q-taken-down-reason"))
    edited = _ask(seeded, meeting, "q-edited",
                  body=seeded.hidden("q-edited-original", "改前标记：我的身份证号是 420102199001011234"))
    question_services.edit_question(staff.clerk, edited, body="关于社区停车位的问题（已删除个人信息）",
                                    topic="urban_management", asker_name="", is_anonymous=False)
    question_services.approve_question(staff.clerk, edited)
    duplicate = _ask(seeded, meeting, "q-merged", body="社区公园什么时候开放？")
    question_services.merge_questions(staff.clerk, duplicate, named)
    hotline = _enter(seeded, staff.clerk, meeting, "q-hotline", channel="hotline", anonymous=True)
    _enter(seeded, staff.clerk, meeting, "q-letter", channel="letter", name="来信人乙")
    seeded.public["named letter writer"] = "来信人乙"
    question_services.record_outcome(staff.official, hotline, OutcomeInput(
        outcome="answered", response="已安排维修。"))
    seeded.probe_meetings.append(meeting.id)
    return meeting


def seed_past(seeded: Seeded, staff: Staff) -> Meeting:
    """A meeting that took place: check-ins, answered questions, published minutes with a correction
    still in draft, and action items with followers, progress and a rating."""
    starts = local(-6, 9)
    starts_at = starts.replace(tzinfo=WUHAN)
    meeting = _meeting(staff.official, staff.department, staff.district, title="汉正街消防通道整治会",
                       starts_local=starts, publish_at=starts_at - timedelta(days=12),
                       registration_required=True, capacity=50)
    before = starts_at - timedelta(days=2)
    attendee = _register(seeded, meeting, "past-reg", now=before)
    registration_services.check_in(staff.clerk, attendee, now=starts_at)
    asked = _ask(seeded, meeting, "past-q", name="公开提问人丙", now=before)
    question_services.approve_question(staff.clerk, asked, now=before)
    live = _ask(seeded, meeting, "past-q-live", anonymous=True, now=before)
    question_services.approve_question(staff.clerk, live, now=before)
    question_services.mark_answered_live(staff.clerk, live, now=starts_at + timedelta(minutes=30))
    anonymous = _ask(seeded, meeting, "past-q-anonymous", anonymous=True, now=before)
    question_services.approve_question(staff.clerk, anonymous, now=before)
    late_pending = _ask(seeded, meeting, "past-q-pending", now=before,
                        body=seeded.hidden("past-q-pending-body", "会前未审标记：楼道堆物"))
    assert late_pending.status == QuestionStatus.PENDING
    seeded.probe_meetings.append(meeting.id)

    version = minutes_services.open_minutes(staff.clerk, meeting)
    content = minutes_services.prefill_content(meeting)
    content.presiding, content.recorder = "周正", "郑书"
    content.adjourned_at = format_instant(starts_at + timedelta(hours=2))
    content.citizens_present = 12
    content.items[0].summary = "通报消防通道检查结果。"
    content.items[0].decisions = [Decision(motion="同意清理方案", mover="周正", votes_for=9, votes_against=0,
                                           votes_abstain=1)]
    content.public_comments = [PublicComment(speaker="居民代表", summary="希望尽快清理。")]
    content.commitments = [Commitment(text="一个月内清理消防通道", department_id=staff.department.id,
                                      due_on=(starts_at + timedelta(days=30)).date().isoformat())]
    minutes_services.save_draft(staff.clerk, version, content)
    minutes_services.submit_minutes(staff.clerk, version)
    minutes_services.approve_minutes(staff.official, version)
    minutes_services.publish_minutes(staff.official, version)

    item = action_services.create_action_item(staff.official, action_services.ActionInput(
        title="清理汉正街消防通道", description="按纪要承诺清理。", due_on=utcnow().date() + timedelta(days=20),
        department_id=staff.department.id, responsible_id=staff.official.id),
        minutes_version=version, minutes_ref="c0")
    from_question = action_services.create_action_item(staff.official, action_services.ActionInput(
        title="回应居民关于消防通道的问题", due_on=utcnow().date() + timedelta(days=10),
        department_id=staff.department.id, responsible_id=staff.official.id), question=asked)
    from_anonymous = action_services.create_action_item(staff.official, action_services.ActionInput(
        title="答复匿名居民的问题", due_on=utcnow().date() + timedelta(days=15),
        department_id=staff.department.id, responsible_id=staff.official.id), question=anonymous)
    follower = _follow(seeded, item, attendee.email, "past-reg")
    _follow(seeded, from_question, asked.contact_email, "past-q")
    _follow(seeded, from_anonymous, anonymous.contact_email, "past-q-anonymous")
    action_services.record_action_progress(staff.official, from_anonymous, "已联系提问人。")
    action_services.record_action_progress(staff.official, item, "已清理一半。")
    action_services.change_action_status(staff.official, item, "done", text="已全部清理。")
    action_services.rate_action_item(follower, "partly", seeded.marker("rating-comment"))
    action_services.extend_due_date(staff.official, from_question, from_question.due_on + timedelta(days=7),
                                    "需要协调物业。")

    correction = minutes_services.start_correction(staff.clerk, version.minutes,
                                                   seeded.hidden("correction-reason", "更正草稿标记：补记发言人"))
    draft = minutes_services.prefill_content(meeting)
    draft.presiding = seeded.hidden("correction-presiding", "更正主持标记")
    draft.items[0].summary = seeded.hidden("correction-summary", "未批准更正标记：改写讨论摘要")
    minutes_services.save_draft(staff.clerk, correction, draft)
    return meeting


def seed_unpublished_minutes(seeded: Seeded, staff: Staff) -> None:
    """Two past meetings whose minutes never got published: one sent back with the reviewer's comment
    and edited again, one approved but not yet published."""
    for label, approve in (("returned", False), ("approved-unpublished", True)):
        starts = local(-3 if approve else -4, 15)
        meeting = _meeting(staff.official, staff.department, staff.district, title=f"社区议事会（{label}）",
                           starts_local=starts, publish_at=starts.replace(tzinfo=WUHAN) - timedelta(days=9),
                           venue=f"会议室 {label}")
        version = minutes_services.open_minutes(staff.clerk, meeting)
        content = minutes_services.prefill_content(meeting)
        content.presiding, content.recorder = "周正", "郑书"
        content.adjourned_at = format_instant(starts.replace(tzinfo=WUHAN) + timedelta(hours=1))
        content.items[0].summary = seeded.hidden(f"minutes-{label}-summary", f"未发布纪要标记（{label}）")
        content.public_comments = [PublicComment(speaker=seeded.hidden(f"minutes-{label}-speaker",
                                                                         f"未发布发言人{label}"), summary="意见。")]
        minutes_services.save_draft(staff.clerk, version, content)
        minutes_services.submit_minutes(staff.clerk, version)
        if approve:
            minutes_services.approve_minutes(staff.official, version)
        else:
            minutes_services.return_minutes(staff.official, version, seeded.marker("review-comment"))


def seed_hearing(seeded: Seeded, staff: Staff) -> None:
    """A past hearing with a complete record (public once the minutes are published, which they are not)."""
    starts = local(-5, 9)
    meeting = _meeting(staff.official, staff.department, staff.district, title="水价调整听证会", type="hearing",
                       starts_local=starts, publish_at=starts.replace(tzinfo=WUHAN) - timedelta(days=20),
                       venue="听证室")
    record = minutes_services.open_hearing_record(staff.clerk, meeting)
    minutes_services.save_hearing_record(
        staff.clerk, record, [ParticipantEntry("消费者代表甲", "消费者代表")],
        [StatementEntry("消费者代表甲", seeded.hidden("hearing-statement", "未发布听证发言标记"))],
        presiding_official_id=staff.official.id)
    participant = record.participants[0]
    minutes_services.set_participant_state(staff.official, participant, ParticipantState.CONFIRMED)


def seed_drafts(seeded: Seeded, staff: Staff) -> None:
    """A draft meeting and a draft cancelled before publication: neither is ever public."""
    _meeting(staff.official, staff.department, staff.district,
             title=seeded.hidden("draft-title", "草稿会议标记：拆迁补偿方案"), starts_local=local(20, 9),
             summary=seeded.hidden("draft-summary", "草稿摘要标记"),
             agenda=(seeded.hidden("draft-agenda", "草稿议程标记"),),
             venue=seeded.hidden("draft-venue", "草稿场地标记"))
    cancelled = _meeting(staff.official, staff.department, staff.district,
                         title=seeded.hidden("cancelled-draft-title", "未发布即取消标记"), starts_local=local(25, 9))
    meeting_services.cancel_meeting(staff.official, cancelled, reason=seeded.hidden("cancelled-draft-reason",
                                                                                    "未发布取消原因标记"))


def fill_objects(seeded: Seeded) -> None:
    """Every id the crawl fills routes with: all meetings (drafts too), questions and action items."""
    seeded.objects = {
        "meeting_id": list(db.session.execute(sa.select(Meeting.id).order_by(Meeting.id)).scalars()),
        "question_id": list(db.session.execute(sa.select(Question.id).order_by(Question.id)).scalars()),
        "action_id": list(db.session.execute(sa.select(ActionItem.id).order_by(ActionItem.id)).scalars()),
    }


def seed_city() -> Seeded:
    seeded = Seeded()
    staff = make_staff(seeded)
    seed_upcoming(seeded, staff)
    seed_past(seeded, staff)
    seed_unpublished_minutes(seeded, staff)
    seed_hearing(seeded, staff)
    seed_drafts(seeded, staff)
    fill_objects(seeded)
    return seeded


# ---------------------------------------------------------------------------- the demo data

def seed_demo() -> Seeded:
    """`flask demo load`, then markers added to it through the services, and every contact the demo
    itself holds (registrants' and askers' emails and mobiles, followers' addresses) as markers too."""
    load_demo(echo=lambda *args: None)
    seeded = Seeded()
    admin = db.session.execute(sa.select(User).where(User.role == Role.ADMIN).limit(1)).scalar_one()
    now = utcnow()
    upcoming = [m for m in db.session.execute(
        sa.select(Meeting).where(Meeting.status == MeetingStatus.PUBLISHED, Meeting.starts_at > now)
        .order_by(Meeting.starts_at)).scalars()]
    open_for_registration = next(m for m in upcoming if m.registration_state(now) == "open")
    _register(seeded, open_for_registration, "demo-reg")
    asking = next(m for m in upcoming
                  if question_queries.questions_state(m, question_queries.get_settings(m.id)).is_open)
    _ask(seeded, asking, "demo-q-anonymous", anonymous=True)
    _ask(seeded, asking, "demo-q-pending", body=seeded.hidden("demo-q-pending-body", "演示待审标记：私人纠纷"))
    rejected = _ask(seeded, asking, "demo-q-rejected", body=seeded.hidden("demo-q-rejected-body", "演示驳回标记"))
    question_services.reject_question(admin, rejected, reason=seeded.marker("demo-q-rejected-reason"))
    _meeting(admin, asking.department, asking.district, title=seeded.hidden("demo-draft-title", "演示草稿标记"),
             starts_local=local(30, 9))
    seeded.probe_meetings.append(asking.id)
    _collect_demo_contacts(seeded)
    fill_objects(seeded)
    return seeded


def _collect_demo_contacts(seeded: Seeded) -> None:
    rows = db.session.execute(sa.select(Registration.id, Registration.email, Registration.mobile)).all()
    rows += db.session.execute(sa.select(Question.id, Question.contact_email, Question.contact_mobile)).all()
    known_emails, known_phones = set(seeded.markers.values()), set(seeded.phones.values())
    for _row_id, email, mobile in rows:
        if email and email not in known_emails:
            known_emails.add(email)
            seeded.markers[f"demo-contact-{email}"] = email
        if mobile and mobile not in known_phones:
            known_phones.add(mobile)
            seeded.phones[f"demo-mobile-{mobile}"] = mobile
    followers = list(db.session.execute(sa.select(QuestionFollower.email).where(QuestionFollower.email.is_not(None))))
    followers += list(db.session.execute(sa.select(ActionFollower.email)))
    for (email,) in followers:
        if email not in known_emails:
            known_emails.add(email)
            seeded.markers[f"demo-follower-{email}"] = email
