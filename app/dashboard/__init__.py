"""The staff dashboard at /manage/."""
from flask import Blueprint

manage_bp = Blueprint("dashboard", __name__)

from app.dashboard import manage  # noqa: E402,F401
