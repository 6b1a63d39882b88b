"""Action items: follow-up work from meetings, tracked in public until it is done."""
from flask import Blueprint

bp = Blueprint("actions", __name__)
manage_bp = Blueprint("actions_manage", __name__)

from app.actions import manage, views  # noqa: E402,F401
