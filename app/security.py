"""Staff roles, the role_required decorator and the Flask-Login user loader."""
from __future__ import annotations

import enum
from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user


class Role(enum.StrEnum):
    ADMIN = "admin"
    OFFICIAL = "official"
    CLERK = "clerk"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.OFFICIAL: _l("Official"),
    Role.CLERK: _l("Clerk"),
}

STAFF = (Role.ADMIN, Role.OFFICIAL, Role.CLERK)


def role_required(*roles: Role):
    """Allow the view only to signed-in, active staff whose role is one of `roles`.

    Anonymous users are sent to the login page (401 handled by Flask-Login); a wrong role is a 403.
    The allowed roles are kept on the view function so the access test can read them.
    """
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from app.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


def public(view):
    """Mark a view as public on purpose, for the route-access test."""
    view.is_public = True
    return view


def private_link(view):
    """Mark a public view reached through a private link: the token in its URL is the credential.

    Every response of such a view, redirects and error pages included, is kept out of caches and never
    sends its address (the token) in a Referer header (set by the security headers in create_app).
    """
    view.is_public = True
    view.is_private_link = True
    return view


def is_private_link(view) -> bool:
    return bool(getattr(view, "is_private_link", False))


def is_staff_view(view) -> bool:
    return hasattr(view, "allowed_roles")


def load_user(session_id: str):
    """Sessions carry `<user id>:<session version>`; bumping the version ends every session of that user."""
    from app.accounts import queries as account_queries

    try:
        user_id_text, version_text = session_id.split(":", 1)
        user_id, version = int(user_id_text), int(version_text)
    except (ValueError, AttributeError):
        return None
    user = account_queries.get_user(user_id)
    if user is None or not user.is_active or user.session_version != version:
        return None
    return user


def resolve_identity() -> None:
    """Load the visitor's identity first thing in the request (a before_request hook).

    Flask-Login loads it on first use of `current_user` and then checks the session's identifier
    (strong session protection). Loaded after the request has written to the session (a form's new
    CSRF token), that check saw a non-empty session without an identifier and "cleared" a login that
    never existed, adding a remember-cookie deletion to every anonymous page with a form.
    """
    current_user._get_current_object()

