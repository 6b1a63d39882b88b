"""The structured content of a minutes version, its canonical JSON and its SHA-256.

Canonical JSON: every string NFC-normalised, keys sorted, no insignificant whitespace, UTF-8 (not
ASCII-escaped). The same content therefore always gives the same bytes and the same hash, whoever
typed it and however their keyboard composed the characters.

The "schema" key versions the canonical form. Schema 2 (current) also names the meeting and the
version number, so the hash binds the text to where it was approved: moved to another meeting or
renumbered, a version no longer verifies. Schema 1 versions (written before) carry neither; they keep
their stored text and hash, which still verify, and rely on the database triggers for their identity.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Optional

SCHEMA_VERSION = 2
IDENTITY_SCHEMA = 2  # the first schema whose canonical content names its meeting and version number

OUTCOMES = ("carried", "defeated", "withdrawn", "deferred")
ROLL_CALL_VOTES = ("for", "against", "abstain")


@dataclass
class Decision:
    motion: str
    mover: str = ""
    outcome: str = "carried"
    votes_for: Optional[int] = None
    votes_against: Optional[int] = None
    votes_abstain: Optional[int] = None
    # A roll call by name: {"name": ..., "vote": "for" | "against" | "abstain"}. When given, the
    # vote counts are derived from it.
    roll_call: list[dict] = field(default_factory=list)

    @property
    def has_votes(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstain))

    def names_voting(self, vote: str) -> list[str]:
        return [entry["name"] for entry in self.roll_call if entry.get("vote") == vote]


@dataclass
class ItemRecord:
    """What happened under one agenda item (the meeting's AgendaItem, title copied)."""

    agenda_item_id: Optional[int]
    title: str
    summary: str = ""
    decisions: list[Decision] = field(default_factory=list)


@dataclass
class PublicComment:
    speaker: str
    summary: str


@dataclass
class AnsweredQuestion:
    """A question answered in the room (Question.outcome == answered_live), its text copied so the
    approved record does not depend on a row that can still be edited."""

    question_id: int
    body: str
    asker: str = ""

    @classmethod
    def of(cls, question) -> "AnsweredQuestion":
        """The question's public text: its body and, unless the asker is anonymous, their name."""
        return cls(question_id=question.id, body=question.body, asker=question.public_asker_name or "")


@dataclass
class Commitment:
    """A follow-up promise, ready to become an action item: what, which department, by when."""

    text: str
    department_id: Optional[int] = None
    department_zh: str = ""
    department_en: str = ""
    due_on: Optional[str] = None  # ISO date

    @property
    def due_date(self) -> Optional[date]:
        return date.fromisoformat(self.due_on) if self.due_on else None


@dataclass
class MinutesContent:
    presiding: str = ""
    recorder: str = ""
    officials_present: list[str] = field(default_factory=list)
    citizens_present: int = 0
    quorum_present: Optional[bool] = None
    items: list[ItemRecord] = field(default_factory=list)
    public_comments: list[PublicComment] = field(default_factory=list)
    questions: list[AnsweredQuestion] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    adjourned_at: Optional[str] = None  # ISO 8601 instant in UTC ("2026-11-26T10:30:00Z")

    @property
    def present_total(self) -> int:
        return len(self.officials_present) + (self.citizens_present or 0)

    @property
    def adjourned(self) -> Optional[datetime]:
        return parse_instant(self.adjourned_at)

    def to_dict(self, *, meeting_id: int, number: int) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, "meeting_id": meeting_id, "number": number, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "MinutesContent":
        items = [ItemRecord(agenda_item_id=i.get("agenda_item_id"), title=i.get("title", ""),
                            summary=i.get("summary", ""),
                            decisions=[Decision(**d) for d in i.get("decisions", [])])
                 for i in data.get("items", [])]
        return cls(
            presiding=data.get("presiding", ""), recorder=data.get("recorder", ""),
            officials_present=list(data.get("officials_present", [])),
            citizens_present=data.get("citizens_present", 0) or 0,
            quorum_present=data.get("quorum_present"),
            items=items,
            public_comments=[PublicComment(**c) for c in data.get("public_comments", [])],
            questions=[AnsweredQuestion(**q) for q in data.get("questions", [])],
            commitments=[Commitment(**c) for c in data.get("commitments", [])],
            adjourned_at=data.get("adjourned_at"),
        )


def format_instant(value: Optional[datetime]) -> Optional[str]:
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(value: Optional[str]) -> Optional[datetime]:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_normalise(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalise(v) for v in value]
    if isinstance(value, float):
        raise TypeError("minutes content holds no floats (their text form is not canonical)")
    return value


def canonical_json(data: dict[str, Any]) -> str:
    """The one text form of `data`: NFC strings, sorted keys, no whitespace between tokens."""
    return json.dumps(_normalise(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def encode(content: MinutesContent, *, meeting_id: int, number: int) -> tuple[str, str]:
    """(canonical JSON, its SHA-256) of version `number` of the minutes of meeting `meeting_id`."""
    text = canonical_json(content.to_dict(meeting_id=meeting_id, number=number))
    return text, sha256_hex(text)


@dataclass(frozen=True)
class Identity:
    """The meeting and version number a stored text names (None for both before schema 2)."""

    schema: int
    meeting_id: Optional[int] = None
    number: Optional[int] = None


def identity_of(text: str) -> Identity:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("minutes content is not a JSON object")
    schema = data.get("schema", 1)
    if schema < IDENTITY_SCHEMA:
        return Identity(schema)
    return Identity(schema, data.get("meeting_id"), data.get("number"))


def decode(text: str) -> MinutesContent:
    return MinutesContent.from_dict(json.loads(text))


def is_canonical(text: str) -> bool:
    try:
        return canonical_json(json.loads(text)) == text
    except (ValueError, TypeError):
        return False
