"""The demo data holds action items in every state across departments, some overdue, with dated updates
and ratings, on a consistent timeline; loading again adds nothing."""
import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.accounts import models as account_models
from app.actions import queries as action_queries
from app.actions.models import (ActionDueChange, ActionItem, ActionRating, ActionSource, ActionStatus,
                                ActionUpdate)
from app.db import utcnow
from app.demo.actions import load_demo_actions
from app.demo.data import load_demo
from app.extensions import db
from app.minutes.models import MinutesVersion


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """The demo's staff passwords would dominate the run time; the checks work with any hash method."""
    monkeypatch.setattr(account_models, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def test_demo_action_items_cover_every_state_and_load_once(app, client):
    load_demo(echo=lambda line: None)
    items = db.session.execute(sa.select(ActionItem)).scalars().all()
    assert {item.status for item in items} == set(ActionStatus)
    assert any(item.is_overdue() for item in items)
    assert any(item.was_extended for item in items)
    assert len({item.department_id for item in items}) >= 2
    assert {ActionSource.QUESTION, ActionSource.MINUTES, ActionSource.DIRECT} <= {item.source for item in items}
    assert db.session.execute(sa.select(sa.func.count()).select_from(ActionUpdate)).scalar_one() >= 5
    rated = db.session.execute(sa.select(ActionRating.action_item_id).distinct()).scalars().all()
    assert len(rated) >= 2 and all(db.session.get(ActionItem, i).status == ActionStatus.DONE for i in rated)
    assert action_queries.department_figures()
    assert client.get("/actions").status_code == 200 and client.get("/actions/figures").status_code == 200
    assert load_demo_actions(echo=lambda line: None) == 0

    # A consistent timeline: items come after their meeting (and after the minutes or question they come
    # from); updates, extensions, closing and ratings follow in order, and nothing is in the future.
    now = utcnow()
    for item in items:
        where = item.title
        if item.meeting is not None:
            assert item.created_at >= item.meeting.effective_end, where
        if item.source == ActionSource.MINUTES:
            assert item.created_at >= db.session.get(MinutesVersion, item.minutes_version_id).published_at, where
        if item.source == ActionSource.QUESTION:
            assert item.question.outcome_at == item.created_at and item.question.created_at < item.created_at
        updates = db.session.execute(sa.select(ActionUpdate).where(ActionUpdate.action_item_id == item.id)
                                     .order_by(ActionUpdate.id)).scalars().all()
        times = [u.created_at for u in updates]
        assert times == sorted(times) and all(item.created_at <= t <= now for t in times), where
        changes = db.session.execute(sa.select(ActionDueChange.created_at)
                                     .where(ActionDueChange.action_item_id == item.id)).scalars().all()
        assert all(item.created_at <= t <= now for t in changes), where
        if item.is_closed:
            assert updates and updates[-1].kind == item.status.value and updates[-1].created_at == item.closed_at
            assert all(t <= item.closed_at for t in changes), where
        assert item.original_due_on >= item.local_today(item.created_at), where
        ratings = db.session.execute(sa.select(ActionRating.created_at)
                                     .where(ActionRating.action_item_id == item.id)).scalars().all()
        assert all(item.closed_at < t <= now for t in ratings), where
