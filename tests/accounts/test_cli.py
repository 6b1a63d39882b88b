"""`flask accounts create-admin` and `flask accounts verify-audit`, run through app.test_cli_runner()."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts import services as account_services
from app.accounts.audit import record_audit
from app.accounts.models import AuditEvent, User
from app.accounts.services import EmailTaken
from app.errors import ValidationFailed
from app.extensions import db
from app.security import Role
from tests import factories
from tests.helpers import row_counts


def message_of(error) -> str:
    """A service error's message as the command line shows it: outside any request, in the default language."""
    return str(error.message)


def test_command_line_messages_are_in_the_default_language(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        chinese = str(EmailTaken().message)
    assert message_of(EmailTaken()) == chinese


def users() -> list[User]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(User)).scalars())


def test_create_admin_makes_the_first_administrator(runner):
    result = runner.invoke(args=["accounts", "create-admin", "--email", "Admin@Wuhan.gov.cn", "--name", "管理员",
                                 "--password", "a very long password"])
    assert result.exit_code == 0, result.output
    [admin] = users()
    assert (admin.email, admin.name, admin.role, admin.is_active) == ("admin@wuhan.gov.cn", "管理员", Role.ADMIN, True)
    assert admin.check_password("a very long password")
    assert "Created administrator admin@wuhan.gov.cn" in result.output
    assert "a very long password" not in result.output
    event = db.session.execute(sa.select(AuditEvent)).scalar_one()
    assert (event.action, event.actor_id, event.object_id) == ("user.create", None, admin.id)


def test_create_admin_prompts_for_what_is_missing_and_hides_the_password(runner):
    result = runner.invoke(args=["accounts", "create-admin"],
                           input="first@example.gov.cn\n第一位管理员\na very long password\na very long password\n")
    assert result.exit_code == 0, result.output
    assert "a very long password" not in result.output
    assert [u.email for u in users()] == ["first@example.gov.cn"]


def test_the_created_admin_can_sign_in(runner, client, web):
    runner.invoke(args=["accounts", "create-admin", "--email", "admin@example.gov.cn", "--name", "Admin",
                        "--password", "a very long password"])
    response = web.post_form("/login", {"email": "admin@example.gov.cn", "password": "a very long password"})
    assert response.status_code == 302
    assert client.get("/manage/users").status_code == 200


def test_a_short_password_fails_with_a_message_and_creates_nothing(runner):
    before = row_counts()
    result = runner.invoke(args=["accounts", "create-admin", "--email", "a@example.gov.cn", "--name", "A",
                                 "--password", "short"])
    assert result.exit_code != 0
    too_short = ValidationFailed(_l("Password must be at least %(n)d characters.", n=10))
    assert result.output == f"Error: {message_of(too_short)}\n"
    assert row_counts() == before


def test_an_email_already_in_use_fails_and_creates_nothing(runner):
    factories.make_user("official", email="taken@example.gov.cn")
    before = row_counts()
    result = runner.invoke(args=["accounts", "create-admin", "--email", "TAKEN@example.gov.cn", "--name", "B",
                                 "--password", "a very long password"])
    assert result.exit_code != 0
    assert result.output == f"Error: {message_of(EmailTaken())}\n"
    assert row_counts() == before


@pytest.mark.parametrize("email, name, field", [
    ("not an email", "   ", "email"),
    ("admin@example.gov.cn", "   ", "name"),
    ("admin@example.gov.cn", "\u200b\ufeff", "name"),
    ("admin@example.gov.cn", "管" * 101, "name"),
])
def test_an_invalid_email_or_blank_name_fails_with_the_message_and_creates_nothing(runner, email, name, field):
    before = row_counts()
    result = runner.invoke(args=["accounts", "create-admin", "--email", email, "--name", name,
                                 "--password", "a very long password"])
    assert result.exit_code == 1
    with pytest.raises(ValidationFailed) as caught:
        account_services.create_user(None, email=email, name=name, role=Role.ADMIN, password="a very long password")
    assert caught.value.field == field
    assert result.output == f"Error: {message_of(caught.value)}\n"
    assert "Created administrator" not in result.output
    assert row_counts() == before


def test_verify_audit_reports_an_intact_chain(runner):
    admin = factories.make_user("admin")
    for n in range(4):
        record_audit(admin, "meeting.update", "meeting", n, reason=f"第{n}次")
        db.session.commit()
    result = runner.invoke(args=["accounts", "verify-audit"])
    assert result.exit_code == 0, result.output
    assert "Audit chain intact: 4 events." in result.output


def test_verify_audit_on_an_empty_log_succeeds(runner):
    result = runner.invoke(args=["accounts", "verify-audit"])
    assert result.exit_code == 0 and "0 events" in result.output


def test_verify_audit_fails_and_names_the_first_tampered_event(runner):
    admin = factories.make_user("admin")
    for n in range(4):
        record_audit(admin, "meeting.cancel", "meeting", n, reason="原因")
        db.session.commit()
    third = db.session.execute(sa.select(AuditEvent.id).order_by(AuditEvent.id).offset(2).limit(1)).scalar_one()
    db.session.execute(sa.text("UPDATE audit_events SET reason = '改过的原因' WHERE id = :id"), {"id": third})
    db.session.commit()
    db.session.expire_all()
    result = runner.invoke(args=["accounts", "verify-audit"])
    assert result.exit_code != 0
    assert f"Audit chain broken at event {third} after 2 good events." in result.output


def test_the_account_list_command_shows_staff_without_secrets(runner):
    factories.make_user("clerk", email="clerk@example.gov.cn")
    result = runner.invoke(args=["accounts", "list"])
    assert result.exit_code == 0
    assert "clerk@example.gov.cn" in result.output and "clerk" in result.output
    assert "scrypt" not in result.output and "pbkdf2" not in result.output
