"""Minutes content as readable sections of lines, and what changed between two versions.

The public history shows, per section, the lines removed and added (difflib over the lines), so a
citizen sees exactly what a correction changed. Labels are translated at display time.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from app.i18n import current_language, local_datetime
from app.minutes.content import Decision, MinutesContent


@dataclass
class Section:
    key: str
    title: str
    lines: list[str]


@dataclass
class SectionDiff:
    title: str
    lines: list[tuple[str, str]]  # ("+" | "-", text)


def outcome_label(outcome: str) -> str:
    return {"carried": _("Carried"), "defeated": _("Defeated"), "withdrawn": _("Withdrawn"),
            "deferred": _("Deferred")}.get(outcome, outcome)


def vote_label(vote: str) -> str:
    return {"for": _("For"), "against": _("Against"), "abstain": _("Abstain")}.get(vote, vote)


def department_name(commitment) -> str:
    if current_language() == "en":
        return commitment.department_en or commitment.department_zh
    return commitment.department_zh or commitment.department_en


def decision_lines(decision: Decision) -> list[str]:
    lines = [_("Motion: %(text)s", text=decision.motion)]
    if decision.mover:
        lines.append(_("Moved by: %(name)s", name=decision.mover))
    lines.append(_("Outcome: %(outcome)s", outcome=outcome_label(decision.outcome)))
    if decision.has_votes:
        lines.append(_("Votes: %(for)d for, %(against)d against, %(abstain)d abstaining",
                       **{"for": decision.votes_for or 0, "against": decision.votes_against or 0,
                          "abstain": decision.votes_abstain or 0}))
    for vote in ("for", "against", "abstain"):
        names = decision.names_voting(vote)
        if names:
            lines.append(_("Roll call, %(vote)s: %(names)s", vote=vote_label(vote), names=", ".join(names)))
    return lines


def sections(content: MinutesContent, tz_name: str) -> list[Section]:
    result = [
        Section("header", _("Presiding and recording"), [
            _("Presiding: %(name)s", name=content.presiding or "—"),
            _("Recorded by: %(name)s", name=content.recorder or "—")]),
    ]
    attendance = [_("Officials present: %(names)s", names=", ".join(content.officials_present) or "—"),
                  ngettext("%(num)d citizen present", "%(num)d citizens present", content.citizens_present or 0)]
    if content.quorum_present is not None:
        attendance.append(_("Quorum present") if content.quorum_present else _("No quorum"))
    result.append(Section("attendance", _("Attendance"), attendance))
    for index, item in enumerate(content.items):
        lines = [line for line in item.summary.splitlines() if line.strip()]
        for number, decision in enumerate(item.decisions, start=1):
            lines.append(_("Decision %(num)d", num=number))
            lines.extend("  " + line for line in decision_lines(decision))
        result.append(Section(f"item-{item.agenda_item_id or index}", item.title, lines))
    result.append(Section("comments", _("Public comments"),
                          [_("%(speaker)s: %(text)s", speaker=c.speaker or _("Anonymous"), text=c.summary)
                           for c in content.public_comments]))
    result.append(Section("questions", _("Questions answered in the meeting"),
                          [q.body for q in content.questions]))
    result.append(Section("commitments", _("Follow-up commitments"), [
        " · ".join(part for part in (c.text, department_name(c), c.due_on or "") if part)
        for c in content.commitments]))
    adjourned = content.adjourned
    result.append(Section("adjournment", _("Adjournment"),
                          [local_datetime(adjourned, tz_name)] if adjourned else []))
    return result


def diff_contents(old: MinutesContent, new: MinutesContent, tz_name: str) -> list[SectionDiff]:
    """The sections that differ, with the lines removed ('-') and added ('+')."""
    before = {s.key: s for s in sections(old, tz_name)}
    after = sections(new, tz_name)
    keys = [s.key for s in after] + [k for k in before if k not in {s.key for s in after}]
    after_by_key = {s.key: s for s in after}
    diffs = []
    for key in keys:
        old_section, new_section = before.get(key), after_by_key.get(key)
        old_lines = old_section.lines if old_section else []
        new_lines = new_section.lines if new_section else []
        if old_section and new_section and old_section.title != new_section.title:
            old_lines, new_lines = [old_section.title] + old_lines, [new_section.title] + new_lines
        changed = [(line[0], line[2:]) for line in difflib.ndiff(old_lines, new_lines) if line[:1] in "+-"]
        if changed:
            diffs.append(SectionDiff((new_section or old_section).title, changed))
    return diffs
