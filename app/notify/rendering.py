"""Rendering an email's subject, plain text and HTML from templates, in the recipient's language.

`render_email("registrations/confirmation", "en", **context)` renders
`templates/email/registrations/confirmation.txt` and, if it exists, `.html`:

- the subject is the `subject` block of the `.txt` template (required), squeezed onto one line;
- the text is the whole `.txt` template (not autoescaped: Flask escapes only .html/.xml templates),
  with trailing spaces removed and runs of blank lines collapsed;
- the HTML is the `.html` template (autoescaped), or None when there is none.

Templates extend `email/base.txt` / `email/base.html` and fill `{% block body %}`. Both are rendered
with Flask-Babel forced to the recipient's language, outside any request: they see the Jinja
globals and filters (`_`, `local_datetime`...) and the context given, plus `language` ('zh_CN' or
'en'), `html_lang`, `site_name` and, in HTML, `subject`. They must not rely on the visitor's
session or `current_user` (use `language`, not `current_language`), nor build URLs themselves:
callers pass absolute URLs.
"""
from __future__ import annotations

import re

from flask import current_app
from flask_babel import force_locale, gettext
from jinja2 import Template, TemplateNotFound

from app.i18n import LOCALES
from app.notify.mailer import CONTENT_LANGUAGES, clean_header

_BLANK_RUNS = re.compile(r"\n{3,}")
SIGNATURE_SEPARATOR = "-- "


def render_email(template_base: str, language: str, **context) -> tuple[str, str, str | None]:
    """Return (subject, text, html or None) for `templates/email/<template_base>.{txt,html}`.

    Raises ValueError for an unknown language or an empty subject, and TemplateNotFound when the
    `.txt` template is missing.
    """
    if language not in LOCALES:
        raise ValueError(f"unknown language {language!r}")
    env = current_app.jinja_env
    with force_locale(LOCALES[language]):
        values = {
            **context,
            "language": language,
            "html_lang": CONTENT_LANGUAGES[language],
            "site_name": current_app.config.get("SITE_NAME") or gettext("Townhall"),
        }
        text_template = env.get_template(f"email/{template_base}.txt")
        subject = clean_header(_render_block(text_template, "subject", values))
        if not subject:
            raise ValueError(f"email/{template_base}.txt has an empty subject block")
        text = _tidy_text(text_template.render(values))
        try:
            html_template = env.get_template(f"email/{template_base}.html")
        except TemplateNotFound:
            html = None
        else:
            html = html_template.render({**values, "subject": subject})
    return subject, text, html


def _render_block(template: Template, name: str, values: dict) -> str:
    if name not in template.blocks:
        raise ValueError(f"{template.name} defines no {{% block {name} %}}")
    return "".join(template.blocks[name](template.new_context(values)))


def _tidy_text(text: str) -> str:
    lines = [line if line == SIGNATURE_SEPARATOR else line.rstrip() for line in text.splitlines()]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"
