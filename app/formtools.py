"""Shared form pieces: text cleaning filters, URL validation and mapping domain errors to fields."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

# Zero-width and other invisible format characters, trimmed from the ends of user text.
_INVISIBLE = "".join(chr(c) for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f]")  # line breaks and tabs too


def clean_line(value):
    """Single-line text: strip surrounding blanks and invisible characters; line breaks become spaces."""
    if value is None:
        return value
    value = _CONTROL.sub("", str(value)).replace("\r", " ").replace("\n", " ")
    return value.strip().strip(_INVISIBLE).strip()


def clean_text(value):
    """Multi-line text: normalise line endings, drop control characters, trim the ends."""
    if value is None:
        return value
    value = str(value).replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return value.strip().strip(_INVISIBLE).strip()


def clean_arg(value, max_length: int = 200) -> str:
    """A query-string parameter as plain text: control characters removed (none belongs in a filter, and
    PostgreSQL refuses NUL in text, so one would fail the query), blanks trimmed, at most `max_length`."""
    return _CONTROL_ALL.sub("", str(value or "")).strip()[:max_length]


def is_blank(value: str | None) -> bool:
    if not value:
        return True
    return all(unicodedata.category(ch) in {"Zs", "Cf", "Cc"} or ch.isspace() for ch in value)


HTTP_URL_MESSAGE = _l("Enter a web address starting with http:// or https://.")


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host and no blanks (so never javascript:, data: or a relative path)."""
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(hostname) and not any(ch.isspace() for ch in value)


class HttpUrl:
    """Accept only absolute http(s) URLs with a host."""

    def __init__(self, message=None):
        self.message = message or HTTP_URL_MESSAGE

    def __call__(self, form, field):
        if field.data and not is_http_url(field.data):
            raise ValidationError(self.message)


class NotBlank:
    """Required text that is not only spaces or invisible characters."""

    def __init__(self, message=None):
        self.message = message or _l("This field is required.")

    def __call__(self, form, field):
        if is_blank(field.data):
            field.errors[:] = []
            from wtforms.validators import StopValidation

            raise StopValidation(self.message)


def apply_domain_error(form, error) -> bool:
    """Attach a DomainError's message to the named field if the form has it; True if attached."""
    field_name = getattr(error, "field", None)
    if field_name and hasattr(form, field_name):
        getattr(form, field_name).errors = list(getattr(form, field_name).errors) + [error.message]
        return True
    return False
