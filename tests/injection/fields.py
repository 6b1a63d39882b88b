"""Every text field of every form in the app, found by introspection, so that a field added later is
part of the sweep (or the sweep fails until someone says why it need not be)."""
from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    PasswordField,
    SearchField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import app as app_package

TEXT_FIELDS = (StringField, TextAreaField, PasswordField, HiddenField, EmailField, SearchField)

# Text fields the sweep does not fill with hostile text, and why.
EXEMPT: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class TextField:
    form: str          # "<domain>.<FlaskForm class name>", e.g. "minutes.MinutesForm"
    path: str          # field name, rows joined by "-" without their index: "agenda-title"
    max_length: int | None
    kind: str          # line, text, email, mobile, url, password, hidden

    @property
    def key(self) -> tuple[str, str]:
        return (self.form, self.path)


def form_classes() -> list[type[FlaskForm]]:
    """Every FlaskForm subclass defined in the app (its modules imported first)."""
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        importlib.import_module(module.name)

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return sorted({c for c in walk(FlaskForm) if c.__module__.startswith("app.")}, key=lambda c: c.__name__)


def _unbound_fields(form_class) -> list[tuple[str, UnboundField]]:
    fields = []
    for name in dir(form_class):
        value = getattr(form_class, name, None)
        if isinstance(value, UnboundField):
            fields.append((name, value))
    return fields


def _max_length(unbound: UnboundField) -> int | None:
    for validator in unbound.kwargs.get("validators") or []:
        if isinstance(validator, Length) and validator.max and validator.max > 0:
            return validator.max
    return None


def _kind(name: str, unbound: UnboundField) -> str:
    cls = unbound.field_class
    if issubclass(cls, PasswordField):
        return "password"
    if issubclass(cls, HiddenField):
        return "hidden"
    if issubclass(cls, EmailField) or name.endswith("email"):
        return "email"
    if name.endswith("mobile"):
        return "mobile"
    if name.endswith("_url"):
        return "url"
    return "text" if issubclass(cls, TextAreaField) else "line"


def _walk(form_name: str, form_class, prefix: str = ""):
    for name, unbound in _unbound_fields(form_class):
        cls = unbound.field_class
        if cls is FieldList:
            inner = unbound.args[0]
            if inner.field_class is FormField:
                yield from _walk(form_name, inner.args[0], f"{prefix}{name}-")
            elif issubclass(inner.field_class, TEXT_FIELDS):
                yield TextField(form_name, prefix + name, _max_length(inner), _kind(name, inner))
        elif cls is FormField:
            yield from _walk(form_name, unbound.args[0], f"{prefix}{name}-")
        elif issubclass(cls, TEXT_FIELDS) and name != "csrf_token":
            yield TextField(form_name, prefix + name, _max_length(unbound), _kind(name, unbound))


def text_fields() -> dict[tuple[str, str], TextField]:
    """(form class name, path) -> TextField, for every text field of every form in the app."""
    found = {}
    for form_class in form_classes():
        for field in _walk(form_name(form_class), form_class):
            found[field.key] = field
    return found


def form_name(form_class) -> str:
    return f"{form_class.__module__.split('.')[1]}.{form_class.__name__}"


def path_of(posted_name: str) -> str:
    """'agenda-2-title' -> 'agenda-title': a posted field name without its row numbers."""
    return re.sub(r"-\d+(?=-|$)", "", posted_name)
