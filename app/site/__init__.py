"""Site-wide public pages: the language switch."""
from flask import Blueprint

bp = Blueprint("site", __name__)

from app.site import views  # noqa: E402,F401
