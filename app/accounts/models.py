"""Staff users, departments, districts, and the append-only audit log."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.db import UTCDateTime, enum_type, utcnow
from app.extensions import db
from app.security import Role


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))


class District(db.Model):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"))
    department_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Part of every session id: raising it signs the user out everywhere.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    department: Mapped[Optional[Department]] = relationship(lazy="joined")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class AuditEvent(db.Model):
    """One staff action that changed state. Rows are only ever added; each carries a hash chained
    to the previous row so that later tampering is detectable."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[Optional[int]] = mapped_column()
    details: Mapped[str] = mapped_column(sa.Text, default="{}")
    reason: Mapped[Optional[str]] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    hash: Mapped[str] = mapped_column(sa.String(64))

    actor: Mapped[Optional[User]] = relationship(lazy="joined")

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)

    def compute_hash(self) -> str:
        payload = json.dumps(
            [
                self.prev_hash,
                self.created_at.isoformat(),
                self.actor_id,
                self.action,
                self.object_type,
                self.object_id,
                self.details,
                self.reason,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def details_dict(self) -> dict:
        try:
            return json.loads(self.details or "{}")
        except ValueError:
            return {}
