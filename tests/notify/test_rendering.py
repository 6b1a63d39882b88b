"""render_email: subject block, text without entities, escaped HTML, the recipient's language."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask_babel import force_locale, get_locale, gettext
from jinja2 import TemplateNotFound

from app.notify.services import render_email

STARTS_AT = datetime(2026, 12, 1, 6, 30, tzinfo=timezone.utc)  # 14:30 in Shanghai


def render(language="zh_CN", **context):
    values = {"name": "张三", "meeting_title": "旧城改造座谈会", "starts_at": STARTS_AT}
    values.update(context)
    return render_email("testing/hello", language, **values)


def test_subject_text_and_html_come_from_the_templates(email_templates):
    subject, text, html = render()
    assert subject == "Registration confirmed: 旧城改造座谈会"
    assert text.startswith("Hello 张三,\n\n旧城改造座谈会\n")  # blank-line runs collapsed, trailing spaces gone
    assert "Registration confirmed" not in text  # the subject block is not part of the body
    with force_locale("zh_Hans_CN"):  # the layout's footer, in the recipient's language
        footer = gettext("This message was sent automatically. Please do not reply to it.")
    assert text.endswith(footer + "\n")
    assert "\n-- \n" in text  # the signature separator keeps its space
    assert "<p>Hello 张三</p>" in html
    assert "<title>Registration confirmed: 旧城改造座谈会</title>" in html
    assert '<html lang="zh-Hans">' in html


def test_plain_text_is_not_escaped_but_html_is(email_templates):
    subject, text, html = render(name='Tom & "Jerry" <tom@example.com>', meeting_title="A&B <b>")
    assert 'Hello Tom & "Jerry" <tom@example.com>,' in text
    assert "&amp;" not in text and "&lt;" not in text and "&#34;" not in text
    assert subject == "Registration confirmed: A&B <b>"
    assert "Tom &amp; &#34;Jerry&#34; &lt;tom@example.com&gt;" in html
    assert "A&amp;B &lt;b&gt;" in html


def test_a_line_break_in_user_text_cannot_reach_the_subject_header(email_templates):
    subject, _text, _html = render(meeting_title="Meeting\r\nBcc: evil@example.com")
    assert "\r" not in subject and "\n" not in subject
    assert subject == "Registration confirmed: Meeting Bcc: evil@example.com"


def test_dates_follow_the_recipients_language_not_the_visitors(email_templates, client):
    _s, zh_text, _h = render("zh_CN")
    _s, en_text, _h = render("en")
    assert "2026年12月1日" in zh_text and "14:30" in zh_text
    assert "Dec 1, 2026" in en_text and "2:30" in en_text
    with email_templates.test_request_context("/", headers={"Accept-Language": "en"}):
        assert str(get_locale()) == "en"
        _s, text, html = render("zh_CN")
        assert "2026年12月1日" in text and 'lang="zh-Hans"' in html
        assert str(get_locale()) == "en"  # the visitor's language is restored afterwards


def test_html_is_optional(email_templates):
    subject, text, html = render_email("testing/text_only", "en")
    assert (subject, html) == ("Only text", None)
    assert text.startswith("Body\n")


def test_site_name_comes_from_the_configuration(email_templates):
    email_templates.config["SITE_NAME"] = "武汉市民议事厅"
    _subject, text, html = render()
    assert "武汉市民议事厅" in text and "武汉市民议事厅" in html


def test_a_template_without_subject_unknown_language_or_missing_file_is_an_error(email_templates):
    with pytest.raises(ValueError, match="subject"):
        render_email("testing/no_subject", "en")
    with pytest.raises(ValueError, match="language"):
        render("fr")
    with pytest.raises(TemplateNotFound):
        render_email("testing/missing", "en")
