"""Demo questions: loaded through the services, idempotent, and covering every channel, both languages,
votes, merged duplicates, live answers, written responses, every outcome and some overdue questions."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.accounts import models as account_models
from app.accounts.audit import verify_audit_chain
from app.accounts.models import User
from app.demo.data import load_demo
from app.demo.questions import load_demo_questions
from app.questions.models import Question, QuestionChannel, QuestionOutcome, QuestionStatus, QuestionVote
from app.questions.queries import list_overdue_questions
from app.security import Role
from tests.helpers import row_counts


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(account_models, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def test_demo_questions_cover_every_part_and_load_only_once(db):
    # flask demo load runs the questions loader itself; running it again creates nothing.
    load_demo(echo=lambda line: None)
    lines: list[str] = []
    counts = row_counts()
    assert counts["questions"] >= 150
    assert load_demo_questions(echo=lines.append) == 0 and row_counts() == counts
    assert lines[-1].strip() == "questions: already present"

    questions = list(db.session.execute(sa.select(Question)).scalars())
    assert {q.channel for q in questions} == set(QuestionChannel)
    assert {q.outcome for q in questions if q.outcome} == set(QuestionOutcome)
    assert {q.status for q in questions} == set(QuestionStatus)
    assert any(all(ord(ch) < 0x2E80 for ch in q.body) for q in questions)            # English
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in q.body) for q in questions)  # Chinese
    assert all(q.rejection_reason for q in questions if q.status == QuestionStatus.REJECTED)
    assert any(q.edited_at for q in questions) and any(q.is_anonymous for q in questions)
    for merged in (q for q in questions if q.status == QuestionStatus.MERGED):
        assert merged.merged_into.status == QuestionStatus.APPROVED and merged.vote_count == 0
    votes = db.session.execute(
        sa.select(QuestionVote.question_id, sa.func.count()).group_by(QuestionVote.question_id)).all()
    by_question = {q.id: q.vote_count for q in questions}
    assert votes and all(by_question[question_id] == n for question_id, n in votes)
    for q in questions:
        if q.outcome in (QuestionOutcome.DECLINED, QuestionOutcome.CANNOT_SOLVE_NOW):
            assert q.outcome_reason and q.outcome_plan
        if q.outcome == QuestionOutcome.REFERRED:
            assert q.referred_department_id
    admin = db.session.execute(sa.select(User).where(User.role == Role.ADMIN)).scalars().first()
    assert list_overdue_questions(admin).total > 0
    assert verify_audit_chain()[1] is None
