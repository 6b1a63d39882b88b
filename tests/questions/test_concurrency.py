"""One vote per voter per question under concurrent double clicks (a browser, or a registration from
several browsers at once), and vote counts that stay equal to the vote rows while votes race a merge:
real threads on separate connections, on a SQLite file and on PostgreSQL."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db as _db
from app.questions import services as qs
from app.questions.models import Question, QuestionStatus, QuestionVote
from app.questions.voters import voter_key_for_browser
from tests import factories
from tests.questions.builders import make_question

CLICKS = 12
VOTERS = 16


@pytest.fixture
def sqlite_file_app(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'votes.sqlite3'}")
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def run_together(app, jobs: list) -> list:
    """Run each job (a function of nothing) in its own thread and app context, all released at once.
    Returns each job's result or the exception it raised."""
    _db.session.remove()  # the test's own session must not hold a transaction (SQLite: the write lock)
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def worker(n: int):
        with app.app_context():
            try:
                prepared = jobs[n]()          # loads what the job needs, returns the racing call
                _db.session.commit()          # end the read transaction: on SQLite it holds the write lock
                barrier.wait(timeout=60)
                outcomes[n] = prepared()
            except Exception as error:  # recorded and asserted by the test
                outcomes[n] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def vote_job(question_id: int, voter: str):
    def prepare():
        question = _db.session.get(Question, question_id)
        _ = question.meeting.title  # load before the barrier
        return lambda: qs.cast_vote(question, voter_key_for_browser(voter))
    return prepare


def rows_and_count(question_id: int) -> tuple[int, int]:
    _db.session.expire_all()
    rows = _db.session.execute(sa.select(sa.func.count()).select_from(QuestionVote)
                               .where(QuestionVote.question_id == question_id)).scalar_one()
    return rows, _db.session.get(Question, question_id).vote_count


def double_click_race(app):
    question = make_question(factories.make_meeting())
    question_id = question.id
    outcomes = run_together(app, [vote_job(question_id, "same-browser") for _ in range(CLICKS)])
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors
    assert sum(o.counted for o in outcomes) == 1
    assert rows_and_count(question_id) == (1, 1)


def many_voters_race(app):
    question = make_question(factories.make_meeting())
    question_id = question.id
    outcomes = run_together(app, [vote_job(question_id, f"browser-{n}") for n in range(VOTERS)])
    assert all(not isinstance(o, Exception) and o.counted for o in outcomes), outcomes
    assert rows_and_count(question_id) == (VOTERS, VOTERS)


def votes_racing_a_merge(app):
    meeting = factories.make_meeting()
    official = factories.make_user("official", department_id=meeting.department_id)
    kept, duplicate = make_question(meeting), make_question(meeting)
    kept_id, duplicate_id, official_id = kept.id, duplicate.id, official.id

    def merge_job():
        from app.accounts.models import User

        actor = _db.session.get(User, official_id)
        into, merged = _db.session.get(Question, kept_id), _db.session.get(Question, duplicate_id)
        _ = (merged.meeting.title, actor.department_id)
        return lambda: qs.merge_questions(actor, merged, into)

    # Voters v0-v5 vote for both questions: after the merge each counts once.
    votes = [(kept_id, f"v{n}") for n in range(6)] + [(duplicate_id, f"v{n}") for n in range(12)]
    outcomes = run_together(app, [vote_job(*vote) for vote in votes] + [merge_job])
    assert not isinstance(outcomes[-1], Exception), outcomes[-1]
    unexpected = [o for o in outcomes[:-1] if isinstance(o, Exception) and not isinstance(o, qs.NotVotable)]
    assert not unexpected, unexpected
    merged = _db.session.get(Question, duplicate_id)
    assert merged.status == QuestionStatus.MERGED and merged.merged_into_id == kept_id
    assert rows_and_count(duplicate_id) == (0, 0)
    counted_on_duplicate = {voter for (question_id, voter), outcome in zip(votes, outcomes)
                            if question_id == duplicate_id and not isinstance(outcome, Exception)}
    keys = set(_db.session.execute(sa.select(QuestionVote.voter_key).where(QuestionVote.question_id == kept_id))
               .scalars())
    expected = {f"v{n}" for n in range(6)} | counted_on_duplicate
    assert keys == {voter_key_for_browser(voter) for voter in expected}
    assert rows_and_count(kept_id) == (len(expected), len(expected))


def one_registration_from_many_browsers_race(app):
    """Six browsers of one registration, each of which voted for `earlier` as itself, vote for `now` at
    once: each adopts its browser vote, and both questions end with the registration's one vote."""
    from app.questions.voters import voter_key_for_registration

    meeting = factories.make_meeting()
    earlier, now = make_question(meeting), make_question(meeting)
    earlier_id, now_id = earlier.id, now.id
    browsers = [f"device-{n}" for n in range(6)]
    for browser in browsers:
        qs.cast_vote(earlier, voter_key_for_browser(browser))
    registration = voter_key_for_registration(99)

    def job(browser):
        def prepare():
            question = _db.session.get(Question, now_id)
            _ = question.meeting.title
            return lambda: qs.cast_vote(question, registration, adopt_from=voter_key_for_browser(browser))
        return prepare

    outcomes = run_together(app, [job(browser) for browser in browsers])
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors
    assert sum(o.counted for o in outcomes) == 1
    for question_id in (earlier_id, now_id):
        keys = set(_db.session.execute(sa.select(QuestionVote.voter_key)
                                       .where(QuestionVote.question_id == question_id)).scalars())
        assert keys == {registration} and rows_and_count(question_id) == (1, 1)


def test_a_double_clicked_vote_counts_once_on_sqlite(sqlite_file_app):
    double_click_race(sqlite_file_app)


def test_sixteen_voters_at_once_all_count_on_sqlite(sqlite_file_app):
    many_voters_race(sqlite_file_app)


def test_votes_racing_a_merge_keep_counts_equal_to_rows_on_sqlite(sqlite_file_app):
    votes_racing_a_merge(sqlite_file_app)


def test_one_registration_voting_from_many_browsers_at_once_keeps_one_vote_on_sqlite(sqlite_file_app):
    one_registration_from_many_browsers_race(sqlite_file_app)


@pytest.mark.postgres
def test_one_registration_voting_from_many_browsers_at_once_keeps_one_vote_on_postgresql(app):
    one_registration_from_many_browsers_race(app)


@pytest.mark.postgres
def test_a_double_clicked_vote_counts_once_on_postgresql(app):
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    double_click_race(app)


@pytest.mark.postgres
def test_sixteen_voters_at_once_all_count_on_postgresql(app):
    many_voters_race(app)


@pytest.mark.postgres
def test_votes_racing_a_merge_keep_counts_equal_to_rows_on_postgresql(app):
    votes_racing_a_merge(app)
