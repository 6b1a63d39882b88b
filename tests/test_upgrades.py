"""Upgrades of a populated database: a city's data written at the first release's schema (the first
migration) with plain SQL, upgraded to head, used by the app, then downgraded back to the first release,
on SQLite and PostgreSQL. No row of the first release may be lost or changed on the way up or down."""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from werkzeug.security import generate_password_hash

from app.accounts.models import AuditEvent, User
from app.actions import services as action_services
from app.extensions import db
from app.meetings.models import Meeting
from app.minutes import services as minutes_services
from app.registrations import services as registration_services
from app.registrations.codes import hash_token
from app.registrations.models import RegistrationStatus
from tests.conftest import USES_POSTGRES, csrf_token_from
from tests.test_migrations import VERSION_TABLE, alembic_config, app_on, throwaway_postgres_database

PASSWORD = "first release password"
MANAGE_TOKEN = "first-release-manage-token-0000000000000000"
FOLLOW_TOKEN = "first-release-follow-token-0000000000000000"
NOW = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)  # naive UTC, as the columns store it


def first_revision() -> str:
    [base] = [script for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
              if script.down_revision is None]
    return base.revision


# ---------------------------------------------------------------------------- the first release's data

def _audit_chain(events: list[dict]) -> list[dict]:
    """Fill prev_hash and hash as the first release computed them (AuditEvent.compute_hash)."""
    previous = ""
    for event in events:
        event = event | {"prev_hash": previous}
        model = AuditEvent(**{**event, "created_at": event["created_at"].replace(tzinfo=timezone.utc)})
        event["hash"] = previous = model.compute_hash()
        yield event


def first_release_rows() -> dict[str, list[dict]]:
    """A small city at the first release: every table of the first migration, in an order that satisfies
    the foreign keys."""
    day = timedelta(days=1)
    upcoming, past = NOW + 12 * day, NOW - 20 * day
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    meeting = dict(summary="听取居民意见", purpose="", host_note="", timezone="Asia/Shanghai", address="解放大道1号",
                   online_url="", registration_opens_at=None, registration_closes_at=None, notice_profile="cn",
                   short_notice_reason=None, cancelled_at=None, cancel_reason=None, rescheduled_at=None,
                   reschedule_reason=None, previous_starts_at=None, department_id=1, district_id=1,
                   created_by_id=2, created_at=past - 30 * day, updated_at=past - 30 * day)
    registration = dict(submission_hash=None, mobile="", mobile_normalized=None, neighbourhood="水果湖街道",
                        needs_wheelchair=False, needs_sign_language=False, needs_large_print=False,
                        interpretation_language="", other_needs="", channel="web", cancelled_at=None,
                        promoted_at=None, checked_in_at=None, checked_in_by_id=None)
    question = dict(channel="web", asker_name="", is_anonymous=False, contact_email="", contact_mobile="",
                    language="zh_CN", submission_hash=None, entered_by_id=None, vote_count=0, moderated_at=None,
                    moderated_by_id=None, rejection_reason=None, merged_into_id=None, edited_at=None,
                    answering_started_at=None, outcome=None, outcome_at=None, outcome_by_id=None, response="",
                    outcome_reason="", outcome_plan="", referred_department_id=None)
    outbox = dict(to_name=None, body_html=None, ics=None, attempts=0, last_error=None, sent_at=None)
    return {
        "departments": [dict(id=1, code="housing", name_zh="市住房和城市更新局", name_en="Housing Bureau"),
                        dict(id=2, code="transport", name_zh="市交通运输局", name_en="Transport Bureau")],
        "districts": [dict(id=1, code="wuchang", name_zh="武昌区", name_en="Wuchang"),
                      dict(id=2, code="hankou", name_zh="江汉区", name_en="Jianghan")],
        "users": [
            dict(id=1, email="admin@city.example", name="刘敏", password_hash=password_hash, role="admin",
                 department_id=None, is_active=True, session_version=1, created_at=past - 60 * day,
                 last_login_at=past),
            dict(id=2, email="official@city.example", name="王建国", password_hash=password_hash, role="official",
                 department_id=1, is_active=True, session_version=1, created_at=past - 60 * day, last_login_at=None),
            dict(id=3, email="clerk@city.example", name="何小军", password_hash=password_hash, role="clerk",
                 department_id=1, is_active=False, session_version=2, created_at=past - 50 * day,
                 last_login_at=None),
        ],
        "audit_events": list(_audit_chain([
            dict(id=1, created_at=past - 60 * day, actor_id=None, action="user.create", object_type="user",
                 object_id=1, details=json.dumps({"role": "admin"}), reason=None),
            dict(id=2, created_at=past - 60 * day, actor_id=1, action="user.create", object_type="user",
                 object_id=2, details=json.dumps({"role": "official"}), reason=None),
            dict(id=3, created_at=past - 31 * day, actor_id=2, action="meeting.publish", object_type="meeting",
                 object_id=2, details=json.dumps({"title": "旧城改造听证会"}, ensure_ascii=False), reason="听证会"),
        ])),
        "meetings": [
            meeting | dict(id=1, type="town_hall", status="published", title="老旧小区加装电梯座谈会",
                           starts_at=upcoming, ends_at=upcoming + timedelta(hours=2), venue_name="街道文化中心",
                           registration_required=True, capacity=50, seats_taken=2, queue_counter=3, sequence=0,
                           published_at=NOW - 5 * day),
            meeting | dict(id=2, type="hearing", status="published", title="旧城改造听证会", starts_at=past,
                           ends_at=past + timedelta(hours=3), venue_name="区政府礼堂", registration_required=True,
                           capacity=100, seats_taken=1, queue_counter=1, sequence=1, published_at=past - 31 * day,
                           rescheduled_at=past - 25 * day, reschedule_reason="场地调整",
                           previous_starts_at=past - day),
            meeting | dict(id=3, type="community_visit", status="draft", title="社区走访（草稿）",
                           starts_at=upcoming + 10 * day, ends_at=None, venue_name="社区服务站",
                           registration_required=False, capacity=None, seats_taken=0, queue_counter=0, sequence=0,
                           published_at=None, department_id=2, district_id=2),
            meeting | dict(id=4, type="briefing", status="cancelled", title="政策宣讲会", starts_at=upcoming + day,
                           ends_at=upcoming + day + timedelta(hours=1), venue_name="市民之家",
                           registration_required=False, capacity=None, seats_taken=0, queue_counter=0, sequence=1,
                           published_at=NOW - 10 * day, cancelled_at=NOW - 2 * day, cancel_reason="天气原因"),
        ],
        "agenda_items": [
            dict(id=1, meeting_id=1, position=1, title="开场", description="", presenter="王建国", duration_minutes=10),
            dict(id=2, meeting_id=1, position=2, title="方案说明", description="加装电梯费用分摊", presenter="",
                 duration_minutes=None),
            dict(id=3, meeting_id=2, position=1, title="听证程序说明", description="", presenter="",
                 duration_minutes=15),
        ],
        "meeting_hosts": [dict(meeting_id=1, user_id=2), dict(meeting_id=2, user_id=2)],
        "questions": [
            question | dict(id=1, meeting_id=1, body="电梯费用怎么分摊？", topic="housing", status="approved",
                            asker_name="张三", contact_email="zhang.san@example.cn", vote_count=2,
                            created_at=NOW - 3 * day, moderated_at=NOW - 3 * day, moderated_by_id=2),
            question | dict(id=2, meeting_id=1, body="施工期间怎么出行？", topic="transport", status="pending",
                            is_anonymous=True, created_at=NOW - 2 * day),
            question | dict(id=3, meeting_id=1, body="与会议无关", topic="other", status="rejected",
                            rejection_reason="与本次会议无关", created_at=NOW - 2 * day,
                            moderated_at=NOW - day, moderated_by_id=2),
            question | dict(id=4, meeting_id=1, body="电梯费用谁来出？", topic="housing", status="merged",
                            merged_into_id=1, created_at=NOW - day),
            question | dict(id=5, meeting_id=2, body="拆迁补偿标准是什么？", topic="housing", status="approved",
                            channel="hotline", entered_by_id=2, language="en", created_at=past - 2 * day,
                            moderated_at=past - 2 * day, moderated_by_id=2, outcome="answered",
                            outcome_at=past + day, outcome_by_id=2, response="按市里2026年标准执行。"),
        ],
        "registrations": [
            registration | dict(id=1, meeting_id=1, code="A3C-4D6", token_hash=hash_token(MANAGE_TOKEN),
                                name="李四", email="li.si@example.cn", email_normalized="li.si@example.cn",
                                needs_wheelchair=True, status="confirmed", queue_number=1, language="zh_CN",
                                created_at=NOW - 4 * day, updated_at=NOW - 4 * day),
            registration | dict(id=2, meeting_id=1, code="E7F-9GH", token_hash=hash_token("two" * 15), name="Mary Wu",
                                email="", mobile="+8613800138000", mobile_normalized="+8613800138000",
                                status="confirmed", queue_number=2, language="en", created_at=NOW - 3 * day,
                                updated_at=NOW - 3 * day),
            registration | dict(id=3, meeting_id=1, code="J4K-7MN", token_hash=hash_token("three" * 9),
                                name="赵六", email="zhao@example.cn", status="cancelled", queue_number=3,
                                language="zh_CN", created_at=NOW - 3 * day, updated_at=NOW - 2 * day,
                                cancelled_at=NOW - 2 * day),
            registration | dict(id=4, meeting_id=2, code="P3Q-6RT", token_hash=hash_token("four" * 11), name="孙七",
                                email="sun@example.cn", email_normalized="sun@example.cn", status="confirmed",
                                queue_number=1, language="zh_CN", created_at=past - 10 * day,
                                updated_at=past - 10 * day, checked_in_at=past, checked_in_by_id=2),
        ],
        "question_followers": [
            dict(id=1, question_id=1, original_question_id=1, token_hash=hash_token(FOLLOW_TOKEN),
                 email="zhang.san@example.cn", language="zh_CN", created_at=NOW - 3 * day),
            dict(id=2, question_id=1, original_question_id=4, token_hash=hash_token("merged" * 8), email=None,
                 language="en", created_at=NOW - day),
        ],
        "question_settings": [dict(meeting_id=1, moderation_mode="pre", is_closed=False, closed_message="",
                                   current_question_id=None, updated_at=NOW - 5 * day),
                              dict(meeting_id=2, moderation_mode="post", is_closed=True, closed_message="提问已截止",
                                   current_question_id=5, updated_at=past)],
        "question_votes": [dict(id=n, question_id=1, voter_key=f"{n:064x}", created_at=NOW - day) for n in (1, 2)],
        "outbox_messages": [
            outbox | dict(id=1, dedupe_key="registration-A3C-4D6-confirmation", message_id="<1@city.example>",
                          to_address="li.si@example.cn", to_name="李四", language="zh_CN", subject="报名确认",
                          body_text="您好\n", status="sent", attempts=1, next_attempt_at=NOW - 4 * day,
                          created_at=NOW - 4 * day, sent_at=NOW - 4 * day),
            outbox | dict(id=2, dedupe_key="question-1-received-1-x", message_id="<2@city.example>",
                          to_address="zhang.san@example.cn", language="zh_CN", subject="问题已收到",
                          body_text="您好\n", body_html="<p>您好</p>", status="failed", attempts=12,
                          next_attempt_at=NOW - day, last_error="SMTPDataError: 452 full", created_at=NOW - 3 * day),
            outbox | dict(id=3, dedupe_key="question-1-received-2-x", message_id="<3@city.example>",
                          to_address="li.si@example.cn", language="en", subject="Reminder", body_text="Hello\n",
                          ics="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", status="pending", next_attempt_at=NOW,
                          created_at=NOW),
        ],
    }


def insert_first_release(connection: sa.Connection) -> None:
    """INSERT every row with plain SQL against the tables as the first migration made them, and move each
    PostgreSQL id sequence past the ids used (as rows made by the app would have)."""
    metadata = sa.MetaData()
    metadata.reflect(connection)
    rows = first_release_rows()
    tables = set(metadata.tables) - {VERSION_TABLE}
    assert set(rows) == tables, f"the first release's tables changed: {sorted(tables ^ set(rows))}"
    for name, table_rows in rows.items():
        for row in table_rows:
            connection.execute(sa.insert(metadata.tables[name]).values(row))
        if connection.dialect.name == "postgresql" and "id" in metadata.tables[name].c:
            connection.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                       f"(SELECT max(id) FROM {name}))")


def first_release_state(connection: sa.Connection) -> dict[str, list[tuple]]:
    """The first release's tables and columns, read back in primary-key order."""
    rows = first_release_rows()
    metadata = sa.MetaData()
    metadata.reflect(connection, only=list(rows))
    state = {}
    for name, table_rows in rows.items():
        table = metadata.tables[name]
        columns = [table.c[column] for column in dict.fromkeys(key for row in table_rows for key in row)]
        state[name] = [tuple(row) for row in connection.execute(
            sa.select(*columns).order_by(*table.primary_key.columns))]
    return state


def state_now() -> dict[str, list[tuple]]:
    db.session.remove()
    with db.engine.connect() as connection:
        return first_release_state(connection)


# ---------------------------------------------------------------------------- using the upgraded app

def sign_in(client, email: str) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def use_the_app(app) -> None:
    """Pages of every kind open on the upgraded data, and services write to old and new tables alike."""
    client = app.test_client()
    pages = {"/meetings": "老旧小区加装电梯座谈会", "/meetings?when=past": "旧城改造听证会",
             "/meetings/1": "老旧小区加装电梯座谈会", "/meetings/1/questions": "电梯费用怎么分摊？",
             "/meetings/1.ics": "BEGIN:VCALENDAR", "/calendar.ics": "BEGIN:VCALENDAR",
             f"/registrations/{MANAGE_TOKEN}": "李四", f"/questions/t/{FOLLOW_TOKEN}": "电梯费用怎么分摊？",
             "/meetings/2": "拆迁补偿标准是什么？", "/meetings/4": "天气原因", "/meetings/2/minutes": "旧城改造听证会",
             "/meetings/1/questions/projector": "老旧小区加装电梯座谈会", "/actions": "督办",
             "/feeds/meetings.atom": "<feed"}
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert text in response.get_data(as_text=True), url
    assert client.get("/meetings/3").status_code == 404  # still a draft
    sign_in(client, "official@city.example")
    for url in ("/manage/", "/manage/meetings/", "/manage/meetings/1/registrations", "/manage/meetings/2/minutes"):
        assert client.get(url).status_code == 200, url
    assert app.test_cli_runner().invoke(args=["accounts", "verify-audit"]).output.startswith(
        "Audit chain intact: 3 events")

    meeting, hearing = db.session.get(Meeting, 1), db.session.get(Meeting, 2)
    official = db.session.get(User, 2)
    result = registration_services.register_citizen(
        meeting, registration_services.RegistrationInput(name="新市民", email="new@example.cn"),
        submission_id="s" * 40)
    assert result.registration.status == RegistrationStatus.CONFIRMED
    assert result.registration.queue_number == 4  # the first release's counter goes on
    minutes_services.open_minutes(official, hearing)
    action_services.create_action_item(official, action_services.ActionInput(
        title="公布补偿标准", due_on=date.today() + timedelta(days=30), department_id=1, responsible_id=2),
        meeting=hearing)
    result = app.test_cli_runner().invoke(args=["accounts", "verify-audit"])
    assert result.exit_code == 0 and re.match(r"Audit chain intact: [4-9] events", result.output), result.output


# ---------------------------------------------------------------------------- the test

@contextmanager
def empty_database(tmp_path: Path):
    if USES_POSTGRES:
        with throwaway_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'city.sqlite3'}"


def test_a_populated_first_release_database_upgrades_to_head_works_and_downgrades_back(tmp_path):
    """On SQLite in the SQLite pass and on PostgreSQL in the PostgreSQL pass."""
    with empty_database(tmp_path) as url, app_on(url) as app:
        config = alembic_config()
        first = first_revision()
        command.upgrade(config, first)
        with db.engine.begin() as connection:
            insert_first_release(connection)
        written = state_now()
        assert all(written.values())

        command.upgrade(config, "head")
        assert state_now() == written, "a row of the first release changed or vanished on the way to head"

        use_the_app(app)
        used = state_now()
        assert len(used["registrations"]) == len(written["registrations"]) + 1
        assert len(used["audit_events"]) > len(written["audit_events"])

        command.downgrade(config, first)
        db.session.remove()
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalar_one() == first
            assert set(sa.inspect(connection).get_table_names()) == set(first_release_rows()) | {VERSION_TABLE}
        assert state_now() == used, "a row changed or vanished on the way back to the first release"
