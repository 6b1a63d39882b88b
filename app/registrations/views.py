"""Public registration pages: the form, the confirmation, and the private manage link."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.errors import DomainError
from app.extensions import limiter
from app.formtools import apply_domain_error
from app.i18n import current_language
from app.limits import private_link_limit, ticket_limit
from app.meetings import queries as meeting_queries
from app.registrations import bp, proofs
from app.registrations import queries as registration_queries
from app.registrations import services as registration_services
from app.registrations.forms import CancelRegistrationForm, NeedsForm, RegistrationForm
from app.registrations.services import Needs, RegistrationInput
from app.security import private_link, public
from app.site.cache import cached_public_page, one_time_value


def _public_write_limit():
    return current_app.config["PUBLIC_WRITE_RATE_LIMIT"]


def private_page(response):
    """Pages behind a private link: never cached, never leak the link through Referer."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def needs_from_form(form) -> Needs:
    return Needs(wheelchair=form.needs_wheelchair.data, sign_language=form.needs_sign_language.data,
                 large_print=form.needs_large_print.data,
                 interpretation_language=form.interpretation_language.data or "",
                 other=form.other_needs.data or "")


@bp.route("/meetings/<int:meeting_id>/register", methods=["GET", "POST"])
@limiter.limit(_public_write_limit, methods=["POST"])
@public
@cached_public_page(with_forms=True)
def register(meeting_id: int):
    meeting = meeting_queries.get_public_meeting_or_404(meeting_id, with_program=False)
    form = RegistrationForm()
    if request.method == "GET":
        form.submission_id.data = one_time_value()
    if form.validate_on_submit():
        data = RegistrationInput(name=form.name.data, email=form.email.data, mobile=form.mobile.data,
                                 neighbourhood=form.neighbourhood.data, needs=needs_from_form(form),
                                 language=current_language())
        try:
            registration_services.register_citizen(meeting, data, submission_id=form.submission_id.data)
        except DomainError as error:
            if not apply_domain_error(form, error):
                flash(error.message, "error")
            return render_template("registrations/register.html", meeting=meeting, form=form), error.status_code
        # One page whether the contacts were new or already registered (the holder then gets a fresh link by
        # email): showing the code and link to a new registrant would tell anyone which contacts had registered.
        return private_page(render_template("registrations/received.html", meeting=meeting, email=form.email.data))
    status = 400 if request.method == "POST" else 200
    return render_template("registrations/register.html", meeting=meeting, form=form), status


@bp.get("/registrations/<token>")
@limiter.limit(private_link_limit)
@private_link
def manage(token: str):
    registration = registration_queries.get_registration_by_token_or_404(token)
    needs_form = NeedsForm(obj=registration)
    # Holding the private link proves the registration: this browser's votes in the meeting count for it.
    return proofs.remember_registration(private_page(render_template(
        "registrations/manage.html", registration=registration, meeting=registration.meeting, token=token,
        needs_form=needs_form, cancel_form=CancelRegistrationForm(),
        position=registration_queries.waitlist_position(registration))), registration.meeting_id, registration.id)


@bp.post("/registrations/<token>/needs")
@limiter.limit(_public_write_limit)
@private_link
def update_needs(token: str):
    registration = registration_queries.get_registration_by_token_or_404(token)
    form = NeedsForm()
    status = 400
    if form.validate_on_submit():
        try:
            registration_services.update_needs(registration, needs_from_form(form))
        except DomainError as error:
            if not apply_domain_error(form, error):
                flash(error.message, "error")
                return redirect(url_for(".manage", token=token))
            status = error.status_code
        else:
            flash(_("Your needs are saved. The organisers will see them."), "success")
            return redirect(url_for(".manage", token=token))
    return private_page((render_template(
        "registrations/manage.html", registration=registration, meeting=registration.meeting, token=token,
        needs_form=form, cancel_form=CancelRegistrationForm(),
        position=registration_queries.waitlist_position(registration)), status))


@bp.post("/registrations/<token>/cancel")
@limiter.limit(_public_write_limit)
@private_link
def cancel(token: str):
    registration = registration_queries.get_registration_by_token_or_404(token)
    if not CancelRegistrationForm().validate_on_submit():
        abort(400)
    meeting = registration.meeting
    try:
        registration_services.cancel_registration(registration)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".manage", token=token))
    return private_page(render_template("registrations/cancelled.html", meeting=meeting))


@bp.get("/registrations/<token>/ticket.pdf")
@limiter.limit(ticket_limit)
@private_link
def ticket(token: str):
    from app.registrations.documents import ticket_response

    registration = registration_queries.get_registration_by_token_or_404(token)
    return private_page(ticket_response(registration))
