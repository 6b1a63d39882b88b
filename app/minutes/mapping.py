"""Between the minutes editor form and MinutesContent, and from service errors back to form fields."""
from __future__ import annotations

from app.meetings.models import Meeting
from app.minutes.content import (AnsweredQuestion, Commitment, Decision, ItemRecord, MinutesContent,
                                 PublicComment, format_instant)
from app.timezones import local_to_utc, utc_to_local


def _names(text: str | None) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def form_data(content: MinutesContent, meeting: Meeting) -> dict:
    """Initial data for MinutesForm: the stored content, plus a row for every agenda item it lacks."""
    items = {item.agenda_item_id: item for item in content.items if item.agenda_item_id}
    rows = []
    for agenda_item in meeting.agenda_items:
        rows.append(items.pop(agenda_item.id, None) or ItemRecord(agenda_item.id, agenda_item.title))
    rows.extend(item for item in content.items if item.agenda_item_id is None or item.agenda_item_id in items)
    adjourned = content.adjourned
    return {
        "presiding": content.presiding,
        "recorder": content.recorder,
        "officials_present": "\n".join(content.officials_present),
        "citizens_present": content.citizens_present,
        "quorum_present": {True: "yes", False: "no"}.get(content.quorum_present, ""),
        "items": [{
            "agenda_item_id": item.agenda_item_id or "", "title": item.title, "summary": item.summary,
            "decisions": [{
                "motion": d.motion, "mover": d.mover, "outcome": d.outcome,
                "votes_for": None if d.roll_call else d.votes_for,
                "votes_against": None if d.roll_call else d.votes_against,
                "votes_abstain": None if d.roll_call else d.votes_abstain,
                **{f"roll_call_{vote}": "\n".join(d.names_voting(vote)) for vote in ("for", "against", "abstain")},
            } for d in item.decisions],
        } for item in rows],
        "public_comments": [{"speaker": c.speaker, "summary": c.summary} for c in content.public_comments],
        "question_ids": [q.question_id for q in content.questions],
        "commitments": [{"text": c.text, "department_id": c.department_id, "due_on": c.due_date}
                        for c in content.commitments],
        "adjourned_at": utc_to_local(adjourned, meeting.timezone).replace(tzinfo=None) if adjourned else None,
    }


def content_from_form(form, meeting: Meeting) -> tuple[MinutesContent, dict[str, str]]:
    """The content a submitted form describes (empty rows dropped), and where each content row came
    from in the form ({"items.0.decisions.0": "items-0-decisions-2"}) to place error messages.
    Raises ValidationFailed (field adjourned_at) for a local time that does not exist."""
    paths: dict[str, str] = {}
    agenda_titles = {item.id: item.title for item in meeting.agenda_items}
    items = []
    for i, row in enumerate(form.items):
        data = row.form
        agenda_item_id = int(data.agenda_item_id.data) if (data.agenda_item_id.data or "").isdigit() else None
        decisions = []
        for j, decision_row in enumerate(data.decisions):
            d = decision_row.form
            if not d.is_filled:
                continue
            paths[f"items.{i}.decisions.{len(decisions)}"] = f"items-{i}-decisions-{j}"
            roll_call = [{"name": name, "vote": vote}
                         for vote in ("for", "against", "abstain")
                         for name in _names(getattr(d, f"roll_call_{vote}").data)]
            decisions.append(Decision(motion=d.motion.data or "", mover=d.mover.data or "",
                                      outcome=d.outcome.data or "carried", votes_for=d.votes_for.data,
                                      votes_against=d.votes_against.data, votes_abstain=d.votes_abstain.data,
                                      roll_call=roll_call))
        title = agenda_titles.get(agenda_item_id) or data.title.data or ""
        items.append(ItemRecord(agenda_item_id=agenda_item_id, title=title, summary=data.summary.data or "",
                                decisions=decisions))
    comments = []
    for i, row in enumerate(form.public_comments):
        if row.form.speaker.data or row.form.summary.data:
            paths[f"public_comments.{len(comments)}"] = f"public_comments-{i}"
            comments.append(PublicComment(speaker=row.form.speaker.data or "", summary=row.form.summary.data or ""))
    commitments = []
    for i, row in enumerate(form.commitments):
        c = row.form
        if c.text.data or c.department_id.data or c.due_on.data:
            paths[f"commitments.{len(commitments)}"] = f"commitments-{i}"
            commitments.append(Commitment(text=c.text.data or "", department_id=c.department_id.data,
                                          due_on=c.due_on.data.isoformat() if c.due_on.data else None))
    adjourned = None
    if form.adjourned_at.data:
        adjourned = local_to_utc(form.adjourned_at.data, meeting.timezone, field="adjourned_at")
    content = MinutesContent(
        presiding=form.presiding.data or "", recorder=form.recorder.data or "",
        officials_present=_names(form.officials_present.data),
        citizens_present=form.citizens_present.data or 0,
        quorum_present={"yes": True, "no": False}.get(form.quorum_present.data),
        items=items, public_comments=comments,
        questions=[AnsweredQuestion(question_id=qid, body="") for qid in (form.question_ids.data or [])],
        commitments=commitments, adjourned_at=format_instant(adjourned),
    )
    return content, paths


def form_field_name(path: str, paths: dict[str, str]) -> str:
    """'items.0.decisions.1.votes_for' -> 'items-0-decisions-3-votes_for' (via the row map)."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        if prefix in paths:
            return "-".join([paths[prefix], *parts[cut:]])
    return "-".join(parts)


def fields_by_name(form) -> dict:
    """Every field of a form, nested rows included, by its HTML name."""
    found = {}

    def walk(fields):
        for f in fields:
            found[f.name] = f
            if f.type == "FieldList":
                walk(f.entries)
            elif f.type == "FormField":
                walk(f.form)

    walk(form)
    return found


def attach_problems(form, problems, paths: dict[str, str]) -> list:
    """Put each (path, message) next to its field; return the messages that found no field."""
    fields = fields_by_name(form)
    orphans = []
    for path, message in problems:
        target = fields.get(form_field_name(path, paths))
        if target is None:
            orphans.append(message)
        else:
            target.errors = list(target.errors) + [message]
    return orphans
