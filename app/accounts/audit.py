"""Writing audit events. Called inside a service's transaction, never commits."""
from __future__ import annotations

import json

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import AuditEvent, User
from app.db import utcnow
from app.extensions import db


def record_audit(actor: User | None, action: str, obj_type: str, obj_id: int | None, *,
                 details: dict | None = None, reason: str | None = None) -> AuditEvent:
    """Add one audit event to the current transaction, chained to the latest one.

    The latest event is read with FOR UPDATE (PostgreSQL) so concurrent writers chain in order;
    SQLite transactions are already serialised by BEGIN IMMEDIATE.
    """
    db.session.flush()
    last_hash = db.session.execute(
        sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1).with_for_update()
    ).scalar_one_or_none()
    event = AuditEvent(
        created_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=obj_type,
        object_id=obj_id,
        details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str),
        reason=reason,
        prev_hash=last_hash or "",
    )
    event.hash = event.compute_hash()
    db.session.add(event)
    return event


def verify_audit_chain() -> tuple[int, int | None]:
    """Walk the log in order; return (events checked, id of the first broken event or None)."""
    previous = ""
    checked = 0
    for event in db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars():
        if event.prev_hash != previous or event.compute_hash() != event.hash:
            return checked, event.id
        previous = event.hash
        checked += 1
    return checked, None


# Readable names for audit actions; codes without a label are shown as they are.
ACTION_LABELS = {
    "user.create": _l("created a staff account"),
    "user.update": _l("changed a staff account"),
    "user.activate": _l("reactivated a staff account"),
    "user.deactivate": _l("deactivated a staff account"),
    "user.reset_password": _l("reset a password"),
    "district.create": _l("added a district"),
    "department.create": _l("added a department"),
    "meeting.create": _l("created the meeting"),
    "meeting.update": _l("edited the meeting"),
    "meeting.publish": _l("published the meeting"),
    "meeting.reschedule": _l("rescheduled the meeting"),
    "meeting.cancel": _l("cancelled the meeting"),
    "meeting.capacity": _l("changed the capacity"),
    "registration.cancel": _l("cancelled a registration"),
    "registration.check_in": _l("checked someone in"),
    "registration.undo_check_in": _l("undid a check-in"),
    "registration.walk_in": _l("added a walk-in"),
    "question.enter": _l("entered a question received by another channel"),
    "question.approve": _l("approved a question"),
    "question.reject": _l("rejected a question"),
    "question.edit": _l("edited a question"),
    "question.merge": _l("merged duplicate questions"),
    "question.now_answering": _l("put a question on screen"),
    "question.now_answering_cleared": _l("cleared the question on screen"),
    "question.answered_live": _l("marked a question answered in the meeting"),
    "question.outcome": _l("recorded a question's outcome"),
    "questions.settings": _l("changed the question settings"),
    "action.create": _l("created an action item"),
    "action.update": _l("posted a progress update on an action item"),
    "action.status": _l("changed an action item's status"),
    "action.reopen": _l("reopened an action item"),
    "action.extend": _l("extended an action item's due date"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
