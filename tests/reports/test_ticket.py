"""The attendee's ticket."""
from __future__ import annotations

import re

from dataclasses import replace

import pytest
from flask_babel import force_locale

from app.reports.pdf.ticket import TicketData, TicketStatus, build_ticket
from tests.reports.pdfcheck import decode_qr, flat, fonts, has_links_or_images, page_texts, reader

PAYLOAD = "townhall:checkin:42:K7P-4Q2:5f2c9a"


def make_ticket(**overrides) -> TicketData:
    data = TicketData(
        meeting_title="旧城改造 Phase 2 第3期 居民座谈会",
        meeting_type="座谈会",
        date_text="2026年12月3日 星期四",
        time_text="14:30–16:30",
        timezone_label="Asia/Shanghai (UTC+08:00)",
        organiser="江岸区住房和城市更新局",
        attendee_name="王小明",
        code="K7P-4Q2",
        checkin_payload=PAYLOAD,
        place="后湖街道社区服务中心 三楼多功能厅",
        address="武汉市江岸区后湖大道 188 号",
    )
    return replace(data, **overrides)


def ticket_text(data: TicketData) -> tuple[bytes, str]:
    with force_locale("en"):
        pdf = build_ticket(data)
    pages = page_texts(pdf)
    assert len(pages) == 1
    return pdf, pages[0]


def test_ticket_shows_the_meeting_the_attendee_and_the_code(app):
    _pdf, text = ticket_text(make_ticket())
    for expected in ["旧城改造 Phase 2 第3期 居民座谈会", "座谈会", "2026年12月3日 星期四", "14:30–16:30",
                     "Asia/Shanghai (UTC+08:00)", "后湖街道社区服务中心 三楼多功能厅",
                     "武汉市江岸区后湖大道 188 号", "江岸区住房和城市更新局", "王小明", "K7P-4Q2",
                     "Admission ticket", "Confirmed", "registration code"]:
        assert expected in text, expected
    assert "Accommodation" not in text


def test_ticket_qr_code_carries_the_check_in_payload(app):
    pdf, _text = ticket_text(make_ticket())
    assert decode_qr(pdf) == [PAYLOAD]
    content = reader(pdf).pages[0].get_contents().get_data().decode("latin-1")
    assert content.count(" re") > 150  # the QR modules, drawn as vector squares


def test_waitlisted_ticket_says_so_with_the_position(app):
    _pdf, text = ticket_text(make_ticket(status=TicketStatus.WAITLISTED, waitlist_position=3))
    assert "Waiting list: number 3" in text
    assert "Confirmed" not in text
    _pdf, text = ticket_text(make_ticket(status="waitlisted"))
    assert "Waiting list" in text


def test_unknown_status_is_refused(app):
    with pytest.raises(ValueError):
        build_ticket(make_ticket(status="cancelled"))


def test_online_meeting_shows_the_link(app):
    url = "https://meeting.example.gov.cn/j/123456789?pwd=abcdef"
    _pdf, text = ticket_text(make_ticket(place="", address="", online_url=url))
    assert url in flat(text)
    assert "Address" not in text


def test_accommodation_needs_are_listed_on_the_private_ticket(app):
    _pdf, text = ticket_text(make_ticket(accommodations=["轮椅通道 wheelchair access", "手语翻译"]))
    assert "Accommodation you asked for" in text
    assert "轮椅通道 wheelchair access" in text and "手语翻译" in text


def test_ticket_with_hostile_and_huge_values_stays_one_literal_page(app):
    evil = '<b>x</b> <img src="/etc/passwd"/> &amp; <a href="javascript:alert(1)">y</a>'
    pdf, text = ticket_text(make_ticket(meeting_title=evil, attendee_name="X" * 10_000, place="中" * 10_000,
                                        accommodations=[evil] * 3, code="<b>K7P</b>"))
    assert flat(evil) in flat(text)
    assert "<b>K7P</b>" in text
    assert not has_links_or_images(pdf)
    assert all(font["embedded"] for font in fonts(pdf))


def test_ticket_renders_in_chinese_locale(app):
    with force_locale("zh_Hans_CN"):
        pdf = build_ticket(make_ticket())
    text = page_texts(pdf)[0]
    assert "旧城改造 Phase 2 第3期 居民座谈会" in text and "K7P-4Q2" in text
    assert not re.search(r"[\u3000-\u9fff]\s*:", "\n".join(page_texts(pdf)))  # no ASCII colon after Chinese
