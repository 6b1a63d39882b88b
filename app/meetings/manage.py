"""Staff pages for meetings: list, create, edit, preview, publish, reschedule, cancel."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import queries as account_queries
from app.errors import DomainError
from app.formtools import apply_domain_error
from app.i18n import localized_name
from app.meetings import manage_bp as bp
from app.meetings import permissions
from app.meetings import queries as meeting_queries
from app.meetings import services as meeting_services
from app.meetings.forms import CancelForm, MeetingForm, PublishForm, RescheduleForm
from app.meetings.mapping import form_from_meeting, meeting_data_from_form, schedule_from_form, schedule_into_form
from app.pagination import clean_page_number
from app.security import Role, role_required

STAFF = (Role.ADMIN, Role.OFFICIAL, Role.CLERK)
PLANNERS = (Role.ADMIN, Role.OFFICIAL)


def _load(meeting_id: int, *, edit: bool = False):
    meeting = meeting_queries.get_meeting_or_404(meeting_id)
    allowed = permissions.can_edit_meeting if edit else permissions.can_view_meeting_admin
    if not allowed(current_user, meeting):
        abort(403)
    return meeting


def _meeting_form(formdata=None, **kwargs) -> MeetingForm:
    form = MeetingForm(formdata=formdata, **kwargs) if formdata is not None else MeetingForm(**kwargs)
    form.set_choices(account_queries.list_departments(), account_queries.list_districts(),
                     account_queries.list_officials(), localized_name)
    return form


def _render_form(form, meeting=None, status=200):
    form.pad_agenda()
    return render_template("meetings/manage/edit.html", form=form, meeting=meeting), status


@bp.get("/")
@role_required(*STAFF)
def index():
    page = meeting_queries.list_staff_meetings(
        current_user, page=clean_page_number(request.args.get("page")), status=request.args.get("status"),
        mine_only=request.args.get("mine") == "1")
    return render_template("meetings/manage/index.html", page=page,
                           can_create=permissions.can_create_meeting(current_user))


@bp.route("/new", methods=["GET", "POST"])
@role_required(*PLANNERS)
def new():
    form = _meeting_form(request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.timezone.data = form.timezone.data or current_app.config["DEFAULT_TIMEZONE"]
        if current_user.department_id:
            form.department_id.data = current_user.department_id
        form.host_ids.data = [current_user.id]
    if form.validate_on_submit():
        try:
            meeting = meeting_services.create_meeting(current_user, meeting_data_from_form(form))
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return _render_form(form, status=error.status_code)
        flash(_("Draft saved."), "success")
        return _after_save(form, meeting)
    return _render_form(form, status=400 if request.method == "POST" else 200)


def _after_save(form, meeting):
    if form.save_and_preview.data:
        return redirect(url_for(".preview", meeting_id=meeting.id))
    return redirect(url_for(".edit", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@role_required(*PLANNERS)
def edit(meeting_id: int):
    meeting = _load(meeting_id, edit=True)
    if meeting.is_cancelled:
        flash(_("A cancelled meeting cannot be edited."), "error")
        return redirect(url_for(".preview", meeting_id=meeting.id))
    if request.method == "POST":
        form = _meeting_form(request.form)
    else:
        form = _meeting_form(**form_from_meeting(meeting))
    if form.validate_on_submit():
        try:
            meeting_services.update_meeting(current_user, meeting, meeting_data_from_form(form))
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return _render_form(form, meeting, status=error.status_code)
        flash(_("Changes saved."), "success")
        return _after_save(form, meeting)
    return _render_form(form, meeting, status=400 if request.method == "POST" else 200)


@bp.get("/<int:meeting_id>")
@role_required(*STAFF)
def preview(meeting_id: int):
    meeting = _load(meeting_id)
    conflicts = meeting_services.find_conflicts(meeting) if meeting.is_draft else []
    return render_template(
        "meetings/manage/preview.html", meeting=meeting, conflicts=conflicts, preview=True,
        notice_ok=meeting_services.check_notice(meeting, meeting_services.utcnow()),
        publish_form=PublishForm(), can_edit=permissions.can_edit_meeting(current_user, meeting),
        history=account_queries.list_audit_events(object_type="meeting", object_id=meeting.id, per_page=50).items,
    )


def _render_publish_error(meeting, form, message: str, status: int, conflicts=None):
    return render_template(
        "meetings/manage/preview.html", meeting=meeting, preview=True,
        conflicts=conflicts if conflicts is not None else meeting_services.find_conflicts(meeting),
        notice_ok=meeting_services.check_notice(meeting, meeting_services.utcnow()),
        publish_form=form, can_edit=True, publish_error=message, history=[],
    ), status


@bp.post("/<int:meeting_id>/publish")
@role_required(*PLANNERS)
def publish(meeting_id: int):
    meeting = _load(meeting_id, edit=True)
    form = PublishForm()
    if not form.validate_on_submit():
        # A reason over the length limit: say so next to the field rather than ignore the click.
        return _render_publish_error(meeting, form, _("The meeting was not published: correct the form."), 400)
    try:
        meeting_services.publish_meeting(current_user, meeting, short_notice_reason=form.short_notice_reason.data,
                                         confirm_conflicts=form.confirm_conflicts.data)
    except DomainError as error:
        apply_domain_error(form, error)
        return _render_publish_error(meeting, form, error.message, error.status_code,
                                     getattr(error, "conflicts", None))
    flash(_("The meeting is published."), "success")
    return redirect(url_for(".preview", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/reschedule", methods=["GET", "POST"])
@role_required(*PLANNERS)
def reschedule(meeting_id: int):
    meeting = _load(meeting_id, edit=True)
    if not meeting.is_published:
        flash(_("Only a published meeting can be rescheduled; edit a draft directly."), "error")
        return redirect(url_for(".preview", meeting_id=meeting.id))
    form = RescheduleForm()
    if request.method == "GET":
        schedule_into_form(meeting, form)
    if form.validate_on_submit():
        try:
            meeting_services.reschedule_meeting(current_user, meeting, schedule_from_form(form),
                                                reason=form.reason.data,
                                                short_notice_reason=form.short_notice_reason.data,
                                                confirm_conflicts=form.confirm_conflicts.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return render_template("meetings/manage/reschedule.html", form=form, meeting=meeting,
                                   conflicts=getattr(error, "conflicts", None)), error.status_code
        flash(_("The meeting is rescheduled."), "success")
        return redirect(url_for(".preview", meeting_id=meeting.id))
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/manage/reschedule.html", form=form, meeting=meeting), status


@bp.route("/<int:meeting_id>/cancel", methods=["GET", "POST"])
@role_required(*PLANNERS)
def cancel(meeting_id: int):
    meeting = _load(meeting_id, edit=True)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            meeting_services.cancel_meeting(current_user, meeting, reason=form.reason.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return render_template("meetings/manage/cancel.html", form=form, meeting=meeting), error.status_code
        flash(_("The meeting is cancelled."), "success")
        return redirect(url_for(".preview", meeting_id=meeting.id))
    status = 400 if request.method == "POST" else 200
    return render_template("meetings/manage/cancel.html", form=form, meeting=meeting), status
