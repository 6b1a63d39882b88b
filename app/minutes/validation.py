"""Rules a minutes content must satisfy, checked by the services whatever the entry point.

Each problem is reported as (path, message), the path in content coordinates
("items.0.decisions.1.votes_for"), so forms can show every message next to its field at once.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app.errors import ValidationFailed
from app.meetings.models import Meeting, MeetingType
from app.minutes.content import OUTCOMES, ROLL_CALL_VOTES, Decision, MinutesContent

# Which meeting types record whether a quorum was present. A hearing may only proceed when enough of
# its participants attend (价格听证办法: more than two thirds of the hearing participants), so its
# minutes must say whether that was the case. Forums, visits and briefings take no binding decisions.
QUORUM_REQUIRED = {
    MeetingType.HEARING: True,
    MeetingType.TOWN_HALL: False,
    MeetingType.COMMUNITY_VISIT: False,
    MeetingType.BRIEFING: False,
}

MAX_VOTES = 100_000
MAX_CITIZENS_PRESENT = 1_000_000


def quorum_required(meeting: Meeting) -> bool:
    return QUORUM_REQUIRED.get(MeetingType(meeting.type), False)


class ContentInvalid(ValidationFailed):
    """The content breaks one or more rules; `problems` lists (path, message)."""

    def __init__(self, problems: list[tuple[str, object]]):
        super().__init__(_l("Please correct the highlighted fields."), field=problems[0][0] if problems else None)
        self.problems = problems


def check_content(content: MinutesContent, meeting: Meeting, *, for_submit: bool = False) -> None:
    """Raise ContentInvalid listing every problem. Drafts may be incomplete; a submitted version must
    name the presiding official and the recorder, give the adjournment time and, for types that
    need one, say whether a quorum was present."""
    problems: list[tuple[str, object]] = []
    add = lambda path, message: problems.append((path, message))  # noqa: E731

    if content.citizens_present is None or content.citizens_present < 0:
        add("citizens_present", _l("Enter a number of 0 or more."))
    elif content.citizens_present > MAX_CITIZENS_PRESENT:
        add("citizens_present", _l("Enter at most %(max)d citizens present.", max=MAX_CITIZENS_PRESENT))
    seen: set[str] = set()
    for name in content.officials_present:
        if name in seen:
            add("officials_present", _l("%(name)s is listed twice.", name=name))
        seen.add(name)
    adjourned = content.adjourned
    if adjourned is not None and adjourned < meeting.starts_at:
        add("adjourned_at", _l("The meeting cannot adjourn before it started."))
    for i, item in enumerate(content.items):
        for j, decision in enumerate(item.decisions):
            _check_decision(decision, content, f"items.{i}.decisions.{j}", add)
    for i, comment in enumerate(content.public_comments):
        if not comment.summary.strip():
            add(f"public_comments.{i}.summary", _l("Summarise what was said."))
    for i, commitment in enumerate(content.commitments):
        if not commitment.text.strip():
            add(f"commitments.{i}.text", _l("Say what was promised."))
    if for_submit:
        if not content.presiding.strip():
            add("presiding", _l("Name the presiding official before submitting."))
        if not content.recorder.strip():
            add("recorder", _l("Name the recorder before submitting."))
        if adjourned is None:
            add("adjourned_at", _l("Give the time of adjournment before submitting."))
        if quorum_required(meeting) and content.quorum_present is None:
            add("quorum_present", _l("Say whether a quorum was present."))
    if problems:
        raise ContentInvalid(problems)


def _check_decision(decision: Decision, content: MinutesContent, path: str, add) -> None:
    if not decision.motion.strip():
        add(f"{path}.motion", _l("Give the wording of the motion."))
    if decision.outcome not in OUTCOMES:
        add(f"{path}.outcome", _l("Choose an outcome."))
    for key in ("votes_for", "votes_against", "votes_abstain"):
        value = getattr(decision, key)
        if value is not None and value < 0:
            add(f"{path}.{key}", _l("Votes cannot be negative."))
        elif value is not None and value > MAX_VOTES:
            add(f"{path}.{key}", _l("Enter at most %(max)d votes.", max=MAX_VOTES))
    if decision.roll_call:
        present = set(content.officials_present)
        named: set[str] = set()
        for entry in decision.roll_call:
            name, vote = entry.get("name", ""), entry.get("vote")
            if vote not in ROLL_CALL_VOTES:
                add(f"{path}.roll_call", _l("Unknown vote."))
            elif name not in present:
                add(f"{path}.roll_call_{vote}",
                    _l("%(name)s is not listed among the officials present.", name=name))
            elif name in named:
                add(f"{path}.roll_call_{vote}", _l("%(name)s is named more than once in the roll call.", name=name))
            named.add(name)
    total = sum(v for v in (decision.votes_for, decision.votes_against, decision.votes_abstain) if v and v > 0)
    if total > content.present_total:
        add(f"{path}.votes_for", lazy_ngettext(
            "The votes add up to %(total)d, more than the %(num)d person present.",
            "The votes add up to %(total)d, more than the %(num)d people present.",
            content.present_total, total=total))
