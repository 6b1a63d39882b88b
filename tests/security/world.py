"""A small city with something real behind every URL argument, for the route sweeps: meetings in every
state in one department, a second department with its own meeting (for scoping and cross-meeting ids),
registrations, questions, minutes versions in every state, a hearing record, action items, followers,
outbox messages, and the real private tokens of each kind. Also a snapshot of the whole database."""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.actions import services as action_services
from app.actions.models import ActionItem
from app.calendar import notifications
from app.extensions import db
from app.meetings.models import Meeting
from app.minutes import services as minutes_services
from app.minutes.services.hearing import ParticipantEntry, StatementEntry
from app.notify.models import OutboxMessage
from app.notify.private import reveal
from app.questions.models import QuestionSettings
from app.registrations import services as registration_services
from app.registrations.codes import hash_token, new_token
from app.registrations.models import Registration
from app.security import Role
from tests import factories
from tests.actions.builders import item_input
from tests.minutes.builders import Setting, add_registrant, complete_content
from tests.questions.builders import follow, make_question, set_mode

ROLES = (Role.ADMIN, Role.OFFICIAL, Role.CLERK)


@dataclass
class World:
    department: object
    other_department: object
    district: object
    staff: dict[Role, object]                 # department A (the admin too)
    other_staff: dict[Role, object]           # department B: an official and a clerk
    users: dict[str, object]                  # targets of the account pages
    meetings: dict[str, Meeting]              # department A, by state
    other_meeting: Meeting                    # department B
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)    # kind -> a real token
    other_tokens: dict[str, str] = field(default_factory=dict)  # kind -> a real token of meeting B

    def all_tokens(self) -> dict[str, str]:
        return {**{f"{kind}": t for kind, t in self.tokens.items()},
                **{f"other {kind}": t for kind, t in self.other_tokens.items()}}


def _meeting(key: str, dept, district, creator, **overrides) -> Meeting:
    return factories.make_meeting(title=f"安全检查 {key}", department_id=dept.id, district_id=district.id,
                                  created_by=creator, agenda=["开场", "方案说明"], **overrides)


def _register(meeting: Meeting, n: int) -> tuple[Registration, str]:
    result = registration_services.register_citizen(
        meeting, registration_services.RegistrationInput(name=f"市民{n}", email=f"citizen{n}@example.cn",
                                                         mobile=f"1380000{n:04d}"),
        submission_id=f"security-world-submission-{n:04d}-" + "s" * 20)
    return result.registration, result.token


def _registration_with_token(meeting: Meeting, n: int, email: str) -> tuple[Registration, str]:
    """A registration of a past meeting (the form is closed), written straight through the ORM."""
    registration = add_registrant(meeting, n, email=email, checked_in=True)
    token = new_token()
    registration.token_hash = hash_token(token)
    db.session.commit()
    return registration, token


def _hearing_record(meeting: Meeting, clerk, names: tuple[str, ...]):
    from app.minutes.queries import list_presiding_candidates

    record = minutes_services.open_hearing_record(clerk, meeting)
    return minutes_services.save_hearing_record(
        clerk, record, [ParticipantEntry(name, "居民代表") for name in names],
        [StatementEntry(names[0], "同意方案")], presiding_official_id=list_presiding_candidates(meeting)[0].id)


def _invite_token(item: ActionItem, email: str) -> str:
    action_services.request_follow(item, email)
    message = db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars().first()
    return re.search(rf"/actions/{item.id}/follow/([A-Za-z0-9_.-]+)", reveal(message).text).group(1)


def _follower_token(item: ActionItem, email: str) -> str:
    follower = action_services.confirm_follow(item, _invite_token(item, email))
    return action_services.follower_token(follower)


def build_world() -> World:
    dept = factories.make_department(code="sec-a", name_zh="住房局", name_en="Housing")
    other_dept = factories.make_department(code="sec-b", name_zh="交通局", name_en="Transport")
    district = factories.make_district(code="sec-district", name_zh="武昌区", name_en="Wuchang")
    staff = {role: factories.make_user(role.value, department=dept, name=f"{role.value} A",
                                       email=f"{role.value}.a@example.gov.cn") for role in ROLES}
    other_staff = {role: factories.make_user(role.value, department=other_dept, name=f"{role.value} B",
                                             email=f"{role.value}.b@example.gov.cn")
                   for role in (Role.OFFICIAL, Role.CLERK)}
    users = {"target": factories.make_user("official", department=dept, email="target@example.gov.cn"),
             "inactive": factories.make_user("clerk", department=dept, email="inactive@example.gov.cn",
                                             is_active=False)}
    official, clerk = staff[Role.OFFICIAL], staff[Role.CLERK]
    m = {
        "draft": _meeting("draft", dept, district, official, status="draft", starts_in=timedelta(days=40)),
        "upcoming": _meeting("upcoming", dept, district, official, starts_in=timedelta(days=10),
                             registration_required=True, capacity=5, hosts=[official]),
        "cancelled": _meeting("cancelled", dept, district, official, status="cancelled",
                              cancelled_at=factories.now() - timedelta(days=1), cancel_reason="场地维修"),
        "past": _meeting("past", dept, district, official, starts_in=timedelta(days=-3)),
        "minutes_draft": _meeting("minutes_draft", dept, district, official, starts_in=timedelta(days=-4)),
        "minutes_submitted": _meeting("minutes_submitted", dept, district, official, starts_in=timedelta(days=-5)),
        "minutes_approved": _meeting("minutes_approved", dept, district, official, starts_in=timedelta(days=-6)),
        "hearing": _meeting("hearing", dept, district, official, type="hearing", starts_in=timedelta(days=-2)),
        "no_minutes": _meeting("no_minutes", dept, district, official, type="hearing",
                               starts_in=timedelta(days=-1)),
    }
    other_meeting = _meeting("other", other_dept, district, other_staff[Role.OFFICIAL], type="hearing",
                             starts_in=timedelta(days=-2))
    world = World(dept, other_dept, district, staff, other_staff, users, m, other_meeting)
    ids, tokens = world.ids, world.tokens

    # Registrations: two confirmed on the upcoming meeting (one checked in), past ones with email addresses.
    first, tokens["registration"] = _register(m["upcoming"], 1)
    second, _ = _register(m["upcoming"], 2)
    registration_services.check_in(clerk, second)
    ids.update(registration=first.id, checked_in_registration=second.id)
    tokens["unsubscribe"] = notifications.unsubscribe_token(first.id)
    past_registrant, _ = _registration_with_token(m["past"], 3, "past.citizen@example.cn")
    _registration_with_token(m["past"], 4, "second.past@example.cn")  # may still ask to follow

    # Questions on the upcoming meeting, in every moderation state, two of them followed.
    set_mode(m["upcoming"], "pre")
    pending = make_question(m["upcoming"], status="pending", body="社区公园什么时候开放？",
                            contact_email="asker@example.cn")
    approved = make_question(m["upcoming"], status="approved", body="老旧小区加装电梯的补贴标准是什么？", votes=2)
    kept = make_question(m["upcoming"], status="approved", body="停车位不够怎么办？")
    make_question(m["upcoming"], status="rejected", body="无关的问题")
    tokens["question"] = follow(approved, email="follower@example.cn")
    follow(pending, email="asker@example.cn")
    settings = db.session.get(QuestionSettings, m["upcoming"].id)
    settings.current_question_id = kept.id
    db.session.commit()
    ids.update(pending_question=pending.id, question=approved.id, kept_question=kept.id)

    # Minutes in every state; the past meeting's are published.
    def setting(meeting):
        return Setting(meeting, clerk, official, staff[Role.ADMIN])

    def submitted(meeting):
        version = minutes_services.open_minutes(clerk, meeting)
        minutes_services.save_draft(clerk, version, complete_content(setting(meeting)))
        return minutes_services.submit_minutes(clerk, version)

    published = minutes_services.publish_minutes(official, minutes_services.approve_minutes(
        official, submitted(m["past"])))
    draft = minutes_services.open_minutes(clerk, m["minutes_draft"])
    minutes_services.save_draft(clerk, draft, complete_content(setting(m["minutes_draft"])))
    waiting = submitted(m["minutes_submitted"])
    approved_version = minutes_services.approve_minutes(official, submitted(m["minutes_approved"]))
    ids.update(published_version=published.id, draft_version=draft.id, submitted_version=waiting.id,
               approved_version=approved_version.id)
    record = _hearing_record(m["hearing"], clerk, ("张三", "李四"))
    ids["participant"] = record.participants[0].id

    # Action items: one open item of the past meeting (followed through a real invitation), one done.
    open_item = action_services.create_action_item(official, item_input(official, title="修复路灯"),
                                                   meeting=m["past"])
    done_item = action_services.create_action_item(official, item_input(official, title="清理河道"),
                                                   meeting=m["past"])
    action_services.change_action_status(official, done_item, "done", text="已清理完毕")
    tokens["action_follower"] = _follower_token(done_item, past_registrant.email)
    tokens["invite"] = _invite_token(open_item, past_registrant.email)
    ids.update(action=open_item.id, done_action=done_item.id)

    # Department B: a registration, a question with a follower, a minutes draft and a hearing record.
    other_clerk = other_staff[Role.CLERK]
    other_registration, world.other_tokens["registration"] = _registration_with_token(
        other_meeting, 9, "other.citizen@example.cn")
    other_question = make_question(other_meeting, status="approved", body="公交线路能否延长？")
    world.other_tokens["question"] = follow(other_question, email="other.follower@example.cn")
    world.other_tokens["unsubscribe"] = notifications.unsubscribe_token(other_registration.id)
    other_version = minutes_services.open_minutes(other_clerk, other_meeting)
    other_record = _hearing_record(other_meeting, other_clerk, ("王五",))
    other_item = action_services.create_action_item(
        other_staff[Role.OFFICIAL], item_input(other_staff[Role.OFFICIAL], title="延长公交线路"),
        meeting=other_meeting)
    ids.update(other_registration=other_registration.id, other_question=other_question.id,
               other_version=other_version.id, other_participant=other_record.participants[0].id,
               other_action=other_item.id)
    # The sweeps sign in hundreds of times: a cheap hash of the same password keeps that fast (the real
    # scrypt check costs a third of a second each time; the login flow is the same).
    for user in [*staff.values(), *other_staff.values(), *users.values()]:
        user.password_hash = _cheap_hash()
    db.session.commit()
    return world


@functools.cache
def _cheap_hash() -> str:
    return generate_password_hash(factories.DEFAULT_PASSWORD, method="pbkdf2:sha256:1000")


# ---------------------------------------------------------------------------- the whole database

def snapshot() -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of every row (ordered by primary key)."""
    db.session.rollback()  # read what is committed, in a fresh transaction
    result = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        digest = hashlib.sha256()
        count = 0
        for row in db.session.execute(sa.select(table).order_by(*order)):
            digest.update(repr(tuple(row)).encode())
            count += 1
        result[table.name] = (count, digest.hexdigest()[:16])
    db.session.rollback()
    return result


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))

