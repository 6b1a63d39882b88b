"""Staff pages for minutes under /manage/meetings/<id>/minutes: overview, editor, review, correction."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import queries as account_queries
from app.errors import DomainError
from app.formtools import apply_domain_error
from app.i18n import localized_name
from app.meetings import queries as meeting_queries
from app.minutes import manage_bp as bp
from app.minutes import permissions
from app.minutes import queries as minutes_queries
from app.minutes import services as minutes_services
from app.minutes.content import decode
from app.minutes.forms import ActionForm, CorrectionForm, MinutesForm, ReturnForm
from app.minutes.mapping import attach_problems, content_from_form, form_data
from app.minutes.validation import ContentInvalid, quorum_required
from app.security import Role, role_required

STAFF = (Role.ADMIN, Role.OFFICIAL, Role.CLERK)
REVIEWERS = (Role.ADMIN, Role.OFFICIAL)


def _load_meeting(meeting_id: int):
    meeting = meeting_queries.get_meeting_or_404(meeting_id)
    if not permissions.can_view_minutes_admin(current_user, meeting):
        abort(403)
    return meeting


def _overview_url(meeting_id: int) -> str:
    return url_for(".overview", meeting_id=meeting_id)


def _render_overview(meeting, *, status: int = 200, error=None, return_form=None):
    minutes = minutes_queries.get_minutes(meeting.id)
    version = minutes.versions[-1] if minutes else None
    return render_template(
        "minutes/manage/overview.html", meeting=meeting, minutes=minutes, version=version,
        version_content=decode(version.content) if version else None,
        action_form=ActionForm(), return_form=return_form or ReturnForm(), error=error,
        can_review=permissions.can_review_minutes(current_user, meeting),
        can_approve=version is not None and permissions.can_approve_version(current_user, meeting, version),
    ), status


@bp.get("/meetings/<int:meeting_id>/minutes")
@role_required(*STAFF)
def overview(meeting_id: int):
    return _render_overview(_load_meeting(meeting_id))


@bp.post("/meetings/<int:meeting_id>/minutes/start")
@role_required(*STAFF)
def start(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    if ActionForm().validate_on_submit():
        try:
            minutes_services.open_minutes(current_user, meeting)
        except DomainError as error:
            return _render_overview(meeting, status=error.status_code, error=error.message)
        return redirect(url_for(".edit", meeting_id=meeting.id))
    return redirect(_overview_url(meeting.id))


def _editor(form, meeting, version, status=200):
    form.set_choices(account_queries.list_departments(),
                     minutes_queries.list_answered_live_questions(meeting.id), localized_name)
    form.pad()
    return render_template("minutes/manage/edit.html", form=form, meeting=meeting, version=version,
                           needs_quorum=quorum_required(meeting)), status


@bp.route("/meetings/<int:meeting_id>/minutes/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def edit(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    minutes = minutes_queries.get_minutes(meeting.id)
    if minutes is None:
        return redirect(_overview_url(meeting.id))
    version = minutes.versions[-1]
    if request.method == "GET" and not version.is_draft:
        flash(_("This version is no longer a draft: it can no longer be edited."), "error")
        return redirect(_overview_url(meeting.id))
    form = MinutesForm() if request.method == "POST" else MinutesForm(data=form_data(decode(version.content), meeting))
    if request.method == "POST":
        form.set_choices(account_queries.list_departments(),
                         minutes_queries.list_answered_live_questions(meeting.id), localized_name)
    if not form.validate_on_submit():
        return _editor(form, meeting, version, 400 if request.method == "POST" else 200)
    paths = {}
    try:
        content, paths = content_from_form(form, meeting)
        if form.save_and_submit.data:  # one transaction: an incomplete draft is not saved either
            minutes_services.submit_minutes(current_user, version, content=content)
        else:
            minutes_services.save_draft(current_user, version, content)
    except ContentInvalid as error:
        for message in attach_problems(form, error.problems, paths):
            flash(message, "error")
        return _editor(form, meeting, version, error.status_code)
    except DomainError as error:
        apply_domain_error(form, error) or flash(error.message, "error")
        return _editor(form, meeting, version, error.status_code)
    flash(_("The minutes are submitted for approval.") if form.save_and_submit.data else _("Draft saved."), "success")
    return redirect(_overview_url(meeting.id) if form.save_and_submit.data else url_for(".edit", meeting_id=meeting.id))


def _version_action(meeting_id: int, version_id: int, service, message: str):
    meeting = _load_meeting(meeting_id)
    version = minutes_queries.get_meeting_version_or_404(meeting.id, version_id)
    if ActionForm().validate_on_submit():
        try:
            service(current_user, version)
        except DomainError as error:
            return _render_overview(meeting, status=error.status_code, error=error.message)
        flash(message, "success")
    return redirect(_overview_url(meeting.id))


@bp.post("/meetings/<int:meeting_id>/minutes/versions/<int:version_id>/submit")
@role_required(*STAFF)
def submit(meeting_id: int, version_id: int):
    return _version_action(meeting_id, version_id, minutes_services.submit_minutes,
                           _("The minutes are submitted for approval."))


@bp.post("/meetings/<int:meeting_id>/minutes/versions/<int:version_id>/approve")
@role_required(*REVIEWERS)
def approve(meeting_id: int, version_id: int):
    return _version_action(meeting_id, version_id, minutes_services.approve_minutes,
                           _("The minutes are approved. They can no longer change."))


@bp.post("/meetings/<int:meeting_id>/minutes/versions/<int:version_id>/publish")
@role_required(*REVIEWERS)
def publish(meeting_id: int, version_id: int):
    return _version_action(meeting_id, version_id, minutes_services.publish_minutes,
                           _("The minutes are published; registrants with an email address will be told."))


@bp.post("/meetings/<int:meeting_id>/minutes/versions/<int:version_id>/return")
@role_required(*REVIEWERS)
def send_back(meeting_id: int, version_id: int):
    meeting = _load_meeting(meeting_id)
    version = minutes_queries.get_meeting_version_or_404(meeting.id, version_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            minutes_services.return_minutes(current_user, version, form.comment.data)
        except DomainError as error:
            apply_domain_error(form, error)
            return _render_overview(meeting, status=error.status_code, error=error.message, return_form=form)
        flash(_("The minutes are sent back to the clerk with your comments."), "success")
        return redirect(_overview_url(meeting.id))
    return _render_overview(meeting, status=400, return_form=form)


@bp.route("/meetings/<int:meeting_id>/minutes/correction", methods=["GET", "POST"])
@role_required(*STAFF)
def correction(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    minutes = minutes_queries.get_minutes(meeting.id)
    if minutes is None:
        abort(404)
    form = CorrectionForm()
    if form.validate_on_submit():
        try:
            minutes_services.start_correction(current_user, minutes, form.reason.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return render_template("minutes/manage/correction.html", form=form, meeting=meeting), error.status_code
        flash(_("A correction is started: edit it, then submit it for approval."), "success")
        return redirect(url_for(".edit", meeting_id=meeting.id))
    status = 400 if request.method == "POST" else 200
    return render_template("minutes/manage/correction.html", form=form, meeting=meeting), status
