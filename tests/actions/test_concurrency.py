"""One rating per follower, even when the same follower's rating is sent many times at once."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app import create_app
from app.actions import services as action_services
from app.actions.models import ActionFollower, ActionRating
from app.extensions import db as _db
from tests import factories
from tests.actions.builders import make_item

RACERS = 10


@pytest.fixture
def sqlite_file_app(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'race.sqlite3'}",
                     SQLITE_BUSY_TIMEOUT_MS=120_000)
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def test_a_follower_rating_many_times_at_once_leaves_exactly_one_rating(sqlite_file_app):
    app = sqlite_file_app
    official = factories.make_user("official")
    item = make_item(official)
    action_services.change_action_status(official, item, "done", text="已完成")
    follower = ActionFollower(action_item_id=item.id, email="a@example.cn", token_hash="h" * 64)
    _db.session.add(follower)
    _db.session.commit()
    follower_id = follower.id
    _db.session.remove()
    barrier = threading.Barrier(RACERS)
    outcomes: list = [None] * RACERS

    def worker(n: int):
        with app.app_context():
            mine = _db.session.get(ActionFollower, follower_id)
            _ = mine.action_item.status
            _db.session.commit()
            barrier.wait(timeout=60)
            try:
                outcomes[n] = action_services.rate_action_item(mine, "satisfied")
            except Exception as error:  # recorded and asserted below
                outcomes[n] = error
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == RACERS - 1 and all(isinstance(e, action_services.AlreadyRated) for e in errors), errors
    assert _db.session.execute(sa.select(sa.func.count()).select_from(ActionRating)).scalar_one() == 1
