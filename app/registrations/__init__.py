"""Registrations: citizens sign up without an account; staff run the waitlist and the door."""
from flask import Blueprint

bp = Blueprint("registrations", __name__)
manage_bp = Blueprint("registrations_manage", __name__)

from app.registrations import manage, views  # noqa: E402,F401
