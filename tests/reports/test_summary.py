"""The meeting summary PDF: public once minutes are published, a watermarked draft for staff,
labels in the browsing language, content as written, no personal data, cached by content."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from app.actions.models import ActionStatus, ActionUpdate
from app.db import utcnow
from app.extensions import db
from app.questions.models import Question, QuestionOutcome, QuestionStatus
from app.reports import documents
from app.reports.pdf.summary import (SummaryAction, SummaryData, SummaryItem, SummaryQuestion,
                                     build_summary)
from tests import factories
from tests.actions.builders import raw_item
from tests.helpers import sign_in
from tests.minutes import builders as mb
from tests.questions.builders import make_question
from tests.reports.pdfcheck import flat, page_texts

MARKER_EMAIL = "leak-marker@example.org"
MARKER_MOBILE = "13912345678"
NAMED_ASKER = "提问人王小二"


@pytest.fixture(autouse=True)
def _fresh_cache():
    documents.pdf_cache.clear()
    yield
    documents.pdf_cache.clear()


def seeded_meeting(*, publish: bool = True):
    setting = mb.past_meeting()
    meeting = setting.meeting
    for n in range(1, 4):
        mb.add_registrant(meeting, n, email=f"r{n}-{MARKER_EMAIL}", checked_in=n < 3)
    make_question(meeting, body="广场什么时候改造？<b>not bold</b> &amp;", votes=7, asker_name=NAMED_ASKER,
                  contact_email=MARKER_EMAIL, contact_mobile=MARKER_MOBILE,
                  outcome=QuestionOutcome.ANSWERED, response="明年三月开工。", outcome_at=utcnow())
    make_question(meeting, body="Will the bus stop move?", votes=3, is_anonymous=True, asker_name="Hidden Person",
                  contact_email=MARKER_EMAIL, topic="transport")
    make_question(meeting, body="Rejected one", status="rejected")
    item = raw_item(meeting.department, setting.official, meeting=meeting, status=ActionStatus.IN_PROGRESS,
                    due_on=(utcnow() + timedelta(days=30)).date(), n=1)
    db.session.flush()
    db.session.add(ActionUpdate(action_item_id=item.id, body="已完成设计招标", author_id=setting.official.id))
    db.session.commit()
    version = mb.published(setting) if publish else None
    return setting, version


def get_pdf(client, url, lang="zh_CN", **headers):
    return client.get(url, headers={"Accept-Language": "zh-CN" if lang == "zh_CN" else "en", **headers})


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return "\n".join(page_texts(response.data))


def test_the_public_summary_is_404_until_minutes_are_published(client):
    setting, _version = seeded_meeting(publish=False)
    assert client.get(f"/meetings/{setting.meeting.id}/summary.pdf").status_code == 404
    mb.published(setting)
    assert client.get(f"/meetings/{setting.meeting.id}/summary.pdf").status_code == 200


def test_the_summary_in_chinese_has_chinese_labels_and_the_content(client):
    setting, version = seeded_meeting()
    text = text_of(get_pdf(client, f"/meetings/{setting.meeting.id}/summary.pdf"))
    whole = flat(text)
    for label in ("类型", "主办方", "参加情况", "后续督办事项", "第1页"):  # labels the catalogs already translate
        assert label in whole, label
    assert "介绍改造方案" in whole and "同意方案" in whole
    assert flat("广场什么时候改造？<b>not bold</b> &amp;") in whole  # markup appears literally
    assert "明年三月开工。" in whole and "已完成设计招标" in whole
    assert version.content_hash in whole
    assert setting.meeting.title.replace(" ", "") in whole


def test_labels_follow_the_browsing_language(client, app):
    setting, _version = seeded_meeting()
    url = f"/meetings/{setting.meeting.id}/summary.pdf"
    english = flat(text_of(get_pdf(client, url, "en")))
    chinese = flat(text_of(get_pdf(client, url, "zh_CN")))
    for label in ("Attendance", "Follow-upactionitems", "SHA-256", "Page1of"):
        assert label in english
    assert "Attendance" not in chinese
    with app.test_request_context(), force_locale("zh_CN"):
        from flask_babel import gettext as _
        zh_labels = [_("Attendance"), _("Follow-up action items"), _("Meeting summary")]
    translated = [label for label in zh_labels if label not in ("Attendance", "Follow-up action items",
                                                                "Meeting summary")]
    for label in translated:  # the catalogs may not have the new strings yet
        assert flat(label) in chinese


def test_the_summary_holds_no_personal_data(client):
    setting, _version = seeded_meeting()
    text = flat(text_of(get_pdf(client, f"/meetings/{setting.meeting.id}/summary.pdf", "en")))
    for secret in (MARKER_EMAIL, MARKER_MOBILE, NAMED_ASKER, "Hidden Person", "13900000001", "市民1"):
        assert flat(secret) not in text, secret
    assert "Rejected one" not in text


def test_staff_get_a_watermarked_draft_at_any_time(client):
    setting, _version = seeded_meeting(publish=False)
    sign_in(client, setting.clerk)
    response = get_pdf(client, f"/manage/meetings/{setting.meeting.id}/summary-draft.pdf", "en")
    text = flat(text_of(response))
    assert "DRAFT/草稿" in text
    assert "Will the bus stop move?".replace(" ", "") in text
    assert "no-store" in response.headers["Cache-Control"]


def test_other_departments_staff_cannot_get_the_draft(client):
    setting, _version = seeded_meeting(publish=False)
    sign_in(client, factories.make_user("clerk"))
    assert client.get(f"/manage/meetings/{setting.meeting.id}/summary-draft.pdf").status_code == 403


def test_the_download_is_named_by_date_and_title_with_filename_star(client):
    setting, _version = seeded_meeting()
    response = get_pdf(client, f"/meetings/{setting.meeting.id}/summary.pdf", "en")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition
    assert "summary.pdf" in disposition


def test_etag_and_last_modified_and_304(client):
    setting, _version = seeded_meeting()
    url = f"/meetings/{setting.meeting.id}/summary.pdf"
    first = get_pdf(client, url, "en")
    etag = first.headers["ETag"]
    assert first.headers.get("Last-Modified")
    again = get_pdf(client, url, "en", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other_language = get_pdf(client, url, "zh_CN", **{"If-None-Match": etag})
    assert other_language.status_code == 200 and other_language.headers["ETag"] != etag


def test_the_pdf_is_regenerated_only_when_its_content_changes(client):
    setting, _version = seeded_meeting()
    url = f"/meetings/{setting.meeting.id}/summary.pdf"
    first = get_pdf(client, url, "en")
    second = get_pdf(client, url, "en")
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    make_question(setting.meeting, body="A new question arrives", votes=50)
    third = get_pdf(client, url, "en")
    assert third.headers["ETag"] != first.headers["ETag"]
    assert "Anewquestionarrives" in flat(text_of(third))


def test_the_summary_is_built_in_a_fixed_number_of_queries(app, count_queries):
    setting, _version = seeded_meeting()
    meeting = setting.meeting

    def queries_for():
        with app.test_request_context(headers={"Accept-Language": "en"}), count_queries() as statements:
            documents.gather_summary(meeting, draft=False)
        return len(statements)

    small = queries_for()
    for n in range(30):
        make_question(meeting, body=f"q{n}", votes=n, topic="health")
        raw_item(meeting.department, setting.official, meeting=meeting, due_on=utcnow().date(), n=n + 10)
    db.session.commit()
    db.session.expire_all()
    assert queries_for() == small


def test_a_300_question_200_action_meeting_gives_a_correct_multi_page_summary(app):
    long_word = "无空格长文本" * 300 + "x" * 3000
    questions = tuple(SummaryQuestion(body=f"问题 {n} Question {n} " + ("很长的问题内容。" * 20 if n % 7 == 0 else ""),
                                      votes=300 - n, topic="住房", outcome="已答复", response=f"答复 {n}")
                      for n in range(10))
    data = SummaryData(
        meeting_title="旧城改造 Phase 2 居民座谈会 " + "长" * 150, meeting_type="座谈会",
        when_text="2026年12月3日 14:30 – 16:30 (Asia/Shanghai (UTC+08:00))", place="后湖街道社区服务中心",
        hosts="李明, 王芳", organiser="江岸区住房和城市更新局", registered=300, checked_in=250, walk_ins=17,
        minutes_version=2, minutes_sha256="a" * 64,
        items=(SummaryItem("开场", "很长的纪要。" * 2000 + long_word, (("动议：同意", "表决：8 赞成，1 反对，1 弃权"),)),
               SummaryItem("<img src=x/> &lt;", "<a href='x'>link</a>")),
        top_questions=questions, question_total=300,
        other_questions=(("住房", 150), ("交通出行", 90), ("环境", 50)),
        actions=tuple(SummaryAction(title=f"行动事项 {n} " + ("Long action title " * 10 if n % 5 == 0 else ""),
                                    department="江岸区住房和城市更新局", official=f"官员{n}", due="2027年1月1日",
                                    status="进行中", latest_update=f"更新 {n}") for n in range(200)),
    )
    with app.test_request_context(), force_locale("zh_CN"):
        pdf = build_summary(data)
    pages = page_texts(pdf)
    assert len(pages) > 5
    whole = flat("\n".join(pages))
    assert "行动事项0" in whole and "行动事项199" in whole and "更新199" in whole
    assert "<imgsrc=x/>&lt;" in whole and "<ahref='x'>link</a>" in whole
    assert "a" * 64 in whole
    assert "xxxxxxxxxx" in whole
    assert all(f"of{len(pages)}" in flat(page) or f"共{len(pages)}" in flat(page) for page in pages)


def test_the_gathered_data_for_300_questions_and_200_action_items_renders(app, client):
    setting, _version = seeded_meeting()
    meeting = setting.meeting
    topics = ["housing", "transport", "environment", "health"]
    db.session.add_all(Question(meeting_id=meeting.id, body=f"批量问题 {n}", topic=topics[n % 4],
                                status=QuestionStatus.APPROVED, vote_count=n % 50, asker_name=NAMED_ASKER,
                                contact_email=MARKER_EMAIL, contact_mobile=MARKER_MOBILE)
                       for n in range(300))
    for n in range(200):
        raw_item(meeting.department, setting.official, meeting=meeting, due_on=utcnow().date(), n=n + 100)
    db.session.commit()
    response = get_pdf(client, f"/meetings/{meeting.id}/summary.pdf", "en")
    pages = page_texts(response.data)
    assert len(pages) > 3
    whole = flat("\n".join(pages))
    assert "事项299" in whole and "事项100" in whole
    assert MARKER_EMAIL not in whole and MARKER_MOBILE not in whole and flat(NAMED_ASKER) not in whole


def test_the_meeting_page_links_to_the_summary_once_minutes_are_published(client):
    setting, _version = seeded_meeting(publish=False)
    url = f"/meetings/{setting.meeting.id}"
    assert "summary.pdf" not in client.get(url).get_data(as_text=True)
    mb.published(setting)
    assert f"/meetings/{setting.meeting.id}/summary.pdf" in client.get(url).get_data(as_text=True)


def test_the_staff_preview_links_to_the_draft_summary(client):
    setting, _version = seeded_meeting(publish=False)
    sign_in(client, setting.official)
    page = client.get(f"/manage/meetings/{setting.meeting.id}").get_data(as_text=True)
    assert f"/manage/meetings/{setting.meeting.id}/summary-draft.pdf" in page
    assert f"/meetings/{setting.meeting.id}/notice.pdf" in page


def test_every_demo_meeting_has_its_document(db, client, monkeypatch):
    """Past demo meetings with published minutes have a summary; upcoming published ones a notice."""
    import sqlalchemy as sa
    from werkzeug.security import generate_password_hash

    from app.accounts import models as account_models
    from app.demo.data import load_demo
    from app.meetings.models import Meeting
    from app.minutes.queries import has_published_minutes

    monkeypatch.setattr(account_models, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))
    load_demo(echo=lambda line: None)
    meetings = db.session.execute(sa.select(Meeting)).scalars().all()
    with_minutes = [m for m in meetings if m.is_public and has_published_minutes(m.id)]
    upcoming = [m for m in meetings if m.is_published and not m.is_past()]
    assert with_minutes and upcoming
    for meeting in with_minutes:
        response = get_pdf(client, f"/meetings/{meeting.id}/summary.pdf")
        assert response.status_code == 200 and flat(meeting.title) in flat("".join(page_texts(response.data)))
    for meeting in upcoming:
        assert get_pdf(client, f"/meetings/{meeting.id}/notice.pdf").status_code == 200
