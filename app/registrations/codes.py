"""Registration codes, private manage tokens and contact normalisation."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from email_validator import EmailNotValidError, validate_email

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: codes are read aloud at the door and typed from paper.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
TOKEN_BYTES = 32
MIN_SUBMISSION_ID_LENGTH = 32

_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_CODE_INPUT = re.compile(r"[^0-9A-Z]")


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return f"{raw[:3]}-{raw[3:]}"


def normalise_code(text: str | None) -> str:
    """Accept codes typed in any case, with or without the dash or spaces: 'k7p 4q2' -> 'K7P-4Q2'."""
    raw = _CODE_INPUT.sub("", (text or "").upper())
    return f"{raw[:3]}-{raw[3:]}" if len(raw) == 6 else ""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_for_submission(secret_key: str, submission_id: str) -> str:
    """The manage token of a web registration, derived from the form's one-time submission id.

    A repeated submit of the same form (double click, reload) derives the same token, so the
    confirmation can be shown again without storing the token; nobody else knows the submission id.
    """
    digest = hmac.new(secret_key.encode("utf-8"), b"registration-manage:" + submission_id.encode("utf-8"),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def normalise_email(text: str | None) -> str | None:
    """Lower-cased, validated email, or None when empty. Raises ValueError when malformed."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
    return result.normalized.lower()


def normalise_mobile(text: str | None) -> str | None:
    """E.164 form of a mobile number, or None when empty. Mainland numbers may be typed with 11 digits
    (with or without +86 / 0086 and separators). Raises ValueError when it is not a valid number."""
    text = (text or "").strip()
    if not text:
        return None
    compact = re.sub(r"[\s\-().]", "", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if _MAINLAND_MOBILE.match(compact):
        return "+86" + compact
    if compact.startswith("+86") and _MAINLAND_MOBILE.match(compact[3:]):
        return compact
    if compact.startswith("+86"):
        raise ValueError("invalid mainland number")
    if _E164.match(compact):
        return compact
    raise ValueError("invalid mobile number")
