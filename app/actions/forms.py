"""Forms for action items. Shape only: the rules (dates, states, who may follow) live in services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.actions.models import (MAX_COMMENT_LENGTH, MAX_REASON_LENGTH, MAX_TEXT_LENGTH, MAX_TITLE_LENGTH,
                                ActionPriority, ActionStatus, Satisfaction)


class ActionItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=MAX_TITLE_LENGTH)])
    description = TextAreaField(_l("Description"), validators=[Length(max=MAX_TEXT_LENGTH)])
    department_id = SelectField(_l("Responsible department"), coerce=int, validate_choice=False)
    responsible_id = SelectField(_l("Responsible official"), coerce=int, validate_choice=False)
    due_on = DateField(_l("Due date"), validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=[SelectChoice(p.value, p.label) for p in ActionPriority],
                           default=ActionPriority.NORMAL.value)
    minutes_ref = SelectField(_l("Decision or commitment"), validate_choice=False)
    submit = SubmitField(_l("Create action item"))


class ProgressForm(FlaskForm):
    body = TextAreaField(_l("Progress update"), validators=[Length(max=MAX_TEXT_LENGTH)])
    submit = SubmitField(_l("Post update"))


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=[SelectChoice(s.value, s.label) for s in ActionStatus], validate_choice=False)
    text = TextAreaField(_l("What was done, or why"), validators=[Length(max=MAX_TEXT_LENGTH)])
    plan = TextAreaField(_l("Alternative plan (when it cannot be resolved)"),
                         validators=[Length(max=MAX_TEXT_LENGTH)])
    submit = SubmitField(_l("Change status"))


class ExtendForm(FlaskForm):
    due_on = DateField(_l("New due date"), validators=[Optional()])
    reason = TextAreaField(_l("Reason for the extension"), validators=[Length(max=MAX_REASON_LENGTH)])
    submit = SubmitField(_l("Extend due date"))


class FollowForm(FlaskForm):
    email = EmailField(_l("Your email address"), validators=[Length(max=254)])
    submit = SubmitField(_l("Follow this item"))


class ButtonForm(FlaskForm):
    next = HiddenField()
    submit = SubmitField(_l("Confirm"))


class RatingForm(FlaskForm):
    value = RadioField(_l("How satisfied are you with the result?"),
                       choices=[SelectChoice(s.value, s.label) for s in Satisfaction], validate_choice=False)
    comment = TextAreaField(_l("Comment (optional, not published)"), validators=[Length(max=MAX_COMMENT_LENGTH)])
    submit = SubmitField(_l("Send rating"))
