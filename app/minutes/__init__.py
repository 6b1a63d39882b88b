"""Minutes: clerks record, officials approve, the public reads; approved versions never change."""
from flask import Blueprint

bp = Blueprint("minutes", __name__)
manage_bp = Blueprint("minutes_manage", __name__)

from app.minutes import hearing_manage, manage, views  # noqa: E402,F401


def _template_helpers():
    from app.minutes.presenting import department_name, outcome_label, vote_label

    return {"outcome_label": outcome_label, "vote_label": vote_label, "department_name": department_name}


bp.context_processor(_template_helpers)
manage_bp.context_processor(_template_helpers)
