"""The sign-in sheet (签到表)."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from app.reports.pdf.signin_sheet import SigninSheetData, build_signin_sheet
from tests.reports.pdfcheck import fonts, has_links_or_images, page_texts

# A row starts with its number, alone on a line, right after the previous row.
ROW_NUMBER = re.compile(r"^ ?(\d+)$", re.MULTILINE)


def make_sheet(registrants=(), **overrides) -> SigninSheetData:
    values = {
        "meeting_title": "旧城改造 Phase 2 第3期 居民座谈会",
        "meeting_type": "座谈会",
        "date_text": "2026年12月3日 星期四",
        "time_text": "14:30–16:30",
        "timezone_label": "Asia/Shanghai (UTC+08:00)",
        "place": "后湖街道社区服务中心",
        "organiser": "江岸区住房和城市更新局",
        "registrants": registrants,
    }
    values.update(overrides)
    return SigninSheetData(**values)


def sheet_pages(data: SigninSheetData) -> list[str]:
    with force_locale("en"):
        return page_texts(build_signin_sheet(data))


def row_numbers(page: str) -> list[int]:
    body = page.split("Signature", 1)[1].split("Generated on", 1)[0]
    return [int(n) for n in ROW_NUMBER.findall(body)]


def test_three_hundred_registrants_make_a_multi_page_sheet_with_headers_on_every_page(app):
    registrants = [(f"居民{i:03d} Resident", f"后湖街道 {i % 7}") for i in range(1, 301)]
    pages = sheet_pages(make_sheet(registrants))
    assert len(pages) > 5
    numbers: list[int] = []
    for page_number, text in enumerate(pages, start=1):
        for expected in ["Sign-in sheet", "旧城改造 Phase 2 第3期 居民座谈会", "座谈会", "2026年12月3日 星期四",
                         "后湖街道社区服务中心", "江岸区住房和城市更新局", "No.", "Name",
                         "District / neighbourhood", "Signature", f"Page {page_number} of {len(pages)}"]:
            assert expected in text, (page_number, expected)
        numbers += row_numbers(text)
    # Every row exactly once and in order: none was split across two pages.
    assert numbers == list(range(1, 311))
    assert "居民001 Resident" in pages[0] and "居民300 Resident" in "".join(pages[-2:])
    assert "Total present" in pages[-1]


def test_registrants_are_printed_in_the_given_order_with_their_district(app):
    pages = sheet_pages(make_sheet([("张伟", "百步亭社区"), ("Maria Gonzalez", None), ("李娜", "丹水池街道")]))
    text = pages[0]
    assert text.index("张伟") < text.index("Maria Gonzalez") < text.index("李娜")
    assert "百步亭社区" in text and "丹水池街道" in text
    assert row_numbers(text) == list(range(1, 14))


def test_an_empty_sheet_still_has_numbered_walk_in_rows(app):
    pages = sheet_pages(make_sheet())
    assert len(pages) == 1
    assert row_numbers(pages[0]) == list(range(1, 11))


def test_the_number_of_walk_in_rows_is_configurable(app):
    assert row_numbers(sheet_pages(make_sheet([("张伟", "")], walk_in_rows=3))[0]) == [1, 2, 3, 4]
    assert row_numbers(sheet_pages(make_sheet([("张伟", "")], walk_in_rows=0))[0]) == [1]
    with pytest.raises(ValueError):
        build_signin_sheet(make_sheet(walk_in_rows=-1))


def test_hostile_and_huge_names_are_literal_and_do_not_break_the_layout(app):
    evil = '<b>x</b> <img src="/etc/passwd"/> &amp; <a href="javascript:alert(1)">y</a>'
    with force_locale("en"):
        pdf = build_signin_sheet(make_sheet([(evil, "W" * 10_000), ("Q" * 10_000, evil)], place=evil))
    text = "".join(page_texts(pdf))
    assert "<b>x</b>" in text and "&amp;" in text and "/etc/passwd" in text
    assert not has_links_or_images(pdf)
    assert all(font["embedded"] for font in fonts(pdf))


def test_sheet_renders_in_chinese_locale(app):
    with force_locale("zh_Hans_CN"):
        pdf = build_signin_sheet(make_sheet([("张伟", "百步亭社区")]))
    assert "张伟" in page_texts(pdf)[0]
    assert not re.search(r"[\u3000-\u9fff]\s*:", "\n".join(page_texts(pdf)))  # no ASCII colon after Chinese
