"""Domain errors raised by services, and the HTTP error pages."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, Response, g, has_request_context, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule of the domain was broken. `message` is translatable and safe to show the user.

    `field` names the form field the message belongs to, when there is one.
    """

    status_code = 409
    default_message = _l("This action is not possible.")

    def __init__(self, message=None, *, field: str | None = None):
        self.message = message if message is not None else self.default_message
        self.field = field
        super().__init__(str(self.message))


class NotAllowed(DomainError):
    status_code = 403
    default_message = _l("You are not allowed to do this.")


class InvalidState(DomainError):
    status_code = 409
    default_message = _l("This is not possible in the current state.")


class ValidationFailed(DomainError):
    status_code = 400
    default_message = _l("Please correct the highlighted fields.")


ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("Request too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Service unavailable"),
}

ERROR_TEXTS = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You do not have permission to open this page."),
    404: _l("The page you asked for does not exist or is not public."),
    405: _l("This address does not accept that kind of request."),
    413: _l("What you sent is too large."),
    429: _l("You have made too many requests in a short time. Please wait a moment and try again."),
    500: _l("An unexpected error happened. It has been logged; please try again later."),
    503: _l("The service is temporarily unavailable. Nothing was saved; please try again shortly."),
}

# The database failed after this request had committed its change: telling the user that nothing was saved
# would make them send it again.
SAVED_BUT_UNAVAILABLE = _l("What you sent was saved, but the service became unavailable before the next page "
                           "could be shown. There is no need to send it again; please come back in a moment.")
RETRY_AFTER_SECONDS = 30


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, message=None):
    title = ERROR_TITLES.get(code, ERROR_TITLES[500])
    text = message or ERROR_TEXTS.get(code, ERROR_TEXTS[500])
    if _wants_json():
        return jsonify(error={"code": code, "title": str(title), "message": str(text)}), code
    if _request_unroutable():
        # No URL adapter (e.g. an untrusted Host header): the page layout cannot build its links.
        return Response(f"{title}\n\n{text}\n", status=code, mimetype="text/plain"), code
    return render_template("errors/error.html", code=code, title=title, text=text), code


def _request_unroutable() -> bool:
    from flask import globals as flask_globals

    ctx = flask_globals.request_ctx._get_current_object() if flask_globals.request_ctx else None
    return ctx is not None and ctx.url_adapter is None


def _note_commit(session) -> None:
    if has_request_context():
        g.database_committed = True


def database_unavailable(app: Flask):
    """The 503 page for a database that failed in the middle of a request. The page is drawn without the
    database (the signed-in user is not loaded again, so it shows as signed out), and says whether this
    request had already committed its change."""
    from app.extensions import login_manager

    app.logger.exception("database unavailable")
    g._login_user = login_manager.anonymous_user()
    saved = g.get("database_committed", False)
    response, code = render_error(503, SAVED_BUT_UNAVAILABLE if saved else None)
    response = app.make_response((response, code))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register_error_handlers(app: Flask) -> None:
    from app.extensions import db

    if not sa.event.contains(db.session, "after_commit", _note_commit):
        sa.event.listen(db.session, "after_commit", _note_commit)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        from flask_babel import gettext as _

        return render_error(400, _("Your form expired or was sent from elsewhere. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code == 429:
            from flask_babel import gettext as _
            from flask_limiter.errors import RateLimitExceeded

            if isinstance(error, RateLimitExceeded) and error.limit.error_message:
                return render_error(429, error.description)  # the limit's own message, already translated
            return render_error(429, _("You have made too many requests in a short time. Please wait a moment and try again."))
        return render_error(code)

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render_error(error.status_code, error.message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        if app.config.get("TESTING") and not app.config.get("TESTING_RENDER_UNEXPECTED"):
            raise error
        # The database failed or went away (OperationalError), or no pooled connection came free in time.
        if isinstance(error, (sa.exc.OperationalError, sa.exc.TimeoutError)):
            return database_unavailable(app)
        app.logger.exception("unhandled error")
        return render_error(500)
