"""What the public summary PDF says, read back from its text (pypdf), in English and in Chinese: the
meeting's details in its own time zone, attendance counted once per person, decisions with their votes,
the most-voted questions with responses and outcomes, the rest by topic, the follow-up table, the minutes
version and SHA-256, page X of Y, and no contacts. Long updates are printed whole."""
from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from app.actions.models import ActionStatus, ActionUpdate
from app.db import utcnow
from app.extensions import db
from app.i18n import local_date
from app.questions.models import QuestionOutcome
from app.registrations.models import Registration, RegistrationChannel, RegistrationStatus
from app.reports import documents
from app.reports.pdf.summary import SummaryAction, SummaryData, build_summary
from tests.actions.builders import raw_item
from tests.minutes import builders as mb
from tests.questions.builders import make_question
from tests.reports.pdfcheck import body_text, flat, page_texts

ZONE = "America/Los_Angeles"
SECRET_EMAIL = "secret-contact@example.org"
SECRET_MOBILE = "13911112222"
ASKER = "提问人赵六"
RESPONSE = "明年三月开工，工期两个月。"


@pytest.fixture(autouse=True)
def _fresh_cache():
    documents.pdf_cache.clear()
    yield
    documents.pdf_cache.clear()


def _person(meeting, n, *, channel=RegistrationChannel.WEB, status=RegistrationStatus.CONFIRMED, came=False):
    email = f"p{n}-{SECRET_EMAIL}" if channel == RegistrationChannel.WEB else ""
    db.session.add(Registration(
        meeting_id=meeting.id, code=f"S{n:06d}", token_hash=f"s{n:063d}", name=f"登记人{n}", email=email,
        email_normalized=email or None, mobile=f"1391111{n:04d}" if channel != RegistrationChannel.WALK_IN else "",
        mobile_normalized=f"1391111{n:04d}" if channel != RegistrationChannel.WALK_IN else None,
        channel=channel, status=status, queue_number=n, checked_in_at=utcnow() if came else None))


@pytest.fixture
def meeting_with_everything():
    """A past town hall in Los Angeles, with registrations of every kind, 15 questions, two action items
    and published minutes."""
    start = (utcnow() - timedelta(days=5)).replace(hour=2, minute=0, second=0, microsecond=0)
    setting = mb.past_meeting(timezone=ZONE, starts_at=start, ends_at=start + timedelta(hours=2),
                              host_note="特邀专家 陈教授", venue_name="Hubei Road Community Centre",
                              address="88 Hubei Road")
    meeting = setting.meeting
    for n in range(1, 6):
        _person(meeting, n, came=n <= 3)                                           # 5 registered, 3 came
    _person(meeting, 6, channel=RegistrationChannel.PHONE, came=True)              # by phone, came
    _person(meeting, 7, status=RegistrationStatus.WAITLISTED)
    _person(meeting, 8, status=RegistrationStatus.CANCELLED)
    for n in (9, 10):
        _person(meeting, n, channel=RegistrationChannel.WALK_IN, came=True)          # 2 walk-ins
    _person(meeting, 11, channel=RegistrationChannel.WALK_IN, status=RegistrationStatus.CANCELLED, came=True)
    db.session.commit()
    top = make_question(meeting, body="广场什么时候改造？", topic="housing", asker_name=ASKER,
                        contact_email=SECRET_EMAIL, contact_mobile=SECRET_MOBILE, outcome=QuestionOutcome.ANSWERED,
                        response=RESPONSE, outcome_at=utcnow())
    second = make_question(meeting, body="Will the bus stop move?", topic="transport", is_anonymous=True,
                           outcome=QuestionOutcome.REFERRED, response="Referred to the Transport Bureau.",
                           outcome_at=utcnow())
    ranked = [top, second] + [make_question(meeting, body=f"热门问题{n}号", topic="housing") for n in range(8)]
    rest = [make_question(meeting, body=f"其他问题{n}号", topic=topic)
            for n, topic in enumerate(["transport"] * 3 + ["environment"] * 2)]
    for votes, question in zip(range(40, 0, -3), ranked + rest):
        question.vote_count = votes
    first = raw_item(meeting.department, setting.official, meeting=meeting, status=ActionStatus.IN_PROGRESS,
                     due_on=(start + timedelta(days=40)).date(), n=1)
    first.title = "修复广场地砖"
    raw_item(meeting.department, setting.second_official, meeting=meeting, status=ActionStatus.OPEN,
             due_on=(start + timedelta(days=60)).date(), n=2).title = "增设公交站台"
    db.session.flush()
    db.session.add(ActionUpdate(action_item_id=first.id, body="已完成设计招标", author_id=setting.official.id,
                                created_at=start + timedelta(days=3)))
    db.session.commit()
    version = mb.published(setting)
    return setting, version, start


def _pdf(client, meeting, language):
    response = client.get(f"/meetings/{meeting.id}/summary.pdf",
                          headers={"Accept-Language": "en" if language == "en" else "zh-CN"})
    assert response.status_code == 200
    return response.data


def _in_order(text: str, *parts: str) -> bool:
    """The parts appear in this order (a table row read left to right)."""
    position = 0
    for part in parts:
        position = text.find(flat(part), position)
        if position < 0:
            return False
    return True


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_summary_says_what_the_issue_lists(app, client, meeting_with_everything, language):
    setting, version, start = meeting_with_everything
    meeting = setting.meeting
    pdf = _pdf(client, meeting, language)
    pages = page_texts(pdf)
    text = flat("\n".join(pages))
    local = start.astimezone(ZoneInfo(ZONE))   # the evening before in Los Angeles (02:00 UTC)
    with app.test_request_context(), force_locale(language):
        labels = {key: _(key) for key in ("Hosted by", "Presiding", "Organiser", "Place", "Registered", "Checked in",
                                          "Walk-ins", "Total present", "Response")}
        due = local_date((start + timedelta(days=40)).date(), ZONE, "medium")
        update_on = local_date(start + timedelta(days=3), ZONE, "medium")
        answered, referred = _("Answered"), _("Referred to a department")
        transport, environment = _("Transport and roads"), _("Environment")
        status = str(ActionStatus.IN_PROGRESS.label)
        colon = _("%(label)s: %(value)s", label="", value="")

    # Details: type, title, time in the meeting's zone, place, hosts and presiding (distinct labels), organiser.
    assert labels["Hosted by"] != labels["Presiding"]
    assert flat(meeting.title) in text and ZONE in text
    if language == "en":
        assert "Townhallforum" in text and flat(f"{local:%A}, {local:%B} {local.day}, {local.year}") in text
        assert flat(f"{local.hour - 12}:00") in text and "PM" in text
    else:
        assert "座谈会" in text and f"{local.year}年{local.month}月{local.day}日" in text and f"{local:%H:%M}" in text
    assert _in_order(text, labels["Place"], "Hubei Road Community Centre, 88 Hubei Road")
    assert _in_order(text, labels["Hosted by"], "李明, 王芳; 特邀专家 陈教授", labels["Organiser"],
                     meeting.department.name_en if language == "en" else meeting.department.name_zh,
                     labels["Presiding"], "李明")
    # Attendance: 6 registered (web and phone), 4 of them checked in, 2 walk-ins, 6 present; nobody twice.
    for label, value in (("Registered", 6), ("Checked in", 4), ("Walk-ins", 2), ("Total present", 6)):
        assert flat(f"{labels[label]}{colon}{value}") in text, (label, value)
    # The decision and its votes.
    assert "同意方案" in text and (("Votes:8for,1against,1abstaining" in text) if language == "en"
                                    else "表决：赞成8票，反对1票，弃权1票" in text)
    # The ten most-voted questions with their responses and outcome labels; the other five by topic.
    assert _in_order(text, "广场什么时候改造？", answered, f"{labels['Response']}{colon}{RESPONSE}",
                     "Willthebusstopmove?", referred, "ReferredtotheTransportBureau.", "热门问题7号")
    assert "其他问题0号" not in text
    assert flat(f"{transport}{colon}3") in text and flat(f"{environment}{colon}2") in text
    # The follow-up table, row by row.
    assert _in_order(text, "修复广场地砖", meeting.department.name_en if language == "en"
                     else meeting.department.name_zh, "李明", due, status, f"{update_on}{colon}已完成设计招标")
    assert "增设公交站台" in text and "王芳" in text
    # The minutes record, page X of Y on every page, and no personal data.
    assert version.content_hash in text
    assert flat(f"Version {version.number}" if language == "en" else f"第 {version.number} 版") in text
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert flat(f"Page {number} of {total}" if language == "en" else f"第{number}页，共{total}页") in flat(page)
    for secret in (SECRET_EMAIL, SECRET_MOBILE, ASKER, "登记人1", "13911110001"):
        assert flat(secret) not in text, secret


def test_chinese_pdfs_join_labels_and_values_with_a_full_width_colon(client, meeting_with_everything):
    setting, _version, _start = meeting_with_everything
    text = "\n".join(page_texts(_pdf(client, setting.meeting, "zh_CN")))
    for label in ("报名人数", "已签到", "现场登记", "实到人数", "答复"):
        assert f"{label}：" in text and f"{label}:" not in text, label
    assert "：已完成设计招标" in flat(text) and ":已完成设计招标" not in flat(text)  # the update's date
    assert not re.search(r"[\u3000-\u9fff]\s*:", text)  # no ASCII colon after Chinese anywhere


LONG_UPDATE = ("第一阶段：完成排水管网普查，共排查管线12.6公里，发现破损点37处。" * 120)[:3994] + "全文到此结束"
UNBROKEN = "https://example.gov.cn/" + "x" * 1500 + "/end"


@pytest.mark.parametrize("update", [LONG_UPDATE, UNBROKEN], ids=["4000-characters", "unbroken"])
def test_a_long_update_in_the_action_table_is_printed_whole(app, update):
    actions = [SummaryAction(title=f"事项{n}", department="市水务局", official="吴国平", due="2027年1月1日",
                             status="进行中", latest_update=f"更新{n}") for n in range(30)]
    actions.insert(12, SummaryAction(title="长文本事项", department="市水务局", official="吴国平",
                                     due="2027年1月1日", status="进行中", latest_update=update))
    data = SummaryData(meeting_title="排水改造座谈会", meeting_type="座谈会", when_text="2026年12月3日 14:30",
                       place="社区中心", hosts="吴国平", organiser="市水务局", actions=tuple(actions))
    with app.test_request_context(), force_locale("zh_CN"):
        pdf = build_summary(data)
    assert len(update) >= 1500 and len(LONG_UPDATE) == 4000
    body = flat(body_text(pdf))
    assert flat(update) in body  # whole, even where it flows onto the next page
    assert "更新0" in body and "更新29" in body and "事项29" in body
    assert body.count("长文本事项") == 2 and "（全文见本行下方）" in body  # its row, and the heading above the text
