"""The minutes workflow: draft -> submitted -> approved -> published, who may do what, corrections,
emails to registrants and bad input that writes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.errors import InvalidState, NotAllowed, ValidationFailed
from app.extensions import db
from app.minutes import services as ms
from app.minutes.content import Decision, Identity, decode, format_instant, identity_of, sha256_hex
from app.minutes.models import MinutesVersion, VersionStatus
from app.minutes.validation import ContentInvalid
from app.notify.models import OutboxMessage
from app.registrations.models import RegistrationStatus
from app.notify.private import reveal
from tests import factories
from tests.helpers import row_counts
from tests.minutes import builders


@pytest.fixture
def setting(app):
    return builders.past_meeting()


def problems_of(excinfo) -> dict:
    return {path: str(message) for path, message in excinfo.value.problems}


def test_a_first_draft_is_prefilled_from_the_agenda_hosts_and_check_ins(setting):
    builders.add_registrant(setting.meeting, 1, checked_in=True)
    builders.add_registrant(setting.meeting, 2, checked_in=True)
    builders.add_registrant(setting.meeting, 3)
    version = ms.open_minutes(setting.clerk, setting.meeting)
    content = decode(version.content)
    assert [item.title for item in content.items] == ["开场", "方案说明"]
    assert content.citizens_present == 2
    assert sorted(content.officials_present) == ["李明", "王芳"]
    assert version.status == VersionStatus.DRAFT and version.number == 1
    assert ms.open_minutes(setting.official, setting.meeting).id == version.id  # opened once


def test_minutes_cannot_be_opened_before_the_meeting_starts_or_for_a_draft_meeting(app):
    upcoming = factories.make_meeting(starts_in=timedelta(days=3))
    clerk = factories.make_user("clerk", department_id=upcoming.department_id)
    with pytest.raises(InvalidState):
        ms.open_minutes(clerk, upcoming)
    draft = factories.make_meeting(status="draft", starts_in=timedelta(days=-3))
    with pytest.raises(InvalidState):
        ms.open_minutes(factories.make_user("admin"), draft)


def test_staff_of_other_departments_cannot_touch_the_minutes(setting):
    outsider = factories.make_user("official")
    with pytest.raises(NotAllowed):
        ms.open_minutes(outsider, setting.meeting)


def test_the_whole_workflow_and_its_audit_trail(setting):
    version = builders.published(setting)
    assert version.status == VersionStatus.PUBLISHED
    assert version.submitted_by_id == setting.clerk.id
    assert version.approved_by_id == setting.official.id
    assert version.published_by_id == setting.official.id
    assert version.content_hash == sha256_hex(version.content)
    actions = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.action.like("minutes.%"))
                                 .order_by(AuditEvent.id)).scalars().all()
    assert actions == ["minutes.open", "minutes.save_draft", "minutes.submit", "minutes.approve", "minutes.publish"]


def test_a_clerk_cannot_approve_and_nobody_approves_what_they_submitted(setting):
    version = builders.submitted(setting)
    with pytest.raises(NotAllowed):
        ms.approve_minutes(setting.clerk, version)
    # An official who submitted the minutes cannot approve them either.
    other = builders.past_meeting()
    own = ms.open_minutes(other.official, other.meeting)
    ms.save_draft(other.official, own, builders.complete_content(other))
    ms.submit_minutes(other.official, own)
    with pytest.raises(NotAllowed, match="another official"):
        ms.approve_minutes(other.official, own)
    assert ms.approve_minutes(other.second_official, own).status == VersionStatus.APPROVED


def test_admins_may_approve(setting):
    version = builders.submitted(setting)
    assert ms.approve_minutes(factories.make_user("admin"), version).status == VersionStatus.APPROVED


def test_only_approved_minutes_can_be_published(setting):
    version = builders.submitted(setting)
    with pytest.raises(InvalidState, match="Only approved"):
        ms.publish_minutes(setting.official, version)
    ms.approve_minutes(setting.official, version)
    ms.publish_minutes(setting.official, version)
    with pytest.raises(InvalidState, match="already published"):
        ms.publish_minutes(setting.second_official, version)


def test_approving_twice_says_it_is_already_approved(setting):
    version = builders.submitted(setting)
    ms.approve_minutes(setting.official, version)
    with pytest.raises(ms.AlreadyApproved):
        ms.approve_minutes(setting.second_official, version)


def test_a_reviewer_sends_minutes_back_with_comments_and_the_clerk_edits_again(setting):
    version = builders.submitted(setting)
    with pytest.raises(ValidationFailed):
        ms.return_minutes(setting.official, version, "  ")
    ms.return_minutes(setting.official, version, "请补充表决情况")
    assert version.status == VersionStatus.DRAFT and version.review_comment == "请补充表决情况"
    ms.save_draft(setting.clerk, version, builders.complete_content(setting, citizens_present=12))
    ms.submit_minutes(setting.clerk, version)
    assert version.review_comment is None and version.status == VersionStatus.SUBMITTED


def test_submitting_needs_presiding_recorder_adjournment_and_a_quorum_for_hearings(app):
    hearing = builders.past_meeting(type="hearing")
    version = ms.open_minutes(hearing.clerk, hearing.meeting)
    with pytest.raises(ContentInvalid) as excinfo:
        ms.submit_minutes(hearing.clerk, version)
    assert set(problems_of(excinfo)) == {"presiding", "recorder", "adjourned_at", "quorum_present"}
    assert version.status == VersionStatus.DRAFT


@pytest.mark.parametrize("change, path, message", [
    (lambda c: setattr(c.items[0].decisions[0], "votes_for", -1), "items.0.decisions.0.votes_for", "negative"),
    (lambda c: setattr(c.items[0].decisions[0], "votes_for", 50), "items.0.decisions.0.votes_for", "more than the"),
    (lambda c: setattr(c.items[0].decisions[0], "votes_against", 100_001), "items.0.decisions.0.votes_against",
     "at most 100000 votes"),
    (lambda c: setattr(c, "citizens_present", 1_000_001), "citizens_present", "at most 1000000 citizens"),
    (lambda c: setattr(c.items[0].decisions[0], "roll_call", [{"name": "路人甲", "vote": "for"}]),
     "items.0.decisions.0.roll_call_for", "not listed among the officials present"),
    (lambda c: setattr(c.items[0].decisions[0], "motion", ""), "items.0.decisions.0.motion", "wording"),
    (lambda c: setattr(c, "citizens_present", -2), "citizens_present", "0 or more"),
])
def test_bad_votes_and_roll_calls_are_refused_and_nothing_is_written(setting, change, path, message):
    version = ms.open_minutes(setting.clerk, setting.meeting)
    before, saved = row_counts(), version.content
    content = builders.complete_content(setting)
    change(content)
    with pytest.raises(ContentInvalid) as excinfo:
        ms.save_draft(setting.clerk, version, content)
    assert message in problems_of(excinfo)[path]
    assert row_counts() == before
    assert db.session.get(MinutesVersion, version.id).content == saved


def test_adjourning_before_the_start_is_refused(setting):
    version = ms.open_minutes(setting.clerk, setting.meeting)
    content = builders.complete_content(setting)
    content.adjourned_at = format_instant(setting.meeting.starts_at - timedelta(minutes=1))
    with pytest.raises(ContentInvalid) as excinfo:
        ms.save_draft(setting.clerk, version, content)
    assert "adjourn before it started" in problems_of(excinfo)["adjourned_at"]


def test_a_roll_call_by_name_gives_the_counts(setting):
    version = ms.open_minutes(setting.clerk, setting.meeting)
    content = builders.complete_content(setting)
    content.items[1].decisions = [Decision(motion="表决", roll_call=[
        {"name": "李明", "vote": "for"}, {"name": "王芳", "vote": "against"}])]
    ms.save_draft(setting.clerk, version, content)
    decision = decode(version.content).items[1].decisions[0]
    assert (decision.votes_for, decision.votes_against, decision.votes_abstain) == (1, 1, 0)


def test_a_version_that_is_no_longer_a_draft_cannot_be_edited(setting):
    version = builders.submitted(setting)
    before = row_counts()
    with pytest.raises(ms.NotADraft):
        ms.save_draft(setting.clerk, version, builders.complete_content(setting, citizens_present=3))
    assert row_counts() == before
    assert decode(db.session.get(MinutesVersion, version.id).content).citizens_present == 10


def test_publishing_emails_every_registrant_with_an_address_once_in_their_language(setting):
    builders.add_registrant(setting.meeting, 1, email="a@example.com", language="en")
    builders.add_registrant(setting.meeting, 2, email="b@example.com")
    builders.add_registrant(setting.meeting, 3)  # no email
    builders.add_registrant(setting.meeting, 4, email="c@example.com", status=RegistrationStatus.CANCELLED)
    version = builders.published(setting)
    messages = db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.to_address)).scalars().all()
    assert [m.to_address for m in messages] == ["a@example.com", "b@example.com"]
    english, chinese = messages
    assert english.language == "en" and english.subject.startswith("Minutes published")
    assert chinese.language == "zh_CN"  # rendered under the zh_Hans_CN catalog (translations: see report)
    assert f"/meetings/{setting.meeting.id}/minutes" in english.body_text
    assert version.content_hash in english.body_text
    assert all(m.dedupe_key.startswith(f"minutes-version-{version.id}-registration-") for m in messages)


def test_the_minutes_email_carries_the_unsubscribe_link_and_skips_those_who_unsubscribed(setting):
    from app.calendar import notifications

    english = builders.add_registrant(setting.meeting, 1, email="a@example.com", language="en")
    chinese = builders.add_registrant(setting.meeting, 2, email="b@example.com")
    gone = builders.add_registrant(setting.meeting, 3, email="gone@example.com", language="en")
    notifications.opt_out(gone)
    builders.published(setting)
    messages = {m.to_address: m for m in db.session.execute(sa.select(OutboxMessage)).scalars()}
    assert sorted(messages) == ["a@example.com", "b@example.com"]
    for registration, message in ((english, messages["a@example.com"]), (chinese, messages["b@example.com"])):
        link, shown = notifications.unsubscribe_url(registration.id), reveal(message)
        assert link in shown.text and f'href="{link}"' in shown.html
        assert link not in message.body_text + message.body_html  # kept concealed until sent
    assert "To stop them for this meeting" in messages["a@example.com"].body_text
    assert "会议纪要发布通知" in messages["b@example.com"].body_text
    # The link stops the next minutes email too: a correction reaches only those still subscribed.
    notifications.opt_out(chinese)
    first = db.session.execute(sa.select(MinutesVersion)).scalar_one()
    correction = ms.start_correction(setting.clerk, first.minutes, "票数更正")
    ms.submit_minutes(setting.clerk, correction)
    ms.approve_minutes(setting.second_official, correction)
    ms.publish_minutes(setting.second_official, correction)
    later = db.session.execute(sa.select(OutboxMessage.to_address).where(
        OutboxMessage.dedupe_key.startswith(f"minutes-version-{correction.id}-"))).scalars().all()
    assert later == ["a@example.com"]


def test_a_correction_is_a_new_version_chained_to_the_published_one(setting):
    first = builders.published(setting)
    minutes = first.minutes
    with pytest.raises(ValidationFailed):
        ms.start_correction(setting.clerk, minutes, "")
    second = ms.start_correction(setting.clerk, minutes, "表决票数记录有误")
    assert second.number == 2 and second.prev_hash == first.content_hash and second.supersedes_id == first.id
    assert decode(second.content) == decode(first.content)       # the same text, as version 2
    assert identity_of(second.content) == Identity(2, setting.meeting.id, 2)
    with pytest.raises(InvalidState):
        ms.start_correction(setting.clerk, minutes, "again")
    content = decode(second.content)
    content.items[0].decisions[0].votes_against = 0
    ms.save_draft(setting.clerk, second, content)
    ms.submit_minutes(setting.clerk, second)
    ms.approve_minutes(setting.second_official, second)
    ms.publish_minutes(setting.second_official, second)
    assert first.status == VersionStatus.PUBLISHED and first.content_hash != second.content_hash


def test_only_published_minutes_can_be_corrected(setting):
    version = builders.submitted(setting)
    with pytest.raises(InvalidState):
        ms.start_correction(setting.clerk, version.minutes, "reason")


def test_only_questions_answered_live_in_this_meeting_can_be_linked(setting):
    from app.minutes.content import AnsweredQuestion
    from app.questions.models import Question, QuestionOutcome, QuestionStatus

    live = Question(meeting_id=setting.meeting.id, body="电梯什么时候装？", topic="housing",
                    status=QuestionStatus.APPROVED, outcome=QuestionOutcome.ANSWERED_LIVE, outcome_at=factories.now(),
                    asker_name="王先生")
    pending = Question(meeting_id=setting.meeting.id, body="还没回答", topic="housing", status=QuestionStatus.APPROVED)
    db.session.add_all([live, pending])
    db.session.commit()
    version = ms.open_minutes(setting.clerk, setting.meeting)
    content = builders.complete_content(setting, questions=[AnsweredQuestion(pending.id, "")])
    with pytest.raises(ContentInvalid):
        ms.save_draft(setting.clerk, version, content)
    content = builders.complete_content(setting, questions=[AnsweredQuestion(live.id, "")])
    ms.save_draft(setting.clerk, version, content)
    linked = decode(version.content).questions
    assert [(q.question_id, q.body, q.asker) for q in linked] == [(live.id, "电梯什么时候装？", "王先生")]


def _answered_live(setting, body="我的电话13912345678，电梯什么时候装？", asker_name="王先生"):
    from app.questions.models import Question, QuestionOutcome, QuestionStatus

    question = Question(meeting_id=setting.meeting.id, body=body, topic="housing", status=QuestionStatus.APPROVED,
                        outcome=QuestionOutcome.ANSWERED_LIVE, outcome_at=factories.now(), asker_name=asker_name)
    db.session.add(question)
    db.session.commit()
    return question


def _linked(version) -> list[tuple]:
    db.session.expire_all()
    return [(q.question_id, q.body, q.asker) for q in decode(version.content).questions]


def _draft_linking(setting, question):
    from app.minutes.content import AnsweredQuestion

    version = ms.open_minutes(setting.clerk, setting.meeting)
    ms.save_draft(setting.clerk, version, builders.complete_content(setting, questions=[AnsweredQuestion(question.id, "")]))
    return version


def test_a_moderators_edit_refreshes_drafts_and_submitted_minutes_with_an_audit_event(setting):
    from app.questions import services as qs

    question = _answered_live(setting)
    version = _draft_linking(setting, question)
    qs.edit_question(setting.official, question, body="电梯什么时候装？", topic="housing", asker_name="王先生",
                     is_anonymous=False)
    assert _linked(version) == [(question.id, "电梯什么时候装？", "王先生")]
    ms.submit_minutes(setting.clerk, version)
    before = version.content_hash
    qs.edit_question(setting.official, question, body="电梯什么时候装？", topic="housing", asker_name="王先生",
                     is_anonymous=True)
    assert _linked(version) == [(question.id, "电梯什么时候装？", "")]
    assert version.status == VersionStatus.SUBMITTED and version.content_hash != before
    assert sha256_hex(version.content) == version.content_hash
    events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "minutes.refresh_question")).scalars()
    assert [e.object_id for e in events] == [version.id, version.id]
    ms.approve_minutes(setting.second_official, version)


def test_submitting_copies_the_linked_questions_text_as_it_is_now(setting):
    question = _answered_live(setting)
    version = _draft_linking(setting, question)
    question.body, question.is_anonymous = "电梯什么时候装？", True   # changed some other way than edit_question
    db.session.commit()
    ms.submit_minutes(setting.clerk, version)
    assert _linked(version) == [(question.id, "电梯什么时候装？", "")]


def test_minutes_whose_linked_question_changed_after_submission_are_not_approved(setting):
    question = _answered_live(setting)
    version = _draft_linking(setting, question)
    ms.submit_minutes(setting.clerk, version)
    question.body = "电梯什么时候装？"
    db.session.commit()
    before = row_counts()
    with pytest.raises(InvalidState, match="changed since they were submitted"):
        ms.approve_minutes(setting.official, version)
    assert row_counts() == before and db.session.get(MinutesVersion, version.id).status == VersionStatus.SUBMITTED
    ms.return_minutes(setting.official, version, "请重新提交")
    ms.submit_minutes(setting.clerk, version)
    ms.approve_minutes(setting.official, version)
    assert _linked(version) == [(question.id, "电梯什么时候装？", "王先生")]


def test_an_edit_after_approval_leaves_the_minutes_and_tells_the_moderator(setting, client):
    from app.questions import services as qs
    from tests.helpers import sign_in, text_of

    question = _answered_live(setting)
    version = _draft_linking(setting, question)
    ms.submit_minutes(setting.clerk, version)
    ms.approve_minutes(setting.official, version)
    url = f"/manage/meetings/{setting.meeting.id}/questions/{question.id}"
    sign_in(client, setting.official)
    assert "quote this question as it was" not in text_of(client.get(url))
    qs.edit_question(setting.official, question, body="电梯什么时候装？", topic="housing", asker_name="王先生",
                     is_anonymous=True)
    assert _linked(version) == [(question.id, "我的电话13912345678，电梯什么时候装？", "王先生")]   # approved: unchanged
    page = text_of(client.get(url))
    assert ("Approved minutes (version 1) quote this question as it was before it was edited. Approved minutes "
            "never change: correct them so they show its current text.") in page


def test_commitments_keep_the_department_names_and_due_date(setting):
    from app.minutes.content import Commitment

    dept = factories.make_department(name_zh="市住房局", name_en="Housing Bureau")
    version = ms.open_minutes(setting.clerk, setting.meeting)
    content = builders.complete_content(setting, commitments=[Commitment("月底前公布方案", dept.id, due_on="2030-01-31")])
    ms.save_draft(setting.clerk, version, content)
    commitment = decode(version.content).commitments[0]
    assert (commitment.department_zh, commitment.department_en, commitment.due_on) == ("市住房局", "Housing Bureau",
                                                                                       "2030-01-31")
    bad = builders.complete_content(setting, commitments=[Commitment("x", 999999)])
    with pytest.raises(ContentInvalid):
        ms.save_draft(setting.clerk, version, bad)
