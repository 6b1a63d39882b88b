"""Forms for asking, voting, following, moderating, answering and the per-meeting question settings.
They check shape only; the rules live in app/questions/services.py."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from app.formtools import NotBlank, clean_line, clean_text
from app.questions.models import (
    MAX_BODY_LENGTH,
    MAX_CLOSED_MESSAGE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_REASON_LENGTH,
    MAX_RESPONSE_LENGTH,
    ModerationMode,
    QuestionChannel,
    QuestionOutcome,
    QuestionTopic,
)


def topic_choices():
    """Read when the form first needs its choices, in the request: the labels are translated here once
    (rendering an option reads a lazy label twice, and each read translates it again)."""
    return [SelectChoice("", str(_l("Choose a topic")))] + [
        SelectChoice(topic.value, str(topic.label)) for topic in QuestionTopic]


class KnownChoice:
    """A select whose value must be one of its choices, with our own message (WTForms' default is terse)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data not in {choice.value for choice in field.choices if choice.value != ""}:
            raise ValidationError(self.message)


class QuestionFields:
    body = TextAreaField(_l("Your question"), filters=[clean_text],
                         validators=[NotBlank(_l("Please write your question.")),
                                     Length(max=MAX_BODY_LENGTH, message=_l(
                                         "The question is too long: at most %(max)d characters."))])
    topic = SelectField(_l("Topic"), choices=topic_choices, validate_choice=False,
                        validators=[KnownChoice(_l("Choose a topic from the list."))])
    asker_name = StringField(_l("Your name (optional)"), filters=[clean_line],
                             validators=[Length(max=MAX_NAME_LENGTH)])
    is_anonymous = BooleanField(_l("Ask anonymously: do not show my name publicly"))
    contact_email = StringField(_l("Email (optional)"), filters=[clean_line], validators=[Length(max=254)])
    contact_mobile = StringField(_l("Mobile number (optional)"), filters=[clean_line], validators=[Length(max=32)])


class QuestionForm(QuestionFields, FlaskForm):
    submission_id = HiddenField()
    # Set by the confirm step: the asker saw the similar questions and asks anyway.
    confirmed = HiddenField()
    submit = SubmitField(_l("Send my question"))


class EnterQuestionForm(QuestionFields, FlaskForm):
    channel = SelectField(_l("Received by"), validate_choice=False,
                          choices=[SelectChoice("", _l("Choose a channel"))] + [
                              SelectChoice(c.value, c.label) for c in QuestionChannel if c != QuestionChannel.WEB],
                          validators=[KnownChoice(_l("Choose how the question was received."))])
    language = SelectField(_l("Language for emails to the asker"), default="zh_CN",
                           choices=[SelectChoice("zh_CN", "中文"), SelectChoice("en", "English")])
    submit = SubmitField(_l("Enter the question"))


class VoteForm(FlaskForm):
    next = HiddenField()
    submit = SubmitField(_l("Vote up"))


class ButtonForm(FlaskForm):
    """A button that posts with a CSRF token (approve, now answering, answered, stop emails)."""

    next = HiddenField()
    submit = SubmitField(_l("Confirm"))


class RejectForm(FlaskForm):
    next = HiddenField()
    reason = TextAreaField(_l("Reason (the asker sees it)"), filters=[clean_text],
                           validators=[NotBlank(_l("Give the reason; the asker will see it.")),
                                       Length(max=MAX_REASON_LENGTH)])
    submit = SubmitField(_l("Reject"))


class EditQuestionForm(FlaskForm):
    body = TextAreaField(_l("Question"), filters=[clean_text],
                         validators=[NotBlank(_l("Please write the question.")), Length(max=MAX_BODY_LENGTH)])
    topic = SelectField(_l("Topic"), choices=topic_choices, validate_choice=False,
                        validators=[KnownChoice(_l("Choose a topic from the list."))])
    asker_name = StringField(_l("Asker's name"), filters=[clean_line], validators=[Length(max=MAX_NAME_LENGTH)])
    is_anonymous = BooleanField(_l("Anonymous: do not show the name publicly"))
    submit = SubmitField(_l("Save changes"))


class MergeForm(FlaskForm):
    into_id = IntegerField(_l("Number of the question to keep"),
                           validators=[NumberRange(min=1, message=_l("Enter the number of a question."))])
    submit = SubmitField(_l("Merge into this question"))


class OutcomeForm(FlaskForm):
    outcome = RadioField(_l("Outcome"), validate_choice=False,
                         choices=[SelectChoice(o.value, o.label) for o in QuestionOutcome],
                         validators=[KnownChoice(_l("Choose an outcome."))])
    response = TextAreaField(_l("Public response"), filters=[clean_text], validators=[Length(max=MAX_RESPONSE_LENGTH)])
    department_id = SelectField(_l("Referred to"), coerce=lambda v: int(v) if v not in (None, "") else None,
                                validate_choice=False, validators=[Optional()])
    reason = TextAreaField(_l("Reason"), filters=[clean_text], validators=[Length(max=MAX_REASON_LENGTH)])
    plan = TextAreaField(_l("Plan"), filters=[clean_text], validators=[Length(max=MAX_REASON_LENGTH)])
    submit = SubmitField(_l("Save the outcome"))

    def set_departments(self, departments, name_of) -> None:
        self.department_id.choices = [SelectChoice("", _l("Choose a department"))] + [
            SelectChoice(d.id, name_of(d)) for d in departments]


class SettingsForm(FlaskForm):
    moderation_mode = RadioField(_l("Moderation"), validate_choice=False,
                                 choices=[SelectChoice(m.value, m.label) for m in ModerationMode],
                                 validators=[KnownChoice(_l("Choose a moderation mode."))])
    is_closed = BooleanField(_l("Close questions and votes for this meeting"))
    closed_message = TextAreaField(_l("Message to citizens while closed (optional)"), filters=[clean_text],
                                   validators=[Length(max=MAX_CLOSED_MESSAGE_LENGTH)])
    submit = SubmitField(_l("Save settings"))
