"""Public question pages: the list and ask form, voting, similar-question suggestions, the projector
view and the asker's private follow link."""
from __future__ import annotations


from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.actions import queries as action_queries
from app.errors import DomainError
from app.extensions import limiter
from app.formtools import apply_domain_error
from app.i18n import current_language
from app.limits import private_link_limit
from app.meetings import queries as meeting_queries
from app.questions import bp, voters
from app.questions import queries as question_queries
from app.questions import services as question_services
from app.questions.forms import ButtonForm, QuestionForm, VoteForm
from app.questions.models import QuestionStatus, QuestionTopic
from app.questions.similarity import rank_similar
from app.registrations.views import private_page
from app.security import private_link, public
from app.site.cache import cached_public_page, one_time_value
from app.urls import external_url, safe_next

SIMILAR_SHOWN = 5


def _ask_limit() -> str:
    return current_app.config.get("QUESTION_ASK_RATE_LIMIT") or current_app.config["PUBLIC_WRITE_RATE_LIMIT"]


def _vote_limit() -> str:
    return current_app.config.get("QUESTION_VOTE_RATE_LIMIT") or current_app.config["PUBLIC_WRITE_RATE_LIMIT"]


def _similar_limit() -> str:
    return current_app.config.get("QUESTION_SIMILAR_RATE_LIMIT") or "120 per minute;2000 per hour"




def _similar_questions(meeting_id: int, text: str) -> list:
    candidates = question_queries.list_similarity_candidates(meeting_id)
    matches = rank_similar(text, candidates, limit=SIMILAR_SHOWN)
    return question_queries.list_questions_by_ids([match.id for match in matches])


def _render_index(meeting, form: QuestionForm, status: int = 200):
    sort = question_queries.clean_sort(request.args.get("sort"))
    topic = question_queries.clean_topic(request.args.get("topic"))
    settings = question_queries.get_settings(meeting.id)
    page = question_queries.list_public_questions(meeting.id, sort=sort, topic=topic, page=request.args.get("page"))
    voted = question_queries.voted_question_ids(voters.current_voter_keys(meeting.id), [q.id for q in page.items])
    return render_template(
        "questions/index.html", meeting=meeting, page=page, sort=sort, topic=topic or "",
        topic_labels={t: str(t.label) for t in QuestionTopic},
        state=question_queries.questions_state(meeting, settings), current_id=settings.current_question_id,
        voted=voted, form=form, moderation_mode=settings.moderation_mode,
        votes_as_registration=voters.registration_for(meeting.id) is not None,
        action_items=action_queries.question_action_items([q.id for q in page.items]),
    ), status


@bp.get("/meetings/<int:meeting_id>/questions")
@public
@cached_public_page(with_forms=True)
def index(meeting_id: int):
    meeting = meeting_queries.get_public_meeting_or_404(meeting_id, with_program=False)
    form = QuestionForm(formdata=None)
    form.submission_id.data = one_time_value()
    return _render_index(meeting, form)


@bp.post("/meetings/<int:meeting_id>/questions")
@limiter.limit(_ask_limit, key_func=voters.rate_limit_key)
@public
def ask(meeting_id: int):
    meeting = meeting_queries.get_public_meeting_or_404(meeting_id, with_program=False)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _render_index(meeting, form, 400)
    if form.confirmed.data != "1":
        similar = _similar_questions(meeting.id, form.body.data)
        if similar:
            form.confirmed.data = "1"
            return render_template("questions/confirm.html", meeting=meeting, form=form, similar=similar,
                                   voted=question_queries.voted_question_ids(
                                       voters.current_voter_keys(meeting.id), [q.id for q in similar]))
    data = question_services.QuestionInput(
        body=form.body.data, topic=form.topic.data, asker_name=form.asker_name.data,
        is_anonymous=form.is_anonymous.data, contact_email=form.contact_email.data,
        contact_mobile=form.contact_mobile.data, language=current_language())
    try:
        result = question_services.submit_question(meeting, data, submission_id=form.submission_id.data)
    except DomainError as error:
        apply_domain_error(form, error) or flash(error.message, "error")
        return _render_index(meeting, form, error.status_code)
    voters.ensure_browser_id()
    page = render_template("questions/submitted.html", meeting=meeting, question=result.question,
                           follow_url=external_url("questions.follow", token=result.token))
    return voters.remember(private_page(page))


@bp.post("/questions/<int:question_id>/vote")
@limiter.limit(_vote_limit, key_func=voters.rate_limit_key)
@public
def vote(question_id: int):
    question = question_queries.get_public_question_or_404(question_id)
    form = VoteForm()
    if not form.validate_on_submit():
        abort(400)
    back = (safe_next(form.next.data) if form.next.data
            else url_for(".index", meeting_id=question.meeting_id)).split("#")[0]
    voter = voters.voter_for(question.meeting_id)
    anchor = question.id
    try:
        result = question_services.cast_vote(question, voter.key, adopt_from=voter.adopt_from)
    except DomainError as error:
        flash(error.message, "error")
        if question.status == QuestionStatus.MERGED and question.merged_into_id:
            anchor = question.merged_into_id
    else:
        flash(_("Your vote is counted.") if result.counted else _("You have already voted for this question."),
              "success")
    return voters.remember(redirect(f"{back}#q-{anchor}", code=303))


@bp.get("/meetings/<int:meeting_id>/questions/similar")
@limiter.limit(_similar_limit, key_func=voters.rate_limit_key)
@public
def similar(meeting_id: int):
    """An HTML fragment of similar published questions, for the ask form's script (questions.js)."""
    meeting = meeting_queries.get_public_meeting_or_404(meeting_id, with_program=False)
    text = (request.args.get("q") or "")[:2000]
    questions = _similar_questions(meeting.id, text)
    response = make_response(render_template(
        "questions/_similar.html", meeting=meeting, similar=questions, inside_form=True,
        voted=question_queries.voted_question_ids(voters.current_voter_keys(meeting.id), [q.id for q in questions])))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/meetings/<int:meeting_id>/questions/projector")
@public
def projector(meeting_id: int):
    """For the screen in the room: large type, no names at all, reloads itself every few seconds
    through <meta http-equiv="refresh"> (no script, which the CSP would block inline anyway)."""
    meeting = meeting_queries.get_public_meeting_or_404(meeting_id, with_program=False)
    settings = question_queries.get_settings(meeting.id)
    view = question_queries.projector_view(meeting.id, settings)
    # ?refresh=off stops the reloading for someone reading at their own pace (WCAG 2.2.1).
    refresh = None if request.args.get("refresh") == "off" else int(
        current_app.config.get("QUESTION_PROJECTOR_REFRESH_SECONDS") or 10)
    response = make_response(render_template(
        "questions/projector.html", meeting=meeting, view=view,
        state=question_queries.questions_state(meeting, settings),
        questions_url=external_url("questions.index", meeting_id=meeting.id), refresh_seconds=refresh))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/questions/t/<token>")
@limiter.limit(private_link_limit)
@private_link
def follow(token: str):
    follower = question_queries.get_follower_by_token_or_404(token)
    return private_page(render_template(
        "questions/follow.html", follower=follower, question=follower.question,
        original=follower.original_question or follower.question, meeting=follower.question.meeting,
        token=token, stop_form=ButtonForm(),
        action_items=action_queries.question_action_items([follower.question.id])))


@bp.post("/questions/t/<token>/stop-emails")
@limiter.limit(_ask_limit)
@private_link
def stop_emails(token: str):
    follower = question_queries.get_follower_by_token_or_404(token)
    if not ButtonForm().validate_on_submit():
        abort(400)
    question_services.stop_follow_emails(follower)
    flash(_("You will get no more emails about this question. This link keeps working."), "success")
    return private_page(redirect(url_for(".follow", token=token), code=303))
