"""Who a voter is: a registration of the meeting, or else a browser.

A browser gets a random id kept in a signed, HttpOnly, SameSite=Lax cookie, set on the first vote or
question; the same id keys the rate limits of asking and voting. A citizen who opens their
registration's private link (or registers) in a browser is remembered there, per meeting
(app/registrations/proofs.py): their votes on that meeting's questions are then keyed to the
registration, so the same registration votes once whichever browsers it uses. Votes store only a hash of either key; the unique
constraint on (question, key) is what enforces one vote.

A browser that voted before its registration was known keeps no second vote: on its next vote in that
meeting, its earlier browser votes move to the registration (services.cast_vote), and a question both
keys voted for keeps one of them.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer

from app.net import client_address
from app.registrations.proofs import registration_for

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


def voter_key_for_registration(registration_id: int) -> str:
    """Keyed with SECRET_KEY, so a registration's votes cannot be found from its (guessable) id."""
    secret = current_app.secret_key.encode("utf-8")
    return hmac.new(secret, f"registration:{int(registration_id)}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Voter:
    """Who votes: `key` is stored on the vote; `adopt_from` is this browser's own key, whose earlier
    votes in the meeting move to the registration (None for a browser voting as itself)."""

    key: str
    adopt_from: str | None = None
    is_registration: bool = False


def voter_for(meeting_id: int) -> Voter:
    """The voter of this request for a meeting's questions, making a browser id if needed."""
    registration_id = registration_for(meeting_id)
    if registration_id is None:
        return Voter(voter_key_for_browser(ensure_browser_id()))
    browser = browser_id()
    return Voter(voter_key_for_registration(registration_id),
                 adopt_from=voter_key_for_browser(browser) if browser else None, is_registration=True)


def current_voter_keys(meeting_id: int) -> list[str]:
    """Every key this request votes under in the meeting (to show what it already voted for)."""
    keys = []
    registration_id = registration_for(meeting_id)
    if registration_id is not None:
        keys.append(voter_key_for_registration(registration_id))
    browser = browser_id()
    if browser:
        keys.append(voter_key_for_browser(browser))
    return keys


def rate_limit_key() -> str:
    """Rate-limit bucket of a public write: the voter cookie when the browser has one, else the address.

    Many people in one meeting room share one public address (the venue's Wi-Fi): keying on the cookie
    lets each of them vote. A client that drops its cookie falls back to the address bucket, so minting
    new voter ids is itself limited per address.
    """
    voter_id = browser_id()
    return f"voter:{voter_id}" if voter_id else f"ip:{client_address()}"
