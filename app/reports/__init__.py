"""Printable documents (PDF) built from meeting data: tickets, sign-in sheets, notices, summaries."""
from flask import Blueprint

bp = Blueprint("reports", __name__)
manage_bp = Blueprint("reports_manage", __name__)

from app.reports import views  # noqa: E402,F401
