"""Public calendar pages: one meeting's .ics, the subscription feed, the Atom feeds, unsubscribing."""
from __future__ import annotations

import hashlib

from flask import Response, abort, current_app, redirect, render_template, request, stream_with_context, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from app.calendar import atom, bp, ics, notifications
from app.calendar import queries as calendar_queries
from app.db import utcnow
from app.extensions import limiter
from app.i18n import local_datetime
from app.limits import private_link_limit
from app.meetings import queries as meeting_queries
from app.meetings.models import Meeting
from app.security import private_link, public
from app.site.cache import cached_public_page
from app.urls import external_url

FEED_MAX_AGE = 300  # seconds; clients revalidate with the ETag after that
FEED_FILTERS = ("type", "district", "department", "q", "from", "to")


def _cacheable(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}"
    # A few words (the calendar's name, "Cancelled") follow the visitor's language.
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def _not_modified(etag: str) -> Response | None:
    if request.if_none_match.contains_weak(etag):
        return _cacheable(Response(status=304), etag)
    return None


def _body_etag(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


@bp.get("/meetings/<int:meeting_id>.ics")
@public
@cached_public_page
def meeting_ics(meeting_id: int):
    meeting = meeting_queries.get_public_meeting_or_404(meeting_id)
    body = ics.meeting_calendar(meeting)
    etag = _body_etag(body)
    response = _not_modified(etag) or Response(body, content_type=ics.CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="meeting-{meeting.id}.ics"'
    return _cacheable(response, etag)


@bp.get("/calendar.ics")
@public
@cached_public_page
def feed():
    filters = meeting_queries.MeetingFilters.from_args(request.args)
    statement = calendar_queries.feed_statement(filters)
    salt = "|".join([str(get_locale()), repr(filters), utcnow().date().isoformat(),
                     current_app.config["PUBLIC_BASE_URL"]])
    zones, etag = calendar_queries.feed_summary(statement, salt=salt)
    not_modified = _not_modified(etag)
    if not_modified is not None:
        return not_modified
    chunks = ics.iter_feed(calendar_queries.iter_feed_meetings(statement), zones, name=ics.calendar_name())
    return _cacheable(Response(stream_with_context(chunks), content_type=ics.CONTENT_TYPE), etag)


def feed_urls(args) -> tuple[str, str]:
    """(webcal://, https://) addresses of the feed with the list page's current filters."""
    values = {key: args.get(key) for key in FEED_FILTERS if args.get(key)}
    https_url = external_url("calendar.feed", **values)
    return "webcal://" + https_url.split("://", 1)[1], https_url


@bp.app_template_global("calendar_feed_urls")
def calendar_feed_urls() -> tuple[str, str]:
    return feed_urls(request.args)


def _meeting_entry(meeting: Meeting) -> atom.Entry:
    url = external_url("meetings.detail", meeting_id=meeting.id)
    title = " ".join(meeting.title.split())
    title = _("Cancelled: %(title)s", title=title) if meeting.is_cancelled else title
    when = f"{local_datetime(meeting.starts_at, meeting.timezone, 'full')} ({meeting.timezone})"
    place = ", ".join(part for part in (meeting.venue_name, meeting.address) if part) or meeting.online_url
    lines = [f"{meeting.type.label} · {when}", place]
    if meeting.is_cancelled and meeting.cancel_reason:
        lines.append(_("Reason: %(reason)s", reason=meeting.cancel_reason))
    if meeting.summary:
        lines.extend(["", meeting.summary])
    changed = [stamp for stamp in (meeting.published_at, meeting.updated_at, meeting.cancelled_at) if stamp]
    return atom.Entry(id=url, title=title, url=url, published=meeting.published_at, updated=max(changed),
                      summary="\n".join(lines), categories=(meeting.type.value,))


def _atom_response(feed: atom.Feed) -> Response:
    body = atom.render_feed(feed, fallback_updated=utcnow().replace(hour=0, minute=0, second=0, microsecond=0))
    etag = _body_etag(body)
    return _not_modified(etag) or _cacheable(Response(body, content_type=atom.CONTENT_TYPE), etag)


def _feed_language() -> str:
    return "zh-Hans" if str(get_locale()).startswith("zh") else "en"


@bp.get("/feeds/meetings.atom")
@public
@cached_public_page
def meetings_atom():
    meetings = calendar_queries.list_recent_public_meetings()
    return _atom_response(atom.Feed(
        id=external_url("calendar.meetings_atom"), title=_("%(site)s: newly published meetings", site=ics.calendar_name()),
        self_url=external_url("calendar.meetings_atom"), alternate_url=external_url("meetings.index"),
        author=ics.calendar_name(), language=_feed_language(),
        entries=[_meeting_entry(meeting) for meeting in meetings]))


class UnsubscribeForm(FlaskForm):
    pass


def _public_write_limit():
    return current_app.config["PUBLIC_WRITE_RATE_LIMIT"]


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@limiter.limit(_public_write_limit, methods=["POST"])
@limiter.limit(private_link_limit, methods=["GET"])
@private_link
def unsubscribe(token: str):
    """GET asks (mail scanners follow links), POST unsubscribes."""
    registration = notifications.get_registration_for_token(token)
    if registration is None:
        abort(404)
    form = UnsubscribeForm()
    if form.validate_on_submit():
        notifications.opt_out(registration)
        return redirect(url_for("calendar.unsubscribe", token=token))
    response = Response(render_template(
        "calendar/unsubscribe.html", meeting=registration.meeting, form=form,
        opted_out=notifications.is_opted_out(registration.id)))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/feeds/minutes.atom")
@public
@cached_public_page
def minutes_atom():
    entries = []
    for version_id, number, published_at, correction_reason, meeting in calendar_queries.list_recent_published_minutes():
        url = external_url("minutes.show", meeting_id=meeting.id)
        title = " ".join(meeting.title.split())
        title = _("Minutes: %(title)s", title=title) if number == 1 else _(
            "Corrected minutes (version %(number)d): %(title)s", number=number, title=title)
        lines = [f"{local_datetime(meeting.starts_at, meeting.timezone, 'full')} ({meeting.timezone})"]
        if correction_reason:
            lines.append(_("Reason: %(reason)s", reason=correction_reason))
        entries.append(atom.Entry(id=f"{url}#version-{number}", title=title, url=url, published=published_at,
                                  updated=published_at, summary="\n".join(lines)))
    return _atom_response(atom.Feed(
        id=external_url("calendar.minutes_atom"), title=_("%(site)s: published minutes", site=ics.calendar_name()),
        self_url=external_url("calendar.minutes_atom"), alternate_url=external_url("meetings.index"),
        author=ics.calendar_name(), language=_feed_language(), entries=entries))
