"""Staff pages for the hearing record (听证笔录) under /manage/meetings/<id>/hearing-record."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.errors import DomainError
from app.formtools import apply_domain_error
from app.meetings import queries as meeting_queries
from app.minutes import manage_bp as bp
from app.minutes import permissions
from app.minutes import queries as minutes_queries
from app.minutes import services as minutes_services
from app.minutes.forms import ActionForm, HearingRecordForm, ParticipantStateForm
from app.minutes.models import ParticipantState
from app.minutes.services.hearing import ParticipantEntry, StatementEntry
from app.security import Role, role_required

STAFF = (Role.ADMIN, Role.OFFICIAL, Role.CLERK)


def _load_meeting(meeting_id: int):
    meeting = meeting_queries.get_meeting_or_404(meeting_id)
    if not permissions.can_view_minutes_admin(current_user, meeting):
        abort(403)
    return meeting


def _render_record(meeting, *, status: int = 200, error=None, state_form=None):
    record = minutes_queries.get_hearing_record(meeting.id)
    return render_template(
        "minutes/manage/hearing_record.html", meeting=meeting, record=record, error=error,
        action_form=ActionForm(), state_form=state_form or ParticipantStateForm(),
        counts=minutes_queries.count_participant_states(record) if record else {},
        can_note_refusal=permissions.can_note_refusal(current_user, record), states=ParticipantState,
    ), status


@bp.get("/meetings/<int:meeting_id>/hearing-record")
@role_required(*STAFF)
def hearing_record(meeting_id: int):
    return _render_record(_load_meeting(meeting_id))


@bp.post("/meetings/<int:meeting_id>/hearing-record/start")
@role_required(*STAFF)
def hearing_start(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    if ActionForm().validate_on_submit():
        try:
            minutes_services.open_hearing_record(current_user, meeting)
        except DomainError as error:
            return _render_record(meeting, status=error.status_code, error=error.message)
        return redirect(url_for(".hearing_edit", meeting_id=meeting.id))
    return redirect(url_for(".hearing_record", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/hearing-record/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def hearing_edit(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    record = minutes_queries.get_hearing_record(meeting.id)
    if record is None:
        return redirect(url_for(".hearing_record", meeting_id=meeting.id))
    if request.method == "GET":
        form = HearingRecordForm(data={
            "presiding_official_id": record.presiding_official_id,
            "participants": [{"name": p.name, "capacity": p.capacity} for p in record.participants],
            "statements": [{"speaker": s.speaker, "text": s.text} for s in record.statements]})
    else:
        form = HearingRecordForm()
    form.set_choices(minutes_queries.list_presiding_candidates(meeting))
    if form.validate_on_submit():
        participants = [ParticipantEntry(r.form.name.data or "", r.form.capacity.data or "") for r in form.participants]
        statements = [StatementEntry(r.form.speaker.data or "", r.form.text.data or "")
                      for r in form.statements if r.form.speaker.data or r.form.text.data]
        try:
            minutes_services.save_hearing_record(current_user, record, participants, statements,
                                                 presiding_official_id=form.presiding_official_id.data)
        except DomainError as error:
            apply_domain_error(form, error) or flash(error.message, "error")
            form.pad()
            return render_template("minutes/manage/hearing_edit.html", form=form, meeting=meeting,
                                   record=record), error.status_code
        flash(_("The hearing record is saved."), "success")
        return redirect(url_for(".hearing_record", meeting_id=meeting.id))
    form.pad()
    status = 400 if request.method == "POST" else 200
    return render_template("minutes/manage/hearing_edit.html", form=form, meeting=meeting, record=record), status


@bp.post("/meetings/<int:meeting_id>/hearing-record/participants/<int:participant_id>/state")
@role_required(*STAFF)
def participant_state(meeting_id: int, participant_id: int):
    meeting = _load_meeting(meeting_id)
    participant = minutes_queries.get_participant_or_404(meeting.id, participant_id)
    form = ParticipantStateForm()
    if not form.validate_on_submit() or form.state.data not in {s.value for s in ParticipantState}:
        # The note has no field of its own on the record page: its error (or the unknown choice) is
        # shown at the top, so the refusal is never silent.
        message = next(iter(form.note.errors), None) or _("Choose whether the participant confirmed, refused "
                                                          "to sign or was absent.")
        return _render_record(meeting, status=400, error=message, state_form=form)
    try:
        minutes_services.set_participant_state(current_user, participant, ParticipantState(form.state.data),
                                               note=form.note.data or "")
    except DomainError as error:
        return _render_record(meeting, status=error.status_code, error=error.message)
    flash(_("Recorded for %(name)s.", name=participant.name), "success")
    return redirect(url_for(".hearing_record", meeting_id=meeting.id))
