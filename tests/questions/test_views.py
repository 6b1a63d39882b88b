"""The citizen's side through the real pages: the list and ask form, the no-JavaScript confirm step,
voting, suggestions, the projector, the private follow link; anonymity, user text shown as text,
rate limits and query counts."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db as _db
from app.notify.models import OutboxMessage
from app.notify.private import reveal
from app.questions import services as qs
from app.questions.models import Question, QuestionFollower, QuestionStatus, QuestionVote
from app.questions.voters import COOKIE_NAME, voter_key_for_registration
from tests import factories
from tests.conftest import csrf_token_from
from tests.helpers import row_counts, text_of
from tests.questions.builders import (follow, follow_link, make_question, make_registration_link, post_question,
                                     set_mode, vote_on, voter_keys)
from tests.reports.pdfcheck import flat, page_texts

SCRIPT = '<script>alert("pwned")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;"


def html_of(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    _db.session.expire_all()
    return _db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


# ---------------------------------------------------------------------------- asking

def test_a_citizen_asks_and_gets_a_private_follow_link(client, db):
    meeting = factories.make_meeting()
    response = post_question(client, meeting, body="社区医院什么时候开门？", contact_email="liu@example.cn")
    html = html_of(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    question = db.session.execute(sa.select(Question)).scalar_one()
    assert question.status == QuestionStatus.PENDING and question.language == "zh_CN"
    link = follow_link(html)
    email = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    assert link in reveal(email).text and link.split("/")[-1] not in email.body_text
    page = client.get(link)
    assert page.status_code == 200 and "社区医院什么时候开门？" in text_of(page)
    assert page.headers["Cache-Control"] == "no-store"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(COOKIE_NAME + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_english_visitor_s_question_and_emails_are_in_english(client, db):
    meeting = factories.make_meeting(title="Parks forum")
    post_question(client, meeting, body="Can the park stay open later in summer?", topic="urban_management",
                  contact_email="amy@example.com", headers={"Accept-Language": "en-GB"})
    question = db.session.execute(sa.select(Question)).scalar_one()
    assert question.language == "en"
    assert db.session.execute(sa.select(OutboxMessage.subject)).scalar_one() == "Your question is received: Parks forum"


@pytest.mark.parametrize("fields, field_id", [
    ({"body": ""}, "body"),
    ({"body": "  \u200b \n "}, "body"),
    ({"body": "长" * 1001}, "body"),
    ({"topic": "not-a-topic"}, "topic"),
    ({"topic": ""}, "topic"),
    ({"contact_email": "nope"}, "contact_email"),
    ({"contact_mobile": "123"}, "contact_mobile"),
])
def test_bad_input_gets_a_message_next_to_the_field_and_writes_nothing(client, db, fields, field_id):
    from tests.helpers import field_error

    meeting = factories.make_meeting()
    before = row_counts()
    response = post_question(client, meeting, headers={"Accept-Language": "en"}, **fields)
    assert response.status_code == 400
    assert field_error(response, field_id)
    assert row_counts() == before


def test_similar_questions_are_offered_before_asking_and_the_citizen_may_still_ask(client, db):
    meeting = factories.make_meeting()
    existing = make_question(meeting, body="我们小区什么时候能加装电梯？", votes=7)
    response = post_question(client, meeting, body="小区加装电梯的进度如何", headers={"Accept-Language": "en"})
    html = html_of(response)
    assert response.status_code == 200
    assert "我们小区什么时候能加装电梯？" in html and f"/questions/{existing.id}/vote" in html
    assert count(Question) == 1                                      # nothing sent yet
    assert 'name="confirmed"' in html and 'value="1"' in html
    token = csrf_token_from(html)
    submission = re.search(r'name="submission_id"[^>]*value="([^"]+)"', html).group(1)
    sent = client.post(f"/meetings/{meeting.id}/questions", data={
        "csrf_token": token, "submission_id": submission, "confirmed": "1", "body": "小区加装电梯的进度如何",
        "topic": "housing"})
    assert sent.status_code == 200 and count(Question) == 2
    assert "/questions/t/" in html_of(sent)


def test_voting_from_the_suggestions_counts_a_vote_and_asks_nothing(client, db):
    meeting = factories.make_meeting()
    existing = make_question(meeting, body="When will bus route 38 come back?")
    html = html_of(post_question(client, meeting, body="Is bus route 38 coming back?", topic="transport"))
    token = csrf_token_from(html)
    response = client.post(f"/questions/{existing.id}/vote", data={
        "csrf_token": token, "next": f"/meetings/{meeting.id}/questions"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#q-{existing.id}")
    assert count(Question) == 1 and count(QuestionVote) == 1


def test_the_suggestion_fragment_finds_chinese_and_english_questions(client, db):
    meeting = factories.make_meeting()
    chinese = make_question(meeting, body="老旧小区改造什么时候开始？")
    english = make_question(meeting, body="Can the council add more parking spaces near the station?")
    make_question(meeting, status="pending", body="老旧小区改造资金从哪里来？")
    url = f"/meetings/{meeting.id}/questions/similar"
    found = html_of(client.get(url, query_string={"q": "老旧小区什么时候改造"}))
    assert "老旧小区改造什么时候开始？" in found and f"#q-{chinese.id}" in found
    assert "资金从哪里来" not in found                                # unpublished questions are never suggested
    assert f"#q-{english.id}" in html_of(client.get(url, query_string={"q": "more parking spaces please"}))
    assert "similar-questions" not in html_of(client.get(url, query_string={"q": "天气"}))
    response = client.get(url, query_string={"q": "x" * 5000})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_a_closed_meeting_shows_the_message_and_takes_no_questions_or_votes(client, db):
    meeting = factories.make_meeting()
    question = make_question(meeting)
    token_page = html_of(client.get(f"/meetings/{meeting.id}/questions"))
    set_mode(meeting, is_closed=True, closed_message="提问已截止，感谢参与！")
    page = html_of(client.get(f"/meetings/{meeting.id}/questions"))
    assert "提问已截止，感谢参与！" in page and 'name="body"' not in page and "/vote" not in page
    before = row_counts()
    asked = client.post(f"/meetings/{meeting.id}/questions", data={
        "csrf_token": csrf_token_from(token_page), "body": "还能提问吗？", "topic": "other", "confirmed": "1"})
    assert asked.status_code == 409 and "提问已截止，感谢参与！" in html_of(asked)
    voted = client.post(f"/questions/{question.id}/vote", data={"csrf_token": csrf_token_from(token_page)},
                        follow_redirects=True)
    assert "提问已截止，感谢参与！" in html_of(voted)
    assert row_counts() == before


def test_draft_meetings_have_no_question_pages(client):
    meeting = factories.make_meeting(status="draft")
    for url in (f"/meetings/{meeting.id}/questions", f"/meetings/{meeting.id}/questions/projector",
                f"/meetings/{meeting.id}/questions/similar?q=abc"):
        assert client.get(url).status_code == 404


# ---------------------------------------------------------------------------- the list and voting

def test_the_list_sorts_by_votes_or_newest_and_filters_by_topic(client, db):
    meeting = factories.make_meeting()
    few = make_question(meeting, body="Few votes, newest", votes=1, minutes_ago=5, topic="transport")
    many = make_question(meeting, body="Many votes, oldest", votes=9, minutes_ago=50, topic="housing")
    make_question(meeting, status="pending", body="Still pending")
    make_question(meeting, status="rejected", body="Was rejected")
    url = f"/meetings/{meeting.id}/questions"

    def order(query: str = "") -> list[int]:
        html = html_of(client.get(url + query))
        return [int(n) for n in re.findall(r'<li class="question-item[^"]*" id="q-(\d+)"', html)]

    assert order() == [many.id, few.id]
    assert order("?sort=new") == [few.id, many.id]
    assert order("?topic=transport") == [few.id]
    assert order("?topic=%3Cscript%3E") == []
    assert client.get(url + "?topic=nonsense&sort=zzz&page=-3").status_code == 200
    page = html_of(client.get(url))
    assert "Still pending" not in page and "Was rejected" not in page


def test_a_citizen_votes_once_and_sees_that_they_voted(client, db):
    meeting = factories.make_meeting()
    question = make_question(meeting, votes=2)
    first = vote_on(client, question.id, meeting.id, next=f"/meetings/{meeting.id}/questions?sort=new")
    assert first.status_code == 303
    assert first.headers["Location"] == f"/meetings/{meeting.id}/questions?sort=new#q-{question.id}"
    again = vote_on(client, question.id, meeting.id, headers={"Accept-Language": "en"})
    page = client.get(again.headers["Location"], headers={"Accept-Language": "en"})
    assert "You have already voted for this question." in text_of(page) and "You voted" in text_of(page)
    assert db.session.get(Question, question.id).vote_count == 3 and len(voter_keys(question.id)) == 3


def test_another_browser_is_another_voter(app, db):
    meeting = factories.make_meeting()
    question = make_question(meeting)
    for _ in range(2):
        vote_on(app.test_client(), question.id, meeting.id)
    assert db.session.get(Question, question.id).vote_count == 2


def test_a_forged_voter_cookie_is_ignored(client, db):
    meeting = factories.make_meeting()
    question = make_question(meeting)
    client.set_cookie(COOKIE_NAME, "made-up-value")
    response = vote_on(client, question.id, meeting.id)
    assert any(c.startswith(COOKIE_NAME + "=") and "made-up-value" not in c
               for c in response.headers.getlist("Set-Cookie"))
    assert db.session.get(Question, question.id).vote_count == 1


@pytest.mark.parametrize("status, phrase", [("rejected", "not published"), ("pending", "waiting for moderation")])
def test_votes_on_unpublished_questions_get_a_message_and_write_nothing(client, db, status, phrase):
    meeting = factories.make_meeting()
    question = make_question(meeting, status=status)
    before = row_counts()
    response = vote_on(client, question.id, meeting.id, headers={"Accept-Language": "en"})
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert phrase in text_of(page)
    counts = row_counts()
    assert counts == before


def test_a_vote_on_a_merged_question_is_sent_to_the_kept_one(client, db):
    meeting = factories.make_meeting()
    official = factories.make_user("official", department_id=meeting.department_id)
    kept, duplicate = make_question(meeting), make_question(meeting)
    qs.merge_questions(official, duplicate, kept)
    response = vote_on(client, duplicate.id, meeting.id)
    assert response.headers["Location"].endswith(f"#q-{kept.id}")
    assert count(QuestionVote) == 0


def test_voting_needs_a_csrf_token_and_a_public_question(client, db):
    meeting = factories.make_meeting()
    question = make_question(meeting)
    assert client.post(f"/questions/{question.id}/vote").status_code == 400
    draft_question = make_question(factories.make_meeting(status="draft"))
    assert vote_on(client, draft_question.id, meeting.id).status_code == 404
    assert vote_on(client, 999_999, meeting.id).status_code == 404
    assert count(QuestionVote) == 0


def test_asking_and_voting_floods_get_a_429_page_not_a_500(app, client, db):
    app.config["QUESTION_VOTE_RATE_LIMIT"] = "3 per minute"
    app.config["QUESTION_ASK_RATE_LIMIT"] = "2 per minute"
    meeting = factories.make_meeting()
    questions = [make_question(meeting) for _ in range(5)]
    # The first vote (no cookie yet) counts against the address; the next ones against the voter cookie it set.
    statuses = [vote_on(client, q.id, meeting.id).status_code for q in questions]
    assert statuses == [303, 303, 303, 303, 429]
    refused = vote_on(client, questions[0].id, meeting.id, headers={"Accept-Language": "en"})
    assert refused.status_code == 429 and "too many requests" in text_of(refused).lower()
    asks = [post_question(client, meeting, body=f"问题{n}号：公园开放时间", confirmed="1").status_code
            for n in range(3)]
    assert asks == [200, 200, 429]
    assert count(QuestionVote) == 4 and count(Question) == 5 + 2


def test_a_browser_without_its_cookie_is_limited_by_its_address(app, db):
    """Dropping the voter cookie to reset the limit does not work: cookie-less requests share the address's bucket."""
    app.config["QUESTION_VOTE_RATE_LIMIT"] = "2 per minute"
    meeting = factories.make_meeting()
    questions = [make_question(meeting) for _ in range(3)]
    statuses = [vote_on(app.test_client(), q.id, meeting.id).status_code for q in questions]
    assert statuses == [303, 303, 429]


# ---------------------------------------------------------------------------- registration voters

def test_a_registration_votes_once_whichever_browser_it_uses(app, db):
    meeting = factories.make_meeting(starts_in=timedelta(minutes=-10))
    question = make_question(meeting)
    registration, token = make_registration_link(meeting)
    phone, laptop = app.test_client(), app.test_client()
    for browser in (phone, laptop):
        page = browser.get(f"/registrations/{token}")
        assert page.status_code == 200 and f'href="/meetings/{meeting.id}/questions"' in html_of(page)
    listing = text_of(phone.get(f"/meetings/{meeting.id}/questions", headers=EN))
    assert "your votes count for your registration" in listing
    assert "counted" in flash_after(phone, vote_on(phone, question.id, meeting.id, headers=EN))
    assert "already voted" in flash_after(laptop, vote_on(laptop, question.id, meeting.id, headers=EN))
    db.session.expire_all()
    assert question.vote_count == 1
    assert voter_keys(question.id) == {voter_key_for_registration(registration.id)}
    # The laptop shows the vote as its own: it is the registration's.
    assert 'class="voted"' in html_of(laptop.get(f"/meetings/{meeting.id}/questions"))


def test_a_browser_that_voted_and_then_opens_its_registration_link_gets_no_second_vote(app, db):
    """The phone votes as itself, the laptop as the registration; when the phone opens the private link,
    its votes become the registration's and the question both voted for counts the person once."""
    meeting = factories.make_meeting(starts_in=timedelta(minutes=-10))
    both, only_phone, later = make_question(meeting), make_question(meeting), make_question(meeting)
    registration, token = make_registration_link(meeting)
    phone, laptop = app.test_client(), app.test_client()
    vote_on(phone, both.id, meeting.id)
    vote_on(phone, only_phone.id, meeting.id)
    laptop.get(f"/registrations/{token}")
    vote_on(laptop, both.id, meeting.id)
    db.session.expire_all()
    assert both.vote_count == 2                  # until the phone proves it is the same registration
    phone.get(f"/registrations/{token}")
    vote_on(phone, later.id, meeting.id)
    assert "already voted" in flash_after(phone, vote_on(phone, only_phone.id, meeting.id, headers=EN))
    assert "already voted" in flash_after(laptop, vote_on(laptop, only_phone.id, meeting.id, headers=EN))
    db.session.expire_all()
    key = voter_key_for_registration(registration.id)
    for question in (both, only_phone, later):
        assert voter_keys(question.id) == {key} and question.vote_count == 1


def test_a_forged_registrant_cookie_is_ignored(app, db):
    meeting = factories.make_meeting(starts_in=timedelta(minutes=-10))
    question = make_question(meeting)
    registration, _token = make_registration_link(meeting)
    browser = app.test_client()
    browser.set_cookie("townhall_registrant", f'{{"{meeting.id}": {registration.id}}}')
    vote_on(browser, question.id, meeting.id)
    assert voter_key_for_registration(registration.id) not in voter_keys(question.id)
    assert len(voter_keys(question.id)) == 1


EN = {"Accept-Language": "en"}


def flash_after(client, response) -> str:
    assert response.status_code == 303, response.status_code
    return text_of(client.get(response.headers["Location"], headers={"Accept-Language": "en"}))


# ---------------------------------------------------------------------------- anonymity and user text

def test_anonymous_askers_are_anonymous_on_every_public_surface(client, db):
    meeting = factories.make_meeting(starts_in=timedelta(minutes=-10))
    official = factories.make_user("official", department_id=meeting.department_id)
    hidden = make_question(meeting, body="楼道灯坏了谁来修？", asker_name="秘密的名字", is_anonymous=True,
                           contact_email="secret@example.cn", contact_mobile="+8613800138000", votes=5)
    named = make_question(meeting, body="公园几点关门？", asker_name="公开的名字", contact_email="named@example.cn",
                          votes=4)
    qs.set_now_answering(official, meeting, hidden)
    kept_token = follow(named, email=None)
    urls = [f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/questions",
            f"/meetings/{meeting.id}/questions?sort=new", f"/meetings/{meeting.id}/questions/projector",
            f"/meetings/{meeting.id}/questions/similar?q=楼道灯坏了", f"/questions/t/{kept_token}"]
    qs.merge_questions(official, make_question(meeting, body="公园关门时间？"), named)
    for url in urls:
        page = text_of(client.get(url))
        assert "秘密的名字" not in page, url
        for contact in ("secret@example.cn", "8613800138000", "named@example.cn"):
            assert contact not in page, url
    assert "公开的名字" in text_of(client.get(f"/meetings/{meeting.id}/questions"))
    # The projector shows no names at all, named or not.
    projector = text_of(client.get(f"/meetings/{meeting.id}/questions/projector"))
    assert "楼道灯坏了谁来修？" in projector and "公开的名字" not in projector
    # The minutes (questions answered in the room) and the summary PDF, once published.
    qs.mark_answered_live(official, hidden)
    publish_minutes_linking(meeting, official, [hidden])
    minutes_page = text_of(client.get(f"/meetings/{meeting.id}/minutes"))
    summary = pdf_text(client.get(f"/meetings/{meeting.id}/summary.pdf"))
    assert "楼道灯坏了谁来修？" in minutes_page and flat("楼道灯坏了谁来修？") in summary
    for surface in (minutes_page, summary):
        assert "秘密的名字" not in surface and "8613800138000" not in surface and "secret@example.cn" not in surface


def publish_minutes_linking(meeting, official, questions):
    """Minutes of `meeting` linking `questions` (answered in the room), written by a clerk of its
    department, approved and published by `official`."""
    from app.minutes import services as ms
    from app.minutes.content import AnsweredQuestion, MinutesContent, format_instant

    clerk = factories.make_user("clerk", department_id=meeting.department_id)
    version = ms.open_minutes(clerk, meeting)
    ms.save_draft(clerk, version, MinutesContent(
        presiding=official.name, recorder=clerk.name, adjourned_at=format_instant(meeting.starts_at + timedelta(hours=1)),
        questions=[AnsweredQuestion(q.id, "") for q in questions]))
    ms.submit_minutes(clerk, version)
    ms.approve_minutes(official, version)
    return ms.publish_minutes(official, version)


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return flat("".join(page_texts(response.data)))


def test_a_moderators_edit_and_anonymity_reach_minutes_saved_before_it(client, db):
    """The clerk links a question answered in the room; a moderator then takes a phone number out of it
    and makes its asker anonymous. The minutes, submitted without saving again, are published with the
    edited text and no name."""
    from app.minutes import services as ms
    from app.minutes.content import AnsweredQuestion, decode
    from tests.minutes import builders

    setting = builders.past_meeting()
    meeting = setting.meeting
    question = make_question(meeting, body="我家电话13912345678，楼道灯坏了谁来修？", asker_name="张秘密", votes=6,
                             outcome="answered_live", outcome_at=factories.now())
    version = ms.open_minutes(setting.clerk, meeting)
    ms.save_draft(setting.clerk, version, builders.complete_content(setting, questions=[AnsweredQuestion(question.id, "")]))
    assert decode(version.content).questions == [AnsweredQuestion(question.id, question.body, "张秘密")]
    qs.edit_question(setting.official, question, body="楼道灯坏了谁来修？", topic=question.topic.value,
                     asker_name="张秘密", is_anonymous=True)
    _db.session.expire_all()
    assert decode(version.content).questions == [AnsweredQuestion(question.id, "楼道灯坏了谁来修？", "")]
    ms.submit_minutes(setting.clerk, version)
    ms.approve_minutes(setting.official, version)
    ms.publish_minutes(setting.official, version)
    minutes_page = text_of(client.get(f"/meetings/{meeting.id}/minutes"))
    summary = pdf_text(client.get(f"/meetings/{meeting.id}/summary.pdf"))
    assert "楼道灯坏了谁来修？" in minutes_page and flat("楼道灯坏了谁来修？") in summary
    for surface in (minutes_page, summary):
        assert "13912345678" not in surface and "张秘密" not in surface


def test_html_and_script_are_shown_as_text_everywhere(client, db, login_as):
    meeting = factories.make_meeting(starts_in=timedelta(minutes=-10))
    official = factories.make_user("official", department_id=meeting.department_id)
    question = make_question(meeting, body=SCRIPT + " 加装电梯", asker_name=SCRIPT, votes=3)
    qs.set_now_answering(official, meeting, question)
    follower_token = follow(question, email="asker@example.cn")
    qs.record_outcome(official, question, qs.OutcomeInput(outcome="declined", reason=SCRIPT, plan=SCRIPT))
    qs.set_now_answering(official, meeting, question)
    public_urls = [f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/questions",
                   f"/meetings/{meeting.id}/questions/projector",
                   f"/meetings/{meeting.id}/questions/similar?q=加装电梯",
                   f"/questions/t/{follower_token}"]
    for url in public_urls:
        html = html_of(client.get(url))
        assert SCRIPT not in html and ESCAPED in html, url
    email = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    assert SCRIPT not in email.body_html and ESCAPED in email.body_html
    login_as("official", department_id=meeting.department_id)
    for url in (f"/manage/meetings/{meeting.id}/questions?view=all",
                f"/manage/meetings/{meeting.id}/questions/{question.id}",
                f"/manage/meetings/{meeting.id}/questions/console", "/manage/"):
        html = html_of(client.get(url))
        assert SCRIPT not in html, url


def test_the_projector_reloads_itself_with_or_without_script_and_shows_the_current_and_top_questions(client, db):
    meeting = factories.make_meeting(starts_in=timedelta(minutes=-10))
    official = factories.make_user("official", department_id=meeting.department_id)
    make_question(meeting, body="得票最多的问题", votes=9)
    current = make_question(meeting, body="正在回答的问题", votes=1)
    make_question(meeting, body="已经答复的问题", votes=20, outcome="answered", response="已答复",
                  outcome_at=factories.now())
    qs.set_now_answering(official, meeting, current)
    response = client.get(f"/meetings/{meeting.id}/questions/projector")
    html = html_of(response)
    # Without JavaScript the <noscript> meta refresh reloads; with it, the external projector.js does
    # (axe flags a bare meta refresh). No inline script: the CSP forbids it.
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', html)
    assert re.search(r'<script src="/static/js/projector.js" data-refresh-seconds="\d+" defer></script>', html)
    assert response.headers["Cache-Control"] == "no-store"
    assert html.index("正在回答的问题") < html.index("得票最多的问题")
    assert "已经答复的问题" not in html                                    # answered ones leave the screen


# ---------------------------------------------------------------------------- the private follow link

def test_the_follow_link_shows_the_reason_for_a_rejection(client, db):
    meeting = factories.make_meeting()
    question = make_question(meeting, status="pending")
    token = follow(question)
    qs.reject_question(factories.make_user("clerk", department_id=meeting.department_id), question,
                       reason="问题包含他人电话号码。")
    assert "问题包含他人电话号码。" in text_of(client.get(f"/questions/t/{token}"))


def test_the_follow_link_of_a_merged_question_shows_the_kept_question_and_its_answer(client, db):
    meeting = factories.make_meeting()
    official = factories.make_user("official", department_id=meeting.department_id)
    kept = make_question(meeting, body="公交38路何时恢复？")
    duplicate = make_question(meeting, body="38路公交车还会回来吗？")
    token = follow(duplicate)
    qs.merge_questions(official, duplicate, kept)
    qs.record_outcome(official, kept, qs.OutcomeInput(outcome="answered", response="五月恢复运营。"))
    page = text_of(client.get(f"/questions/t/{token}"))
    assert "38路公交车还会回来吗？" in page and "公交38路何时恢复？" in page and "五月恢复运营。" in page


def test_stopping_emails_through_the_link(client, db):
    meeting = factories.make_meeting()
    token = follow(make_question(meeting), email="stop@example.cn")
    page = html_of(client.get(f"/questions/t/{token}"))
    response = client.post(f"/questions/t/{token}/stop-emails", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    assert db.session.execute(sa.select(QuestionFollower.email)).scalar_one() is None
    assert "stop@example.cn" not in html_of(client.get(f"/questions/t/{token}"))


def test_wrong_tokens_are_a_plain_404(client):
    for token in ("not-a-real-token", "x" * 500, "%00"):
        assert client.get(f"/questions/t/{token}").status_code == 404
    assert client.post("/questions/t/not-a-real-token/stop-emails").status_code in (400, 404)


def test_follow_tokens_never_reach_the_logs(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    client.get("/questions/t/ThisIsAVeryPrivateQuestionToken123")
    from app.logs import redact

    assert "ThisIsAVeryPrivate" not in caplog.text
    line = "GET /questions/t/ThisIsAVeryPrivateQuestionToken123 HTTP/1.1"
    assert redact(line) == "GET /questions/t/[redacted] HTTP/1.1"


# ---------------------------------------------------------------------------- the meeting page and query counts

def test_the_meeting_page_shows_the_top_questions_and_a_way_to_ask(client, db):
    meeting = factories.make_meeting()
    for n in range(5):
        make_question(meeting, body=f"第{n}个问题", votes=n)
    page = text_of(client.get(f"/meetings/{meeting.id}", headers={"Accept-Language": "en"}))
    assert "第4个问题" in page and "第2个问题" in page and "第1个问题" not in page
    assert f"/meetings/{meeting.id}/questions" in html_of(client.get(f"/meetings/{meeting.id}"))
    assert "Ask or vote" in page


def queries_for(client, count_queries, url) -> int:
    client.get(url)
    _db.session.expire_all()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


@pytest.mark.parametrize("path", ["/meetings/{id}/questions", "/meetings/{id}/questions?sort=new&topic=housing",
                                  "/meetings/{id}/questions/projector", "/meetings/{id}",
                                  "/meetings/{id}/questions/similar?q=电梯"])
def test_one_question_and_thirty_cost_the_same_number_of_queries(client, db, count_queries, path):
    meeting = factories.make_meeting()
    official = factories.make_user("official", department_id=meeting.department_id)
    url = path.format(id=meeting.id)
    first = make_question(meeting, body="加装电梯 1", topic="housing", votes=1)
    vote_on(client, first.id, meeting.id)
    qs.set_now_answering(official, meeting, first)
    one = queries_for(client, count_queries, url)
    for n in range(29):
        question = make_question(meeting, body=f"加装电梯 {n + 2}", topic="housing", votes=n % 4,
                                 referred_department_id=official.department_id, outcome="referred",
                                 outcome_at=factories.now()) if n % 3 == 0 else \
            make_question(meeting, body=f"加装电梯 {n + 2}", topic="housing", votes=n % 5)
        if n % 2:
            vote_on(client, question.id, meeting.id)
    thirty = queries_for(client, count_queries, url)
    assert one == thirty, f"{url}: {one} queries with 1 question, {thirty} with 30"
    assert thirty <= 12


def test_the_vote_redirect_stays_on_this_site(client, db):
    meeting = factories.make_meeting()
    question = make_question(meeting)
    for target in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)"):
        response = vote_on(client, question.id, meeting.id, next=target)
        assert response.status_code == 303 and "evil" not in response.headers["Location"]
        assert response.headers["Location"].startswith("/")
