"""The rules of questions, through the services: asking, voting once, moderation (audited), merging,
the live console and outcomes."""
from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.accounts.audit import verify_audit_chain
from app.accounts.models import AuditEvent
from app.errors import InvalidState, NotAllowed, ValidationFailed
from app.notify.models import OutboxMessage
from app.notify.private import reveal
from app.questions import queries as question_queries
from app.questions import services as qs
from app.questions.models import (
    Question,
    QuestionFollower,
    QuestionOutcome,
    QuestionSettings,
    QuestionStatus,
    QuestionVote,
)
from app.questions.voters import voter_key_for_browser, voter_key_for_registration
from app.registrations.codes import hash_token
from tests import factories
from tests.helpers import row_counts
from tests.questions.builders import add_vote, follow, make_question, set_mode, voter_keys


@pytest.fixture(autouse=True)
def english(app):
    """Messages are compared in English; outside a request the app's default language is Chinese."""
    with force_locale("en"):
        yield


def official_of(meeting, role: str = "official"):
    return factories.make_user(role, department_id=meeting.department_id)


def question_input(**overrides) -> qs.QuestionInput:
    values = {"body": "小区什么时候加装电梯？", "topic": "housing", "asker_name": "王芳"}
    values.update(overrides)
    return qs.QuestionInput(**values)


def submit(meeting, **overrides) -> qs.SubmitResult:
    return qs.submit_question(meeting, question_input(**overrides), submission_id=secrets.token_urlsafe(32))


def outbox(db) -> list[OutboxMessage]:
    return list(db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def audit_events(db, action: str | None = None) -> list[AuditEvent]:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.execute(stmt).scalars())


# ---------------------------------------------------------------------------- asking

def test_a_web_question_waits_for_moderation_and_the_asker_gets_a_private_link_by_email(db):
    meeting = factories.make_meeting(title="Riverside bus routes")
    result = submit(meeting, body="When will route 38 come back?", topic="transport", contact_email="Grace@Example.CN",
                    contact_mobile="138 0013 8000", language="en")
    question = result.question
    assert question.status == QuestionStatus.PENDING and question.channel.value == "web"
    assert question.contact_email == "grace@example.cn" and question.contact_mobile == "+8613800138000"
    follower = db.session.execute(sa.select(QuestionFollower)).scalar_one()
    assert follower.token_hash == hash_token(result.token) and follower.question_id == question.id
    assert follower.email == "grace@example.cn" and follower.language == "en"
    [email] = outbox(db)
    assert email.to_address == "grace@example.cn" and email.language == "en"
    assert email.subject == "Your question is received: Riverside bus routes"
    assert result.token not in email.body_text and "When will route 38 come back?" in email.body_text
    assert f"/questions/t/{result.token}" in reveal(email).text
    assert result.token not in json.dumps([e.details for e in audit_events(db)])


def test_without_an_email_the_asker_still_follows_by_link_and_no_email_is_queued(db):
    meeting = factories.make_meeting()
    result = submit(meeting)
    follower = db.session.execute(sa.select(QuestionFollower)).scalar_one()
    assert follower.email is None and follower.token_hash == hash_token(result.token)
    assert outbox(db) == []


def test_post_moderation_publishes_at_once(db):
    meeting = factories.make_meeting()
    set_mode(meeting, "post")
    assert submit(meeting).question.status == QuestionStatus.APPROVED


def test_the_same_form_sent_twice_makes_one_question_with_the_same_link(db):
    meeting = factories.make_meeting()
    submission = secrets.token_urlsafe(32)
    first = qs.submit_question(meeting, question_input(), submission_id=submission)
    second = qs.submit_question(meeting, question_input(), submission_id=submission)
    assert second.repeated and second.question.id == first.question.id and second.token == first.token
    assert db.session.execute(sa.select(sa.func.count()).select_from(Question)).scalar_one() == 1


@pytest.mark.parametrize("overrides, field", [
    ({"body": ""}, "body"),
    ({"body": "   \n\t "}, "body"),
    ({"body": "\u200b\u3000\u200b"}, "body"),          # zero-width and ideographic spaces only
    ({"body": "问" * 1001}, "body"),
    ({"topic": "gossip"}, "topic"),
    ({"topic": ""}, "topic"),
    ({"contact_email": "not-an-address"}, "contact_email"),
    ({"contact_mobile": "12345"}, "contact_mobile"),
    ({"asker_name": "名" * 101}, "asker_name"),
])
def test_bad_questions_are_refused_with_a_clear_message_and_nothing_is_written(db, overrides, field):
    meeting = factories.make_meeting()
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        submit(meeting, **overrides)
    assert caught.value.field == field and str(caught.value.message)
    assert row_counts() == before


def test_a_question_of_exactly_the_maximum_length_is_accepted(db):
    meeting = factories.make_meeting()
    assert len(submit(meeting, body="问" * 1000).question.body) == 1000


def test_html_in_a_question_is_kept_as_typed_text(db):
    meeting = factories.make_meeting()
    body = '<script>alert("x")</script><b onmouseover=alert(1)>hi</b>'
    question = submit(meeting, body=body, asker_name="<img src=x onerror=alert(1)>").question
    assert question.body == body and question.asker_name == "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize("setup, phrase", [
    (lambda m: set_mode(m, is_closed=True, closed_message="会议已结束，感谢参与。"), "会议已结束，感谢参与。"),
    (lambda m: set_mode(m, is_closed=True), "Questions are closed"),
])
def test_closed_questions_refuse_asking_and_voting_with_the_message(db, setup, phrase):
    meeting = factories.make_meeting()
    question = make_question(meeting)
    setup(meeting)
    before = row_counts()
    with pytest.raises(qs.QuestionsClosed) as asked:
        submit(meeting)
    with pytest.raises(qs.QuestionsClosed) as voted:
        qs.cast_vote(question, voter_key_for_browser("someone"))
    assert phrase in str(asked.value.message) and phrase in str(voted.value.message)
    assert row_counts() == before


def test_questions_close_by_themselves_when_the_meeting_ends_or_is_cancelled(db):
    past = factories.make_meeting(starts_in=timedelta(days=-3))
    cancelled = factories.make_meeting(status="cancelled", cancel_reason="Venue flooded")
    for meeting in (past, cancelled):
        with pytest.raises(qs.QuestionsClosed):
            submit(meeting)
    # Staff may still enter letters that arrived late, for the record and an answer.
    official = official_of(past)
    late = qs.enter_question(official, past, question_input(), channel="letter")
    assert late.status == QuestionStatus.APPROVED


# ---------------------------------------------------------------------------- voting

def test_a_voter_votes_once_per_question(db):
    meeting = factories.make_meeting()
    question = make_question(meeting)
    key = voter_key_for_browser("browser-one")
    assert qs.cast_vote(question, key).counted is True
    assert qs.cast_vote(question, key).counted is False
    assert qs.cast_vote(question, voter_key_for_browser("browser-two")).counted is True
    db.session.expire_all()
    assert db.session.get(Question, question.id).vote_count == 2
    assert len(voter_keys(question.id)) == 2


@pytest.mark.parametrize("status, phrase", [
    ("pending", "waiting for moderation"),
    ("rejected", "not published"),
])
def test_votes_on_unpublished_questions_are_refused_and_write_nothing(db, status, phrase):
    meeting = factories.make_meeting()
    question = make_question(meeting, status=status)
    before = row_counts()
    with pytest.raises(qs.NotVotable) as caught:
        qs.cast_vote(question, voter_key_for_browser("v"))
    assert phrase in str(caught.value.message)
    assert row_counts() == before


def test_a_vote_on_a_merged_question_is_refused_and_points_to_the_kept_one(db):
    meeting = factories.make_meeting()
    official = official_of(meeting)
    kept, duplicate = make_question(meeting), make_question(meeting)
    qs.merge_questions(official, duplicate, kept)
    before = row_counts()
    with pytest.raises(qs.NotVotable) as caught:
        qs.cast_vote(duplicate, voter_key_for_browser("late voter"))
    assert "merged" in str(caught.value.message)
    assert row_counts() == before


def test_a_registration_votes_once_and_adopts_its_browsers_earlier_votes(db):
    meeting = factories.make_meeting(starts_in=timedelta(minutes=-10))
    first, second, elsewhere = make_question(meeting), make_question(meeting), make_question(factories.make_meeting())
    registration = voter_key_for_registration(41)
    phone, laptop = voter_key_for_browser("phone"), voter_key_for_browser("laptop")
    assert qs.cast_vote(first, phone).counted and qs.cast_vote(second, phone).counted
    assert qs.cast_vote(elsewhere, phone).counted
    assert qs.cast_vote(first, registration, adopt_from=laptop).counted      # the laptop had no votes
    assert qs.cast_vote(first, registration, adopt_from=phone).counted is False
    db.session.expire_all()
    # The phone's votes in this meeting are now the registration's; first counts the person once.
    assert voter_keys(first.id) == {registration} and first.vote_count == 1
    assert voter_keys(second.id) == {registration} and second.vote_count == 1
    assert voter_keys(elsewhere.id) == {phone}                               # another meeting: untouched
    assert qs.cast_vote(second, registration, adopt_from=laptop).counted is False
    assert qs.cast_vote(second, phone).counted                               # as itself, not proved: a browser
    assert voter_keys(second.id) == {registration, phone}


def test_merging_counts_a_registration_that_voted_for_both_questions_once(db):
    meeting = factories.make_meeting(starts_in=timedelta(minutes=-10))
    official = official_of(meeting)
    kept, duplicate = make_question(meeting), make_question(meeting)
    registration = voter_key_for_registration(7)
    for question in (kept, duplicate):
        qs.cast_vote(question, registration, adopt_from=voter_key_for_browser(f"device-{question.id}"))
    qs.cast_vote(duplicate, voter_key_for_browser("neighbour"))
    qs.merge_questions(official, duplicate, kept)
    db.session.expire_all()
    assert voter_keys(kept.id) == {registration, voter_key_for_browser("neighbour")} and kept.vote_count == 2


def test_registration_keys_are_secret_keyed_and_differ_from_browser_keys(app):
    import hashlib

    key = voter_key_for_registration(7)
    assert key == voter_key_for_registration(7) != voter_key_for_registration(8)
    assert key != hashlib.sha256(b"registration:7").hexdigest() and key != voter_key_for_browser("7")
    app.secret_key = "another-secret"
    assert voter_key_for_registration(7) != key


# ---------------------------------------------------------------------------- merging

def test_merging_keeps_the_union_of_votes_and_moves_followers(db):
    meeting = factories.make_meeting()
    official = official_of(meeting)
    kept = make_question(meeting, body="加装电梯什么时候开工？")
    duplicate = make_question(meeting, body="电梯加装进度如何？")
    older = make_question(meeting, body="加装电梯啥时候开始")
    for voter in ("a", "b", "c"):
        add_vote(kept, voter)
    for voter in ("c", "d"):
        add_vote(duplicate, voter)
    add_vote(older, "e")
    qs.merge_questions(official, older, duplicate)          # an earlier merge into the duplicate
    follow(kept, email="kept@example.cn")
    duplicate_token = follow(duplicate, email="dup@example.cn", language="en")

    qs.merge_questions(official, duplicate, kept)

    db.session.expire_all()
    kept, duplicate, older = (db.session.get(Question, q.id) for q in (kept, duplicate, older))
    expected = {voter_key_for_browser(v) for v in "abcde"}
    assert voter_keys(kept.id) == expected and kept.vote_count == 5        # c voted for both: counted once
    assert voter_keys(duplicate.id) == set() and duplicate.vote_count == 0
    assert duplicate.status == QuestionStatus.MERGED and duplicate.merged_into_id == kept.id
    assert older.merged_into_id == kept.id                                   # chains point at the kept question
    followers = db.session.execute(sa.select(QuestionFollower)).scalars().all()
    assert {f.question_id for f in followers} == {kept.id}
    moved = db.session.execute(sa.select(QuestionFollower).where(
        QuestionFollower.token_hash == hash_token(duplicate_token))).scalar_one()
    assert moved.original_question_id == duplicate.id
    [event] = audit_events(db, "question.merge")[-1:]
    assert event.object_id == duplicate.id and event.details_dict["into"] == kept.id
    assert event.details_dict["kept_votes_after"] == 5
    merged_mail = [m for m in outbox(db) if m.to_address == "dup@example.cn"]
    assert len(merged_mail) == 1 and merged_mail[0].subject.startswith("Your question was merged")


def test_followers_of_a_merged_question_get_the_answer_in_their_own_language(db):
    meeting = factories.make_meeting(title="Bus forum")
    official = official_of(meeting)
    kept, duplicate = make_question(meeting), make_question(meeting)
    follow(kept, email="zh@example.cn", language="zh_CN")
    follow(duplicate, email="en@example.cn", language="en")
    follow(duplicate, email="ZH@example.cn", language="zh_CN")              # same person twice: one email
    qs.merge_questions(official, duplicate, kept)
    qs.record_outcome(official, kept, qs.OutcomeInput(outcome="answered", response="Route 38 returns in May."))
    answers = [m for m in outbox(db) if "answer" in m.subject.lower() or "答复" in m.subject or "结果" in m.subject]
    assert sorted(m.to_address for m in answers) == ["en@example.cn", "zh@example.cn"]
    english = next(m for m in answers if m.to_address == "en@example.cn")
    assert english.language == "en" and english.subject == "Your question has an answer: Bus forum"
    assert "Route 38 returns in May." in english.body_text
    chinese = next(m for m in answers if m.to_address == "zh@example.cn")
    assert chinese.language == "zh_CN" and "Route 38 returns in May." in chinese.body_text


@pytest.mark.parametrize("case", ["other meeting", "itself", "kept not published", "rejected", "has outcome"])
def test_merges_that_break_the_rules_are_refused_and_write_nothing(db, case):
    meeting = factories.make_meeting()
    official = official_of(meeting)
    question, into = make_question(meeting), make_question(meeting)
    if case == "other meeting":
        into = make_question(factories.make_meeting(department_id=meeting.department_id))
    elif case == "itself":
        into = question
    elif case == "kept not published":
        into = make_question(meeting, status="pending")
    elif case == "rejected":
        question = make_question(meeting, status="rejected")
    elif case == "has outcome":
        qs.record_outcome(official, question, qs.OutcomeInput(outcome="answered", response="Done."))
    before = row_counts()
    with pytest.raises((ValidationFailed, InvalidState)):
        qs.merge_questions(official, question, into)
    assert row_counts() == before


# ---------------------------------------------------------------------------- moderation

def test_moderation_decisions_are_audited_with_reasons(db):
    meeting = factories.make_meeting()
    clerk = official_of(meeting, "clerk")
    question = make_question(meeting, status="pending")
    follow(question, email="asker@example.cn", language="en")
    qs.approve_question(clerk, question)
    qs.approve_question(clerk, question)                                     # a double click changes nothing
    qs.reject_question(clerk, question, reason="Contains a neighbour's phone number.")
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.status == QuestionStatus.REJECTED
    assert question.rejection_reason == "Contains a neighbour's phone number."
    assert [e.action for e in audit_events(db)] == ["question.approve", "question.reject"]
    reject = audit_events(db, "question.reject")[0]
    assert reject.actor_id == clerk.id and reject.reason == "Contains a neighbour's phone number."
    [email] = outbox(db)
    assert email.to_address == "asker@example.cn" and "Contains a neighbour's phone number." in email.body_text
    assert verify_audit_chain()[1] is None


def test_rejecting_needs_a_reason(db):
    meeting = factories.make_meeting()
    question = make_question(meeting, status="pending")
    official = official_of(meeting)
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        qs.reject_question(official, question, reason=" \u200b ")
    assert caught.value.field == "reason" and row_counts() == before


def test_an_edit_keeps_the_original_text_in_the_audit_log(db):
    meeting = factories.make_meeting()
    clerk = official_of(meeting, "clerk")
    original = "我家住在幸福路12号3单元，电话13800138000，楼道灯坏了谁来修？"
    question = make_question(meeting, body=original, asker_name="李四")
    qs.edit_question(clerk, question, body="楼道灯坏了谁来修？", topic="urban_management", asker_name="李四",
                     is_anonymous=True)
    qs.edit_question(clerk, question, body="楼道灯坏了谁来修？", topic="urban_management", asker_name="李四",
                     is_anonymous=True)                                      # no change: no second event
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.body == "楼道灯坏了谁来修？" and question.is_anonymous and question.edited_at is not None
    [event] = audit_events(db, "question.edit")
    assert event.details_dict["before"]["body"] == original
    assert event.details_dict["after"]["body"] == "楼道灯坏了谁来修？"
    assert sorted(event.details_dict["changed"]) == ["body", "is_anonymous"]


def test_staff_enter_questions_from_other_channels_marked_with_the_channel(db):
    meeting = factories.make_meeting()
    clerk = official_of(meeting, "clerk")
    for channel in ("hotline", "email", "letter", "in_person"):
        question = qs.enter_question(clerk, meeting, question_input(contact_mobile="13900139000"), channel=channel)
        assert question.channel.value == channel and question.status == QuestionStatus.APPROVED
        assert question.entered_by_id == clerk.id
    with pytest.raises(ValidationFailed):
        qs.enter_question(clerk, meeting, question_input(), channel="web")
    assert len(audit_events(db, "question.enter")) == 4


def test_staff_of_other_departments_cannot_moderate(db):
    meeting = factories.make_meeting()
    outsider = factories.make_user("official")
    question = make_question(meeting, status="pending")
    before = row_counts()
    for action in (lambda: qs.approve_question(outsider, question),
                   lambda: qs.reject_question(outsider, question, reason="x"),
                   lambda: qs.enter_question(outsider, meeting, question_input(), channel="letter"),
                   lambda: qs.update_settings(outsider, meeting, moderation_mode="post", is_closed=False)):
        with pytest.raises(NotAllowed):
            action()
    assert row_counts() == before


def test_settings_changes_are_audited_and_post_moderation_leaves_waiting_questions_waiting(db):
    meeting = factories.make_meeting()
    clerk = official_of(meeting, "clerk")
    waiting = make_question(meeting, status="pending")
    qs.update_settings(clerk, meeting, moderation_mode="post", is_closed=False)
    qs.update_settings(clerk, meeting, moderation_mode="post", is_closed=True, closed_message="Thank you!")
    settings = db.session.get(QuestionSettings, meeting.id)
    assert settings.moderation_mode.value == "post" and settings.is_closed and settings.closed_message == "Thank you!"
    assert db.session.get(Question, waiting.id).status == QuestionStatus.PENDING
    assert len(audit_events(db, "questions.settings")) == 2
    with pytest.raises(ValidationFailed):
        qs.update_settings(clerk, meeting, moderation_mode="sometimes", is_closed=False)


# ---------------------------------------------------------------------------- during and after the meeting

def test_the_console_marks_now_answering_then_answered_in_the_meeting(db):
    meeting = factories.make_meeting(starts_in=timedelta(minutes=-30))
    clerk = official_of(meeting, "clerk")
    first, second = make_question(meeting, votes=5), make_question(meeting, votes=3)
    qs.set_now_answering(clerk, meeting, first)
    view = question_queries.projector_view(meeting.id, question_queries.get_settings(meeting.id))
    assert view.current.id == first.id and [q.id for q in view.top] == [second.id]
    qs.mark_answered_live(clerk, first)
    db.session.expire_all()
    assert db.session.get(Question, first.id).outcome == QuestionOutcome.ANSWERED_LIVE
    assert question_queries.get_settings(meeting.id).current_question_id is None
    assert [e.action for e in audit_events(db)] == ["question.now_answering", "question.answered_live"]
    with pytest.raises(InvalidState):
        qs.set_now_answering(clerk, meeting, make_question(meeting, status="pending"))


@pytest.mark.parametrize("outcome, fields, error_field", [
    ("declined", {"plan": "Revisit in the 2027 budget."}, "reason"),
    ("declined", {"reason": "Not in the city's remit."}, "plan"),
    ("cannot_solve_now", {"reason": "Needs a land survey."}, "plan"),
    ("cannot_solve_now", {"plan": "Survey in spring.", "reason": "   "}, "reason"),
    ("answered", {}, "response"),
    ("action", {"response": "\u200b"}, "response"),
    ("referred", {"response": "Passed on."}, "department_id"),
    ("referred", {"department_id": 999_999}, "department_id"),
    ("maybe", {"response": "?"}, "outcome"),
])
def test_outcomes_missing_what_they_need_are_refused_and_write_nothing(db, outcome, fields, error_field):
    meeting = factories.make_meeting()
    official = official_of(meeting)
    question = make_question(meeting)
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        qs.record_outcome(official, question, qs.OutcomeInput(outcome=outcome, **fields))
    assert caught.value.field == error_field
    assert row_counts() == before


@pytest.mark.parametrize("outcome, fields", [
    ("answered", {"response": "The lift works start in June."}),
    ("answered_live", {}),
    ("referred", {"response": "The district office will reply."}),
    ("action", {"response": "Added to the road repair plan."}),
    ("declined", {"reason": "The site is privately owned.", "plan": "We will mediate with the owner."}),
    ("cannot_solve_now", {"reason": "Funding is not approved yet.", "plan": "Re-apply in the 2027 budget."}),
])
def test_every_outcome_can_be_recorded_audited_and_emailed(db, outcome, fields):
    meeting = factories.make_meeting()
    official = official_of(meeting)
    question = make_question(meeting)
    follow(question, email="asker@example.cn")
    if outcome == "referred":
        fields = {**fields, "department_id": factories.make_department(name_zh="市水务局").id}
    qs.record_outcome(official, question, qs.OutcomeInput(outcome=outcome, **fields))
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.outcome == QuestionOutcome(outcome)
    assert question.outcome_at and question.outcome_by_id == official.id
    [event] = audit_events(db, "question.outcome")
    assert event.details_dict["outcome"] == outcome
    [email] = outbox(db)
    assert email.to_address == "asker@example.cn"
    for value in fields.values():
        if isinstance(value, str):
            assert value in email.body_text
    if outcome == "referred":
        assert "市水务局" in email.body_text


def test_clerks_moderate_but_only_officials_write_outcomes(db):
    meeting = factories.make_meeting()
    clerk = official_of(meeting, "clerk")
    question = make_question(meeting)
    with pytest.raises(NotAllowed):
        qs.record_outcome(clerk, question, qs.OutcomeInput(outcome="answered", response="Yes."))
    qs.mark_answered_live(clerk, question)  # the console is a moderator's tool
    assert db.session.get(Question, question.id).outcome == QuestionOutcome.ANSWERED_LIVE


def test_only_published_questions_get_outcomes(db):
    meeting = factories.make_meeting()
    official = official_of(meeting)
    for status in ("pending", "rejected"):
        with pytest.raises(InvalidState):
            qs.record_outcome(official, make_question(meeting, status=status),
                              qs.OutcomeInput(outcome="answered", response="x"))


def test_a_corrected_outcome_is_a_new_audit_event_and_a_new_email(db):
    meeting = factories.make_meeting()
    official = official_of(meeting)
    question = make_question(meeting)
    follow(question)
    qs.record_outcome(official, question, qs.OutcomeInput(outcome="answered", response="June."))
    qs.record_outcome(official, question, qs.OutcomeInput(outcome="answered", response="June."))  # same: nothing
    qs.record_outcome(official, question, qs.OutcomeInput(outcome="answered", response="July, sorry."))
    assert len(audit_events(db, "question.outcome")) == 2
    assert len(outbox(db)) == 2


def test_stopping_emails_forgets_the_address_but_keeps_the_link(db):
    meeting = factories.make_meeting()
    question = make_question(meeting)
    token = follow(question, email="someone@example.cn")
    follower = question_queries.get_follower_by_token_or_404(token)
    qs.stop_follow_emails(follower)
    assert db.session.get(QuestionFollower, follower.id).email is None
    assert question_queries.get_follower_by_token_or_404(token).id == follower.id
    assert db.session.execute(sa.select(sa.func.count()).select_from(QuestionVote)).scalar_one() == 0
