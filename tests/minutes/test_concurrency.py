"""Two reviewers approve the same minutes at the same moment: exactly one succeeds, the other is told
they are already approved. On a SQLite file and on PostgreSQL, with real separate connections."""
from __future__ import annotations

import threading

import pytest

from app import create_app
from app.accounts.models import User
from app.extensions import db as _db
from app.minutes import services as ms
from app.minutes.models import MinutesVersion, VersionStatus
from tests import factories
from tests.minutes import builders


@pytest.fixture
def sqlite_file_app(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'race.sqlite3'}",
                     SQLITE_BUSY_TIMEOUT_MS=60_000)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def race(app, version_id: int, reviewer_ids: list[int]) -> list:
    _db.session.remove()
    barrier = threading.Barrier(len(reviewer_ids))
    outcomes: list = [None] * len(reviewer_ids)

    def worker(n: int):
        with app.app_context():
            reviewer = _db.session.get(User, reviewer_ids[n])
            version = _db.session.get(MinutesVersion, version_id)
            version.minutes.meeting.hosts  # load what the permission check reads
            _db.session.commit()  # end the read transaction: on SQLite it holds the write lock
            barrier.wait(timeout=30)
            try:
                outcomes[n] = ms.approve_minutes(reviewer, version)
            except Exception as error:  # recorded and asserted below
                outcomes[n] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(len(reviewer_ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def check(outcomes, version_id: int, reviewer_ids: list[int]) -> None:
    successes = [o for o in outcomes if isinstance(o, MinutesVersion)]
    failures = [o for o in outcomes if isinstance(o, Exception)]
    assert len(successes) == 1, outcomes
    assert len(failures) == len(outcomes) - 1 and all(isinstance(f, ms.AlreadyApproved) for f in failures), failures
    assert str(failures[0].message) in {"These minutes have already been approved by another reviewer.",
                                        "该会议纪要已由另一位审核人批准。"}
    version = _db.session.get(MinutesVersion, version_id)
    assert version.status == VersionStatus.APPROVED and version.approved_by_id in reviewer_ids


def _setup() -> tuple[int, list[int]]:
    setting = builders.past_meeting()
    version = builders.submitted(setting)
    admin = factories.make_user("admin")
    return version.id, [setting.official.id, setting.second_official.id, admin.id]


def test_two_reviewers_approving_at_once_on_sqlite(sqlite_file_app):
    version_id, reviewers = _setup()
    check(race(sqlite_file_app, version_id, reviewers), version_id, reviewers)


@pytest.mark.postgres
def test_two_reviewers_approving_at_once_on_postgresql(app):
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    version_id, reviewers = _setup()
    check(race(app, version_id, reviewers), version_id, reviewers)
