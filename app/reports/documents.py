"""From models to the summary and notice PDFs: one gathering function per document, a content key,
an in-process cache of rendered bytes keyed by it, and the HTTP response (ETag, Last-Modified, 304).

The PDF is regenerated only when what it shows changed: the key is the SHA-256 of the gathered
data's canonical JSON, the language and the template version. "Generated on" is not part of the
key, so a cached PDF keeps the time it was really generated.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Callable, Optional

from flask import Response, request
from flask_babel import gettext as _
from werkzeug.http import http_date

from app.http import attachment_disposition
from app.i18n import current_language, local_date, local_time, localized_name, tz_label
from app.meetings.models import Meeting
from app.minutes.content import decode
from app.minutes.presenting import decision_lines
from app.questions.models import QuestionOutcome, QuestionTopic
from app.registrations import queries as registration_queries
from app.reports import queries as report_queries
from app.reports.pdf import notice as notice_pdf
from app.reports.pdf import summary as summary_pdf
from app.reports.pdf.elements import label_value
from app.timezones import utc_to_local
from app.urls import external_url

DRAFT_WATERMARK = "DRAFT / 草稿"
CACHE_SIZE = 32


@dataclass
class Gathered:
    data: object
    last_modified: Optional[datetime]


# ---------------------------------------------------------------------------- shared formatting

def file_stem(meeting: Meeting) -> str:
    day = utc_to_local(meeting.starts_at, meeting.timezone).strftime("%Y-%m-%d")
    return f"{day} {meeting.title}"[:120]


def when_text(meeting: Meeting) -> str:
    text = f"{local_date(meeting.starts_at, meeting.timezone, 'full')} {local_time(meeting.starts_at, meeting.timezone)}"
    if meeting.ends_at:
        text += " – " + local_time(meeting.ends_at, meeting.timezone)
    return f"{text} ({tz_label(meeting.timezone, meeting.starts_at)})"


def place_text(meeting: Meeting) -> str:
    return ", ".join(p for p in (meeting.venue_name, meeting.address) if p)


def _hosts(meeting: Meeting) -> str:
    names = ", ".join(host.name for host in meeting.hosts)
    return "; ".join(part for part in (names, meeting.host_note) if part)


def _instant(value: datetime, tz_name: str) -> str:
    return f"{local_date(value, tz_name, 'long')} {local_time(value, tz_name)}"


def _latest(*values: Optional[datetime]) -> Optional[datetime]:
    present = [v for v in values if v is not None]
    return max(present) if present else None


# ---------------------------------------------------------------------------- summary

def gather_summary(meeting: Meeting, *, draft: bool) -> Optional[Gathered]:
    """The summary's data. Public (draft=False): from the current published minutes version, or
    None when there is none. Draft: from the newest version in any state, watermarked.

    No personal data: question askers are never printed (named or not), and contacts are never
    loaded (the public query options raise if they are touched)."""
    if draft:
        version = report_queries.latest_minutes_version(meeting.id)
    else:
        from app.minutes.queries import get_public_minutes

        current = get_public_minutes(meeting.id).current
        if current is None:
            return None
        version = current.version
    content = decode(version.content) if version is not None else None
    counts = registration_queries.count_registrations(meeting.id)
    top = report_queries.list_top_questions(meeting.id)
    topics = report_queries.count_questions_by_topic(meeting.id)
    actions = report_queries.list_summary_action_items(meeting.id)

    rest = dict(topics.counts)
    for question in top:
        rest[str(question.topic)] = rest.get(str(question.topic), 0) - 1
    other = sorted(((QuestionTopic(topic).label, count) for topic, count in rest.items() if count > 0),
                   key=lambda pair: (-pair[1], str(pair[0])))
    if content is not None:
        items = tuple(summary_pdf.SummaryItem(title=item.title, text=item.summary,
                                              decisions=tuple(tuple(decision_lines(d)) for d in item.decisions))
                      for item in content.items)
    else:
        items = tuple(summary_pdf.SummaryItem(title=a.title, text=a.description) for a in meeting.agenda_items)
    data = summary_pdf.SummaryData(
        meeting_title=meeting.title, meeting_type=str(meeting.type.label), when_text=when_text(meeting),
        place=", ".join(p for p in (place_text(meeting), meeting.online_url) if p), hosts=_hosts(meeting),
        organiser=localized_name(meeting.department),
        registered=counts.registered, checked_in=counts.registered_checked_in, walk_ins=counts.walk_ins,
        citizens_present=content.citizens_present if content is not None else None,
        minutes_version=version.number if version is not None else None,
        minutes_sha256=version.content_hash if version is not None else "",
        minutes_status=str(version.status.label) if (draft and version is not None) else "",
        presiding=content.presiding if content else "", recorder=content.recorder if content else "",
        items=items,
        top_questions=tuple(summary_pdf.SummaryQuestion(
            body=q.body, votes=q.vote_count, topic=str(q.topic.label),
            outcome=str(QuestionOutcome(q.outcome).label) if q.outcome else "", response=q.response or "")
            for q in top),
        other_questions=tuple((str(label), count) for label, count in other),
        question_total=sum(topics.counts.values()),
        actions=tuple(summary_pdf.SummaryAction(
            title=item.title, department=localized_name(item.department),
            official=item.responsible.name if item.responsible else "",
            due=local_date(item.due_on, meeting.timezone, "medium"), status=str(item.status.label),
            latest_update=_update_text(update, meeting.timezone)) for item, update in actions),
        watermark=DRAFT_WATERMARK if draft else None,
    )
    last_modified = _latest(
        meeting.updated_at,
        (version.published_at or version.updated_at) if version is not None else None,
        topics.last_change, report_queries.latest_registration_change(meeting.id),
        *(_latest(item.created_at, item.last_update_at, item.closed_at) for item, _u in actions),
    )
    return Gathered(data, last_modified)


def _update_text(update, tz_name: str) -> str:
    if update is None:
        return ""
    return label_value(local_date(update.created_at, tz_name, "medium"), update.body)


def summary_response(meeting: Meeting, *, draft: bool) -> Optional[Response]:
    gathered = gather_summary(meeting, draft=draft)
    if gathered is None:
        return None
    label = _("draft summary") if draft else _("summary")
    return pdf_response(gathered, summary_pdf.build_summary, summary_pdf.TEMPLATE_VERSION,
                        f"{file_stem(meeting)} {label}.pdf", public=not draft)


# ---------------------------------------------------------------------------- notice

def gather_notice(meeting: Meeting) -> Gathered:
    tz = meeting.timezone
    register_url = external_url("registrations.register", meeting_id=meeting.id)
    closes = meeting.registration_closes_at or meeting.starts_at
    if meeting.registration_required:
        registration = _("Registration is required. Register at %(url)s before %(when)s.",
                         url=register_url, when=_instant(closes, tz))
        if meeting.capacity:
            registration += " " + _("Seats: %(num)d.", num=meeting.capacity)
        accommodations = _("Tell us what you need (wheelchair access, sign language, large print or other) "
                           "when you register, before %(when)s.", when=_instant(closes, tz))
    else:
        # Without registration there is no form to state needs on: people ask the organiser.
        registration = _("No registration needed: just come.")
        accommodations = _("To request wheelchair access, sign language, large print or other help, contact "
                           "the organiser (%(organiser)s) before %(when)s. Details: %(url)s",
                           organiser=localized_name(meeting.department), when=_instant(meeting.starts_at, tz),
                           url=external_url("meetings.detail", meeting_id=meeting.id))
    questions = _("Ask questions in advance and vote for others' questions at %(url)s.",
                  url=external_url("questions.index", meeting_id=meeting.id))
    agenda = tuple(_agenda_line(item) for item in meeting.agenda_items)
    data = notice_pdf.NoticeData(
        meeting_title=meeting.title, meeting_type=str(meeting.type.label), when_text=when_text(meeting),
        place=place_text(meeting), online_url=meeting.online_url, organiser=localized_name(meeting.department),
        meeting_url=external_url("meetings.detail", meeting_id=meeting.id), summary=meeting.summary,
        agenda=agenda, registration=registration, questions=questions, accommodations=accommodations,
        short_notice_reason=meeting.short_notice_reason or "",
    )
    return Gathered(data, _latest(meeting.updated_at, meeting.published_at))


def _agenda_line(item) -> str:
    extras = [item.presenter] if item.presenter else []
    if item.duration_minutes:
        extras.append(_("%(num)d min", num=item.duration_minutes))
    if not extras:
        return item.title
    return _("%(title)s (%(details)s)", title=item.title, details=" · ".join(extras))


def notice_response(meeting: Meeting) -> Response:
    label = _("notice")
    return pdf_response(gather_notice(meeting), notice_pdf.build_notice, notice_pdf.TEMPLATE_VERSION,
                        f"{file_stem(meeting)} {label}.pdf", public=True)


# ---------------------------------------------------------------------------- cache and HTTP

class _BytesCache:
    """A small thread-safe LRU of rendered PDFs by content key (per process)."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Optional[bytes]:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


pdf_cache = _BytesCache(CACHE_SIZE)


def content_key(data: object, template_version: str) -> str:
    payload = {"data": asdict(replace(data, generated_on=None)), "language": current_language(),
               "template": template_version}
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_cached(data: object, build: Callable[[object], bytes], template_version: str) -> tuple[str, bytes]:
    key = content_key(data, template_version)
    pdf = pdf_cache.get(key)
    if pdf is None:
        pdf = build(data)
        pdf_cache.put(key, pdf)
    return key, pdf


def pdf_response(gathered: Gathered, build: Callable[[object], bytes], template_version: str, filename: str,
                 *, public: bool) -> Response:
    key = content_key(gathered.data, template_version)
    cache_control = "public, max-age=0, must-revalidate" if public else "private, no-cache"
    if key in request.if_none_match:
        response = Response(status=304)
    else:
        key, pdf = render_cached(gathered.data, build, template_version)
        response = Response(pdf, mimetype="application/pdf")
        response.headers["Content-Disposition"] = attachment_disposition(filename)
    response.set_etag(key)
    if gathered.last_modified is not None:
        response.headers["Last-Modified"] = http_date(gathered.last_modified)
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = "Cookie, Accept-Language"
    return response
