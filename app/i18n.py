"""Locale selection, and the filters that show instants in a meeting's time zone."""
from __future__ import annotations

import functools
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup

# Public language codes (URLs, stored preferences) and the Babel locale behind each.
# Babel reads zh_CN as zh_Hans_CN, so the catalogue folder is zh_Hans_CN.
LOCALES = {"zh_CN": "zh_Hans_CN", "en": "en"}
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"


def language_from_accept_header() -> str:
    for value, _quality in request.accept_languages:
        tag = value.lower().replace("_", "-")
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


def current_language() -> str:
    """The visitor's language code: their explicit choice, else Accept-Language, else Chinese.

    Outside a request (command line, background jobs) there is no visitor: the default language.
    """
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    return language_from_accept_header()


def select_locale() -> str:
    return LOCALES[current_language()]


def _zone(tz_name: str | None) -> ZoneInfo:
    return ZoneInfo(tz_name or current_app.config["DEFAULT_TIMEZONE"])


def _locale():
    return get_locale() or LOCALES[DEFAULT_LANGUAGE]


@functools.lru_cache(maxsize=8)
def _to_the_minute(locale_name: str) -> str:
    """The locale's medium date with its short time (no seconds: meetings start on the minute), joined the
    locale's own way: `Dec 3, 2026, 2:30 PM`, `2026年12月3日 14:30`."""
    locale = Locale.parse(locale_name)
    return (locale.datetime_formats["medium"].replace("{1}", locale.date_formats["medium"].pattern)
            .replace("{0}", locale.time_formats["short"].pattern))


def local_datetime(value: datetime | None, tz_name: str | None = None, fmt: str = "minute") -> str:
    """`value` in the time zone `tz_name` (default DEFAULT_TIMEZONE), in the current language. `fmt` is a
    Babel format name (`short`, `medium`, `long`, `full`) or `minute`, the medium one without seconds."""
    if value is None:
        return ""
    locale = _locale()
    if fmt == "minute":
        fmt = _to_the_minute(str(locale))
    return babel_dates.format_datetime(value, format=fmt, tzinfo=_zone(tz_name), locale=locale)


def local_date(value: datetime | date | None, tz_name: str | None = None, fmt: str = "long") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_zone(tz_name)).date()
    return babel_dates.format_date(value, format=fmt, locale=_locale())


def local_time(value: datetime | None, tz_name: str | None = None, fmt: str = "short") -> str:
    if value is None:
        return ""
    return babel_dates.format_time(value, format=fmt, tzinfo=_zone(tz_name), locale=_locale())


def local_weekday(value: datetime | None, tz_name: str | None = None) -> str:
    if value is None:
        return ""
    return babel_dates.format_datetime(value, format="EEEE", tzinfo=_zone(tz_name), locale=_locale())


def tz_label(tz_name: str | None, at: datetime | None = None) -> str:
    """A readable zone label such as 'America/New_York (UTC-04:00)'. The offset is the one in force
    at `at` (the meeting's start), not today's: a July meeting in New York is on daylight time."""
    zone = _zone(tz_name)
    moment = at.astimezone(zone) if at is not None else datetime.now(zone)
    offset = moment.strftime("%z")
    return f"{zone.key} (UTC{offset[:3]}:{offset[3:]})"


def localized_name(obj) -> str:
    """Pick `name_en` or `name_zh` of a bilingual record (district, department) for the visitor."""
    if obj is None:
        return ""
    # The active Babel locale, so forced locales (emails, PDFs) pick the right name too.
    if str(_locale()).startswith("en") and getattr(obj, "name_en", None):
        return obj.name_en
    return obj.name_zh


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_date)
    app.add_template_filter(local_time)
    app.add_template_filter(local_weekday)
    app.add_template_filter(tz_label)
    app.add_template_filter(localized_name)

    @app.context_processor
    def language_context():
        language = current_language()
        return {
            "current_language": language,
            "language_names": LANGUAGE_NAMES,
            "html_lang": "zh-Hans" if language == "zh_CN" else "en",
            **bound_gettext(),
        }


def bound_gettext() -> dict:
    """`_`, `gettext` and `ngettext` for one render_template call, bound to the translations in force
    when it starts (a render never changes language half-way).

    They behave like the ones Flask-Babel installs through Jinja's i18n extension (new-style: the
    result is a format string filled with the keyword arguments, marked safe in autoescaped
    templates), but Flask-Babel's look up the request's domain, locale and translations through
    several context locals on every call, about 60 times slower than the lookup itself, and a page
    calls them a hundred times. Templates rendered without a request context processor (emails,
    imported macros) keep Flask-Babel's, which give the same strings.
    """
    translations = get_translations()

    @pass_context
    def gettext(context, string: str, **variables) -> str:
        text = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    @pass_context
    def ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}
