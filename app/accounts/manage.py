"""Administration of staff accounts and the audit log (admins only)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import manage_bp as bp
from app.accounts import queries as account_queries
from app.accounts import services as account_services
from app.accounts.forms import ConfirmForm, EditUserForm, ResetPasswordForm, UserForm
from app.errors import DomainError
from app.formtools import apply_domain_error
from app.i18n import localized_name
from app.pagination import clean_page_number
from app.security import Role, role_required


def _with_choices(form):
    form.set_choices(account_queries.list_departments(), localized_name)
    return form


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    page = account_queries.list_users(page=clean_page_number(request.args.get("page")))
    return render_template("accounts/manage/users.html", page=page, confirm_form=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user():
    form = _with_choices(UserForm())
    if form.validate_on_submit():
        try:
            account_services.create_user(current_user, email=form.email.data, name=form.name.data,
                                         role=Role(form.role.data), password=form.password.data,
                                         department_id=form.department_id.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return render_template("accounts/manage/user_form.html", form=form, user=None), error.status_code
        flash(_("Account created."), "success")
        return redirect(url_for(".users"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/manage/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(user_id: int):
    user = account_queries.get_user_or_404(user_id)
    form = _with_choices(EditUserForm(obj=user) if request.method == "GET" else EditUserForm())
    if request.method == "GET":
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            account_services.update_user(current_user, user, name=form.name.data, role=Role(form.role.data),
                                         department_id=form.department_id.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return render_template("accounts/manage/user_form.html", form=form, user=user,
                                   reset_form=ResetPasswordForm(), confirm_form=ConfirmForm()), error.status_code
        flash(_("Account updated."), "success")
        return redirect(url_for(".users"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/manage/user_form.html", form=form, user=user,
                           reset_form=ResetPasswordForm(), confirm_form=ConfirmForm()), status


@bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/activate")
@role_required(Role.ADMIN)
def activate_user(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = account_queries.get_user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            account_services.set_user_active(current_user, user, active=active)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for(".users"))
        flash(_("Account reactivated.") if active else _("Account deactivated; its sessions have ended."), "success")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/password")
@role_required(Role.ADMIN)
def reset_password(user_id: int):
    user = account_queries.get_user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            account_services.reset_password(current_user, user, password=form.password.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return _edit_page_with_reset_errors(user, form), error.status_code
        flash(_("Password changed; the user's sessions have ended."), "success")
        return redirect(url_for(".users"))
    return _edit_page_with_reset_errors(user, form), 400


def _edit_page_with_reset_errors(user, reset_form):
    """The account page again, its password error shown next to the password field."""
    form = _with_choices(EditUserForm(formdata=None, obj=user))
    form.role.data = user.role.value
    return render_template("accounts/manage/user_form.html", form=form, user=user,
                           reset_form=reset_form, confirm_form=ConfirmForm())


@bp.get("/audit")
@role_required(Role.ADMIN)
def audit():
    page = account_queries.list_audit_events(page=clean_page_number(request.args.get("page")))
    return render_template("accounts/manage/audit.html", page=page)
