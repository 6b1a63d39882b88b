"""The public minutes page, the no-JavaScript editor and the review buttons, through HTTP."""
from __future__ import annotations

from datetime import timedelta

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.minutes import services as ms
from app.minutes.content import Decision, decode, encode
from app.minutes.models import Minutes, MinutesVersion, VersionStatus
from tests import factories
from tests.helpers import field_error, row_counts, sign_in, text_of
from tests.minutes import builders


@pytest.fixture
def setting(app):
    return builders.past_meeting()


def editor_post(client, meeting_id: int, **changes) -> dict:
    """The editor's current form values (as a browser would send them), with `changes` applied."""
    import re

    page = client.get(f"/manage/meetings/{meeting_id}/minutes/edit")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    data: dict = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', body):
        data[name] = value
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\r?\n?(.*?)</textarea>', body, re.S):
        data[name] = value
    for name, block in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        selected = re.search(r'<option selected value="([^"]*)"', block) or re.search(r'value="([^"]*)"', block)
        data[name] = selected.group(1) if selected else ""
    data.pop("save_and_submit", None)
    data["save"] = "Save draft"
    data.update(changes)
    return data


def public_page(client, meeting_id: int) -> str:
    response = client.get(f"/meetings/{meeting_id}/minutes")
    assert response.status_code == 200
    return text_of(response)


def test_the_public_page_says_when_nothing_is_published_and_hides_drafts(client, setting):
    version = builders.submitted(setting)
    body = public_page(client, setting.meeting.id)
    assert "have not been published yet" in body and "同意方案" not in body
    ms.approve_minutes(setting.official, version)
    assert "同意方案" not in public_page(client, setting.meeting.id)


def test_draft_meetings_have_no_public_minutes(client, app):
    meeting = factories.make_meeting(status="draft")
    assert client.get(f"/meetings/{meeting.id}/minutes").status_code == 404


def test_citizens_read_the_published_minutes_with_their_fingerprint_and_the_history(client, setting):
    first = builders.published(setting)
    second = ms.start_correction(setting.clerk, first.minutes, "反对票数记录有误")
    content = decode(second.content)
    content.items[0].decisions[0].votes_against = 0
    content.items[0].decisions[0].votes_for = 9
    ms.save_draft(setting.clerk, second, content)
    ms.submit_minutes(setting.clerk, second)
    ms.approve_minutes(setting.second_official, second)
    ms.publish_minutes(setting.second_official, second)

    body = public_page(client, setting.meeting.id)
    assert "Approved text, version 2" in body
    assert second.content_hash in body and first.content_hash in body
    assert "Reason for the correction:</strong> 反对票数记录有误" in body
    assert "Votes: 9 for, 0 against, 1 abstaining" in body
    assert "Earlier versions" in body and "Version 1" in body
    assert "Votes: 8 for, 1 against, 1 abstaining" in body  # the removed line, in the diff
    assert 'class="diff-removed"' in body and 'class="diff-added"' in body
    detail = text_of(client.get(f"/meetings/{setting.meeting.id}"))
    assert "Minutes published" in detail and f"/meetings/{setting.meeting.id}/minutes" in detail


def test_user_text_is_escaped_on_the_public_page(client, setting):
    builders.published(setting, presiding="<script>alert(1)</script>")
    body = client.get(f"/meetings/{setting.meeting.id}/minutes").get_data(as_text=True)
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


def _many_versions(setting, n: int) -> None:
    content = builders.complete_content(setting)
    content.items[0].decisions = [Decision(motion=f"动议{i}", votes_for=1) for i in range(n)]
    minutes = Minutes(meeting_id=setting.meeting.id, created_by_id=setting.clerk.id)
    db.session.add(minutes)
    previous = None
    for number in range(1, n + 1):
        content.items[0].summary = f"第{number}版"
        text, digest = encode(content, meeting_id=setting.meeting.id, number=number)
        version = MinutesVersion(
            minutes=minutes, number=number, status=VersionStatus.PUBLISHED, content=text, content_hash=digest,
            prev_hash=previous.content_hash if previous else "", supersedes=previous,
            correction_reason=None if number == 1 else f"更正{number}", created_by_id=setting.clerk.id,
            submitted_by_id=setting.clerk.id, approved_by_id=setting.official.id,
            approved_at=factories.now(), published_at=factories.now(), published_by_id=setting.official.id)
        db.session.add(version)
        db.session.flush()
        previous = version
    db.session.commit()


EXPECTED_QUERIES = 4  # meeting (department, district), hosts, agenda, published versions with their people


@pytest.mark.parametrize("n", [1, 30])
def test_the_public_page_costs_the_same_queries_for_1_or_30_versions_and_decisions(client, app, count_queries, n):
    setting = builders.past_meeting()
    _many_versions(setting, n)
    meeting_id = setting.meeting.id
    db.session.remove()
    client.get(f"/meetings/{meeting_id}/minutes")
    with count_queries() as statements:
        response = client.get(f"/meetings/{meeting_id}/minutes")
    assert response.status_code == 200 and f"Approved text, version {n}" in text_of(response)
    assert len(statements) == EXPECTED_QUERIES, statements


def test_a_clerk_writes_a_draft_without_javascript_and_submits_it(client, setting):
    sign_in(client, setting.clerk)
    assert client.get(f"/manage/meetings/{setting.meeting.id}/minutes").status_code == 200
    token_page = text_of(client.get(f"/manage/meetings/{setting.meeting.id}/minutes"))
    assert "Start the minutes" in token_page
    from tests.helpers import page_token

    token = page_token(client, f"/manage/meetings/{setting.meeting.id}/minutes")
    response = client.post(f"/manage/meetings/{setting.meeting.id}/minutes/start", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/minutes/edit")
    start = setting.meeting.starts_at
    data = editor_post(client, setting.meeting.id, **{
        "presiding": "李明", "recorder": "张记", "citizens_present": "12",
        "items-0-summary": "介绍方案", "items-0-decisions-0-motion": "同意改造方案",
        "items-0-decisions-0-mover": "李明", "items-0-decisions-0-outcome": "carried",
        "items-0-decisions-0-votes_for": "10", "items-0-decisions-0-votes_against": "2",
        "public_comments-0-speaker": "居民甲", "public_comments-0-summary": "希望加快进度",
        "commitments-0-text": "一个月内公布施工计划", "commitments-0-due_on": "2030-02-01",
        "adjourned_at": (start + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"),
    })
    response = client.post(f"/manage/meetings/{setting.meeting.id}/minutes/edit", data=data)
    assert response.status_code == 302, re.findall(r"error-message[^>]*>(.*?)</p>|flash-error[^>]*>(.*?)</div>", response.get_data(as_text=True), re.S)
    version = db.session.execute(sa.select(MinutesVersion)).scalar_one()
    content = decode(version.content)
    assert content.items[0].decisions[0].motion == "同意改造方案"
    assert content.public_comments[0].speaker == "居民甲" and content.commitments[0].due_on == "2030-02-01"
    # Saving again adds empty rows: a second decision can be typed without JavaScript.
    data = editor_post(client, setting.meeting.id, **{"items-0-decisions-1-motion": "第二项动议",
                                                      "save_and_submit": "Submit", "save": None})
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(f"/manage/meetings/{setting.meeting.id}/minutes/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert version.status == VersionStatus.SUBMITTED
    assert [d.motion for d in decode(version.content).items[0].decisions] == ["同意改造方案", "第二项动议"]


@pytest.mark.parametrize("changes, field_id, message", [
    ({"items-0-decisions-0-motion": "动议", "items-0-decisions-0-votes_for": "-1"},
     "items-0-decisions-0-votes_for", "Votes cannot be negative."),
    ({"items-0-decisions-0-motion": "动议", "items-0-decisions-0-votes_for": "100001"},
     "items-0-decisions-0-votes_for", "Enter at most 100000 votes."),
    ({"citizens_present": "1000001"}, "citizens_present", "Enter at most 1000000 citizens present."),
    ({"items-0-decisions-0-motion": "动议", "items-0-decisions-0-votes_for": "500"},
     "items-0-decisions-0-votes_for", "more than the"),
    ({"items-0-decisions-0-motion": "动议", "items-0-decisions-0-roll_call_for": "李明\n陌生人"},
     "items-0-decisions-0-roll_call_for", "陌生人 is not listed among the officials present"),
    ({"adjourned_at": "2000-01-01T10:00"}, "adjourned_at", "cannot adjourn before it started"),
    ({"citizens_present": "-4"}, "citizens_present", "0 or more"),
])
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(client, setting, changes, field_id, message):
    ms.open_minutes(setting.clerk, setting.meeting)
    sign_in(client, setting.clerk)
    data = editor_post(client, setting.meeting.id, **changes)
    before = row_counts()
    response = client.post(f"/manage/meetings/{setting.meeting.id}/minutes/edit", data=data)
    assert response.status_code == 400
    assert message in field_error(response, field_id)
    assert row_counts() == before


def test_save_and_submit_of_an_incomplete_draft_saves_nothing(client, setting):
    version = ms.open_minutes(setting.clerk, setting.meeting)
    sign_in(client, setting.clerk)
    data = editor_post(client, setting.meeting.id, **{"items-0-summary": "未完成的摘要", "presiding": "",
                                                      "save_and_submit": "Submit", "save": None})
    data = {k: v for k, v in data.items() if v is not None}
    before, content = row_counts(), version.content
    response = client.post(f"/manage/meetings/{setting.meeting.id}/minutes/edit", data=data)
    assert response.status_code == 400
    assert "Name the presiding official" in field_error(response, "presiding")
    assert "Nothing was saved" in text_of(response)
    db.session.expire_all()
    assert row_counts() == before and version.content == content and version.is_draft


def test_editing_a_version_that_is_no_longer_a_draft_is_refused(client, setting):
    ms.open_minutes(setting.clerk, setting.meeting)
    sign_in(client, setting.clerk)
    data = editor_post(client, setting.meeting.id, citizens_present="99")
    version = builders.submitted(setting)
    before, content = row_counts(), version.content
    response = client.post(f"/manage/meetings/{setting.meeting.id}/minutes/edit", data=data)
    assert response.status_code == 409 and "no longer a draft" in text_of(response)
    assert row_counts() == before and db.session.get(MinutesVersion, version.id).content == content
    assert client.get(f"/manage/meetings/{setting.meeting.id}/minutes/edit").status_code == 302


def _post_action(client, meeting_id: int, version_id: int, action: str, **data):
    from tests.helpers import page_token

    token = page_token(client, f"/manage/meetings/{meeting_id}/minutes")
    return client.post(f"/manage/meetings/{meeting_id}/minutes/versions/{version_id}/{action}",
                       data={"csrf_token": token, **data})


def test_an_official_approves_and_publishes_through_the_pages(client, setting):
    version = builders.submitted(setting)
    sign_in(client, setting.official)
    page = text_of(client.get(f"/manage/meetings/{setting.meeting.id}/minutes"))
    assert "Approve" in page and "同意方案" in page
    assert _post_action(client, setting.meeting.id, version.id, "approve").status_code == 302
    response = _post_action(client, setting.meeting.id, version.id, "approve")
    assert response.status_code == 409 and "already been approved" in text_of(response)
    assert _post_action(client, setting.meeting.id, version.id, "publish").status_code == 302
    db.session.expire_all()
    assert version.status == VersionStatus.PUBLISHED


def test_clerks_get_no_approve_button_and_are_refused(client, setting):
    version = builders.submitted(setting)
    sign_in(client, setting.clerk)
    assert "Approve</button>" not in text_of(client.get(f"/manage/meetings/{setting.meeting.id}/minutes"))
    assert _post_action(client, setting.meeting.id, version.id, "approve").status_code == 403


def test_publishing_what_is_not_approved_is_refused_with_a_message(client, setting):
    version = builders.submitted(setting)
    sign_in(client, setting.official)
    response = _post_action(client, setting.meeting.id, version.id, "publish")
    assert response.status_code == 409 and "Only approved minutes can be published" in text_of(response)


def test_sending_back_needs_a_comment(client, setting):
    version = builders.submitted(setting)
    sign_in(client, setting.official)
    response = _post_action(client, setting.meeting.id, version.id, "return", comment="")
    assert response.status_code == 400
    response = _post_action(client, setting.meeting.id, version.id, "return", comment="请补充")
    assert response.status_code == 302
    db.session.expire_all()
    assert version.status == VersionStatus.DRAFT


def test_a_correction_needs_a_reason_through_the_page(client, setting):
    from tests.helpers import page_token

    builders.published(setting)
    sign_in(client, setting.clerk)
    url = f"/manage/meetings/{setting.meeting.id}/minutes/correction"
    response = client.post(url, data={"csrf_token": page_token(client, url), "reason": " "})
    assert response.status_code == 400 and field_error(response, "reason")
    response = client.post(url, data={"csrf_token": page_token(client, url), "reason": "笔误"})
    assert response.status_code == 302
    assert db.session.execute(sa.select(sa.func.count()).select_from(MinutesVersion)).scalar_one() == 2
