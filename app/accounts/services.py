"""Use cases for staff accounts: create, deactivate, reactivate, reset password, sign in."""
from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from werkzeug.security import check_password_hash, generate_password_hash
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.accounts.audit import record_audit
from app.accounts.models import Department, User
from app.db import utcnow
from app.errors import DomainError, InvalidState, NotAllowed, ValidationFailed
from app.extensions import db
from app.formtools import clean_line, is_blank
from app.security import Role

MIN_PASSWORD_LENGTH = 10
# The columns' lengths (users.email, users.name), in characters.
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 100


@cache
def _dummy_hash() -> str:
    return generate_password_hash("no such account")


class EmailTaken(DomainError):
    status_code = 409
    default_message = _l("A staff account with this email already exists.")


class BadCredentials(DomainError):
    status_code = 400
    default_message = _l("Email or password is not correct, or the account is deactivated.")


def _check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(_l("Password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
                               field="password")


def _clean_email(email: str | None) -> str:
    """The login email, trimmed and lower-cased; ValidationFailed unless it is one valid address."""
    email = (clean_line(email) or "").lower()
    if not email or len(email) > MAX_EMAIL_LENGTH:
        raise ValidationFailed(_l("Enter a valid email address."), field="email")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed(_l("Enter a valid email address."), field="email") from None
    return email


def _clean_name(name: str | None) -> str:
    """The name without surrounding blanks or invisible characters; ValidationFailed if nothing is
    left or it is longer than the column."""
    name = clean_line(name) or ""
    if is_blank(name):
        raise ValidationFailed(_l("Please give the staff member's name."), field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(_l("The name is too long (at most 100 characters)."), field="name")
    return name


def _require_admin(actor: User | None) -> None:
    if actor is not None and actor.role != Role.ADMIN:
        raise NotAllowed()


def create_user(actor: User | None, *, email: str, name: str, role: Role, password: str,
                department_id: int | None = None) -> User:
    """Create a staff account. Only admins (or the command line, actor None) may do this.

    Raises EmailTaken if the normalised email exists, ValidationFailed for an invalid email, a name that
    is blank (after trimming invisible characters) or longer than 100 characters, a weak password or an
    unknown department.
    """
    _require_admin(actor)
    email = _clean_email(email)
    name = _clean_name(name)
    _check_password_strength(password)
    if department_id is not None and db.session.get(Department, department_id) is None:
        raise ValidationFailed(_l("Unknown department."), field="department_id")
    if db.session.execute(sa.select(User.id).where(User.email == email)).first():
        raise EmailTaken(field="email")
    user = User(email=email, name=name, role=Role(role), department_id=department_id)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
        record_audit(actor, "user.create", "user", user.id, details={"email": email, "role": str(role)})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTaken(field="email") from None
    return user


def set_user_active(actor: User, user: User, *, active: bool) -> User:
    """Deactivate (ending every session of the user) or reactivate an account. Admins only;
    an admin cannot deactivate themself, so there is always someone left to administer."""
    _require_admin(actor)
    if not active and actor is not None and actor.id == user.id:
        raise InvalidState(_l("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.session_version += 1
    record_audit(actor, "user.activate" if active else "user.deactivate", "user", user.id)
    db.session.commit()
    return user


def update_user(actor: User, user: User, *, name: str, role: Role, department_id: int | None) -> User:
    """Change a staff account's name, role and department (admins only). A role change ends the user's
    sessions. Raises NotAllowed, InvalidState (an admin removing their own admin role) and
    ValidationFailed (blank or over-long name, unknown department)."""
    _require_admin(actor)
    name = _clean_name(name)
    if actor.id == user.id and role != Role.ADMIN:
        raise InvalidState(_l("You cannot remove your own administrator role."))
    if department_id is not None and db.session.get(Department, department_id) is None:
        raise ValidationFailed(_l("Unknown department."), field="department_id")
    changes = {}
    if user.role != role:
        changes["role"] = [str(user.role), str(role)]
        user.role = Role(role)
        user.session_version += 1
    if user.name != name:
        changes["name"] = [user.name, name]
        user.name = name
    if user.department_id != department_id:
        changes["department_id"] = [user.department_id, department_id]
        user.department_id = department_id
    if changes:
        record_audit(actor, "user.update", "user", user.id, details=changes)
    db.session.commit()
    return user


def reset_password(actor: User | None, user: User, *, password: str) -> User:
    """Set a new password (admins, or the user themself) and end the user's other sessions."""
    if actor is not None and actor.role != Role.ADMIN and actor.id != user.id:
        raise NotAllowed()
    _check_password_strength(password)
    user.set_password(password)
    user.session_version += 1
    record_audit(actor, "user.reset_password", "user", user.id)
    db.session.commit()
    return user


def normalise_email(email: str | None) -> str:
    """Staff emails are stored and looked up trimmed and in lower case."""
    return (email or "").strip().lower()


def authenticate(email: str, password: str) -> User:
    """Return the active user with these credentials, or raise BadCredentials (same message whatever failed)."""
    user = db.session.execute(sa.select(User).where(User.email == normalise_email(email))).scalar_one_or_none()
    if user is None:
        # Spend the same effort as a real check so timing does not tell which emails exist.
        check_password_hash(_dummy_hash(), password or "")
        raise BadCredentials()
    if not user.check_password(password or "") or not user.is_active:
        raise BadCredentials()
    user.last_login_at = utcnow()
    db.session.commit()
    return user
