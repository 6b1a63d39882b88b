"""Private-link tokens in queued emails are never stored in the clear.

A private link (a registration's manage link, a question's follow link, an action item's invitation,
follower and unsubscribe links) is a bearer secret: the app stores only its hash, so a copy of the
database or of a backup must not hold it either. Yet the email that carries it is queued in the same
transaction as the change and sent later, perhaps after retries.

So `conceal(parts, secrets)` replaces every occurrence of each secret in the message's subject, text,
HTML and calendar attachment by a stand-in (`[private-link:<random>]`, unique per message so that
no user text can forge one) and returns the secrets encrypted (Fernet: AES-128-CBC with an HMAC-SHA256,
key derived from SECRET_KEY by HKDF). The row keeps the readable body with stand-ins and the
ciphertext; `reveal(message)` decrypts and puts the links back at send time. Once the message is sent
the ciphertext is deleted (app/notify/services.py), so the sent row no longer holds even that. A
message that failed keeps its ciphertext, so `flask outbox retry-failed` still delivers working links.

If SECRET_KEY changes before a message is sent, its links cannot be recovered (they would not work
anyway for signed tokens); keys listed in SECRET_KEY_FALLBACKS are tried too. `reveal` then raises
PrivateLinksUnreadable and the sender marks the message failed at once.
"""
from __future__ import annotations

import base64
import json
import re
import secrets as _secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_HKDF_INFO = b"townhall.outbox.private-links.v1"
_STAND_IN = "[private-link:{}]"
# Tokens are URL-safe (secrets.token_urlsafe, itsdangerous): they appear verbatim in a URL, in text and
# in escaped HTML alike, so replacing the value itself catches every copy.
_TOKEN_LIKE = re.compile(r"^[A-Za-z0-9_.~=-]{16,}$")


class PrivateLinksUnreadable(ValueError):
    """The message's private links cannot be decrypted (SECRET_KEY changed, or the row was altered)."""


@dataclass(frozen=True)
class MessageParts:
    subject: str
    text: str
    html: Optional[str] = None
    ics: Optional[str] = None

    def replace(self, old: str, new: str) -> "MessageParts":
        return MessageParts(
            subject=self.subject.replace(old, new), text=self.text.replace(old, new),
            html=self.html.replace(old, new) if self.html else self.html,
            ics=self.ics.replace(old, new) if self.ics else self.ics)

    def contains(self, value: str) -> bool:
        return any(value in part for part in (self.subject, self.text, self.html, self.ics) if part)


def _fernet_for(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> MultiFernet:
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    return MultiFernet([_fernet_for(key) for key in keys if key])


def conceal(parts: MessageParts, private: Iterable[str]) -> tuple[MessageParts, Optional[str]]:
    """Replace each private value found in `parts` by a fresh stand-in. Returns the parts to store
    and the encrypted stand-in -> value map (None when no private value occurs). Raises ValueError
    for a value that is not a URL-safe token of at least 16 characters (it could hide in an escaped or
    percent-encoded form, or match ordinary text)."""
    mapping: dict[str, str] = {}
    for value in dict.fromkeys(v for v in private if v):
        if not _TOKEN_LIKE.match(value):
            raise ValueError("a private value must be a URL-safe token of at least 16 characters")
        if not parts.contains(value):
            continue
        stand_in = _STAND_IN.format(_secrets.token_hex(8))
        parts = parts.replace(value, stand_in)
        mapping[stand_in] = value
    if not mapping:
        return parts, None
    token = _fernet().encrypt(json.dumps(mapping, separators=(",", ":")).encode("utf-8"))
    return parts, token.decode("ascii")


def reveal(message) -> MessageParts:
    """The message as it is to be sent: `message` (an OutboxMessage) with its private links back in
    place. Raises PrivateLinksUnreadable if they cannot be decrypted."""
    parts = MessageParts(message.subject, message.body_text, message.body_html, message.ics)
    if not message.private_values:
        return parts
    try:
        mapping = json.loads(_fernet().decrypt(message.private_values.encode("ascii")))
    except (InvalidToken, ValueError, UnicodeError) as error:
        raise PrivateLinksUnreadable("the private links cannot be decrypted") from error
    for stand_in, value in mapping.items():
        parts = parts.replace(stand_in, value)
    return parts
