"""Builders for question tests: questions, votes and followers written straight through the ORM, and
the posts a citizen's browser makes."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.db import utcnow
from app.extensions import db
from app.questions.models import (
    ModerationMode,
    Question,
    QuestionFollower,
    QuestionSettings,
    QuestionStatus,
    QuestionVote,
)
from app.questions.voters import voter_key_for_browser
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.codes import hash_token, new_token
from tests import factories
from tests.conftest import csrf_token_from


def make_question(meeting, *, status: str = "approved", body: str | None = None, votes: int = 0,
                  minutes_ago: int = 60, **overrides) -> Question:
    question = Question(
        meeting_id=meeting.id, body=body or f"What is planned for the square? ({factories.now().timestamp()})",
        topic=overrides.pop("topic", "urban_management"), status=QuestionStatus(status),
        created_at=overrides.pop("created_at", utcnow() - timedelta(minutes=minutes_ago)),
        rejection_reason=overrides.pop("rejection_reason", "Off topic" if status == "rejected" else None),
        **overrides,
    )
    db.session.add(question)
    db.session.flush()
    for n in range(votes):
        key = voter_key_for_browser(f"seed-{question.id}-{n}")
        db.session.add(QuestionVote(question_id=question.id, voter_key=key))
    question.vote_count = votes
    db.session.commit()
    return question


def add_vote(question, voter_id: str) -> None:
    db.session.add(QuestionVote(question_id=question.id, voter_key=voter_key_for_browser(voter_id)))
    question.vote_count += 1
    db.session.commit()


def make_registration_link(meeting, n: int = 1) -> tuple[Registration, str]:
    """A confirmed registration of `meeting` and the token of its private manage link."""
    token = new_token()
    registration = Registration(
        meeting_id=meeting.id, code=f"Q{meeting.id % 1000:03d}{n:03d}"[:7], token_hash=hash_token(token),
        name=f"报名市民{n}", mobile=f"1370000{n:04d}", mobile_normalized=f"+861370000{n:04d}",
        status=RegistrationStatus.CONFIRMED, queue_number=n)
    db.session.add(registration)
    db.session.commit()
    return registration, token


def follow(question, *, email: str | None = "asker@example.cn", language: str = "zh_CN") -> str:
    token = new_token()
    db.session.add(QuestionFollower(question_id=question.id, original_question_id=question.id,
                                    token_hash=hash_token(token), email=email, language=language))
    db.session.commit()
    return token


def set_mode(meeting, mode: str = "pre", **values) -> QuestionSettings:
    settings = db.session.get(QuestionSettings, meeting.id) or QuestionSettings(meeting_id=meeting.id)
    settings.moderation_mode = ModerationMode(mode)
    for key, value in values.items():
        setattr(settings, key, value)
    db.session.add(settings)
    db.session.commit()
    return settings


def voter_keys(question_id: int) -> set[str]:
    return set(db.session.execute(sa.select(QuestionVote.voter_key).where(QuestionVote.question_id == question_id))
               .scalars())


def ask_form(client, meeting, headers=None) -> tuple[str, str]:
    page = client.get(f"/meetings/{meeting.id}/questions", headers=headers)
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    html = page.get_data(as_text=True)
    submission = re.search(r'name="submission_id"[^>]*value="([^"]+)"', html).group(1)
    return csrf_token_from(html), submission


def post_question(client, meeting, headers=None, **fields):
    token, submission = ask_form(client, meeting, headers)
    data = {"csrf_token": token, "submission_id": submission, "body": "社区医院什么时候开门？",
            "topic": "health", "asker_name": "张三", "contact_email": "", "contact_mobile": "", **fields}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/meetings/{meeting.id}/questions", data=data, headers=headers)


def vote_on(client, question_id: int, meeting_id: int, headers=None, **extra):
    token = csrf_token_from(client.get(f"/meetings/{meeting_id}/questions").get_data(as_text=True))
    return client.post(f"/questions/{question_id}/vote", data={"csrf_token": token, **extra}, headers=headers)


def follow_link(html: str) -> str:
    return re.search(r'href="http://[^"]+(/questions/t/[A-Za-z0-9_-]+)"', html).group(1)
