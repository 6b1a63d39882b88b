"""Writing action items: create, post progress, change status, extend the due date, follow and rate.

Every staff change writes one audit event in the same transaction; follower emails are queued in the
outbox in that transaction too (sent after the commit by `flask notify`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from app.accounts.audit import record_audit
from app.accounts.models import Department, User
from app.actions import permissions
from app.actions.models import (DEFAULT_TIMEZONE, MAX_COMMENT_LENGTH, MAX_REASON_LENGTH, MAX_TEXT_LENGTH,
                                MAX_TITLE_LENGTH, ActionDueChange, ActionFollower, ActionItem, ActionPriority,
                                ActionRating, ActionSource, ActionStatus, ActionUpdate, Satisfaction)
from app.db import utcnow
from app.errors import DomainError, InvalidState, NotAllowed, ValidationFailed
from app.extensions import db
from app.formtools import clean_line, clean_text, is_blank
from app.i18n import DEFAULT_LANGUAGE, LOCALES
from app.meetings.models import Meeting
from app.minutes.content import decode
from app.minutes.models import MinutesVersion, VersionStatus
from app.questions.models import Question, QuestionOutcome, QuestionStatus
from app.registrations import codes
from app.registrations.models import Registration
from app.security import Role
from app.urls import external_url

_FOLLOW_SALT = "townhall.actions.follow-invite"
_FOLLOWER_SALT = "townhall.actions.follower"
FOLLOW_INVITE_MAX_AGE = 7 * 24 * 3600


class NotFollowable(DomainError):
    status_code = 404
    default_message = _l("This link is not valid.")


class AlreadyRated(DomainError):
    status_code = 409
    default_message = _l("You have already rated this item. Thank you.")


def _fail(error: DomainError):
    db.session.rollback()
    raise error


@dataclass
class ActionInput:
    title: str
    due_on: date | None
    department_id: int | None
    responsible_id: int | None
    description: str = ""
    priority: str = ActionPriority.NORMAL.value


# ---------------------------------------------------------------------------- creating

def _clean_input(data: ActionInput, meeting: Meeting | None, now: datetime) -> dict:
    title = clean_line(data.title or "")
    if is_blank(title):
        raise ValidationFailed(_l("Give the action item a title."), field="title")
    if len(title) > MAX_TITLE_LENGTH:
        raise ValidationFailed(_l("The title is too long."), field="title")
    description = clean_text(data.description or "")
    if len(description) > MAX_TEXT_LENGTH:
        raise ValidationFailed(_l("The description is too long."), field="description")
    department = db.session.get(Department, data.department_id) if data.department_id else None
    if department is None:
        raise ValidationFailed(_l("Choose the responsible department."), field="department_id")
    responsible = db.session.get(User, data.responsible_id) if data.responsible_id else None
    # The one answerable for the item is an official (or an admin), whoever records it.
    if responsible is None or not responsible.is_active or responsible.role not in (Role.ADMIN, Role.OFFICIAL):
        raise ValidationFailed(_l("Choose the responsible official."), field="responsible_id")
    try:
        priority = ActionPriority(data.priority)
    except ValueError:
        raise ValidationFailed(_l("Choose a priority."), field="priority") from None
    if data.due_on is None:
        raise ValidationFailed(_l("Give a due date."), field="due_on")
    tz = meeting.timezone if meeting is not None else DEFAULT_TIMEZONE
    if data.due_on < now.astimezone(ZoneInfo(tz)).date():
        raise ValidationFailed(_l("The due date cannot be before the day the item is created."), field="due_on")
    return {"title": title, "description": description, "department_id": department.id,
            "responsible_id": responsible.id, "priority": priority, "due_on": data.due_on,
            "original_due_on": data.due_on}


def minutes_reference_text(version: MinutesVersion, ref: str) -> str | None:
    """The text of decision/commitment `ref` in a minutes version ("c<i>" or "d<item>.<decision>")."""
    content = decode(version.content)
    try:
        if ref.startswith("c"):
            index = int(ref[1:])
            return content.commitments[index].text if index >= 0 else None
        if ref.startswith("d"):
            item_index, decision_index = (int(part) for part in ref[1:].split(".", 1))
            if item_index < 0 or decision_index < 0:
                return None
            return content.items[item_index].decisions[decision_index].motion
    except (ValueError, IndexError):
        return None
    return None


def create_action_item(actor: User, data: ActionInput, *, meeting: Meeting | None = None,
                       question: Question | None = None, minutes_version: MinutesVersion | None = None,
                       minutes_ref: str | None = None, now: datetime | None = None) -> ActionItem:
    """Create an item directly, from a published question of a meeting, or from a decision or commitment
    of published minutes. The due date may not be before today (meeting's time zone). A question turned
    into an item gets the outcome "turned into follow-up work". Officials of the meeting (or admins), and
    clerks for their own department (its meetings, items it owns); the responsible person is an official.
    Raises NotAllowed, ValidationFailed and InvalidState."""
    now = now or utcnow()
    source = ActionSource.DIRECT
    source_text = ""
    if question is not None:
        meeting = question.meeting
        source = ActionSource.QUESTION
        source_text = question.body
    elif minutes_version is not None:
        meeting = minutes_version.minutes.meeting
        source = ActionSource.MINUTES
    if not permissions.can_create_action_item(actor, meeting):
        _fail(NotAllowed())
    try:
        values = _clean_input(data, meeting, now)
    except DomainError as error:
        _fail(error)
    if not permissions.can_create_action_item(actor, meeting, department_id=values["department_id"]):
        _fail(ValidationFailed(_l("Clerks create action items for their own department only."),
                               field="department_id"))
    if question is not None:
        if question.status != QuestionStatus.APPROVED:
            _fail(InvalidState(_l("Only published questions can become action items.")))
        taken = db.session.execute(sa.select(ActionItem.id).where(ActionItem.question_id == question.id)).first()
        if taken:
            _fail(InvalidState(_l("This question already has an action item.")))
    if minutes_version is not None:
        if minutes_version.status != VersionStatus.PUBLISHED:
            _fail(InvalidState(_l("Action items come from published minutes only.")))
        source_text = minutes_reference_text(minutes_version, minutes_ref or "")
        if source_text is None:
            _fail(ValidationFailed(_l("Choose a decision or commitment from the minutes."), field="minutes_ref"))
    item = ActionItem(**values, meeting_id=meeting.id if meeting else None, source=source,
                      question_id=question.id if question else None,
                      minutes_version_id=minutes_version.id if minutes_version else None,
                      minutes_ref=minutes_ref if minutes_version else None, source_text=source_text,
                      status=ActionStatus.OPEN, created_at=now, created_by_id=actor.id)
    db.session.add(item)
    db.session.flush()
    if question is not None:
        question.outcome = QuestionOutcome.ACTION
        question.outcome_at = now
        question.outcome_by_id = actor.id
        if is_blank(question.response):
            question.response = values["title"]
        db.session.flush()
        # The question's followers (the asker) learn the outcome; the question's page links to the item.
        from app.questions.services.base import queue_follower_emails as queue_question_emails

        queue_question_emails(question, "answered", key=f"action-{item.id}")
    record_audit(actor, "action.create", "action_item", item.id,
                 details={"title": item.title, "source": source.value, "due_on": item.due_on.isoformat(),
                          "question_id": item.question_id, "minutes_version_id": item.minutes_version_id,
                          "minutes_ref": item.minutes_ref})
    db.session.commit()
    return item


# ---------------------------------------------------------------------------- progress and status

def _lock(item: ActionItem) -> None:
    db.session.execute(sa.select(ActionItem).where(ActionItem.id == item.id).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()


def _add_update(actor: User, item: ActionItem, body: str, kind: str, now: datetime) -> ActionUpdate:
    update = ActionUpdate(action_item_id=item.id, body=body, kind=kind, author_id=actor.id, created_at=now)
    db.session.add(update)
    item.last_update_at = now
    db.session.flush()
    queue_follower_emails(item, update)
    return update


def _clean_required(text: str | None, message, field: str, limit: int = MAX_TEXT_LENGTH) -> str:
    value = clean_text(text or "")
    if is_blank(value):
        raise ValidationFailed(message, field=field)
    if len(value) > limit:
        raise ValidationFailed(_l("This text is too long."), field=field)
    return value


def record_action_progress(actor: User, item: ActionItem, body: str, *, now: datetime | None = None) -> ActionUpdate:
    """Append a dated public progress update (never edited or deleted; corrections are new updates).
    Followers get an email. Raises NotAllowed, ValidationFailed (empty text)."""
    now = now or utcnow()
    if not permissions.can_post_action_update(actor, item):
        _fail(NotAllowed())
    try:
        text = _clean_required(body, _l("Write what has been done."), "body")
    except DomainError as error:
        _fail(error)
    _lock(item)
    update = _add_update(actor, item, text, "progress", now)
    record_audit(actor, "action.update", "action_item", item.id, details={"update_id": update.id})
    db.session.commit()
    return update


def change_action_status(actor: User, item: ActionItem, status: str, *, text: str = "", plan: str = "",
                         now: datetime | None = None) -> ActionItem:
    """Move an item: open -> in progress; open/in progress -> done (needs the resolution text) or cannot
    be resolved (needs a reason and an alternative plan); done/cannot be resolved -> in progress
    (reopening, needs a reason, audited). Each change is also a public dated update.
    Raises NotAllowed, ValidationFailed and InvalidState."""
    now = now or utcnow()
    if not permissions.can_manage_action_item(actor, item):
        _fail(NotAllowed())
    try:
        target = ActionStatus(status)
    except ValueError:
        _fail(ValidationFailed(_l("Choose a status."), field="status"))
    _lock(item)
    current = item.status
    try:
        if target == ActionStatus.IN_PROGRESS and current == ActionStatus.OPEN:
            kind, body = "started", clean_text(text or "") or str(_l("Work has started."))
            if len(body) > MAX_TEXT_LENGTH:
                raise ValidationFailed(_l("This text is too long."), field="text")
        elif target == ActionStatus.IN_PROGRESS and current.is_closed:
            kind, body = "reopened", _clean_required(text, _l("Say why the item is reopened."), "text")
        elif target == ActionStatus.DONE and not current.is_closed:
            kind, body = "done", _clean_required(text, _l("Describe what was done."), "text")
        elif target == ActionStatus.CANNOT_RESOLVE and not current.is_closed:
            kind, body = "cannot_resolve", _clean_required(text, _l("Give the reason it cannot be resolved."), "text")
            plan = _clean_required(plan, _l("Give an alternative plan."), "plan")
            # The public update carries both; it must fit the update's column like any other update.
            if len(body) + len(plan) + 2 > MAX_TEXT_LENGTH:
                raise ValidationFailed(_l("The reason and the plan are published together and can have at most "
                                          "%(max)d characters in all.", max=MAX_TEXT_LENGTH), field="plan")
        else:
            raise InvalidState(_l("This status change is not possible."))
    except DomainError as error:
        _fail(error)
    item.status = target
    if target.is_closed:
        item.resolution = body
        item.alternative_plan = plan if target == ActionStatus.CANNOT_RESOLVE else ""
        item.closed_at = now
    elif kind == "reopened":
        item.closed_at = None
    _add_update(actor, item, body if kind != "cannot_resolve" else f"{body}\n\n{plan}", kind, now)
    record_audit(actor, "action.reopen" if kind == "reopened" else "action.status", "action_item", item.id,
                 details={"from": current.value, "to": target.value}, reason=body)
    db.session.commit()
    return item


def extend_due_date(actor: User, item: ActionItem, new_due_on: date | None, reason: str, *,
                    now: datetime | None = None) -> ActionDueChange:
    """Move the due date later with a reason; the original date stays on the item and in the history.
    Followers get an email, as for every other update. Raises NotAllowed, ValidationFailed and InvalidState."""
    now = now or utcnow()
    if not permissions.can_manage_action_item(actor, item):
        _fail(NotAllowed())
    if item.is_closed:
        _fail(InvalidState(_l("Reopen the item before changing its due date.")))
    if new_due_on is None or new_due_on <= item.due_on:
        _fail(ValidationFailed(_l("The new due date must be after the current one."), field="due_on"))
    try:
        text = _clean_required(reason, _l("Give the reason for the extension."), "reason", MAX_REASON_LENGTH)
    except DomainError as error:
        _fail(error)
    _lock(item)
    change = ActionDueChange(action_item_id=item.id, previous_due_on=item.due_on, new_due_on=new_due_on,
                             reason=text, changed_by_id=actor.id, created_at=now)
    db.session.add(change)
    item.due_on = new_due_on
    db.session.flush()
    queue_follower_emails(item, change=change)
    record_audit(actor, "action.extend", "action_item", item.id,
                 details={"from": change.previous_due_on.isoformat(), "to": new_due_on.isoformat()}, reason=text)
    db.session.commit()
    return change


# ---------------------------------------------------------------------------- followers

def _invite_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_FOLLOW_SALT)


def _follower_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_FOLLOWER_SALT)


def follower_token(follower: ActionFollower) -> str:
    """The follower's private link token: signed, never expires, stored only as its hash."""
    return _follower_serializer().dumps({"f": follower.id, "a": follower.action_item_id})


def follower_url(follower: ActionFollower) -> str:
    return external_url("actions.follower", token=follower_token(follower))


def unsubscribe_url(follower: ActionFollower) -> str:
    return external_url("actions.unsubscribe", token=follower_token(follower))


def _language(language: str | None) -> str:
    return language if language in LOCALES else DEFAULT_LANGUAGE


def _qualifying_person(item: ActionItem, email: str) -> tuple[int | None, int | None] | None:
    """(registration id, question id) when `email` registered for the item's meeting or asked its question."""
    question_id = None
    if item.question is not None and codes.normalise_email(item.question.contact_email or "") == email:
        question_id = item.question_id
    registration_id = None
    if item.meeting_id is not None:
        registration_id = db.session.execute(
            sa.select(Registration.id).where(
                Registration.meeting_id == item.meeting_id,
                sa.or_(Registration.email_normalized == email, sa.func.lower(Registration.email) == email)).limit(1)
        ).scalar_one_or_none()
    if registration_id is None and question_id is None:
        return None
    return registration_id, question_id


def request_follow(item: ActionItem, email: str, *, language: str = DEFAULT_LANGUAGE,
                   now: datetime | None = None) -> None:
    """Email a confirmation link when `email` belongs to someone who registered for the item's meeting or
    asked its question. Says nothing either way (the caller shows the same neutral message), so the form
    cannot be used to find out who took part. Raises ValidationFailed for a malformed address only."""
    now = now or utcnow()
    try:
        normalized = codes.normalise_email(email)
    except ValueError:
        normalized = None
    if not normalized:
        raise ValidationFailed(_l("Enter a valid email address."), field="email")
    person = _qualifying_person(item, normalized)
    if person is None:
        db.session.rollback()
        return
    from app.notify.rendering import render_email
    from app.notify.services import queue_email

    language = _language(language)
    token = _invite_serializer().dumps({"a": item.id, "e": normalized, "r": person[0], "q": person[1]})
    subject, text, html = render_email(
        "actions/follow_invite", language, item=item,
        confirm_url=external_url("actions.confirm_follow", action_id=item.id, token=token),
        item_url=external_url("actions.detail", action_id=item.id))
    digest = hashlib.sha256(normalized.encode()).hexdigest()[:16]
    # One invitation per address and item per hour: repeated submits do not flood the mailbox.
    queue_email(to=normalized, subject=subject, text=text, html=html, language=language,
                dedupe_key=f"action-follow:{item.id}:{digest}:{now:%Y%m%d%H}", private=(token,))
    db.session.commit()


def _invite_data(item: ActionItem, token: str) -> dict | None:
    try:
        data = _invite_serializer().loads(token, max_age=FOLLOW_INVITE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != item.id or not isinstance(data.get("e"), str):
        return None
    return data


def is_valid_invite(item: ActionItem, token: str) -> bool:
    return _invite_data(item, token) is not None


def confirm_follow(item: ActionItem, token: str, *, language: str = DEFAULT_LANGUAGE) -> ActionFollower:
    """Turn a valid invitation into a follower (or find the existing one). Raises NotFollowable (404)
    for a bad, expired or foreign link."""
    data = _invite_data(item, token)
    if data is None:
        _fail(NotFollowable())
    follower = db.session.execute(
        sa.select(ActionFollower).where(ActionFollower.action_item_id == item.id,
                                        ActionFollower.email == data["e"])).scalar_one_or_none()
    if follower is None:
        follower = ActionFollower(action_item_id=item.id, email=data["e"], token_hash="pending",
                                  registration_id=data.get("r"), question_id=data.get("q"),
                                  language=_language(language))
        db.session.add(follower)
        db.session.flush()
        follower.token_hash = codes.hash_token(follower_token(follower))
    follower.is_unsubscribed = False
    db.session.commit()
    return follower


def get_follower_for_token(token: str) -> ActionFollower | None:
    try:
        data = _follower_serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("f"), int):
        return None
    return db.session.execute(
        sa.select(ActionFollower).where(ActionFollower.token_hash == codes.hash_token(token))
    ).scalar_one_or_none()


def unsubscribe_follower(follower: ActionFollower) -> None:
    """No more emails for this follower; idempotent. The private link keeps working for rating."""
    follower.is_unsubscribed = True
    db.session.commit()


def queue_follower_emails(item: ActionItem, update: ActionUpdate | None = None, *,
                          change: ActionDueChange | None = None) -> int:
    """Queue one email per subscribed follower about `update` (a progress or status update) or `change`
    (a due date extension), inside the caller's transaction."""
    from app.notify.rendering import render_email
    from app.notify.services import queue_email

    if (update is None) == (change is None):
        raise ValueError("pass an update or a due date change")
    key = f"action-update:{update.id}" if update is not None else f"action-extend:{change.id}"
    followers = db.session.execute(
        sa.select(ActionFollower).where(ActionFollower.action_item_id == item.id,
                                        ActionFollower.is_unsubscribed.is_(False))).scalars().all()
    queued = 0
    for follower in followers:
        language = _language(follower.language)
        subject, text, html = render_email(
            "actions/update", language, item=item, update=update, change=change,
            item_url=external_url("actions.detail", action_id=item.id),
            follower_url=follower_url(follower), unsubscribe_url=unsubscribe_url(follower))
        if queue_email(to=follower.email, subject=subject, text=text, html=html, language=language,
                       dedupe_key=f"{key}:{follower.id}",
                       private=(follower_token(follower),)) is not None:
            queued += 1
    return queued


def rate_action_item(follower: ActionFollower, value: str, comment: str = "", *,
                     now: datetime | None = None) -> ActionRating:
    """A follower rates a done item once. Raises InvalidState (not done), AlreadyRated, ValidationFailed."""
    now = now or utcnow()
    item = follower.action_item
    if item.status != ActionStatus.DONE:
        _fail(InvalidState(_l("You can rate the result once the item is done.")))
    try:
        satisfaction = Satisfaction(value)
    except ValueError:
        _fail(ValidationFailed(_l("Choose how satisfied you are."), field="value"))
    text = clean_text(comment or "")
    if len(text) > MAX_COMMENT_LENGTH:
        _fail(ValidationFailed(_l("The comment is too long."), field="comment"))
    if db.session.execute(sa.select(ActionRating.id).where(ActionRating.follower_id == follower.id)).first():
        _fail(AlreadyRated())
    rating = ActionRating(action_item_id=item.id, follower_id=follower.id, value=satisfaction, comment=text,
                          created_at=now)
    db.session.add(rating)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        _fail(AlreadyRated())
    return rating
