"""Staff pages for action items: the list, creating (directly, from a question or from the minutes),
progress updates, status changes and due date extensions."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.accounts import queries as account_queries
from app.actions import manage_bp, permissions
from app.actions import queries as action_queries
from app.actions import services as action_services
from app.actions.forms import ActionItemForm, ExtendForm, ProgressForm, StatusForm
from app.errors import DomainError
from app.formtools import apply_domain_error
from app.i18n import localized_name
from app.meetings import queries as meeting_queries
from app.pagination import clean_page_number
from app.questions.models import Question
from app.security import STAFF, Role, role_required

PLANNERS = (Role.ADMIN, Role.OFFICIAL)


@manage_bp.get("/actions")
@role_required(*STAFF)
def index():
    page = action_queries.list_managed_action_items(current_user, clean_page_number(request.args.get("page", 1)))
    return render_template("actions/manage/index.html", page=page,
                           lists=action_queries.staff_action_lists(current_user))


def _source_from_args():
    """(meeting, question) named by ?question= or ?meeting= on the create page."""
    from app.extensions import db

    question = meeting = None
    question_raw, meeting_raw = request.args.get("question", ""), request.args.get("meeting", "")
    if question_raw:
        question = db.session.get(Question, int(question_raw)) if question_raw.isdigit() else None
        if question is None:
            abort(404)
        meeting = question.meeting
    elif meeting_raw:
        meeting = meeting_queries.get_meeting_or_404(int(meeting_raw)) if meeting_raw.isdigit() else abort(404)
    return meeting, question


@manage_bp.route("/actions/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new():
    meeting, question = _source_from_args()
    if not permissions.can_create_action_item(current_user, meeting):
        abort(403)
    version, refs = action_queries.list_published_minutes_refs(meeting.id) if meeting and not question else (None, [])
    form = ActionItemForm()
    _set_choices(form, refs, meeting)
    if request.method == "GET" and question is not None:
        form.description.data = question.body
    status = 200
    if form.validate_on_submit():
        data = action_services.ActionInput(
            title=form.title.data or "", description=form.description.data or "", due_on=form.due_on.data,
            department_id=form.department_id.data, responsible_id=form.responsible_id.data,
            priority=form.priority.data or "normal")
        ref = form.minutes_ref.data or None
        try:
            item = action_services.create_action_item(
                current_user, data, meeting=meeting, question=question,
                minutes_version=version if ref else None, minutes_ref=ref)
        except DomainError as error:
            if not apply_domain_error(form, error):
                flash(error.message, "error")
            status = error.status_code
        else:
            flash(_("The action item was created."), "success")
            return redirect(url_for(".detail", action_id=item.id))
    elif request.method == "POST":
        status = 400
    return render_template("actions/manage/new.html", form=form, meeting=meeting, question=question,
                           has_refs=bool(refs)), status


def _set_choices(form: ActionItemForm, refs, meeting) -> None:
    """Clerks record items for their own department only; the responsible person is always an official
    (by default the signed-in official, or for a clerk the first official of their department)."""
    departments = account_queries.list_departments()
    candidates = action_queries.list_responsible_candidates()
    is_clerk = current_user.role == Role.CLERK
    if is_clerk:
        departments = [d for d in departments if d.id == current_user.department_id]
    form.department_id.choices = [SelectChoice(d.id, localized_name(d)) for d in departments]
    form.responsible_id.choices = [SelectChoice(u.id, u.name) for u in candidates]
    form.minutes_ref.choices = [SelectChoice("", _("None: a new item"))] + [
        SelectChoice(ref, text[:120]) for ref, text in refs]
    if request.method == "GET":
        form.department_id.data = meeting.department_id if meeting and not is_clerk else current_user.department_id
        colleagues = [u.id for u in candidates
                      if u.role == Role.OFFICIAL and u.department_id == current_user.department_id]
        form.responsible_id.data = (colleagues[0] if colleagues else None) if is_clerk else current_user.id


def _render_detail(item, *, progress=None, status_form=None, extend=None, code=200):
    return render_template(
        "actions/manage/detail.html", item=item, history=action_queries.list_history(item),
        ratings=action_queries.rating_summary(item.id),
        progress_form=progress or ProgressForm(), status_form=status_form or StatusForm(),
        extend_form=extend or ExtendForm(),
        can_manage=permissions.can_manage_action_item(current_user, item),
        can_update=permissions.can_post_action_update(current_user, item)), code


@manage_bp.get("/actions/<int:action_id>")
@role_required(*STAFF)
def detail(action_id: int):
    return _render_detail(action_queries.get_action_item_or_404(action_id))


def _handle(item, form, call, form_kw: str, success: str):
    if not form.validate_on_submit():
        return _render_detail(item, **{form_kw: form}, code=400)
    try:
        call()
    except DomainError as error:
        if not apply_domain_error(form, error):
            flash(error.message, "error")
        return _render_detail(action_queries.get_action_item_or_404(item.id), **{form_kw: form},
                              code=error.status_code)
    flash(success, "success")
    return redirect(url_for(".detail", action_id=item.id))


@manage_bp.post("/actions/<int:action_id>/updates")
@role_required(*STAFF)
def post_update(action_id: int):
    item = action_queries.get_action_item_or_404(action_id)
    if not permissions.can_post_action_update(current_user, item):
        abort(403)
    form = ProgressForm()
    return _handle(item, form, lambda: action_services.record_action_progress(current_user, item, form.body.data),
                   "progress", _("The update was published."))


@manage_bp.post("/actions/<int:action_id>/status")
@role_required(*PLANNERS)
def change_status(action_id: int):
    item = action_queries.get_action_item_or_404(action_id)
    if not permissions.can_manage_action_item(current_user, item):
        abort(403)
    form = StatusForm()
    return _handle(item, form, lambda: action_services.change_action_status(
        current_user, item, form.status.data or "", text=form.text.data or "", plan=form.plan.data or ""),
        "status_form", _("The status was changed."))


@manage_bp.post("/actions/<int:action_id>/extend")
@role_required(*PLANNERS)
def extend(action_id: int):
    item = action_queries.get_action_item_or_404(action_id)
    if not permissions.can_manage_action_item(current_user, item):
        abort(403)
    form = ExtendForm()
    return _handle(item, form, lambda: action_services.extend_due_date(
        current_user, item, form.due_on.data, form.reason.data or ""), "extend", _("The due date was extended."))
