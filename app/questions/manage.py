"""Staff pages for questions: the moderation queue and settings, entering questions from other channels,
one question (edit, approve, reject, merge, outcome), the live console, and the overdue list."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import queries as account_queries
from app.actions import queries as action_queries
from app.errors import DomainError, ValidationFailed
from app.formtools import apply_domain_error
from app.i18n import localized_name
from app.meetings import queries as meeting_queries
from app.minutes import queries as minutes_queries
from app.pagination import clean_page_number
from app.questions import manage_bp as bp
from app.questions import permissions
from app.questions import queries as question_queries
from app.questions import services as question_services
from app.questions.forms import (
    ButtonForm,
    EditQuestionForm,
    EnterQuestionForm,
    MergeForm,
    OutcomeForm,
    RejectForm,
    SettingsForm,
)
from app.questions.models import QuestionOutcome, QuestionStatus
from app.questions.similarity import rank_similar
from app.security import Role, role_required
from app.urls import safe_next

STAFF = (Role.ADMIN, Role.OFFICIAL, Role.CLERK)
ANSWERERS = (Role.ADMIN, Role.OFFICIAL)
MERGE_SUGGESTIONS = 5


def _load_meeting(meeting_id: int):
    meeting = meeting_queries.get_meeting_or_404(meeting_id)
    if not permissions.can_moderate_questions(current_user, meeting):
        abort(403)
    return meeting


def _load_question(meeting_id: int, question_id: int):
    meeting = _load_meeting(meeting_id)
    return meeting, question_queries.get_meeting_question_or_404(meeting.id, question_id)


def _back(form, default: str) -> str:
    return safe_next(form.next.data) if form.next.data else default


def _detail_url(question) -> str:
    return url_for(".detail", meeting_id=question.meeting_id, question_id=question.id)


# ---------------------------------------------------------------------------- queue and settings

def _render_queue(meeting, settings_form: SettingsForm | None = None, status: int = 200):
    view = request.args.get("view")
    view = view if view in question_queries.STAFF_VIEWS else "pending"
    settings = question_queries.get_settings(meeting.id)
    if settings_form is None:
        settings_form = SettingsForm(formdata=None, moderation_mode=settings.moderation_mode.value,
                                     is_closed=settings.is_closed, closed_message=settings.closed_message)
    return render_template(
        "questions/manage/queue.html", meeting=meeting, view=view, counts=question_queries.count_by_view(meeting.id),
        page=question_queries.list_staff_questions(meeting.id, view=view,
                                                   page=clean_page_number(request.args.get("page"))),
        settings=settings, state=question_queries.questions_state(meeting, settings), settings_form=settings_form,
        button_form=ButtonForm(formdata=None), reject_form=RejectForm(formdata=None),
        can_answer=permissions.can_answer_questions(current_user, meeting),
    ), status


@bp.get("/meetings/<int:meeting_id>/questions")
@role_required(*STAFF)
def queue(meeting_id: int):
    return _render_queue(_load_meeting(meeting_id))


@bp.post("/meetings/<int:meeting_id>/questions/settings")
@role_required(*STAFF)
def save_settings(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    form = SettingsForm()
    if not form.validate_on_submit():
        return _render_queue(meeting, form, 400)
    try:
        question_services.update_settings(current_user, meeting, moderation_mode=form.moderation_mode.data,
                                          is_closed=form.is_closed.data, closed_message=form.closed_message.data)
    except DomainError as error:
        apply_domain_error(form, error) or flash(error.message, "error")
        return _render_queue(meeting, form, error.status_code)
    flash(_("Question settings saved."), "success")
    return redirect(url_for(".queue", meeting_id=meeting.id), code=303)


@bp.route("/meetings/<int:meeting_id>/questions/new", methods=["GET", "POST"])
@role_required(*STAFF)
def enter(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    form = EnterQuestionForm()
    if form.validate_on_submit():
        data = question_services.QuestionInput(
            body=form.body.data, topic=form.topic.data, asker_name=form.asker_name.data,
            is_anonymous=form.is_anonymous.data, contact_email=form.contact_email.data,
            contact_mobile=form.contact_mobile.data, language=form.language.data)
        try:
            question = question_services.enter_question(current_user, meeting, data, channel=form.channel.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return render_template("questions/manage/enter.html", meeting=meeting, form=form), error.status_code
        flash(_("Question %(number)d is entered and published.", number=question.id), "success")
        return redirect(url_for(".enter", meeting_id=meeting.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("questions/manage/enter.html", meeting=meeting, form=form), status


# ---------------------------------------------------------------------------- one question

def _render_detail(meeting, question, *, edit_form=None, reject_form=None, merge_form=None, outcome_form=None,
                   status: int = 200):
    if edit_form is None:
        edit_form = EditQuestionForm(formdata=None, body=question.body, topic=question.topic.value,
                                     asker_name=question.asker_name, is_anonymous=question.is_anonymous)
    if outcome_form is None:
        outcome_form = OutcomeForm(formdata=None, outcome=question.outcome.value if question.outcome else None,
                                   response=question.response, reason=question.outcome_reason,
                                   plan=question.outcome_plan, department_id=question.referred_department_id)
    outcome_form.set_departments(account_queries.list_departments(), localized_name)
    suggestions = []
    if question.status in (QuestionStatus.PENDING, QuestionStatus.APPROVED):
        candidates = question_queries.list_similarity_candidates(meeting.id, exclude_id=question.id)
        matches = rank_similar(question.body, candidates, limit=MERGE_SUGGESTIONS, min_score=0.15)
        suggestions = question_queries.list_questions_by_ids([m.id for m in matches])
    settings = question_queries.get_settings(meeting.id)
    followers, emailed = question_queries.count_followers(question.id)
    return render_template(
        "questions/manage/detail.html", meeting=meeting, question=question, settings=settings,
        edit_form=edit_form, reject_form=reject_form or RejectForm(formdata=None),
        merge_form=merge_form or MergeForm(formdata=None), outcome_form=outcome_form,
        button_form=ButtonForm(formdata=None), suggestions=suggestions, followers=followers, emailed=emailed,
        can_answer=permissions.can_answer_questions(current_user, meeting),
        history=account_queries.list_audit_events(object_type="question", object_id=question.id, per_page=50).items,
        action_items=action_queries.question_action_items([question.id]),
        stale_minutes=(minutes_queries.list_versions_quoting_old_text(question)
                       if question.outcome == QuestionOutcome.ANSWERED_LIVE else []),
    ), status


@bp.get("/meetings/<int:meeting_id>/questions/<int:question_id>")
@role_required(*STAFF)
def detail(meeting_id: int, question_id: int):
    return _render_detail(*_load_question(meeting_id, question_id))


@bp.post("/meetings/<int:meeting_id>/questions/<int:question_id>/approve")
@role_required(*STAFF)
def approve(meeting_id: int, question_id: int):
    _meeting, question = _load_question(meeting_id, question_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        question_services.approve_question(current_user, question)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Question %(number)d is published.", number=question.id), "success")
    return redirect(_back(form, _detail_url(question)), code=303)


@bp.post("/meetings/<int:meeting_id>/questions/<int:question_id>/reject")
@role_required(*STAFF)
def reject(meeting_id: int, question_id: int):
    meeting, question = _load_question(meeting_id, question_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            question_services.reject_question(current_user, question, reason=form.reason.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return _render_detail(meeting, question, reject_form=form, status=error.status_code)
        flash(_("Question %(number)d is rejected; the asker can see the reason.", number=question.id), "success")
        return redirect(_back(form, _detail_url(question)), code=303)
    return _render_detail(meeting, question, reject_form=form, status=400)


@bp.post("/meetings/<int:meeting_id>/questions/<int:question_id>/edit")
@role_required(*STAFF)
def edit(meeting_id: int, question_id: int):
    meeting, question = _load_question(meeting_id, question_id)
    form = EditQuestionForm()
    if form.validate_on_submit():
        try:
            question_services.edit_question(current_user, question, body=form.body.data, topic=form.topic.data,
                                            asker_name=form.asker_name.data, is_anonymous=form.is_anonymous.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return _render_detail(meeting, question, edit_form=form, status=error.status_code)
        flash(_("Changes saved. The original text is kept in the history."), "success")
        return redirect(_detail_url(question), code=303)
    return _render_detail(meeting, question, edit_form=form, status=400)


@bp.post("/meetings/<int:meeting_id>/questions/<int:question_id>/merge")
@role_required(*STAFF)
def merge(meeting_id: int, question_id: int):
    meeting, question = _load_question(meeting_id, question_id)
    form = MergeForm()
    if form.validate_on_submit():
        try:
            into = question_queries.get_meeting_question_or_none(meeting.id, form.into_id.data)
            if into is None:
                raise ValidationFailed(_("There is no question number %(number)d in this meeting.",
                                         number=form.into_id.data), field="into_id")
            question_services.merge_questions(current_user, question, into)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return _render_detail(meeting, question, merge_form=form, status=error.status_code)
        flash(_("Question %(merged)d is merged into question %(kept)d; its votes and followers moved there.",
                merged=question.id, kept=into.id), "success")
        return redirect(_detail_url(into), code=303)
    return _render_detail(meeting, question, merge_form=form, status=400)


@bp.post("/meetings/<int:meeting_id>/questions/<int:question_id>/outcome")
@role_required(*ANSWERERS)
def respond(meeting_id: int, question_id: int):
    meeting, question = _load_question(meeting_id, question_id)
    if not permissions.can_answer_questions(current_user, meeting):
        abort(403)
    form = OutcomeForm()
    form.set_departments(account_queries.list_departments(), localized_name)
    if form.validate_on_submit():
        data = question_services.OutcomeInput(outcome=form.outcome.data, response=form.response.data,
                                              reason=form.reason.data, plan=form.plan.data,
                                              department_id=form.department_id.data)
        try:
            question_services.record_outcome(current_user, question, data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            return _render_detail(meeting, question, outcome_form=form, status=error.status_code)
        flash(_("The outcome is saved and published. Followers are told by email."), "success")
        return redirect(_detail_url(question), code=303)
    return _render_detail(meeting, question, outcome_form=form, status=400)


# ---------------------------------------------------------------------------- the live console

@bp.get("/meetings/<int:meeting_id>/questions/console")
@role_required(*STAFF)
def console(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    settings = question_queries.get_settings(meeting.id)
    current = (question_queries.get_meeting_question_or_none(meeting.id, settings.current_question_id)
               if settings.current_question_id else None)
    page = question_queries.list_console_questions(meeting.id, page=clean_page_number(request.args.get("page")))
    return render_template("questions/manage/console.html", meeting=meeting, page=page, current=current,
                           state=question_queries.questions_state(meeting, settings),
                           button_form=ButtonForm(formdata=None))


@bp.post("/meetings/<int:meeting_id>/questions/<int:question_id>/now-answering")
@role_required(*STAFF)
def now_answering(meeting_id: int, question_id: int):
    meeting, question = _load_question(meeting_id, question_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        question_services.set_now_answering(current_user, meeting, question)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Now answering question %(number)d.", number=question.id), "success")
    return redirect(_back(form, url_for(".console", meeting_id=meeting.id)), code=303)


@bp.post("/meetings/<int:meeting_id>/questions/console/clear")
@role_required(*STAFF)
def clear_current(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    question_services.set_now_answering(current_user, meeting, None)
    return redirect(_back(form, url_for(".console", meeting_id=meeting.id)), code=303)


@bp.post("/meetings/<int:meeting_id>/questions/<int:question_id>/answered-live")
@role_required(*STAFF)
def answered_live(meeting_id: int, question_id: int):
    meeting, question = _load_question(meeting_id, question_id)
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        question_services.mark_answered_live(current_user, question)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Question %(number)d is marked as answered in the meeting.", number=question.id), "success")
    return redirect(_back(form, url_for(".console", meeting_id=meeting.id)), code=303)


# ---------------------------------------------------------------------------- across meetings

@bp.get("/questions/overdue")
@role_required(*STAFF)
def overdue():
    page = question_queries.list_overdue_questions(current_user, page=clean_page_number(request.args.get("page")))
    return render_template("questions/manage/overdue.html", page=page,
                           deadline_days=question_queries.question_deadline_days(None))
