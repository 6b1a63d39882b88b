"""Forms for signing in and administering staff accounts."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, Optional

from app.formtools import NotBlank, clean_line
from app.security import Role


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[clean_line], validators=[NotBlank(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[NotBlank(), Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[clean_line],
                       validators=[NotBlank(), Length(max=254),
                                   Email(message=_l("Enter a valid email address."), check_deliverability=False)])
    name = StringField(_l("Name"), filters=[clean_line], validators=[NotBlank(), Length(max=100)])
    role = SelectField(_l("Role"), choices=[])
    department_id = SelectField(_l("Department"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                                choices=[])
    password = PasswordField(_l("Initial password"), validators=[NotBlank(), Length(min=10, max=200)])
    submit = SubmitField(_l("Save"))

    def set_choices(self, departments, localize) -> None:
        self.role.choices = [SelectChoice(r.value, r.label) for r in Role]
        self.department_id.choices = [SelectChoice("", _l("No department"))] + [SelectChoice(d.id, localize(d)) for d in departments]


class EditUserForm(UserForm):
    email = None
    password = None


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[NotBlank(), Length(min=10, max=200)])
    submit = SubmitField(_l("Set password"))


class ConfirmForm(FlaskForm):
    """A button-only form, so the action is a POST with a CSRF token."""

    submit = SubmitField(_l("Confirm"))


__all__ = ["LoginForm", "UserForm", "EditUserForm", "ResetPasswordForm", "ConfirmForm", "Optional"]
