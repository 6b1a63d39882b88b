"""Public pages: the accountability tracker, one item, the department figures, following and rating."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.accounts import queries as account_queries
from app.actions import bp, charts
from app.actions import queries as action_queries
from app.actions import services as action_services
from app.actions.forms import ButtonForm, FollowForm, RatingForm
from app.actions.models import ActionStatus, Satisfaction
from app.errors import DomainError
from app.extensions import limiter
from app.formtools import apply_domain_error
from app.i18n import current_language
from app.limits import private_link_limit
from app.registrations.views import private_page
from app.security import private_link, public
from app.site.cache import cached_public_page


def _write_limit() -> str:
    return current_app.config["PUBLIC_WRITE_RATE_LIMIT"]


@bp.get("/actions")
@public
@cached_public_page
def index():
    filters = action_queries.ActionFilters.from_args(request.args)
    page = action_queries.list_public_action_items(filters)
    return render_template("actions/index.html", page=page, filters=filters, statuses=list(ActionStatus),
                           districts=account_queries.list_districts(),
                           departments=account_queries.list_departments())


@bp.get("/actions/figures")
@public
@cached_public_page
def figures():
    figures = action_queries.department_figures()
    return render_template("actions/figures.html", figures=figures, charts=charts.build_charts(figures))


def _render_detail(item, form=None, status=200):
    return render_template(
        "actions/detail.html", item=item, history=action_queries.list_history(item),
        ratings=action_queries.rating_summary(item.id), satisfaction=list(Satisfaction),
        minutes_version=action_queries.get_minutes_version(item.minutes_version_id),
        form=form or FollowForm()), status


@bp.get("/actions/<int:action_id>")
@public
def detail(action_id: int):
    return _render_detail(action_queries.get_public_action_item_or_404(action_id))


@bp.post("/actions/<int:action_id>/follow")
@limiter.limit(_write_limit)
@public
def follow(action_id: int):
    item = action_queries.get_public_action_item_or_404(action_id)
    form = FollowForm()
    if not form.validate_on_submit():
        return _render_detail(item, form, 400)
    try:
        action_services.request_follow(item, form.email.data, language=current_language())
    except DomainError as error:
        apply_domain_error(form, error)
        return _render_detail(item, form, error.status_code)
    flash(_("If this address was used to register for the meeting or to ask the question, we have sent it a "
            "link to confirm. Check your mailbox."), "info")
    return redirect(url_for(".detail", action_id=item.id), code=303)


@bp.route("/actions/<int:action_id>/follow/<token>", methods=["GET", "POST"])
@limiter.limit(_write_limit, methods=["POST"])
@limiter.limit(private_link_limit, methods=["GET"])
@private_link
def confirm_follow(action_id: int, token: str):
    item = action_queries.get_public_action_item_or_404(action_id)
    form = ButtonForm()
    if not action_services.is_valid_invite(item, token):
        abort(404)  # the same page as any unknown address
    if request.method == "GET":
        return private_page(render_template("actions/confirm_follow.html", item=item, form=form))
    if not form.validate_on_submit():
        abort(400)
    follower = action_services.confirm_follow(item, token, language=current_language())
    flash(_("You are following this item. Keep this page's address: it is your private link."), "success")
    return private_page(redirect(url_for(".follower", token=action_services.follower_token(follower)), code=303))


@bp.route("/actions/f/<token>", methods=["GET", "POST"])
@limiter.limit(_write_limit, methods=["POST"])
@limiter.limit(private_link_limit, methods=["GET"])
@private_link
def follower(token: str):
    follower = action_queries.get_follower_by_token_or_404(token)
    item = action_queries.get_public_action_item_or_404(follower.action_item_id)
    form = RatingForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                action_services.rate_action_item(follower, form.value.data or "", form.comment.data or "")
            except DomainError as error:
                if not apply_domain_error(form, error):
                    flash(error.message, "error")
                status = error.status_code
            else:
                flash(_("Thank you for your rating."), "success")
                return private_page(redirect(url_for(".follower", token=token), code=303))
        else:
            status = 400
    return private_page((render_template("actions/follower.html", item=item, follower=follower, form=form,
                                         has_rated=action_queries.has_rated(follower), token=token), status))


@bp.route("/actions/unsubscribe/<token>", methods=["GET", "POST"])
@limiter.limit(_write_limit, methods=["POST"])
@limiter.limit(private_link_limit, methods=["GET"])
@private_link
def unsubscribe(token: str):
    follower = action_queries.get_follower_by_token_or_404(token)
    form = ButtonForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        action_services.unsubscribe_follower(follower)
        flash(_("You will get no more emails about this item."), "success")
        return private_page(redirect(url_for(".unsubscribe", token=token), code=303))
    return private_page(render_template("actions/unsubscribe.html", follower=follower, form=form))
