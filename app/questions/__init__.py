"""Questions: citizens ask before and during a meeting and vote; moderators approve, reject, edit, merge and
run the live console; officials give every question an outcome."""
from flask import Blueprint

bp = Blueprint("questions", __name__)
manage_bp = Blueprint("questions_manage", __name__)

from app.questions import manage, views  # noqa: E402,F401
