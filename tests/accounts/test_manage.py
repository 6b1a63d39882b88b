"""Admin pages for staff accounts and the audit log."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent, User
from app.extensions import db
from app.security import Role
from tests import factories
from tests.helpers import field_error, page_token, row_counts, text_of


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def new_user_form(**overrides):
    data = {"email": "chen@example.gov.cn", "name": "陈静", "role": "clerk", "department_id": "",
            "password": "a sound password"}
    data.update(overrides)
    return data


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()


def test_an_admin_creates_an_account_with_a_role_and_department(web, admin):
    dept = factories.make_department(name_zh="民政局")
    response = web.post_form("/manage/users/new", new_user_form(role="official", department_id=str(dept.id)))
    assert response.status_code == 302 and response.headers["Location"] == "/manage/users"
    user = user_by_email("chen@example.gov.cn")
    assert (user.role, user.department_id, user.is_active) == (Role.OFFICIAL, dept.id, True)
    listing = text_of(web.get("/manage/users"))
    assert "陈静" in listing and "民政局" in listing
    event = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert (event.action, event.actor_id, event.object_id) == ("user.create", admin.id, user.id)


def test_the_new_account_can_sign_in(web, app, admin):
    web.post_form("/manage/users/new", new_user_form())
    other = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', other.get("/login").get_data(as_text=True)).group(1)
    response = other.post("/login", data={"csrf_token": token, "email": "chen@example.gov.cn",
                                          "password": "a sound password"})
    assert response.status_code == 302


def test_a_100_character_chinese_name_is_accepted_and_101_refused(web, admin):
    assert web.post_form("/manage/users/new", new_user_form(name="名" * 100)).status_code == 302
    before = row_counts()
    response = web.post_form("/manage/users/new", new_user_form(email="b@example.gov.cn", name="名" * 101),
                             headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert field_error(response, "name") == "Field cannot be longer than 100 characters."
    assert row_counts() == before


@pytest.mark.parametrize("overrides, field", [
    ({"email": "not-an-email"}, "email"),
    ({"email": "a" * 250 + "@x.cn"}, "email"),
    ({"password": "short"}, "password"),
    ({"role": "superuser"}, "role"),
    ({"department_id": "abc"}, "department_id"),
    ({"name": "   "}, "name"),
])
def test_bad_account_input_is_shown_next_to_the_field_and_nothing_is_written(web, admin, overrides, field):
    before = row_counts()
    response = web.post_form("/manage/users/new", new_user_form(**overrides), headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert field_error(response, field)
    assert row_counts() == before


def test_an_email_already_in_use_is_refused_next_to_the_email(web, admin):
    factories.make_user("clerk", email="chen@example.gov.cn")
    before = row_counts()
    response = web.post_form("/manage/users/new", new_user_form(email="Chen@Example.gov.cn"),
                             headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "already exists" in field_error(response, "email")
    assert row_counts() == before


def test_an_admin_deactivates_and_reactivates_an_account(web, client, admin):
    user = factories.make_user("official")
    response = client.post(f"/manage/users/{user.id}/deactivate", data={"csrf_token": page_token(client)})
    assert response.status_code == 302
    assert not user_by_email(user.email).is_active
    assert "Deactivated" in text_of(client.get("/manage/users", headers={"Accept-Language": "en"}))
    client.post(f"/manage/users/{user.id}/activate", data={"csrf_token": page_token(client)})
    assert user_by_email(user.email).is_active
    actions = db.session.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
    assert actions[-2:] == ["user.deactivate", "user.activate"]


def test_an_admin_cannot_deactivate_themself(client, admin):
    page = client.get("/manage/users").get_data(as_text=True)
    assert f"/manage/users/{admin.id}/deactivate" not in page
    before = row_counts()
    response = client.post(f"/manage/users/{admin.id}/deactivate", data={"csrf_token": page_token(client)},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert user_by_email(admin.email).is_active
    assert row_counts() == before
    follow = client.get("/manage/users", headers={"Accept-Language": "en"})
    assert follow.status_code == 200 and "You cannot deactivate your own account." in text_of(follow)


def test_an_admin_resets_a_password(client, admin):
    user = factories.make_user("official")
    response = client.post(f"/manage/users/{user.id}/password",
                           data={"csrf_token": page_token(client), "password": "a new long password"})
    assert response.status_code == 302
    assert user_by_email(user.email).check_password("a new long password")


def test_a_too_short_reset_password_is_refused_and_nothing_changes(client, admin):
    user = factories.make_user("official")
    before = row_counts()
    response = client.post(f"/manage/users/{user.id}/password", data={"csrf_token": page_token(client),
                                                                     "password": "short"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert field_error(response, "password") == "Field must be between 10 and 200 characters long."
    assert user_by_email(user.email).check_password(factories.DEFAULT_PASSWORD)
    assert row_counts() == before


def test_an_admin_edits_name_role_and_department(web, admin):
    user = factories.make_user("clerk", name="旧名字")
    dept = factories.make_department()
    response = web.post_form(f"/manage/users/{user.id}", {"name": "新名字", "role": "official",
                                                          "department_id": str(dept.id)})
    assert response.status_code == 302
    user = user_by_email(user.email)
    assert (user.name, user.role, user.department_id) == ("新名字", Role.OFFICIAL, dept.id)


def test_an_admin_cannot_demote_themself(web, admin):
    response = web.post_form(f"/manage/users/{admin.id}", {"name": admin.name, "role": "clerk",
                                                           "department_id": str(admin.department_id)},
                             headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "You cannot remove your own administrator role." in text_of(response)
    assert user_by_email(admin.email).role == Role.ADMIN


def test_an_unknown_user_is_not_found(client, admin):
    assert client.get("/manage/users/424242").status_code == 404
    assert client.post("/manage/users/424242/deactivate", data={"csrf_token": page_token(client)}).status_code == 404


def test_the_audit_log_lists_who_did_what_and_when_newest_first(web, client, admin):
    user = factories.make_user("official", name="被停用的人")
    client.post(f"/manage/users/{user.id}/deactivate", data={"csrf_token": page_token(client)})
    meeting = factories.make_meeting(status="draft", department_id=admin.department_id)
    web.post_form(f"/manage/meetings/{meeting.id}/cancel", {"reason": "审计日志里的原因"})
    page = text_of(client.get("/manage/audit"))
    assert page.index("取消了活动") < page.index("停用了工作人员账号")  # readable labels, newest first
    assert "审计日志里的原因" in page and admin.name in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', page)


def test_the_users_and_audit_lists_survive_odd_page_numbers(client, admin):
    for url in ("/manage/users?page=abc", "/manage/users?page=-1", "/manage/audit?page=99999999999",
                "/manage/audit?page=%00"):
        assert client.get(url).status_code == 200, url
