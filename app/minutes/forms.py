"""Forms for the minutes editor (works without JavaScript: fixed extra empty rows), the review
actions, corrections and the hearing record."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, DateTimeLocalField, FieldList, Form, FormField, HiddenField, IntegerField, SelectField, StringField,
                     SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from app.formtools import NotBlank, clean_line, clean_text
from app.meetings.forms import DATETIME_FORMAT, CheckboxList
from app.minutes.content import OUTCOMES
from app.minutes.validation import MAX_CITIZENS_PRESENT, MAX_VOTES

DECISION_ROWS_EXTRA = 1
COMMENT_ROWS_EXTRA = 3
COMMITMENT_ROWS_EXTRA = 3
PARTICIPANT_ROWS_EXTRA = 3
STATEMENT_ROWS_EXTRA = 3
MAX_ROWS = 60

# One validator per bound, so a huge number is not reported as a negative one.
VOTES = [Optional(), NumberRange(min=0, message=_l("Votes cannot be negative.")),
         NumberRange(max=MAX_VOTES, message=_l("Enter at most %(max)d votes."))]
OUTCOME_LABELS = {"carried": _l("Carried"), "defeated": _l("Defeated"), "withdrawn": _l("Withdrawn"),
                  "deferred": _l("Deferred")}


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class DecisionForm(Form):
    motion = TextAreaField(_l("Motion (wording)"), filters=[clean_text], validators=[Length(max=2000)])
    mover = StringField(_l("Moved by"), filters=[clean_line], validators=[Length(max=100)])
    outcome = SelectField(_l("Outcome"), choices=[SelectChoice(o, OUTCOME_LABELS[o]) for o in OUTCOMES])
    votes_for = IntegerField(_l("Votes for"), validators=VOTES)
    votes_against = IntegerField(_l("Votes against"), validators=VOTES)
    votes_abstain = IntegerField(_l("Abstentions"), validators=VOTES)
    roll_call_for = TextAreaField(_l("Roll call: for (one name per line)"), filters=[clean_text],
                                  validators=[Length(max=2000)])
    roll_call_against = TextAreaField(_l("Roll call: against (one name per line)"), filters=[clean_text],
                                      validators=[Length(max=2000)])
    roll_call_abstain = TextAreaField(_l("Roll call: abstaining (one name per line)"), filters=[clean_text],
                                      validators=[Length(max=2000)])

    @property
    def is_filled(self) -> bool:
        return any([self.motion.data, self.mover.data, self.votes_for.data is not None,
                    self.votes_against.data is not None, self.votes_abstain.data is not None,
                    self.roll_call_for.data, self.roll_call_against.data, self.roll_call_abstain.data])


class ItemForm(Form):
    agenda_item_id = HiddenField()
    title = HiddenField()
    summary = TextAreaField(_l("Discussion summary"), filters=[clean_text], validators=[Length(max=8000)])
    decisions = FieldList(FormField(DecisionForm), min_entries=0, max_entries=MAX_ROWS)


class CommentForm(Form):
    speaker = StringField(_l("Speaker"), filters=[clean_line], validators=[Length(max=100)])
    summary = TextAreaField(_l("What was said"), filters=[clean_text], validators=[Length(max=4000)])


class CommitmentForm(Form):
    text = TextAreaField(_l("Commitment"), filters=[clean_text], validators=[Length(max=2000)])
    department_id = SelectField(_l("Responsible department"), coerce=_int_or_none, choices=[])
    due_on = DateField(_l("Due date"), validators=[Optional()])


class MinutesForm(FlaskForm):
    presiding = StringField(_l("Presiding official"), filters=[clean_line], validators=[Length(max=100)])
    recorder = StringField(_l("Recorder"), filters=[clean_line], validators=[Length(max=100)])
    officials_present = TextAreaField(_l("Officials present (one name per line)"), filters=[clean_text],
                                      validators=[Length(max=4000)])
    citizens_present = IntegerField(_l("Citizens present"), validators=[
        Optional(), NumberRange(min=0, message=_l("Enter a number of 0 or more.")),
        NumberRange(max=MAX_CITIZENS_PRESENT, message=_l("Enter at most %(max)d citizens present."))])
    quorum_present = SelectField(_l("Quorum present"), choices=[
        SelectChoice("", _l("Not recorded")), SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validate_choice=False)  # only shown for types that need a quorum; anything else means "not recorded"
    items = FieldList(FormField(ItemForm), min_entries=0, max_entries=MAX_ROWS)
    public_comments = FieldList(FormField(CommentForm), min_entries=0, max_entries=MAX_ROWS)
    question_ids = CheckboxList(_l("Questions answered in the meeting"), coerce=int, choices=[])
    commitments = FieldList(FormField(CommitmentForm), min_entries=0, max_entries=MAX_ROWS)
    adjourned_at = DateTimeLocalField(_l("Adjourned at (local time)"), format=DATETIME_FORMAT,
                                      validators=[Optional()])
    save = SubmitField(_l("Save draft"))
    save_and_submit = SubmitField(_l("Save and submit for approval"))

    def set_choices(self, departments, questions, localize) -> None:
        department_choices = [SelectChoice("", _l("—"))] + [SelectChoice(d.id, localize(d)) for d in departments]
        for row in self.commitments:
            row.form.department_id.choices = department_choices
        self.question_ids.choices = [SelectChoice(q.id, q.body) for q in questions]

    def pad(self) -> None:
        """Leave empty rows so decisions, comments and commitments can be added without JavaScript."""
        for item in self.items:
            decisions = item.form.decisions
            filled = len([d for d in decisions if d.form.is_filled])
            while len(decisions) < min(MAX_ROWS, filled + DECISION_ROWS_EXTRA):
                decisions.append_entry()
        for rows, extra in ((self.public_comments, COMMENT_ROWS_EXTRA), (self.commitments, COMMITMENT_ROWS_EXTRA)):
            filled = len([r for r in rows if any(v for k, v in r.form.data.items() if k != "department_id")
                          or r.form.data.get("department_id")])
            while len(rows) < min(MAX_ROWS, filled + extra):
                rows.append_entry()


class ActionForm(FlaskForm):
    """Submit, approve, publish: a button and the CSRF token."""

    submit = SubmitField(_l("Confirm"))


class ReturnForm(FlaskForm):
    comment = TextAreaField(_l("What should be changed"), filters=[clean_text],
                            validators=[NotBlank(), Length(max=2000)])
    submit = SubmitField(_l("Send back to the clerk"))


class CorrectionForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the correction (shown to the public)"), filters=[clean_text],
                           validators=[NotBlank(), Length(max=1000)])
    submit = SubmitField(_l("Start the correction"))


class ParticipantForm(Form):
    name = StringField(_l("Participant"), filters=[clean_line], validators=[Length(max=100)])
    capacity = StringField(_l("Taking part as"), filters=[clean_line], validators=[Length(max=100)])


class StatementForm(Form):
    speaker = StringField(_l("Speaker"), filters=[clean_line], validators=[Length(max=100)])
    text = TextAreaField(_l("Statement"), filters=[clean_text], validators=[Length(max=8000)])


class HearingRecordForm(FlaskForm):
    presiding_official_id = SelectField(_l("Presiding official"), coerce=_int_or_none, choices=[])
    participants = FieldList(FormField(ParticipantForm), min_entries=0, max_entries=MAX_ROWS)
    statements = FieldList(FormField(StatementForm), min_entries=0, max_entries=MAX_ROWS)
    save = SubmitField(_l("Save the record"))

    def set_choices(self, officials) -> None:
        self.presiding_official_id.choices = [SelectChoice("", _l("Not named yet"))] + [
            SelectChoice(user.id, user.name) for user in officials]

    def pad(self) -> None:
        for rows, extra in ((self.participants, PARTICIPANT_ROWS_EXTRA), (self.statements, STATEMENT_ROWS_EXTRA)):
            filled = len([r for r in rows if any(r.form.data.values())])
            while len(rows) < min(MAX_ROWS, filled + extra):
                rows.append_entry()


class ParticipantStateForm(FlaskForm):
    state = HiddenField()
    note = TextAreaField(_l("Note (required for a refusal)"), filters=[clean_text], validators=[Length(max=1000)])
    submit = SubmitField(_l("Record"))
