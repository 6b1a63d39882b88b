"""Staff account use cases and the hash-chained audit log."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from app.accounts import services
from app.accounts.audit import record_audit, verify_audit_chain
from app.accounts.models import AuditEvent, User
from app.accounts.services import BadCredentials, EmailTaken
from app.errors import InvalidState, NotAllowed, ValidationFailed
from app.extensions import db
from app.security import Role, load_user
from tests import factories
from tests.helpers import row_counts


@pytest.fixture
def admin(app):
    return factories.make_user("admin")


def events(action: str | None = None) -> list[AuditEvent]:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.execute(stmt).scalars())


# ---------------------------------------------------------------------------- create

def test_an_admin_creates_a_staff_account_with_role_and_department(admin):
    dept = factories.make_department()
    user = services.create_user(admin, email="  Li.Ming@Wuhan.gov.cn ", name="李明", role=Role.CLERK,
                                password="长长的安全口令123", department_id=dept.id)
    assert (user.email, user.name, user.role, user.department_id, user.is_active) == (
        "li.ming@wuhan.gov.cn", "李明", Role.CLERK, dept.id, True)
    assert user.check_password("长长的安全口令123") and user.password_hash != "长长的安全口令123"
    [event] = events("user.create")
    assert (event.actor_id, event.object_id) == (admin.id, user.id)


def test_the_command_line_may_create_an_account_without_an_actor(app):
    user = services.create_user(None, email="first@example.gov.cn", name="First", role=Role.ADMIN,
                                password="a long first password")
    [event] = events("user.create")
    assert event.actor_id is None and event.object_id == user.id


def test_only_admins_create_accounts(app):
    official = factories.make_user("official")
    before = row_counts()
    with pytest.raises(NotAllowed):
        services.create_user(official, email="x@example.gov.cn", name="X", role=Role.ADMIN, password="a long password")
    assert row_counts() == before


def test_an_email_is_used_once_whatever_its_case(admin):
    services.create_user(admin, email="wang@example.gov.cn", name="王", role=Role.OFFICIAL, password="a long password")
    before = row_counts()
    with pytest.raises(EmailTaken) as caught:
        services.create_user(admin, email="WANG@example.gov.cn", name="王二", role=Role.CLERK, password="a long password")
    assert caught.value.field == "email"
    assert row_counts() == before


def test_a_short_password_or_unknown_department_is_refused(admin):
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(admin, email="a@example.gov.cn", name="A", role=Role.CLERK, password="short")
    assert caught.value.field == "password"
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(admin, email="a@example.gov.cn", name="A", role=Role.CLERK, password="a long password",
                             department_id=424242)
    assert caught.value.field == "department_id"
    assert row_counts() == before


@pytest.mark.parametrize("email", ["not an email", "no-at-sign.example.gov.cn", "a@b@example.gov.cn",
                                   "two words@example.gov.cn", "", "   ", "x" * 250 + "@example.gov.cn"])
def test_an_invalid_email_is_refused_and_nothing_is_written(admin, email):
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(admin, email=email, name="李明", role=Role.CLERK, password="a long password")
    assert caught.value.field == "email"
    assert row_counts() == before


@pytest.mark.parametrize("name", ["", "   ", "\u200b\u200b", " \u200b \ufeff ", "\u00ad"])
def test_a_name_blank_after_trimming_invisible_characters_is_refused(admin, name):
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(admin, email="a@example.gov.cn", name=name, role=Role.CLERK, password="a long password")
    assert caught.value.field == "name"
    assert row_counts() == before


def test_a_name_is_limited_to_100_characters_of_any_script(admin):
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        services.create_user(admin, email="a@example.gov.cn", name="长" * 101, role=Role.CLERK,
                             password="a long password")
    assert caught.value.field == "name"
    assert row_counts() == before
    user = services.create_user(admin, email="a@example.gov.cn", name="\u200b " + "长" * 100 + " \ufeff",
                                role=Role.CLERK, password="a long password")
    assert user.name == "长" * 100


def test_the_validation_messages_are_translated(admin, app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        with pytest.raises(ValidationFailed) as bad_email:
            services.create_user(admin, email="not an email", name="A", role=Role.CLERK, password="a long password")
        with pytest.raises(ValidationFailed) as blank_name:
            services.create_user(admin, email="a@example.gov.cn", name=" ", role=Role.CLERK,
                                 password="a long password")
        assert str(bad_email.value.message) == "请输入有效的电子邮箱地址。"
        assert str(blank_name.value.message) == "请填写工作人员的姓名。"


def test_updating_a_user_refuses_a_blank_or_over_long_name_and_changes_nothing(admin):
    user = factories.make_user("clerk", name="王芳")
    for name in ("  \u200b ", "名" * 101):
        with pytest.raises(ValidationFailed) as caught:
            services.update_user(admin, user, name=name, role=Role.OFFICIAL, department_id=user.department_id)
        assert caught.value.field == "name"
        db.session.expire_all()
        assert (db.session.get(User, user.id).name, db.session.get(User, user.id).role) == ("王芳", Role.CLERK)
    assert events("user.update") == []
    services.update_user(admin, user, name=" \u200b王芳芳 ", role=Role.CLERK, department_id=user.department_id)
    assert user.name == "王芳芳"


# ---------------------------------------------------------------------------- deactivate, update, reset

def test_deactivating_ends_every_session_and_is_audited(admin):
    user = factories.make_user("official")
    session_id = user.get_id()
    assert load_user(session_id) is not None
    services.set_user_active(admin, user, active=False)
    assert not user.is_active
    assert load_user(session_id) is None
    last = events()[-1]
    assert (last.action, last.actor_id, last.object_id) == ("user.deactivate", admin.id, user.id)


def test_reactivating_does_not_revive_old_sessions(admin):
    user = factories.make_user("official")
    old_session = user.get_id()
    services.set_user_active(admin, user, active=False)
    services.set_user_active(admin, user, active=True)
    assert user.is_active and load_user(old_session) is None and load_user(user.get_id()) is not None
    assert [e.action for e in events()] == ["user.deactivate", "user.activate"]


def test_an_admin_cannot_deactivate_themself(admin):
    before = row_counts()
    with pytest.raises(InvalidState):
        services.set_user_active(admin, admin, active=False)
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active


def test_only_admins_deactivate(app):
    official = factories.make_user("official")
    other = factories.make_user("official")
    with pytest.raises(NotAllowed):
        services.set_user_active(official, other, active=False)
    assert other.is_active


def test_deactivating_twice_writes_one_event(admin):
    user = factories.make_user("clerk")
    services.set_user_active(admin, user, active=False)
    services.set_user_active(admin, user, active=False)
    assert len(events("user.deactivate")) == 1


def test_resetting_a_password_ends_sessions_and_the_old_password_stops_working(admin):
    user = factories.make_user("official")
    session_id = user.get_id()
    services.reset_password(admin, user, password="a brand new password")
    assert load_user(session_id) is None
    assert user.check_password("a brand new password") and not user.check_password(factories.DEFAULT_PASSWORD)
    assert (events()[-1].action, events()[-1].actor_id, events()[-1].reason) == ("user.reset_password", admin.id, None)
    assert "brand new" not in events()[-1].details


def test_a_user_may_reset_only_their_own_password_unless_admin(app):
    official = factories.make_user("official")
    other = factories.make_user("official")
    with pytest.raises(NotAllowed):
        services.reset_password(official, other, password="a brand new password")
    services.reset_password(official, official, password="a brand new password")
    assert official.check_password("a brand new password")


def test_a_short_new_password_is_refused(admin):
    user = factories.make_user("official")
    with pytest.raises(ValidationFailed):
        services.reset_password(admin, user, password="short")
    assert user.check_password(factories.DEFAULT_PASSWORD)


def test_changing_a_role_ends_sessions_and_is_audited(admin):
    user = factories.make_user("clerk")
    session_id = user.get_id()
    services.update_user(admin, user, name=user.name, role=Role.OFFICIAL, department_id=user.department_id)
    assert user.role == Role.OFFICIAL and load_user(session_id) is None
    assert events()[-1].details_dict == {"role": ["clerk", "official"]}


def test_an_admin_cannot_remove_their_own_admin_role(admin):
    with pytest.raises(InvalidState):
        services.update_user(admin, admin, name=admin.name, role=Role.CLERK, department_id=admin.department_id)
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_an_update_that_changes_nothing_writes_no_event(admin):
    user = factories.make_user("clerk")
    services.update_user(admin, user, name=user.name, role=Role.CLERK, department_id=user.department_id)
    assert events() == []


# ---------------------------------------------------------------------------- sign-in

def test_signing_in_needs_the_right_password_and_an_active_account(app):
    user = factories.make_user("official", email="zhang@example.gov.cn")
    assert services.authenticate(" ZHANG@example.gov.cn ", factories.DEFAULT_PASSWORD).id == user.id
    assert user.last_login_at is not None
    for email, password in (("zhang@example.gov.cn", "wrong password"), ("nobody@example.gov.cn", "whatever"),
                            ("", ""), ("zhang@example.gov.cn", "")):
        with pytest.raises(BadCredentials):
            services.authenticate(email, password)
    user.is_active = False
    db.session.commit()
    with pytest.raises(BadCredentials):
        services.authenticate("zhang@example.gov.cn", factories.DEFAULT_PASSWORD)


def test_a_session_id_that_is_malformed_loads_nobody(app):
    for session_id in ("", "abc", "1", "1:x", "x:1", None, "999:1"):
        assert load_user(session_id) is None


# ---------------------------------------------------------------------------- the audit chain

def test_audit_events_chain_each_to_the_previous_hash(admin):
    first = record_audit(admin, "a", "meeting", 1)
    db.session.commit()
    second = record_audit(admin, "b", "meeting", 2, details={"标题": "座谈会"}, reason="原因")
    db.session.commit()
    assert first.prev_hash == "" and second.prev_hash == first.hash
    assert len(second.hash) == 64 and second.hash == second.compute_hash()
    assert verify_audit_chain() == (2, None)


@pytest.mark.parametrize("column, value", [
    ("reason", "篡改后的原因"), ("action", "meeting.delete"), ("actor_id", None), ("details", '{"x": 1}'),
    ("created_at", datetime(2020, 1, 1, tzinfo=timezone.utc)),
])
def test_editing_any_field_of_an_audit_event_breaks_the_chain_at_that_event(admin, column, value):
    for n in range(3):
        record_audit(admin, "meeting.update", "meeting", n, reason=f"原因{n}")
        db.session.commit()
    second = events()[1]
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == second.id).values({column: value})
                       .execution_options(synchronize_session=False))
    db.session.commit()
    db.session.expire_all()
    assert verify_audit_chain() == (1, second.id)


def test_deleting_an_audit_event_breaks_the_chain(admin):
    for n in range(3):
        record_audit(admin, "meeting.update", "meeting", n)
        db.session.commit()
    middle = events()[1]
    db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == middle.id))
    db.session.commit()
    db.session.expire_all()
    assert verify_audit_chain() == (1, events()[1].id)
