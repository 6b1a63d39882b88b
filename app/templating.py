"""Template globals shared by every page."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, request, url_for
from flask_login import current_user


def url_with_args(**changes) -> str:
    """The current URL with some query arguments replaced (None removes one); used by pagination."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    query = urlencode(args, doseq=True)
    return request.path + ("?" + query if query else "")


def register_helpers(app: Flask) -> None:
    from app.accounts.audit import action_label

    app.add_template_global(url_with_args)
    app.add_template_filter(action_label, "audit_action")

    @app.context_processor
    def staff_context():
        role = getattr(current_user, "role", None) if current_user.is_authenticated else None
        return {"staff_role": role}

    @app.template_global()
    def static_url(filename: str) -> str:
        return url_for("static", filename=filename)
