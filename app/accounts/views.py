"""Staff sign-in and sign-out."""
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import bp
from app.accounts import services as account_services
from app.accounts.forms import ConfirmForm, LoginForm
from app.errors import DomainError
from app.extensions import limiter
from app.security import public
from app.urls import safe_next


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
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
