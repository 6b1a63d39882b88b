"""Action items: follow-up work from meetings, tracked in public until it is done."""
from flask import Blueprint

bp = Blueprint("actions", __name__)
manage_bp = Blueprint("actions_manage", __name__)

from app.actions import manage, views  # noqa: E402,F401

from app.actions.permissions import can_create_action_item  # noqa: E402

# Pages of other areas (the meeting page, the question console) show the "new action item" link with it.
bp.add_app_template_global(can_create_action_item, "can_create_action_item")
