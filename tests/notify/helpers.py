"""Shortcuts for the outbox tests."""
from __future__ import annotations

import itertools

import sqlalchemy as sa

from app.extensions import db
from app.notify import services as notify_services
from app.notify.models import OutboxMessage

_seq = itertools.count(1)


def queue(commit: bool = True, **overrides) -> OutboxMessage | None:
    """Queue one message with sensible defaults (and commit, as the calling service would)."""
    n = next(_seq)
    values = {
        "to": f"citizen{n}@example.com",
        "subject": f"Message {n}",
        "text": f"Body {n}\n",
        "dedupe_key": f"test-{n}",
    }
    values.update(overrides)
    message = notify_services.queue_email(**values)
    if commit:
        db.session.commit()
    return message


def all_messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def reload(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)
