"""Staff sign-in and sign-out.

Sign-in attempts are throttled twice: per client address (LOGIN_RATE_LIMIT), and per account
(LOGIN_ACCOUNT_RATE_LIMIT), keyed on the email as typed, so that spreading guesses at one account over
many addresses is slowed too. Every attempt counts, right or wrong, and an email that belongs to no account
is throttled exactly like one that does: the lock-out page says the same thing either way.
"""
import hashlib
import hmac
import math
import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import bp
from app.accounts import services as account_services
from app.accounts.forms import ConfirmForm, LoginForm
from app.errors import DomainError
from app.extensions import limiter
from app.formtools import clean_line
from app.security import public
from app.urls import safe_next


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit():
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """The per-account bucket: the submitted email, normalised as `authenticate` does, under an HMAC (the
    rate-limit store never holds staff addresses)."""
    email = account_services.normalise_email(clean_line(request.form.get("email", "")) or "")
    digest = hmac.new(current_app.secret_key.encode(), b"login:" + email.encode(), hashlib.sha256).hexdigest()
    return f"account:{digest[:32]}"


def _locked_out_message() -> str:
    try:
        seconds = limiter.current_limit.reset_at - time.time()
    except Exception:  # the limit store failed just now: say it without the minutes
        seconds = None
    if seconds is None or seconds <= 0:
        return _("Too many sign-in attempts with this email address or from your network. "
                 "For your security, signing in is paused for a while; please try again later.")
    minutes = max(1, math.ceil((seconds - 1) / 60))  # reset_at is rounded up to the next second
    return ngettext("Too many sign-in attempts with this email address or from your network. "
                    "For your security, signing in is paused; please try again in %(num)d minute.",
                    "Too many sign-in attempts with this email address or from your network. "
                    "For your security, signing in is paused; please try again in %(num)d minutes.", minutes)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message=_locked_out_message)
# A shared limit (its own scope), so that the X-RateLimit headers report the per-address counter: the
# per-account one counts the owner's sign-ins too, and would tell a stranger that, and when, they signed in.
@limiter.shared_limit(_account_limit, scope="login-account", methods=["POST"], key_func=_account_key,
                      error_message=_locked_out_message)
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = account_services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form.password.errors = [error.message]
            return render_template("accounts/login.html", form=form), 400
        lang = session.get("lang")
        session.clear()  # a fresh session on sign-in (no fixation)
        if lang:
            session["lang"] = lang
        login_user(user)
        flash(_("Signed in as %(name)s.", name=user.name), "success")
        return redirect(safe_next(form.next.data, "dashboard.index"))
    return render_template("accounts/login.html", form=form), 400 if request.method == "POST" else 200


@bp.post("/logout")
@login_required
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        logout_user()
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("You are signed out."), "success")
    return redirect(url_for("meetings.index"))
