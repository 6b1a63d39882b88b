"""Staff accounts, departments, districts and the audit log."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)
manage_bp = Blueprint("accounts_manage", __name__)

from app.accounts import manage, views  # noqa: E402,F401
