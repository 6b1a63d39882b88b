"""The public notice (公告): for published meetings, legible, with how to register, ask and request
accommodations, the short-notice reason and a QR code to the meeting page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.reports import documents
from tests import factories
from tests.reports.pdfcheck import flat, page_texts, reader

TITLE = "关于后湖片区老旧小区改造方案的居民座谈会 <b>&amp;</b>"


@pytest.fixture(autouse=True)
def _fresh_cache():
    documents.pdf_cache.clear()
    yield
    documents.pdf_cache.clear()


def notice_meeting(**overrides):
    values = dict(title=TITLE, venue_name="后湖街道社区服务中心", address="武汉市江岸区后湖大道88号",
                  registration_required=True, capacity=80, agenda=["介绍改造方案", "居民提问与讨论"],
                  short_notice_reason="因汛期施工安排提前", summary="听取居民意见。")
    values.update(overrides)
    return factories.make_meeting(**values)


def notice_text(client, meeting, lang="en") -> str:
    response = client.get(f"/meetings/{meeting.id}/notice.pdf",
                          headers={"Accept-Language": "en" if lang == "en" else "zh-CN"})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return flat("\n".join(page_texts(response.data)))


def test_the_notice_has_what_a_notice_board_needs(client, app):
    meeting = notice_meeting()
    text = notice_text(client, meeting)
    assert flat(TITLE) in text  # literally, never as markup
    for expected in ("Townhallforum", "后湖街道社区服务中心", "介绍改造方案", "居民提问与讨论", "因汛期施工安排提前",
                     "Howtoregister", "Howtoaskquestions", "Accommodations", f"/meetings/{meeting.id}/register",
                     f"/meetings/{meeting.id}/questions", "Page1of1"):
        assert expected in text, expected
    public_url = app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/meetings/{meeting.id}"
    assert public_url in text


def test_the_notice_in_chinese_has_chinese_labels(client):
    text = notice_text(client, notice_meeting(), "zh")
    for label in ("座谈会", "议程", "主办方", "第1页"):
        assert label in text, label


def test_the_notice_has_a_qr_code_and_a_large_title(client):
    meeting = notice_meeting()
    pdf = client.get(f"/meetings/{meeting.id}/notice.pdf").data
    assert len(reader(pdf).pages) == 1
    content = reader(pdf).pages[0].get_contents().get_data()
    assert b" re" in content  # the QR code's modules are drawn as rectangles
    assert b"26 Tf" in content  # the title's size


def test_only_published_meetings_have_a_notice(client):
    assert client.get(f"/meetings/{notice_meeting(status='draft').id}/notice.pdf").status_code == 404
    cancelled = notice_meeting(status="cancelled", cancelled_at=factories.now(), cancel_reason="x")
    assert client.get(f"/meetings/{cancelled.id}/notice.pdf").status_code == 404
    assert client.get("/meetings/999999/notice.pdf").status_code == 404


def test_the_notice_is_named_by_date_and_title_and_revalidates(client):
    meeting = notice_meeting(starts_in=timedelta(days=12))
    response = client.get(f"/meetings/{meeting.id}/notice.pdf", headers={"Accept-Language": "en"})
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition and "notice.pdf" in disposition
    again = client.get(f"/meetings/{meeting.id}/notice.pdf",
                       headers={"Accept-Language": "en", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_meeting_page_links_to_the_notice(client):
    meeting = notice_meeting()
    assert f"/meetings/{meeting.id}/notice.pdf" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_notice_says_when_where_what_and_how_and_its_qr_code_opens_the_meeting(app, client, language):
    from zoneinfo import ZoneInfo

    from flask_babel import force_locale
    from flask_babel import gettext as _

    from app.i18n import local_date, local_time
    from tests.reports.pdfcheck import decode_qr

    zone = "Asia/Shanghai"
    start = (factories.now() + timedelta(days=12)).replace(hour=6, minute=30, second=0, microsecond=0)
    closes = start - timedelta(days=1, hours=3)
    meeting = notice_meeting(starts_at=start, ends_at=start + timedelta(hours=2), registration_closes_at=closes,
                             timezone=zone)
    response = client.get(f"/meetings/{meeting.id}/notice.pdf",
                          headers={"Accept-Language": "en" if language == "en" else "zh-CN"})
    pdf = response.data
    assert len(reader(pdf).pages) == 1
    meeting_url = app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/meetings/{meeting.id}"
    assert decode_qr(pdf) == [meeting_url]
    text = flat("\n".join(page_texts(pdf)))
    local = start.astimezone(ZoneInfo(zone))
    with app.test_request_context(), force_locale(language):
        deadline = f"{local_date(closes, zone, 'long')} {local_time(closes, zone)}"
        labels = [_(label) for label in ("When", "Where", "Agenda", "How to register", "How to ask questions",
                                         "Accommodations", "Published at short notice")]
    if language == "en":
        assert flat(f"{local:%A}, {local:%B} {local.day}, {local.year} 2:30 PM – 4:30 PM") in text
    else:
        assert flat(f"{local.year}年{local.month}月{local.day}日") in text and "14:30–16:30" in text
    assert "Asia/Shanghai" in text
    for label in labels:
        assert flat(label) in text, label
    assert flat("后湖街道社区服务中心, 武汉市江岸区后湖大道88号") in text
    assert flat("介绍改造方案") in text and flat("居民提问与讨论") in text
    assert "因汛期施工安排提前" in text
    assert f"{meeting_url}/register" in text and f"{meeting_url}/questions" in text
    assert text.count(flat(deadline)) == 2  # registration closes, and accommodations must be asked for by then
    if language != "en":  # labels and values are joined by the catalog's full-width colon
        assert not re.search(r"[\u3000-\u9fff]\s*:", "\n".join(page_texts(pdf)))


def test_the_qr_code_stays_on_the_first_page_when_the_agenda_runs_onto_a_second(app, client):
    from tests.reports.pdfcheck import decode_qr

    meeting = notice_meeting(agenda=[f"议题{n}：关于后湖片区第{n}期改造的说明与讨论" for n in range(1, 25)],
                             summary="听取居民意见。" * 40)
    pdf = client.get(f"/meetings/{meeting.id}/notice.pdf").data
    assert len(reader(pdf).pages) == 2
    assert decode_qr(pdf, page=1) == [app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/meetings/{meeting.id}"]
    assert "议题24" in flat(page_texts(pdf)[1])


def _agenda_notice(items: int):
    from app.reports.pdf.notice import NoticeData

    return NoticeData(
        meeting_title="后湖片区老旧小区改造方案居民座谈会", meeting_type="座谈会",
        when_text="2026年12月3日星期四 14:30 – 16:30 (Asia/Shanghai (UTC+08:00))",
        place="后湖街道社区服务中心, 武汉市江岸区后湖大道88号", online_url="", organiser="市住房和城市更新局",
        meeting_url="http://127.0.0.1:5000/meetings/1", summary="听取居民对改造方案的意见和建议。" * 4,
        agenda=tuple(f"议题{i}：改造方案第{i}部分的说明与讨论" for i in range(1, items + 1)),
        registration="须报名参加。" * 3, questions="可在网上提前提问。", accommodations="如需协助请在报名时注明。")


def test_a_notice_that_spills_over_a_little_is_fitted_on_one_sheet(app):
    from flask_babel import force_locale

    from app.reports.pdf import notice
    from app.reports.pdf.base import PageSetup, render_pdf

    with app.test_request_context(), force_locale("zh_CN"):
        data = _agenda_notice(15)
        flowing = render_pdf(notice._story(data, one_page=False), PageSetup(document_title="公告"))
        fitted = notice.build_notice(data)
    assert len(reader(flowing).pages) == 2  # laid out as it comes, the last block would be alone on page 2
    assert len(reader(fitted).pages) == 1
    assert all(flat(f"议题{i}：") in flat(page_texts(fitted)[0]) for i in (1, 15))
