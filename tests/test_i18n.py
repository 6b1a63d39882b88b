"""Translations: every source string is translated in every catalog, the compiled catalogs are served per
visitor language, and dates follow the locale.

When a completeness test fails: `make extract`, translate what `make untranslated` lists in
app/translations/zh_Hans_CN/LC_MESSAGES/messages.po, and run these tests again.
"""
from __future__ import annotations

import ast
import re
from datetime import date, datetime, timezone

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.frontend import parse_mapping_cfg
from flask_babel import refresh

from app.i18n import LOCALES, local_date, local_datetime
from tests import factories
from tests.catalogs import BABEL_CFG, PROJECT_ROOT, catalog_path, extract_source_messages, read_catalog

CATALOG_LOCALES = sorted(set(LOCALES.values()))  # Babel names: zh_Hans_CN, en
SOURCE_LOCALE = "en"
HOW_TO_FIX = "run `make extract`, translate what `make untranslated` lists, then rerun these tests"

# %(name)s, %(num)d, %s, %%: what Python's %-formatting, used by Flask-Babel, substitutes.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")
CJK = re.compile(r"[\u4e00-\u9fff]")

# 3 December next year, 14:30 in Shanghai: always an upcoming meeting.
YEAR = date.today().year + 1
MEETING_START = datetime(YEAR, 12, 3, 6, 30, tzinfo=timezone.utc)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def forms(value) -> tuple[str, ...]:
    """A msgid or msgstr as a tuple of its plural forms (one for a plain message)."""
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


@pytest.fixture(scope="module")
def source_messages():
    return [message for message in extract_source_messages() if message.id]


@pytest.fixture(scope="module", params=CATALOG_LOCALES)
def catalog(request):
    return read_catalog(request.param)


# (a) completeness --------------------------------------------------------------------------------------------

def test_every_language_has_its_catalog_under_the_name_babel_looks_for():
    # Babel reads zh_CN as zh_Hans_CN: a catalog folder named zh_CN would silently fall back to English.
    for locale in CATALOG_LOCALES:
        assert catalog_path(locale).is_file(), f"no catalog for {locale}: {HOW_TO_FIX}"


def test_catalog_headers_give_the_language_and_its_plural_rule(catalog):
    expected = {"zh_Hans_CN": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}
    assert catalog.plural_forms == expected[str(catalog.locale)]
    assert not catalog.fuzzy, "a catalog whose header is fuzzy is not compiled at all"


def test_every_source_string_is_in_every_catalog_and_translated(source_messages, catalog):
    problems = []
    for source in source_messages:
        entry = catalog.get(source.id, context=source.context)
        msgid = forms(source.id)[0]
        where = ", ".join(f"{path}:{line}" for path, line in source.locations[:3])
        if entry is None:
            problems.append(f"missing    {msgid!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy      {msgid!r} ({where})")
        elif source.pluralizable and len(forms(entry.string)) != catalog.num_plurals:
            problems.append(f"plurals    {msgid!r}: {len(forms(entry.string))} forms, want {catalog.num_plurals}")
        elif not all(form.strip() for form in forms(entry.string)):
            problems.append(f"empty      {msgid!r} ({where})")
    assert not problems, (f"{catalog.locale}: {len(problems)} of {len(source_messages)} source strings "
                          f"are not ready ({HOW_TO_FIX}):\n" + "\n".join(problems))


def test_translations_keep_the_placeholders_of_the_source(catalog):
    problems = []
    for entry in catalog:
        if not entry.id:
            continue
        ids = forms(entry.id)
        for form in forms(entry.string):
            if not form:
                continue  # reported by the completeness test
            if not entry.pluralizable:
                ok = placeholders(form) == placeholders(ids[0])
            else:
                # Each form keeps what both English forms use and adds nothing new; a one-form language such
                # as Chinese writes the plural's "%(num)d".
                found = set(placeholders(form))
                ok = set(placeholders(ids[0])) & set(placeholders(ids[1])) <= found <= set(placeholders(ids[1]))
            if not ok:
                problems.append(f"{ids[0]!r} -> {form!r}")
    assert not problems, f"{catalog.locale}: placeholders differ from the source:\n" + "\n".join(problems)


def test_the_english_catalog_repeats_the_source_text():
    # English is the source language; `make extract` copies each msgid, plural forms included.
    catalog = read_catalog(SOURCE_LOCALE)
    differing = [entry.id for entry in catalog if entry.id and forms(entry.string) != forms(entry.id)]
    assert not differing, f"en entries whose msgstr is not the msgid ({HOW_TO_FIX}): {differing}"


def test_extraction_reaches_every_file_that_marks_strings(source_messages):
    # Babel's defaults once hid templates/_macros/ (folders starting with "_"); catch any such blind spot.
    marker = re.compile(r"""\b(?:_|_l|gettext|lazy_gettext|ngettext|lazy_ngettext)\(\s*["']""")
    files = [*(PROJECT_ROOT / "app").rglob("*.py"), *(PROJECT_ROOT / "templates").rglob("*.html"),
             *(PROJECT_ROOT / "templates").rglob("*.txt")]
    marking = {path.relative_to(PROJECT_ROOT).as_posix() for path in files
               if marker.search(path.read_text(encoding="utf-8"))}
    extracted = {path for message in source_messages for path, _line in message.locations}
    assert sorted(marking - extracted) == []


def gettext_calls_inside_f_strings() -> list[str]:
    """`_(...)` inside an f-string: Babel on Python 3.11 does not see it, so it is never translated."""
    with BABEL_CFG.open(encoding="utf-8") as f:
        _methods, options = parse_mapping_cfg(f, str(BABEL_CFG))
    keywords = set(DEFAULT_KEYWORDS) | set(options["app/**.py"].get("keywords", {}))
    found = []
    for path in sorted((PROJECT_ROOT / "app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.JoinedStr):
                found += [f"{path.relative_to(PROJECT_ROOT)}:{call.lineno}" for call in ast.walk(node)
                          if isinstance(call, ast.Call) and getattr(call.func, "id", None) in keywords]
    return found


def test_no_translatable_string_hides_inside_an_f_string():
    assert gettext_calls_inside_f_strings() == []


# (b) the compiled catalogs are served -------------------------------------------------------------------------

def translation_of(msgid: str, locale: str) -> str:
    return read_catalog(locale)[msgid].string


def test_the_meetings_list_is_in_chinese_for_a_chinese_speaker(client):
    chinese = translation_of("Upcoming meetings", "zh_Hans_CN")
    assert CJK.search(chinese)
    html = client.get("/meetings", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html
    assert chinese in html and "Upcoming meetings" not in html


def test_the_meetings_list_is_in_english_for_an_english_speaker(client):
    html = client.get("/meetings", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Upcoming meetings" in html
    assert translation_of("Upcoming meetings", "zh_Hans_CN") not in html


def test_the_meetings_list_shows_each_meetings_date_in_the_visitors_language(client):
    factories.make_meeting(title="Bridge lighting hearing", starts_at=MEETING_START, timezone="Asia/Shanghai")
    chinese = client.get("/meetings", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    english = client.get("/meetings", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"{YEAR}年12月3日" in chinese and "14:30" in chinese
    assert f"Dec 3, {YEAR}" in english and "2:30" in english and "PM" in english


# (c) dates follow the locale ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("accept_language", "long_date", "date_and_time"), [
    ("zh-CN", f"{YEAR}年12月3日", f"{YEAR}年12月3日 14:30"),
    ("en", f"December 3, {YEAR}", f"Dec 3, {YEAR}, 2:30\u202fPM"),
])
def test_dates_are_written_the_way_the_visitor_reads_them(app, accept_language, long_date, date_and_time):
    with app.test_request_context("/meetings", headers={"Accept-Language": accept_language}):
        refresh()  # the test app context is shared between requests: forget any locale cached in it
        assert local_date(MEETING_START, "Asia/Shanghai") == long_date
        written = local_datetime(MEETING_START, "Asia/Shanghai")
        assert written == date_and_time  # to the minute: meetings start on the minute, seconds are noise


def test_a_date_is_the_date_in_the_meetings_own_time_zone(app):
    # 03:00 UTC is 11:00 in Shanghai, but still 22:00 the day before in New York.
    starts_at = datetime(YEAR, 12, 3, 3, 0, tzinfo=timezone.utc)
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        refresh()
        assert local_date(starts_at, "Asia/Shanghai") == f"{YEAR}年12月3日"
        assert local_date(starts_at, "America/New_York") == f"{YEAR}年12月2日"



# (d) pages translate through functions bound once per render (app/i18n.py bound_gettext) ------------------

BOUND = ('{{ _("Upcoming meetings") }}|{{ gettext("Past meetings") }}|{{ ngettext("%(num)d meeting", '
         '"%(num)d meetings", 2) }}|{{ _("Reason:") }} {{ _("%(label)s: %(value)s", label=name, value=name) }}')


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_a_page_translates_like_flask_babel_and_escapes_what_it_fills_in(app, locale):
    from flask import render_template_string
    from flask_babel import force_locale, gettext, ngettext

    name = '<script>alert("x")</script>'
    with app.test_request_context("/"):
        refresh()
        with force_locale(locale):
            bound = render_template_string(BOUND, name=name)
            expected = "|".join([gettext("Upcoming meetings"), gettext("Past meetings"),
                                 ngettext("%(num)d meeting", "%(num)d meetings", 2), gettext("Reason:")])
            escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
            assert bound == f"{expected} {gettext('%(label)s: %(value)s', label=escaped, value=escaped)}"
            assert "<script>" not in bound
