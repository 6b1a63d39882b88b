"""Reads of staff accounts, departments, districts and the audit log."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from app.accounts.models import AuditEvent, Department, District, User
from app.extensions import db
from app.pagination import Page, paginate


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def get_user_or_404(user_id: int) -> User:
    user = get_user(user_id)
    if user is None:
        abort(404)
    return user


def get_user_by_email(email: str) -> User | None:
    return db.session.execute(sa.select(User).where(User.email == email.strip().lower())).scalar_one_or_none()


def list_users(page: int = 1, per_page: int = 50) -> Page:
    stmt = sa.select(User).order_by(User.is_active.desc(), User.name)
    return paginate(stmt, page, per_page)


def list_officials() -> list[User]:
    from app.security import Role

    return list(db.session.execute(
        sa.select(User).where(User.is_active.is_(True), User.role.in_([Role.OFFICIAL, Role.ADMIN])).order_by(User.name)
    ).scalars())


def list_departments() -> list[Department]:
    return list(db.session.execute(sa.select(Department).order_by(Department.code)).scalars())


def list_districts() -> list[District]:
    return list(db.session.execute(sa.select(District).order_by(District.code)).scalars())


def list_audit_events(page: int = 1, per_page: int = 50, *, object_type: str | None = None,
                      object_id: int | None = None) -> Page:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    return paginate(stmt, page, per_page)
