"""Use cases for questions: ask and vote (asking.py); enter from other channels, approve, reject, edit,
merge and the per-meeting settings (moderation.py); the live console and outcomes (answering.py).

Each use case is one transaction. Staff actions write one audit event each; emails to followers go to
the outbox in the same transaction. One vote per voter per question is the unique constraint
(question_id, voter_key); `vote_count` moves only in the statement that inserts or moves vote rows,
after the question's row is locked by an UPDATE (PostgreSQL) or the write lock taken at BEGIN (SQLite).
"""
from __future__ import annotations

from app.questions.services.answering import mark_answered_live, record_outcome, set_now_answering
from app.questions.services.asking import cast_vote, stop_follow_emails, submit_question
from app.questions.services.base import (
                                         NotVotable,
                                         OutcomeInput,
                                         QuestionInput,
                                         QuestionsClosed,
                                         SubmitResult,
                                         VoteResult,
)
from app.questions.services.moderation import (
                                         approve_question,
                                         edit_question,
                                         enter_question,
                                         merge_questions,
                                         reject_question,
                                         update_settings,
)

__all__ = [
    "NotVotable", "OutcomeInput", "QuestionInput", "QuestionsClosed", "SubmitResult", "VoteResult",
    "approve_question", "cast_vote", "edit_question", "enter_question", "mark_answered_live", "merge_questions",
    "record_outcome", "reject_question", "set_now_answering", "stop_follow_emails", "submit_question",
    "update_settings",
]
