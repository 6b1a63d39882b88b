"""Forms for registering, changing needs, capacity, check-in and walk-ins."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from app.formtools import NotBlank, clean_line, clean_text


class NeedsFields:
    needs_wheelchair = BooleanField(_l("Wheelchair access"))
    needs_sign_language = BooleanField(_l("Sign language interpretation"))
    needs_large_print = BooleanField(_l("Large print materials"))
    interpretation_language = StringField(_l("Interpretation into another language (name the language)"),
                                          filters=[clean_line], validators=[Length(max=60)])
    other_needs = TextAreaField(_l("Other needs"), filters=[clean_text], validators=[Length(max=500)])


class RegistrationForm(NeedsFields, FlaskForm):
    name = StringField(_l("Name"), filters=[clean_line], validators=[NotBlank(_l("Please give your name.")),
                                                                     Length(max=100)])
    email = StringField(_l("Email"), filters=[clean_line], validators=[Length(max=254)])
    mobile = StringField(_l("Mobile number"), filters=[clean_line], validators=[Length(max=32)])
    neighbourhood = StringField(_l("District or neighbourhood"), filters=[clean_line],
                                validators=[Length(max=100)])
    submission_id = HiddenField()
    submit = SubmitField(_l("Register"))


class NeedsForm(NeedsFields, FlaskForm):
    submit = SubmitField(_l("Save my needs"))


class CancelRegistrationForm(FlaskForm):
    submit = SubmitField(_l("Cancel my registration"))


class CapacityForm(FlaskForm):
    capacity = IntegerField(_l("Capacity (seats)"),
                            validators=[Optional(), NumberRange(min=0, max=1_000_000,
                                                                message=_l("Enter a whole number of 0 or more."))])
    submit = SubmitField(_l("Change capacity"))


class CheckInSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Code or name"), filters=[clean_line], validators=[Length(max=300)])


class WalkInForm(FlaskForm):
    name = StringField(_l("Name"), filters=[clean_line], validators=[NotBlank(), Length(max=100)])
    neighbourhood = StringField(_l("District or neighbourhood"), filters=[clean_line], validators=[Length(max=100)])
    submit = SubmitField(_l("Add walk-in"))


class ActionForm(FlaskForm):
    """A button that posts (check in, undo, cancel) with a CSRF token."""

    submit = SubmitField(_l("Confirm"))
