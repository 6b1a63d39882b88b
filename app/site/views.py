"""The language switch: works without JavaScript and remembers the choice in the session."""
from flask import abort, redirect, request, session

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
    session.permanent = True
    return redirect(safe_next(request.args.get("next")))
