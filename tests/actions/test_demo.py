"""The demo data holds action items in every state across departments, some overdue, with dated updates
and ratings; loading again adds nothing."""
import sqlalchemy as sa

from app.actions import queries as action_queries
from app.actions.models import ActionItem, ActionRating, ActionSource, ActionStatus, ActionUpdate
from app.demo.actions import load_demo_actions
from app.demo.data import load_demo
from app.extensions import db


def test_demo_action_items_cover_every_state_and_load_once(app, client):
    load_demo(echo=lambda line: None)
    items = db.session.execute(sa.select(ActionItem)).scalars().all()
    assert {item.status for item in items} == set(ActionStatus)
    assert any(item.is_overdue() for item in items)
    assert any(item.was_extended for item in items)
    assert len({item.department_id for item in items}) >= 2
    assert {ActionSource.QUESTION, ActionSource.DIRECT} <= {item.source for item in items}
    assert db.session.execute(sa.select(sa.func.count()).select_from(ActionUpdate)).scalar_one() >= 5
    assert db.session.execute(sa.select(sa.func.count()).select_from(ActionRating)).scalar_one() >= 2
    assert action_queries.department_figures()
    assert client.get("/actions").status_code == 200 and client.get("/actions/figures").status_code == 200
    assert load_demo_actions(echo=lambda line: None) == 0
