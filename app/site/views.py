"""The language switch: works without JavaScript and remembers the choice in the session."""
from flask import abort, redirect, request, session
from flask_login import current_user

from app.i18n import LOCALES
from app.security import public
from app.site import bp
from app.urls import safe_next


@bp.get("/language/<code>")
@public
def set_language(code: str):
    if code not in LOCALES:
        abort(404)
    session["lang"] = code
    # A visitor's choice outlives the browser session. A signed-in staff session must not: Flask-Login's
    # strong session protection, which signs out a session cookie replayed from another browser or
    # address, only downgrades a permanent session to "not fresh".
    session.permanent = not current_user.is_authenticated
    return redirect(safe_next(request.args.get("next")))
