"""Which registrations this browser has proved it holds, per meeting: a signed, HttpOnly, SameSite=Lax
cookie set when the private manage link is opened or the registration is made in this browser. The
questions use it to key a registrant's votes to their registration (app/questions/voters.py)."""
from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

REGISTRANT_COOKIE_NAME = "townhall_registrant"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
REGISTRANT_MEETINGS_KEPT = 20  # the most recent meetings a browser is remembered as a registrant of
_SALT = "townhall.registrations.proof"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def _registrations() -> dict[str, int]:
    """{meeting id: registration id} from this request's registrant cookie ({} when absent or forged)."""
    raw = request.cookies.get(REGISTRANT_COOKIE_NAME)
    if not raw or len(raw) > 2000:
        return {}
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if str(k).isdigit() and isinstance(v, int) and v > 0}


def registration_for(meeting_id: int) -> int | None:
    """The registration this browser proved for the meeting (private link or registering), if any."""
    return _registrations().get(str(meeting_id))


def remember_registration(response, meeting_id: int, registration_id: int):
    """Remember on `response` that this browser is `registration_id` of `meeting_id` (signed cookie,
    keeping the most recent REGISTRANT_MEETINGS_KEPT meetings)."""
    known = _registrations()
    known.pop(str(meeting_id), None)
    known[str(meeting_id)] = int(registration_id)
    kept = dict(list(known.items())[-REGISTRANT_MEETINGS_KEPT:])
    response.set_cookie(
        REGISTRANT_COOKIE_NAME, _serializer().dumps(kept), max_age=COOKIE_MAX_AGE, path="/",
        httponly=True, samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response
