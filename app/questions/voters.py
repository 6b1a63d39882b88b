"""Who a voter is: a random id kept in a signed, HttpOnly, SameSite=Lax cookie, set on the first vote or
question. Votes store only a hash of it. The same id keys the rate limits of asking and voting."""
from __future__ import annotations

import hashlib
import re
import secrets

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

from app.net import client_address

COOKIE_NAME = "townhall_voter"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
_SALT = "townhall.questions.voter"
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def browser_id() -> str | None:
    """The voter id from this request's cookie, or None when absent, forged or malformed."""
    raw = request.cookies.get(COOKIE_NAME)
    if not raw or len(raw) > 200:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) and _ID_PATTERN.match(value) else None


def ensure_browser_id() -> str:
    """This browser's voter id, making a new one (sent back by `remember`) if it has none."""
    existing = browser_id()
    if existing:
        return existing
    if "new_voter_id" not in g:
        g.new_voter_id = secrets.token_urlsafe(24)
    return g.new_voter_id


def remember(response):
    """Set the voter cookie on `response` if this request made a new voter id."""
    new_id = g.pop("new_voter_id", None)
    if new_id:
        response.set_cookie(
            COOKIE_NAME, _serializer().dumps(new_id), max_age=COOKIE_MAX_AGE, path="/", httponly=True,
            samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


def voter_key_for_browser(voter_id: str) -> str:
    return hashlib.sha256(f"browser:{voter_id}".encode()).hexdigest()


def rate_limit_key() -> str:
    """Rate-limit bucket of a public write: the voter cookie when the browser has one, else the address.

    Many people in one meeting room share one public address (the venue's Wi-Fi): keying on the cookie
    lets each of them vote. A client that drops its cookie falls back to the address bucket, so minting
    new voter ids is itself limited per address.
    """
    voter_id = browser_id()
    return f"voter:{voter_id}" if voter_id else f"ip:{client_address()}"
