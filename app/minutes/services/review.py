"""Reviewing minutes: approve, send back with comments, publish (emails registrants), correct."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.audit import record_audit
from app.accounts.models import User
from app.db import utcnow
from app.errors import InvalidState, NotAllowed, ValidationFailed
from app.extensions import db
from app.formtools import is_blank
from app.minutes import permissions
from app.minutes.content import IDENTITY_SCHEMA, decode, encode, identity_of, is_canonical, sha256_hex
from app.minutes.models import Minutes, MinutesVersion, VersionStatus
from app.minutes.models.minutes import MAX_COMMENT_LENGTH, MAX_REASON_LENGTH
from app.minutes.services.base import (AlreadyApproved, AlreadyPublished, current_status, fail, lock_minutes,
                                       require, transition)
from app.minutes.services.drafting import copies_are_current
from app.urls import external_url


def approve_minutes(actor: User, version: MinutesVersion, *, now: datetime | None = None) -> MinutesVersion:
    """Approve a submitted version. Only officials of the meeting and admins, never its submitter.
    One conditional UPDATE (WHERE status = 'submitted'): of two reviewers approving at once exactly
    one succeeds; the other gets AlreadyApproved. From here on the database refuses any change, so
    the linked questions' copies must be their current public text.

    Raises NotAllowed, AlreadyApproved, InvalidState (not submitted, its hash does not match, or a
    linked question changed since submission).
    """
    now = now or utcnow()
    meeting = version.minutes.meeting
    require(permissions.can_review_minutes(actor, meeting))
    if version.submitted_by_id == actor.id:
        fail(NotAllowed(_l("You submitted these minutes: another official must approve them.")))
    if not is_canonical(version.content) or sha256_hex(version.content) != version.content_hash \
            or not _names_itself(version, meeting.id):
        fail(InvalidState(_l("The stored text does not match its fingerprint. Do not approve; tell an administrator.")))
    if not copies_are_current(decode(version.content)):
        # Approved text never changes: a question's text must be right (personal data out, anonymity
        # kept) before approval. Moderators' edits refresh open versions; this catches any other way.
        fail(InvalidState(_l("A question linked in these minutes has changed since they were submitted (for "
                             "example, personal data was taken out). Send them back so the clerk submits them "
                             "again with the current text.")))
    if not transition(version, VersionStatus.SUBMITTED, status=VersionStatus.APPROVED, approved_at=now,
                      approved_by_id=actor.id):
        status = current_status(version)
        if status in (VersionStatus.APPROVED, VersionStatus.PUBLISHED):
            fail(AlreadyApproved())
        fail(InvalidState(_l("Only minutes submitted for approval can be approved.")))
    record_audit(actor, "minutes.approve", "minutes_version", version.id,
                 details={"meeting_id": meeting.id, "number": version.number, "sha256": version.content_hash})
    db.session.commit()
    return version


def _names_itself(version: MinutesVersion, meeting_id: int) -> bool:
    """The hashed text names this meeting and version number (texts before schema 2 name neither)."""
    identity = identity_of(version.content)
    return identity.schema < IDENTITY_SCHEMA or (identity.meeting_id, identity.number) == (meeting_id, version.number)


def return_minutes(actor: User, version: MinutesVersion, comment: str, *,
                   now: datetime | None = None) -> MinutesVersion:
    """Send a submitted version back to draft with the reviewer's comments (required)."""
    meeting = version.minutes.meeting
    require(permissions.can_review_minutes(actor, meeting))
    comment = (comment or "").strip()
    if is_blank(comment):
        fail(ValidationFailed(_l("Tell the clerk what to change."), field="comment"))
    if not transition(version, VersionStatus.SUBMITTED, status=VersionStatus.DRAFT,
                      review_comment=comment[:MAX_COMMENT_LENGTH], submitted_at=None, submitted_by_id=None):
        status = current_status(version)
        fail(AlreadyApproved() if status in (VersionStatus.APPROVED, VersionStatus.PUBLISHED)
             else InvalidState(_l("Only minutes submitted for approval can be sent back.")))
    record_audit(actor, "minutes.return", "minutes_version", version.id,
                 details={"meeting_id": meeting.id, "number": version.number}, reason=comment)
    db.session.commit()
    return version


def publish_minutes(actor: User, version: MinutesVersion, *, now: datetime | None = None) -> MinutesVersion:
    """Publish an approved version (the only change the database allows on it) and queue one email
    per registrant with an address who has not unsubscribed, in their language, deduplicated per version
    and registration.

    Raises NotAllowed, AlreadyPublished, InvalidState (not approved).
    """
    now = now or utcnow()
    meeting = version.minutes.meeting
    require(permissions.can_review_minutes(actor, meeting))
    if not transition(version, VersionStatus.APPROVED, status=VersionStatus.PUBLISHED, published_at=now,
                      published_by_id=actor.id):
        status = current_status(version)
        fail(AlreadyPublished() if status == VersionStatus.PUBLISHED
             else InvalidState(_l("Only approved minutes can be published.")))
    _queue_emails(version, meeting)
    record_audit(actor, "minutes.publish", "minutes_version", version.id,
                 details={"meeting_id": meeting.id, "number": version.number, "sha256": version.content_hash})
    db.session.commit()
    return version


def _queue_emails(version: MinutesVersion, meeting) -> None:
    """One email per registrant with an address who has not unsubscribed from this meeting's emails,
    with the same unsubscribe link as reminders and change notices."""
    from app.calendar import notifications
    from app.notify.services import queue_email, render_email
    from app.registrations.models import Registration, RegistrationStatus

    registrations = db.session.execute(
        sa.select(Registration).where(Registration.meeting_id == meeting.id, Registration.email != "",
                                      Registration.status != RegistrationStatus.CANCELLED,
                                      notifications.not_opted_out())
        .order_by(Registration.id)
    ).scalars()
    minutes_url = external_url("minutes.show", meeting_id=meeting.id)
    for registration in registrations:
        subject, text, html = render_email(
            "minutes/published", registration.language, registration=registration, meeting=meeting,
            version=version, minutes_url=minutes_url,
            unsubscribe_url=notifications.unsubscribe_url(registration.id))
        queue_email(to=registration.email, to_name=registration.name, subject=subject, text=text, html=html,
                    dedupe_key=f"minutes-version-{version.id}-registration-{registration.id}",
                    language=registration.language,
                    private=(notifications.unsubscribe_token(registration.id),))


def start_correction(actor: User, minutes: Minutes, reason: str, *, now: datetime | None = None) -> MinutesVersion:
    """Start a correction: a new draft copying the current published version, with the reason
    (required, shown publicly), superseding it (prev_hash = its hash). It then goes through submit,
    approve and publish again. Only one version may be open at a time.

    Raises NotAllowed, ValidationFailed (no reason), InvalidState (nothing published, or a version open).
    """
    now = now or utcnow()
    require(permissions.can_edit_minutes(actor, minutes.meeting))
    reason = (reason or "").strip()
    if is_blank(reason):
        fail(ValidationFailed(_l("Give the reason for the correction; it is shown publicly."), field="reason"))
    minutes = lock_minutes(minutes.id)
    versions = list(db.session.execute(
        sa.select(MinutesVersion).where(MinutesVersion.minutes_id == minutes.id).order_by(MinutesVersion.number)
        .execution_options(populate_existing=True)).scalars())
    if any(v.status != VersionStatus.PUBLISHED for v in versions):
        fail(InvalidState(_l("Finish the version in progress before starting a correction.")))
    current = versions[-1] if versions else None
    if current is None:
        fail(InvalidState(_l("Only published minutes can be corrected.")))
    text, digest = encode(decode(current.content), meeting_id=minutes.meeting_id, number=current.number + 1)
    version = MinutesVersion(minutes_id=minutes.id, number=current.number + 1, status=VersionStatus.DRAFT,
                             content=text, content_hash=digest, prev_hash=current.content_hash,
                             supersedes_id=current.id, correction_reason=reason[:MAX_REASON_LENGTH],
                             created_at=now, created_by_id=actor.id, updated_at=now, updated_by_id=actor.id)
    db.session.add(version)
    db.session.flush()
    record_audit(actor, "minutes.start_correction", "minutes_version", version.id,
                 details={"meeting_id": minutes.meeting_id, "number": version.number}, reason=reason)
    db.session.commit()
    return version
