"""Staff pages for registrations: registrants, capacity, exports, sign-in sheet and the door."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.errors import DomainError
from app.extensions import limiter
from app.formtools import apply_domain_error, clean_arg
from app.meetings import permissions as meeting_permissions
from app.meetings import queries as meeting_queries
from app.pagination import clean_page_number
from app.registrations import manage_bp as bp
from app.registrations import queries as registration_queries
from app.registrations import services as registration_services
from app.registrations.forms import ActionForm, CapacityForm, CheckInSearchForm, WalkInForm
from app.security import Role, role_required

STAFF = (Role.ADMIN, Role.OFFICIAL, Role.CLERK)


def _check_in_limit():
    return current_app.config["CHECK_IN_RATE_LIMIT"]


def _load_meeting(meeting_id: int):
    meeting = meeting_queries.get_meeting_or_404(meeting_id)
    if not meeting_permissions.is_meeting_staff(current_user, meeting):
        abort(403)
    return meeting


def _registrants_page(meeting, capacity_form=None, status=200):
    q = clean_arg(request.args.get("q"))
    state = clean_arg(request.args.get("status")) or None
    page = registration_queries.list_registrants(meeting.id, q=q, status=state,
                                                 page=clean_page_number(request.args.get("page")))
    if capacity_form is None:
        capacity_form = CapacityForm(capacity=meeting.capacity)
    return render_template(
        "registrations/manage/index.html", meeting=meeting, page=page, q=q, status=state,
        counts=registration_queries.count_registrations(meeting.id),
        accommodations=registration_queries.list_accommodation_requests(meeting.id),
        capacity_form=capacity_form, action_form=ActionForm(),
    ), status


@bp.get("/<int:meeting_id>/registrations")
@role_required(*STAFF)
def index(meeting_id: int):
    return _registrants_page(_load_meeting(meeting_id))


@bp.post("/<int:meeting_id>/capacity")
@role_required(*STAFF)
def capacity(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    form = CapacityForm()
    if form.validate_on_submit():
        try:
            promoted = registration_services.set_capacity(current_user, meeting, form.capacity.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return _registrants_page(meeting, form, error.status_code)
        if promoted:
            flash(ngettext("Capacity changed; %(num)d person moved up from the waitlist.",
                           "Capacity changed; %(num)d people moved up from the waitlist.", len(promoted)), "success")
        else:
            flash(_("Capacity changed."), "success")
        return redirect(url_for(".index", meeting_id=meeting.id))
    return _registrants_page(meeting, form, 400)


@bp.post("/<int:meeting_id>/registrations/<int:registration_id>/cancel")
@role_required(*STAFF)
def cancel(meeting_id: int, registration_id: int):
    meeting = _load_meeting(meeting_id)
    registration = registration_queries.get_meeting_registration_or_404(meeting.id, registration_id)
    if ActionForm().validate_on_submit():
        try:
            registration_services.cancel_registration(registration, actor=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Registration %(code)s cancelled.", code=registration.code), "success")
    return redirect(url_for(".index", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>/registrations.csv")
@role_required(*STAFF)
def export_csv(meeting_id: int):
    from app.registrations.documents import registrants_csv_response

    return registrants_csv_response(_load_meeting(meeting_id))


@bp.get("/<int:meeting_id>/sign-in-sheet.pdf")
@role_required(*STAFF)
def signin_sheet(meeting_id: int):
    from app.registrations.documents import signin_sheet_response

    return signin_sheet_response(_load_meeting(meeting_id))


@bp.get("/<int:meeting_id>/check-in")
@limiter.limit(_check_in_limit)
@role_required(*STAFF)
def check_in(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    search = CheckInSearchForm(request.args)
    results = registration_queries.find_for_check_in(meeting.id, search.q.data or "") if search.validate() else []
    return render_template("registrations/manage/check_in.html", meeting=meeting, search=search, results=results,
                           counts=registration_queries.count_registrations(meeting.id),
                           action_form=ActionForm(), walk_in_form=WalkInForm())


@bp.post("/<int:meeting_id>/check-in/<int:registration_id>")
@limiter.limit(_check_in_limit)
@role_required(*STAFF)
def do_check_in(meeting_id: int, registration_id: int):
    meeting = _load_meeting(meeting_id)
    registration = registration_queries.get_meeting_registration_or_404(meeting.id, registration_id)
    if ActionForm().validate_on_submit():
        try:
            registration_services.check_in(current_user, registration)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s is checked in.", name=registration.name), "success")
    return redirect(url_for(".check_in", meeting_id=meeting.id))


@bp.post("/<int:meeting_id>/check-in/<int:registration_id>/undo")
@limiter.limit(_check_in_limit)
@role_required(*STAFF)
def undo_check_in(meeting_id: int, registration_id: int):
    meeting = _load_meeting(meeting_id)
    registration = registration_queries.get_meeting_registration_or_404(meeting.id, registration_id)
    if ActionForm().validate_on_submit():
        registration_services.undo_check_in(current_user, registration)
        flash(_("Check-in undone for %(name)s.", name=registration.name), "success")
    return redirect(url_for(".check_in", meeting_id=meeting.id, q=registration.code))


@bp.post("/<int:meeting_id>/walk-ins")
@limiter.limit(_check_in_limit)
@role_required(*STAFF)
def add_walk_in(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    form = WalkInForm()
    if form.validate_on_submit():
        try:
            registration_services.add_walk_in(current_user, meeting, name=form.name.data,
                                              neighbourhood=form.neighbourhood.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
        else:
            flash(_("Walk-in added and checked in."), "success")
            return redirect(url_for(".check_in", meeting_id=meeting.id))
    return render_template("registrations/manage/check_in.html", meeting=meeting, search=CheckInSearchForm(),
                           results=[], counts=registration_queries.count_registrations(meeting.id),
                           action_form=ActionForm(), walk_in_form=form), 400
