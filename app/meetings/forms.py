"""Forms for planning, publishing, rescheduling and cancelling meetings."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, FieldList, Form, FormField, IntegerField,
                     SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.formtools import HttpUrl, NotBlank, clean_line, clean_text
from app.meetings.models import MeetingType
from app.timezones import COMMON_TIMEZONES, is_valid_timezone

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
AGENDA_ROWS_EXTRA = 3
MAX_AGENDA_ROWS = 40


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _datetime_field(label, required=False):
    validators = [] if required else [Optional()]
    if required:
        validators = [NotBlankDatetime()]
    return DateTimeLocalField(label, format=DATETIME_FORMAT, validators=validators)


class NotBlankDatetime:
    def __call__(self, form, field):
        if field.data is None:
            from wtforms.validators import StopValidation

            raise StopValidation(_l("Enter a date and time."))


class AgendaItemForm(Form):
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=1, max=MAX_AGENDA_ROWS)])
    title = StringField(_l("Agenda item"), filters=[clean_line], validators=[Length(max=200)])
    presenter = StringField(_l("Presenter"), filters=[clean_line], validators=[Length(max=100)])
    duration_minutes = IntegerField(_l("Duration (minutes)"), validators=[Optional(), NumberRange(min=0, max=1440)])
    description = TextAreaField(_l("Notes"), filters=[clean_text], validators=[Length(max=2000)])


def _validate_timezone(form, field):
    if not is_valid_timezone(field.data):
        raise ValidationError(_l("Unknown time zone."))


class ScheduleFields:
    """Fields shared by the meeting form and the reschedule form."""

    timezone = SelectField(_l("Time zone"), choices=[SelectChoice(tz) for tz in COMMON_TIMEZONES],
                           validators=[_validate_timezone], validate_choice=False)
    starts_at = _datetime_field(_l("Starts (local time)"), required=True)
    ends_at = _datetime_field(_l("Ends (local time)"))
    venue_name = StringField(_l("Venue"), filters=[clean_line], validators=[Length(max=200)])
    address = StringField(_l("Address"), filters=[clean_line], validators=[Length(max=300)])
    online_url = StringField(_l("Online link"), filters=[clean_line], validators=[Length(max=500), HttpUrl()])

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))


class MeetingForm(ScheduleFields, FlaskForm):
    type = SelectField(_l("Type of meeting"), choices=[])
    title = StringField(_l("Title"), filters=[clean_line], validators=[NotBlank(), Length(max=200)])
    summary = TextAreaField(_l("What it is about"), filters=[clean_text], validators=[Length(max=4000)])
    purpose = TextAreaField(_l("Why it is held"), filters=[clean_text], validators=[Length(max=4000)])
    department_id = SelectField(_l("Organising department"), coerce=int, choices=[])
    district_id = SelectField(_l("District"), coerce=int, choices=[])
    host_ids = CheckboxList(_l("Hosting officials"), coerce=int, choices=[])
    host_note = StringField(_l("Other hosts or guests"), filters=[clean_line], validators=[Length(max=300)])
    registration_required = BooleanField(_l("Registration required"))
    capacity = IntegerField(_l("Capacity (seats)"),
                            validators=[Optional(), NumberRange(min=0, max=1_000_000,
                                                                message=_l("Enter a whole number of 0 or more."))])
    registration_opens_at = _datetime_field(_l("Registration opens (local time)"))
    registration_closes_at = _datetime_field(_l("Registration closes (local time)"))
    agenda = FieldList(FormField(AgendaItemForm), min_entries=1, max_entries=MAX_AGENDA_ROWS)
    save = SubmitField(_l("Save draft"))
    save_and_preview = SubmitField(_l("Save and preview"))

    def set_choices(self, departments, districts, officials, localize) -> None:
        self.type.choices = [SelectChoice(t.value, t.label) for t in MeetingType]
        self.department_id.choices = [SelectChoice(d.id, localize(d)) for d in departments]
        self.district_id.choices = [SelectChoice(d.id, localize(d)) for d in districts]
        self.host_ids.choices = [SelectChoice(u.id, u.name) for u in officials]
        if self.timezone.data and self.timezone.data not in COMMON_TIMEZONES:
            self.timezone.choices = [SelectChoice(self.timezone.data)] + list(self.timezone.choices)

    def agenda_entries(self):
        """The filled agenda rows in the order the user gave (by the Order column, then by row)."""
        rows = [(index, row.form) for index, row in enumerate(self.agenda) if row.form.title.data]
        rows.sort(key=lambda item: (item[1].position.data or (item[0] + 1), item[0]))
        return [row for _index, row in rows]

    def pad_agenda(self) -> None:
        """Leave a few empty rows so items can be added without JavaScript."""
        while len(self.agenda) < min(MAX_AGENDA_ROWS, len([r for r in self.agenda if r.form.title.data])
                                     + AGENDA_ROWS_EXTRA):
            self.agenda.append_entry()
        for index, row in enumerate(self.agenda, start=1):
            if row.form.position.data is None:
                row.form.position.data = index


class PublishForm(FlaskForm):
    short_notice_reason = TextAreaField(_l("Reason for short notice"), filters=[clean_text],
                                        validators=[Length(max=500)])
    confirm_conflicts = BooleanField(_l("I have reviewed the conflicts and want to publish anyway"))
    submit = SubmitField(_l("Publish"))


class RescheduleForm(ScheduleFields, FlaskForm):
    reason = TextAreaField(_l("Reason for the change (shown to the public)"), filters=[clean_text],
                           validators=[NotBlank(), Length(max=500)])
    short_notice_reason = TextAreaField(_l("Reason for short notice"), filters=[clean_text],
                                        validators=[Length(max=500)])
    confirm_conflicts = BooleanField(_l("I have reviewed the conflicts and want to reschedule anyway"))
    submit = SubmitField(_l("Reschedule"))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason for cancelling (shown to the public)"), filters=[clean_text],
                           validators=[NotBlank(), Length(max=500)])
    submit = SubmitField(_l("Cancel meeting"))
