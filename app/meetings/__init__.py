"""Meetings: the public calendar and the staff pages that plan, publish, reschedule and cancel."""
from flask import Blueprint

bp = Blueprint("meetings", __name__)
manage_bp = Blueprint("meetings_manage", __name__)

from app.meetings import manage, views  # noqa: E402,F401
