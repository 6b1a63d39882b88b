"""Queueing emails inside the caller's transaction, and sending the ones that are due.

Public API (`from app.notify import services as notify_services`):

- `render_email(template_base, language, **context) -> (subject, text, html | None)`
  (see app/notify/rendering.py for the template contract).
- `queue_email(*, to, subject, text, html=None, dedupe_key, language="zh_CN", to_name=None, ics=None,
  private=()) -> OutboxMessage | None`: adds the message to the current transaction without committing,
  so it exists only if the caller's transaction commits; returns None if `dedupe_key` is already taken.
  Tokens listed in `private` are stored encrypted and restored only when sending (app/notify/private.py).
- `send_due(limit=100, now=None, *, on_progress=None) -> SendSummary`: sends what is due and
  commits after each message.
- `retry_failed(*, ids=None, now=None) -> int`: puts failed messages back in the queue.
- `backoff_delay(attempts) -> timedelta`: the wait after the n-th failed attempt.

Delivery guarantees: a message is committed as sent right after the server accepted it, so a crash
never resends the messages before it. Only the one message in flight can be sent twice (the server
accepted it and the process died before the commit): delivery is at-least-once for that message,
and it carries the same Message-ID both times. Several senders may run at once: on PostgreSQL each
message is claimed with SELECT ... FOR UPDATE SKIP LOCKED and the row lock is held until its
outcome is committed; on SQLite, where a transaction locks the whole database (BEGIN IMMEDIATE,
app/sqlite.py), the claim is committed before talking to the server (the row's `next_attempt_at`
moves CLAIM_LEASE ahead) so that web requests are not blocked during the SMTP exchange.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import MessageError
from email.headerregistry import Address

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.db import utcnow
from app.extensions import db
from app.i18n import DEFAULT_LANGUAGE, LOCALES
from app.notify.mailer import (MailConfigError, Transport, build_message, check_address, classify_error,
                               clean_header, describe_error, new_message_id, parse_sender,
                               transport_from_config)
from app.notify.models import OutboxMessage, OutboxStatus
from app.notify.private import MessageParts, conceal
from app.notify.queries import count_due
from app.notify.rendering import render_email

__all__ = ["MailConfigError", "SendResult", "SendSummary", "backoff_delay", "queue_email", "render_email",
           "retry_failed", "send_due"]

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
# SQLite only: how long a claimed message stays invisible to other senders while it is sent.
CLAIM_LEASE = timedelta(minutes=15)
DEDUPE_KEY_LENGTH = 200


def backoff_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: 1 min x 2^attempts, at most 6 hours."""
    return min(BACKOFF_BASE * (2 ** min(attempts, 20)), BACKOFF_CAP)


# ---------------------------------------------------------------------------- queueing

def queue_email(*, to: str, subject: str, text: str, html: str | None = None, dedupe_key: str,
                language: str = DEFAULT_LANGUAGE, to_name: str | None = None,
                ics: str | None = None, private: Sequence[str] = ()) -> OutboxMessage | None:
    """Add one email to the outbox in the current transaction; never commits.

    The email is sent only if the caller's transaction commits. If a message with `dedupe_key`
    already exists (committed, or earlier in this transaction), nothing is added and None is
    returned; the insert uses ON CONFLICT (dedupe_key) DO NOTHING on both PostgreSQL and SQLite, so
    a concurrent duplicate waits for the other transaction instead of aborting the caller's.
    Subject and name are squeezed onto one line. `private` lists the private-link tokens the message
    carries: they are stored encrypted, never in the clear (app/notify/private.py), and put back only
    when the message is sent. Raises ValueError for an address that cannot be a single mailbox, an
    unknown language, an empty or over-long dedupe key, or a private value that is not a token.
    """
    if language not in LOCALES:
        raise ValueError(f"unknown language {language!r}")
    if not dedupe_key or len(dedupe_key) > DEDUPE_KEY_LENGTH:
        raise ValueError(f"dedupe_key must have 1 to {DEDUPE_KEY_LENGTH} characters")
    now = utcnow()
    parts, private_values = conceal(MessageParts(clean_header(subject, 500), text, html or None, ics or None),
                                    private)
    values = {
        "dedupe_key": dedupe_key,
        "message_id": new_message_id(_message_id_domain()),
        "to_address": check_address(to),
        "to_name": clean_header(to_name, 200) or None,
        "language": language,
        "subject": parts.subject,
        "body_text": parts.text,
        "body_html": parts.html,
        "ics": parts.ics,
        "private_values": private_values,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    insert = _dialect_insert()
    statement = (insert(OutboxMessage).values(**values)
                 .on_conflict_do_nothing(index_elements=[OutboxMessage.dedupe_key])
                 .returning(OutboxMessage))
    return db.session.scalars(statement).one_or_none()


def _dialect_insert():
    """The dialect's INSERT with ON CONFLICT support. On SQLite this is INSERT ... ON CONFLICT
    (dedupe_key) DO NOTHING rather than INSERT OR IGNORE, which would also hide NOT NULL and CHECK
    violations."""
    dialect = db.session.get_bind(mapper=sa.inspect(OutboxMessage)).dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"the outbox supports PostgreSQL and SQLite, not {dialect}")


def _sender() -> Address:
    return parse_sender(current_app.config.get("MAIL_DEFAULT_SENDER"))


def _message_id_domain() -> str:
    """MAIL_MESSAGE_ID_DOMAIN, else the sender's domain. A bad mail setting must not break the
    caller's transaction here: it is reported when sending."""
    domain = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN")
    if not domain:
        try:
            domain = _sender().domain
        except MailConfigError:
            domain = None
    return clean_header(domain) or "townhall.localhost"


# ---------------------------------------------------------------------------- sending

@dataclass(frozen=True)
class SendResult:
    """What happened to one message; `outcome` is 'sent', 'retry' (will be tried again) or 'failed'."""

    outbox_id: int  # OutboxMessage.id (not the Message-ID header)
    outcome: str
    attempts: int
    next_attempt_at: datetime | None = None
    error: str | None = None
    stops_batch: bool = False  # the server is unusable: the run ends here


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0      # attempts that failed in this run (retried later, or given up)
    gave_up: int = 0     # of those, messages now in status 'failed'
    remaining: int = 0   # pending messages still due when the run ended
    stopped: str | None = None  # why the run stopped early (the mail server is unusable)

    def __str__(self) -> str:
        text = f"sent {self.sent}, failed {self.failed} (gave up {self.gave_up}), remaining {self.remaining}"
        return f"{text}; stopped early: {self.stopped}" if self.stopped else text


def send_due(limit: int = 100, now: datetime | None = None, *,
             on_progress: Callable[[SendResult], None] | None = None) -> SendSummary:
    """Send up to `limit` pending messages whose `next_attempt_at` has passed, oldest first.

    Each outcome is committed on its own (see the module docstring for the guarantees), so call it
    outside any unit of work: it commits the session. A failed attempt adds one to `attempts`,
    records `last_error` and waits `backoff_delay(attempts)`; after MAIL_MAX_ATTEMPTS attempts, or at
    once for a permanent refusal (5xx reply, unencodable address), the message becomes 'failed'.
    If the server itself is unusable (refused connection, timeout, TLS or login failure) the run
    stops after that message and leaves the others untouched. Raises MailConfigError before sending
    anything if the mail settings cannot work.
    """
    config = current_app.config
    sender = _sender()
    max_attempts = int(config.get("MAIL_MAX_ATTEMPTS") or 12)
    holds_lock = db.session.get_bind(mapper=sa.inspect(OutboxMessage)).dialect.name != "sqlite"
    summary = SendSummary()
    try:
        with transport_from_config(config) as transport:
            for _ in range(limit):
                at = now or utcnow()  # real time per message unless the caller fixes the clock
                message = _claim_next(at)
                if message is None:
                    break
                result = _deliver(message, transport, sender, at, max_attempts=max_attempts,
                                  holds_lock=holds_lock)
                _count(summary, result)
                if on_progress is not None:
                    on_progress(result)
                if result.stops_batch:
                    summary.stopped = result.error
                    break
    finally:
        db.session.rollback()  # release a claim left open by an unexpected error
    summary.remaining = count_due(now or utcnow())
    db.session.rollback()  # end the read transaction (on SQLite it holds the write lock)
    return summary


def _claim_next(now: datetime) -> OutboxMessage | None:
    statement = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return db.session.execute(statement).scalar_one_or_none()


def _deliver(message: OutboxMessage, transport: Transport, sender: Address, now: datetime, *,
             max_attempts: int, holds_lock: bool) -> SendResult:
    """Build and send one claimed message, then commit its outcome."""
    try:
        mime = build_message(message, sender=sender, now=now)
    except (ValueError, MessageError) as exc:
        return _record_failure(message, exc, now, max_attempts=max_attempts)
    if not holds_lock:
        message.next_attempt_at = now + CLAIM_LEASE
        db.session.commit()
    try:
        transport.send(mime, sender=sender, recipient=mime["To"].addresses[0].addr_spec)
    except (OSError, ValueError) as exc:  # smtplib.SMTPException is an OSError
        return _record_failure(message, exc, now, max_attempts=max_attempts)
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.attempts += 1
    message.last_error = None
    message.private_values = None  # delivered: not even the encrypted tokens stay
    result = SendResult(message.id, "sent", message.attempts)
    db.session.commit()
    return result


def _record_failure(message: OutboxMessage, exc: Exception, now: datetime, *, max_attempts: int) -> SendResult:
    kind = classify_error(exc)
    message.attempts += 1
    message.last_error = describe_error(exc)
    if kind.permanent or message.attempts >= max_attempts:
        message.status = OutboxStatus.FAILED
        next_at = None
    else:
        message.next_attempt_at = next_at = now + backoff_delay(message.attempts)
    result = SendResult(message.id, "failed" if next_at is None else "retry", message.attempts, next_at,
                        message.last_error, stops_batch=kind.server_unusable)
    db.session.commit()
    return result


def _count(summary: SendSummary, result: SendResult) -> None:
    if result.outcome == "sent":
        summary.sent += 1
        return
    summary.failed += 1
    if result.outcome == "failed":
        summary.gave_up += 1


# ---------------------------------------------------------------------------- requeueing

def retry_failed(*, ids: Sequence[int] | None = None, now: datetime | None = None) -> int:
    """Put failed messages (all, or those in `ids`) back in the queue with a fresh set of attempts,
    due now. `last_error` is kept until the next attempt. Commits; returns how many were requeued."""
    statement = (
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    if ids is not None:
        statement = statement.where(OutboxMessage.id.in_(list(ids)))
    count = db.session.execute(statement).rowcount
    db.session.commit()
    return count
