"""The rows of a large fictional Wuhan for bench/bigcity.py, table by table, as tuples in the database's own
terms (naive UTC timestamps, enum values as strings).

`City` yields each table's rows from a generator; a later table may depend on what an earlier one
produced (votes follow the questions' vote counts, action items the questions and minutes), so the
tables must be consumed in the order of `City.tables()`. Every row respects the schema's constraints
and the app's invariants: one live registration per contact and meeting, `seats_taken` equal to the
confirmed registrations and never above capacity, a waitlist only when the meeting is full, one vote
per voter and question with `vote_count` equal to the votes, merged questions pointing at a published
question of their meeting, minutes versions inserted in their final state (approved and published
versions are never updated, as the immutability triggers require) with canonical content, SHA-256 and
correction chain, and action items whose closed states carry their resolution.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Optional

import cityvocab as vocab

from app.demo.data import DEPARTMENTS, DISTRICTS
from app.minutes.content import (AnsweredQuestion, Commitment, Decision, ItemRecord, MinutesContent,
                                 PublicComment, decode, encode, format_instant)

EMAIL_DOMAIN = "bigcity.example"
STAFF_PASSWORD = "bigcity-2026"
LOCAL_OFFSET = timedelta(hours=8)  # Asia/Shanghai, no daylight saving time
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_SPACE = len(CODE_ALPHABET) ** 6

# The meeting-page benchmark meeting (id 1) and the registration benchmark meeting (id 2) are the same at
# every scale, so their pages can be compared between a small and a large city.
BIG_MEETING_ID = 1
REGISTRATION_MEETING_ID = 2
BIG_APPROVED = 2000
BIG_OTHER = {"pending": 200, "rejected": 40, "merged": 30}
BIG_REGISTRATIONS = 1500
BIG_CAPACITY = 1200
REGISTRATION_MEETING_REGISTRATIONS = 300
OUTCOME_DEADLINE = timedelta(days=15)


@dataclass(frozen=True)
class Sizes:
    meetings: int
    registrations: int
    questions: int
    votes: int
    actions: int


SCALES = {
    "large": Sizes(meetings=20_000, registrations=1_000_000, questions=300_000, votes=3_000_000, actions=50_000),
    "small": Sizes(meetings=2_000, registrations=100_000, questions=30_000, votes=300_000, actions=5_000),
    # The smallest city that still holds both benchmark meetings: what tests/test_bench_bigcity.py loads.
    "tiny": Sizes(meetings=60, registrations=3_000, questions=2_400, votes=40_000, actions=100),
}

COLUMNS = {
    "departments": ("id", "code", "name_zh", "name_en"),
    "districts": ("id", "code", "name_zh", "name_en"),
    "users": ("id", "email", "name", "password_hash", "role", "department_id", "is_active", "session_version",
              "created_at", "last_login_at"),
    "meetings": ("id", "type", "status", "title", "summary", "purpose", "department_id", "district_id",
                 "created_by_id", "host_note", "timezone", "starts_at", "ends_at", "venue_name", "address",
                 "online_url", "registration_required", "capacity", "registration_opens_at",
                 "registration_closes_at", "seats_taken", "queue_counter", "sequence", "notice_profile",
                 "short_notice_reason", "published_at", "cancelled_at", "cancel_reason", "rescheduled_at",
                 "reschedule_reason", "previous_starts_at", "created_at", "updated_at"),
    "meeting_hosts": ("meeting_id", "user_id"),
    "agenda_items": ("id", "meeting_id", "position", "title", "description", "presenter", "duration_minutes"),
    "question_settings": ("meeting_id", "moderation_mode", "is_closed", "closed_message", "current_question_id",
                          "updated_at"),
    "registrations": ("id", "meeting_id", "code", "token_hash", "submission_hash", "name", "email", "mobile",
                      "email_normalized", "mobile_normalized", "neighbourhood", "needs_wheelchair",
                      "needs_sign_language", "needs_large_print", "interpretation_language", "other_needs",
                      "status", "channel", "queue_number", "language", "created_at", "updated_at", "cancelled_at",
                      "promoted_at", "checked_in_at", "checked_in_by_id"),
    "notification_opt_outs": ("registration_id", "created_at"),
    "questions": ("id", "meeting_id", "body", "topic", "channel", "status", "asker_name", "is_anonymous",
                  "contact_email", "contact_mobile", "language", "submission_hash", "entered_by_id", "vote_count",
                  "created_at", "moderated_at", "moderated_by_id", "rejection_reason", "merged_into_id",
                  "edited_at", "answering_started_at", "outcome", "outcome_at", "outcome_by_id", "response",
                  "outcome_reason", "outcome_plan", "referred_department_id"),
    "question_followers": ("id", "question_id", "original_question_id", "token_hash", "email", "language",
                           "created_at"),
    "question_votes": ("id", "question_id", "voter_key", "created_at"),
    "minutes": ("id", "meeting_id", "created_at", "created_by_id"),
    "minutes_versions": ("id", "minutes_id", "number", "status", "content", "content_hash", "prev_hash",
                         "supersedes_id", "correction_reason", "review_comment", "created_at", "created_by_id",
                         "updated_at", "updated_by_id", "submitted_at", "submitted_by_id", "approved_at",
                         "approved_by_id", "published_at", "published_by_id"),
    "action_items": ("id", "title", "description", "department_id", "responsible_id", "meeting_id", "source",
                     "question_id", "minutes_version_id", "minutes_ref", "source_text", "priority", "status",
                     "due_on", "original_due_on", "resolution", "alternative_plan", "created_at", "created_by_id",
                     "closed_at", "last_update_at"),
    "action_updates": ("id", "action_item_id", "body", "kind", "author_id", "created_at"),
    "action_due_changes": ("id", "action_item_id", "previous_due_on", "new_due_on", "reason", "changed_by_id",
                           "created_at"),
    "action_followers": ("id", "action_item_id", "email", "token_hash", "registration_id", "question_id",
                         "language", "is_unsubscribed", "created_at"),
    "action_ratings": ("id", "action_item_id", "follower_id", "value", "comment", "created_at"),
}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def registration_code(registration_id: int) -> str:
    """A unique 'XXX-XXX' code per id: multiplying by a number prime to 5 permutes the code space."""
    n = (registration_id * 7_919_573 + 12_345) % CODE_SPACE
    chars = []
    for _ in range(6):
        n, digit = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[digit])
    return f"{''.join(chars[:3])}-{''.join(chars[3:])}"


def local_date(instant: datetime) -> date:
    return (instant + LOCAL_OFFSET).date()


def split_total(rng: random.Random, total: int, weights: list[float], cap: int) -> list[int]:
    """`total` shared out in proportion to `weights` (largest remainder), no share above `cap`."""
    if not weights:
        return []
    scale = total / sum(weights)
    shares = [min(cap, int(w * scale)) for w in weights]
    short = total - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (weights[i] * scale) % 1, reverse=True)
    while short > 0:
        moved = 0
        for i in order:
            if short == 0:
                break
            if shares[i] < cap:
                shares[i] += 1
                short -= 1
                moved += 1
        if not moved:
            raise ValueError(f"cannot share {total} out with a cap of {cap} per item")
    return shares


@dataclass
class MeetingPlan:
    id: int
    type: str
    status: str
    department: int  # index into DEPARTMENTS
    district: int
    community: str
    topic: str
    starts_at: datetime
    ends_at: Optional[datetime]
    published_at: Optional[datetime]
    cancelled_at: Optional[datetime] = None
    registration_required: bool = False
    capacity: Optional[int] = None
    registrations: int = 0
    questions: int = 0
    hosts: list[int] = field(default_factory=list)
    agenda: list[tuple[int, str]] = field(default_factory=list)
    checked_in: int = 0
    answered_live: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def end(self) -> datetime:
        return self.ends_at or self.starts_at + timedelta(hours=2)

    @property
    def is_public(self) -> bool:
        return self.status != "draft"


class City:
    def __init__(self, sizes: Sizes, *, seed: int, now: datetime, password_hash: str):
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.now = now.replace(second=0, microsecond=0, tzinfo=None)
        self.password_hash = password_hash
        self.officials: dict[int, list[int]] = {}
        self.clerks: dict[int, list[int]] = {}
        self.staff_names: dict[int, str] = {}
        self.meetings: list[MeetingPlan] = []
        self.people = max(20_000, sizes.registrations // 4)
        self.voter_keys = [sha(f"bigcity-voter-{v}") for v in range(max(50_000, sizes.votes // 8))]
        self.districts = self._district_communities()
        # Filled while the questions are written, read by the votes, minutes and action items.
        self.vote_plan: list[tuple[int, int, datetime, datetime]] = []
        self.action_questions: list[tuple[int, MeetingPlan, str, str, datetime]] = []
        self.commitments: list[tuple[int, str, str, int, date, MeetingPlan, datetime]] = []
        self.action_ids: dict[str, int] = {}
        self.done_actions: list[tuple[int, datetime]] = []

    def tables(self) -> list[tuple[str, Iterator[tuple]]]:
        """(table, rows) in the order they must be written and consumed."""
        self._plan_staff()
        self._plan_meetings()
        return [(name, getattr(self, f"rows_{name}")()) for name in COLUMNS]

    # ------------------------------------------------------------------ helpers

    def _district_communities(self) -> list[list[str]]:
        names = list(dict.fromkeys(vocab.COMMUNITIES))
        self.rng.shuffle(names)
        return [names[i::len(DISTRICTS)] for i in range(len(DISTRICTS))]

    def person_name(self, rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        return rng.choice(vocab.SURNAMES) + "".join(rng.choice(vocab.GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def between(self, start: datetime, end: datetime, rng: random.Random | None = None) -> datetime:
        seconds = int((end - start).total_seconds())
        return start + timedelta(seconds=(rng or self.rng).randint(0, seconds) if seconds > 0 else 0)

    def sorted_times(self, start: datetime, end: datetime, n: int) -> list[datetime]:
        seconds = max(1, int((end - start).total_seconds()))
        return [start + timedelta(seconds=s) for s in sorted(self.rng.randrange(seconds) for _ in range(n))]

    def fmt(self, template: str, plan: MeetingPlan) -> str:
        return template.format(topic=plan.topic, community=plan.community + "社区",
                               dept=DEPARTMENTS[plan.department].name_zh)

    def citizen_email(self, person: int) -> str:
        return f"citizen{person}@{EMAIL_DOMAIN}"

    def citizen_mobile(self, person: int) -> str:
        return f"1{3 + person % 7}{person:09d}"

    # ------------------------------------------------------------------ places and staff

    def rows_departments(self):
        for i, place in enumerate(DEPARTMENTS, start=1):
            yield (i, place.code, place.name_zh, place.name_en)

    def rows_districts(self):
        for i, place in enumerate(DISTRICTS, start=1):
            yield (i, place.code, place.name_zh, place.name_en)

    def _plan_staff(self) -> None:
        """The admin, then three officials and three clerks per department (distinct names: minutes
        list officials by name)."""
        self.staff = [(1, f"admin@{EMAIL_DOMAIN}", "刘敏", "admin", None)]
        taken = {"刘敏"}
        for d, place in enumerate(DEPARTMENTS):
            for role, bucket in (("official", self.officials), ("clerk", self.clerks)):
                for k in range(3):
                    name = self.person_name()
                    while name in taken:
                        name = self.person_name()
                    taken.add(name)
                    user_id = len(self.staff) + 1
                    bucket.setdefault(d, []).append(user_id)
                    self.staff_names[user_id] = name
                    self.staff.append((user_id, f"{role}{k + 1}.{place.code}@{EMAIL_DOMAIN}", name, role, d + 1))

    def rows_users(self):
        created = self.now - timedelta(days=1200)
        for user_id, email, name, role, department_id in self.staff:
            yield (user_id, email, name, self.password_hash, role, department_id, True, 1, created, None)

    # ------------------------------------------------------------------ meetings

    def _plan_meetings(self) -> None:
        rng, now = self.rng, self.now
        special = random.Random(2026)  # the same two benchmark meetings at every scale
        for meeting_id, days, registrations in ((BIG_MEETING_ID, 7, BIG_REGISTRATIONS),
                                                (REGISTRATION_MEETING_ID, 21, REGISTRATION_MEETING_REGISTRATIONS)):
            starts = (now + timedelta(days=days)).replace(hour=6, minute=30)  # 14:30 in Wuhan
            plan = MeetingPlan(
                id=meeting_id, type="town_hall", status="published", department=0, district=0,
                community=self.districts[0][0], topic=vocab.DEPARTMENT_TOPICS["housing"][0][meeting_id - 1],
                starts_at=starts, ends_at=starts + timedelta(hours=3), published_at=now - timedelta(days=3),
                registration_required=True, capacity=BIG_CAPACITY if meeting_id == BIG_MEETING_ID else None,
                registrations=registrations)
            plan.hosts = special.sample(self.officials[0], 2)
            self.meetings.append(plan)
        types = ["town_hall"] * 8 + ["hearing"] * 3 + ["community_visit"] * 5 + ["briefing"] * 4
        registration_odds = {"town_hall": 0.8, "hearing": 1.0, "community_visit": 0.3, "briefing": 0.6}
        for meeting_id in range(3, self.sizes.meetings + 1):
            kind = rng.choice(types)
            d, district = rng.randrange(len(DEPARTMENTS)), rng.randrange(len(DISTRICTS))
            day = now.replace(hour=0, minute=0) + timedelta(days=rng.randint(-1095, 180))
            starts = day + timedelta(hours=rng.choice((9, 9.5, 10, 14, 14.5, 15, 19))) - LOCAL_OFFSET
            ends = None if rng.random() < 0.1 else starts + timedelta(hours=rng.choice((1.5, 2, 2.5, 3)))
            roll = rng.random()
            status = "draft" if roll < 0.04 else "cancelled" if roll < 0.08 else "published"
            published = None
            if status != "draft":
                lead = timedelta(days=20 if kind == "hearing" else 10) + timedelta(hours=rng.randint(0, 240))
                published = min(starts - lead, now - timedelta(hours=rng.randint(1, 48)))
            topics, _topic = vocab.DEPARTMENT_TOPICS[DEPARTMENTS[d].code]
            plan = MeetingPlan(id=meeting_id, type=kind, status=status, department=d, district=district,
                               community=rng.choice(self.districts[district]), topic=rng.choice(topics),
                               starts_at=starts, ends_at=ends, published_at=published,
                               registration_required=rng.random() < registration_odds[kind])
            if status == "cancelled":
                plan.cancelled_at = max(published + timedelta(hours=1),
                                        min(starts - timedelta(days=rng.randint(1, 5)), now - timedelta(hours=1)))
            plan.hosts = rng.sample(self.officials[d], rng.choice((1, 1, 2)))
            self.meetings.append(plan)
        others = self.meetings[2:]
        registering = [m for m in others if m.is_public and m.registration_required]
        special_registrations = sum(m.registrations for m in self.meetings[:2])
        for plan, n in zip(registering, split_total(
                rng, self.sizes.registrations - special_registrations,
                [rng.lognormvariate(0, 0.9) for _ in registering], cap=min(3000, self.people // 2))):
            plan.registrations = n
        asking = [m for m in others if m.is_public]
        factor = {"town_hall": 1.5, "hearing": 1.0, "community_visit": 0.5, "briefing": 0.7}
        special_questions = BIG_APPROVED + sum(BIG_OTHER.values()) + 20
        self.meetings[0].questions = BIG_APPROVED + sum(BIG_OTHER.values())
        self.meetings[1].questions = 20
        for plan, n in zip(asking, split_total(
                rng, self.sizes.questions - special_questions,
                [rng.lognormvariate(0, 1) * factor[m.type] for m in asking], cap=1500)):
            plan.questions = n

    def _seats(self, plan: MeetingPlan) -> tuple[int, int, int]:
        """(web registrations, of which cancelled, walk-ins) so that walk-ins only take free seats."""
        rng = self.rng
        past = plan.end <= self.now and plan.status == "published"
        walk_ins = round(plan.registrations * 0.04) if past else 0
        web = plan.registrations - walk_ins
        cancelled = round(web * 0.06)
        if plan.capacity is None and plan.id > REGISTRATION_MEETING_ID and rng.random() < 0.75 and web:
            plan.capacity = max(20, round((web - cancelled) * rng.uniform(0.75, 1.4) / 10) * 10)
        if plan.capacity is not None and plan.capacity - min(web - cancelled, plan.capacity) < walk_ins:
            web, walk_ins = plan.registrations, 0
            cancelled = round(web * 0.06)
        return web, cancelled, walk_ins

    def rows_meetings(self):
        rng, now = self.rng, self.now
        self.seat_plan = {}
        for plan in self.meetings:
            web, cancelled, walk_ins = self._seats(plan) if plan.registrations else (0, 0, 0)
            self.seat_plan[plan.id] = (web, cancelled, walk_ins)
            active = web - cancelled
            confirmed = active if plan.capacity is None else min(active, plan.capacity)
            district = DISTRICTS[plan.district]
            title = f"{plan.community}社区{plan.topic}{vocab.TYPE_WORDS[plan.type]}"
            if plan.id == BIG_MEETING_ID:
                title = f"{district.name_zh}{plan.topic}全区居民大会"
            rescheduled = plan.status == "published" and plan.id > 2 and rng.random() < 0.05 \
                and plan.published_at + timedelta(hours=2) < min(plan.starts_at, now)
            rescheduled_at = self.between(plan.published_at + timedelta(hours=1), min(plan.starts_at, now)) \
                if rescheduled else None
            created = (plan.published_at or min(now, plan.starts_at)) - timedelta(days=2)
            stamps = [s for s in (created, plan.published_at, plan.cancelled_at, rescheduled_at) if s]
            yield (
                plan.id, plan.type, plan.status, title,
                self.fmt(rng.choice(vocab.SUMMARIES), plan), rng.choice(vocab.PURPOSES),
                plan.department + 1, plan.district + 1, plan.hosts[0], "", "Asia/Shanghai",
                plan.starts_at, plan.ends_at, f"{plan.community}社区{rng.choice(vocab.VENUES)}",
                f"武汉市{district.name_zh}{rng.choice(vocab.ROADS)}{rng.randint(1, 999)}号",
                f"https://live.{EMAIL_DOMAIN}/m{plan.id}" if rng.random() < 0.15 else "",
                plan.registration_required, plan.capacity, None, None,
                confirmed + walk_ins, web + walk_ins, 1 if rescheduled else 0,
                "cn" if plan.is_public else None, None, plan.published_at, plan.cancelled_at,
                rng.choice(vocab.CANCEL_REASONS) if plan.cancelled_at else None,
                rescheduled_at, rng.choice(vocab.RESCHEDULE_REASONS) if rescheduled else None,
                plan.starts_at - timedelta(days=7) if rescheduled else None, created, max(stamps),
            )

    def rows_meeting_hosts(self):
        for plan in self.meetings:
            for user_id in plan.hosts:
                yield (plan.id, user_id)

    def rows_agenda_items(self):
        item_id = 0
        for plan in self.meetings:
            count = len(vocab.AGENDA) if plan.id <= 2 else self.rng.randint(3, len(vocab.AGENDA))
            for position, (title, presenter, minutes) in enumerate(vocab.AGENDA[:count], start=1):
                item_id += 1
                text = self.fmt(title, plan)
                plan.agenda.append((item_id, text))
                yield (item_id, plan.id, position, text, "", self.fmt(presenter, plan), minutes)

    def rows_question_settings(self):
        for plan in self.meetings:
            if plan.id == BIG_MEETING_ID:
                yield (plan.id, "pre", False, "", None, plan.published_at)
            elif plan.id > 2 and plan.is_public and self.rng.random() < 0.03:
                closed = self.rng.random() < 0.3
                yield (plan.id, self.rng.choice(("pre", "post")), closed, "提问已截止，感谢参与。" if closed else "",
                       None, plan.published_at)

    # ------------------------------------------------------------------ registrations

    def rows_registrations(self):
        rng, now = self.rng, self.now
        registration_id = 0
        self.opt_outs: list[tuple[int, datetime]] = []
        for plan in self.meetings:
            if not plan.registrations:
                continue
            web, cancelled_count, walk_ins = self.seat_plan[plan.id]
            clerk = self.clerks[plan.department]
            end = min(t for t in (plan.starts_at, plan.cancelled_at, now) if t)
            times = self.sorted_times(plan.published_at, max(end, plan.published_at + timedelta(hours=1)), web)
            cancelled = set(rng.sample(range(web), cancelled_count))
            people = rng.sample(range(self.people), web)
            past = plan.end <= now and plan.status == "published"
            seats = plan.capacity
            confirmed_so_far = 0
            for index in range(web):
                registration_id += 1
                person, created = people[index], times[index]
                mode = person % 10
                email = self.citizen_email(person) if mode < 3 or mode > 5 else ""
                mobile = self.citizen_mobile(person) if mode >= 3 else ""
                cancelled_at = promoted_at = checked_in_at = checked_in_by = None
                if index in cancelled:
                    status = "cancelled"
                    cancelled_at = self.between(created, end)
                elif seats is None or confirmed_so_far < seats:
                    status = "confirmed"
                    confirmed_so_far += 1
                    if seats is not None and index >= seats:  # was waitlisted, moved up after a cancellation
                        promoted_at = self.between(created, end)
                    if past and rng.random() < 0.8:
                        checked_in_at = plan.starts_at - timedelta(minutes=rng.randint(0, 30))
                        checked_in_by = rng.choice(clerk)
                        plan.checked_in += 1
                else:
                    status = "waitlisted"
                live = status != "cancelled"
                language = "en" if person % 31 == 0 else "zh_CN"
                if live and email and person % 97 == 0:
                    self.opt_outs.append((registration_id, self.between(created, end)))
                yield (
                    registration_id, plan.id, registration_code(registration_id),
                    sha(f"bigcity-registration-{registration_id}"), sha(f"bigcity-submission-{registration_id}"),
                    self.person_name(), email, mobile, email if live and email else None,
                    "+86" + mobile if live and mobile else None,
                    (plan.community if rng.random() < 0.7 else rng.choice(self.districts[plan.district])) + "社区",
                    person % 41 == 0, person % 157 == 0, person % 53 == 0, "English" if language == "en" else "",
                    "需要座位靠前" if person % 211 == 0 else "", status, "web", index + 1, language, created,
                    cancelled_at or promoted_at or created, cancelled_at, promoted_at, checked_in_at, checked_in_by,
                )
            for index in range(walk_ins):
                registration_id += 1
                arrived = plan.starts_at + timedelta(minutes=rng.randint(0, 20))
                plan.checked_in += 1
                yield (
                    registration_id, plan.id, registration_code(registration_id),
                    sha(f"bigcity-registration-{registration_id}"), None, self.person_name(), "", "", None, None,
                    f"{plan.community}社区", False, False, False, "", "", "confirmed", "walk_in", web + index + 1,
                    "zh_CN", arrived, arrived, None, None, arrived, rng.choice(clerk),
                )

    def rows_notification_opt_outs(self):
        yield from self.opt_outs

    # ------------------------------------------------------------------ questions and votes

    def _statuses(self, plan: MeetingPlan, rng: random.Random) -> list[str]:
        if plan.id == BIG_MEETING_ID:
            statuses = ["approved"] * BIG_APPROVED + [s for s, n in BIG_OTHER.items() for _ in range(n)]
            rng.shuffle(statuses)
            first = statuses.index("approved")  # merged questions need a published one before them
            statuses[0], statuses[first] = statuses[first], statuses[0]
            return statuses
        if plan.status == "cancelled":
            odds = (("approved", 0.7), ("pending", 0.2), ("rejected", 0.1))
        elif plan.end > self.now:
            odds = (("approved", 0.65), ("pending", 0.25), ("rejected", 0.05), ("merged", 0.05))
        else:
            odds = (("approved", 0.83), ("pending", 0.02), ("rejected", 0.08), ("merged", 0.07))
        names, weights = zip(*odds)
        statuses = rng.choices(names, weights, k=plan.questions)
        for i, status in enumerate(statuses):  # merged questions need a published one before them
            if status == "approved":
                break
            if status == "merged":
                statuses[i] = "approved"
                break
        return statuses

    def _vote_counts(self, plans: list[tuple[MeetingPlan, list[str]]]) -> list[list[int]]:
        """Votes per question, heavy-tailed, adding up to the scale's total; the big meeting's are fixed."""
        big_rng = random.Random(9)
        per_meeting = []
        weights, slots = [], []
        cap = len(self.voter_keys) // 2
        for m, (plan, statuses) in enumerate(plans):
            counts = [0] * len(statuses)
            for q, status in enumerate(statuses):
                if status != "approved":
                    continue
                if plan.id == BIG_MEETING_ID:
                    counts[q] = min(2000, int(big_rng.paretovariate(1.3) * 6) - 5)
                else:
                    weights.append(self.rng.paretovariate(1.4))
                    slots.append((m, q))
            per_meeting.append(counts)
        fixed = sum(sum(c) for c in per_meeting)
        for (m, q), n in zip(slots, split_total(self.rng, self.sizes.votes - fixed, weights, cap)):
            per_meeting[m][q] = n
        return per_meeting

    def rows_questions(self):
        rng, now = self.rng, self.now
        plans = [(plan, self._statuses(plan, random.Random(7) if plan.id == BIG_MEETING_ID else rng))
                 for plan in self.meetings if plan.questions]
        votes = self._vote_counts(plans)
        self.question_followers: list[tuple] = []
        past_answers = self.sizes.questions * 0.6
        action_odds = min(0.3, 0.4 * self.sizes.actions / past_answers)
        outcome_odds = (("answered_live", 0.35), ("answered", 0.25), ("referred", 0.12), ("action", action_odds),
                        ("declined", 0.06), ("cannot_solve_now", 0.05))
        outcome_names, outcome_weights = zip(*outcome_odds)
        question_id = 0
        for (plan, statuses), counts in zip(plans, votes):
            q_rng = random.Random(8) if plan.id == BIG_MEETING_ID else rng
            d = plan.department
            topic = vocab.DEPARTMENT_TOPICS[DEPARTMENTS[d].code][1]
            end = min(t for t in (plan.end, plan.cancelled_at, now) if t)
            times = self.sorted_times(plan.published_at, max(end, plan.published_at + timedelta(hours=1)),
                                      len(statuses))
            approved: list[int] = []
            past = plan.end <= now and plan.status == "published"
            for q, status in enumerate(statuses):
                question_id += 1
                created = times[q]
                channel = q_rng.choices(("web", "hotline", "email", "letter", "in_person"), (85, 6, 4, 2, 3))[0]
                person = q_rng.randrange(self.people)
                anonymous = q_rng.random() < 0.15
                name = "" if q_rng.random() < 0.1 else self.person_name(q_rng)
                email = self.citizen_email(person) if channel == "web" and q_rng.random() < 0.5 else ""
                mobile = self.citizen_mobile(person) if q_rng.random() < 0.2 else ""
                language = "en" if person % 31 == 0 else "zh_CN"
                body = self.fmt(q_rng.choice(vocab.QUESTIONS), plan)
                moderated = moderator = reason = merged_into = None
                outcome = outcome_at = outcome_by = started = None
                response = outcome_reason = outcome_plan = ""
                referred = None
                if status != "pending":
                    moderated = min(created + timedelta(minutes=q_rng.randint(10, 2880)), max(now, created))
                    moderator = q_rng.choice(self.clerks[d])
                if status == "rejected":
                    reason = q_rng.choice(vocab.REJECTIONS)
                elif status == "merged":
                    merged_into = q_rng.choice(approved)
                elif status == "approved":
                    approved.append(question_id)
                    recent = now - plan.end < OUTCOME_DEADLINE
                    if past and q_rng.random() < (0.4 if recent else 0.92):
                        outcome = q_rng.choices(outcome_names, outcome_weights)[0]
                        outcome_by = q_rng.choice(self.officials[d])
                        if outcome == "answered_live":
                            outcome_at = self.between(plan.starts_at, plan.end, q_rng)
                            started = outcome_at - timedelta(minutes=q_rng.randint(2, 8))
                        else:
                            outcome_at = min(plan.end + timedelta(hours=q_rng.randint(2, 14 * 24)), now)
                        if outcome == "answered_live" and len(plan.answered_live) < 5:
                            plan.answered_live.append((question_id, body, "" if anonymous else name))
                        if outcome in ("declined", "cannot_solve_now"):
                            outcome_reason, outcome_plan = q_rng.choice(vocab.DECLINES)
                        elif outcome == "action":
                            response = q_rng.choice(vocab.ACTION_TITLES)
                            self.action_questions.append((question_id, plan, response, body, outcome_at))
                        else:
                            response = q_rng.choice(vocab.RESPONSES)
                        if outcome == "referred":
                            referred = (d + q_rng.randrange(1, len(DEPARTMENTS))) % len(DEPARTMENTS) + 1
                if counts[q]:
                    self.vote_plan.append((question_id, counts[q], moderated, end))
                if channel == "web":
                    self.question_followers.append((merged_into or question_id, question_id, email or None,
                                                    language, created))
                yield (
                    question_id, plan.id, body, topic if q_rng.random() < 0.8 else "other", channel, status,
                    name, anonymous, email, mobile, language,
                    sha(f"bigcity-question-{question_id}") if channel == "web" else None,
                    None if channel == "web" else q_rng.choice(self.clerks[d]), counts[q], created, moderated,
                    moderator, reason, merged_into, None, started, outcome, outcome_at, outcome_by, response,
                    outcome_reason, outcome_plan, referred,
                )

    def rows_question_followers(self):
        for follower_id, (question_id, original_id, email, language, created) in enumerate(
                self.question_followers, start=1):
            yield (follower_id, question_id, original_id, sha(f"bigcity-question-follow-{original_id}"), email,
                   language, created)
        self.question_followers = []

    def rows_question_votes(self):
        rng, keys = self.rng, self.voter_keys
        vote_id = 0
        for question_id, count, opened, end in self.vote_plan:
            span = max(1, int((end - opened).total_seconds()))
            for voter in rng.sample(range(len(keys)), count):
                vote_id += 1
                yield (vote_id, question_id, keys[voter], opened + timedelta(seconds=rng.randrange(span)))
        self.vote_plan = []

    # ------------------------------------------------------------------ minutes

    def _content(self, plan: MeetingPlan, recorder: int, *, complete: bool, correction: bool = False):
        rng = self.rng
        hosts = [self.staff_names[h] for h in plan.hosts]
        content = MinutesContent(officials_present=hosts, citizens_present=plan.checked_in,
                                 items=[ItemRecord(agenda_item_id=i, title=t) for i, t in plan.agenda])
        if not complete:
            return content
        content.presiding, content.recorder = hosts[0], self.staff_names[recorder]
        content.quorum_present = True if plan.type == "hearing" else None
        present = content.present_total
        for item in content.items:
            item.summary = "与会人员围绕本议题充分发言，相关部门逐一作了说明。"
        if len(content.items) > 1:
            against = min(1 if correction else 2, present)
            abstain = min(2 if correction else 1, present - against)
            content.items[1].decisions = [Decision(
                motion=rng.choice(vocab.DECISIONS), mover=hosts[0], outcome="carried",
                votes_for=present - against - abstain, votes_against=against, votes_abstain=abstain)]
        content.public_comments = [PublicComment(*c) for c in rng.sample(vocab.COMMENTS, rng.randint(1, 2))]
        content.questions = [AnsweredQuestion(question_id=q, body=b, asker=a) for q, b, a in plan.answered_live]
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            due = local_date(plan.end) + timedelta(days=rng.randint(30, 120))
            content.commitments.append(Commitment(text=rng.choice(vocab.COMMITMENTS),
                                                  department_id=plan.department + 1, due_on=due.isoformat()))
        content.adjourned_at = format_instant(plan.end.replace(tzinfo=timezone.utc))
        return content

    def rows_minutes(self):
        rng, now = self.rng, self.now
        self.minutes_versions: list[tuple] = []
        minutes_id = version_id = 0
        for plan in self.meetings:
            if plan.status != "published" or plan.end > now:
                continue
            recent = now - plan.end < OUTCOME_DEADLINE
            roll = rng.random()
            if recent:
                state = None if roll < 0.4 else "draft" if roll < 0.7 else "submitted"
            else:
                state = (None if roll < 0.17 else "approved" if roll < 0.2 else
                         "corrected" if roll < 0.24 else "published")
            if state is None:
                continue
            minutes_id += 1
            clerk = rng.choice(self.clerks[plan.department])
            official = rng.choice(self.officials[plan.department])
            opened = min(plan.end + timedelta(hours=rng.randint(2, 48)), now)
            yield (minutes_id, plan.id, opened, clerk)
            submitted = min(opened + timedelta(days=rng.randint(1, 3)), now)
            approved = min(submitted + timedelta(days=rng.randint(1, 3)), now)
            published = min(approved + timedelta(hours=rng.randint(1, 48)), now)
            text, digest = encode(self._content(plan, clerk, complete=state != "draft"), meeting_id=plan.id, number=1)
            version_id += 1
            first = dict(id=version_id, number=1, content=text, content_hash=digest, prev_hash="", supersedes_id=None,
                         correction_reason=None, created_at=opened, created_by_id=clerk,
                         updated_at=submitted if state != "draft" else opened, updated_by_id=clerk)
            if state == "draft":
                self._version(minutes_id, first, "draft")
                continue
            first.update(submitted_at=submitted, submitted_by_id=clerk)
            if state == "submitted":
                self._version(minutes_id, first, "submitted")
                continue
            first.update(approved_at=approved, approved_by_id=official)
            if state == "approved":
                self._version(minutes_id, first, "approved")
                continue
            first.update(published_at=published, published_by_id=official)
            self._version(minutes_id, first, "published")
            current, current_content = first, text
            if state == "corrected" and published + timedelta(days=3) < now:
                fixed_at = self.between(published + timedelta(days=1), now - timedelta(days=1))
                text2, digest2 = encode(self._content(plan, clerk, complete=True, correction=True), meeting_id=plan.id,
                                       number=2)
                version_id += 1
                second = dict(id=version_id, number=2, content=text2, content_hash=digest2, prev_hash=digest,
                              supersedes_id=first["id"], correction_reason="第二项议题的反对票数记录有误，予以更正。",
                              created_at=fixed_at, created_by_id=clerk, updated_at=fixed_at, updated_by_id=clerk,
                              submitted_at=fixed_at, submitted_by_id=clerk, approved_at=fixed_at,
                              approved_by_id=official, published_at=fixed_at, published_by_id=official)
                self._version(minutes_id, second, "published")
                current, current_content = second, text2
            for i, commitment in enumerate(decode(current_content).commitments):
                self.commitments.append((current["id"], f"c{i}", commitment.text, plan.department,
                                         commitment.due_date, plan, current["published_at"]))

    def _version(self, minutes_id: int, values: dict, status: str) -> None:
        get = values.get
        self.minutes_versions.append((
            values["id"], minutes_id, values["number"], status, values["content"], values["content_hash"],
            values["prev_hash"], get("supersedes_id"), get("correction_reason"), None, values["created_at"],
            values["created_by_id"], values["updated_at"], get("updated_by_id"), get("submitted_at"),
            get("submitted_by_id"), get("approved_at"), get("approved_by_id"), get("published_at"),
            get("published_by_id")))

    def rows_minutes_versions(self):
        yield from self.minutes_versions
        self.minutes_versions = []

    # ------------------------------------------------------------------ action items

    def _action_sources(self):
        """(source, meeting, department index, title, source text, created, due, question id, version id, ref)."""
        rng, now, total = self.rng, self.now, self.sizes.actions
        if len(self.action_questions) > total:
            raise ValueError(f"{len(self.action_questions)} questions became action items, more than {total}")
        for question_id, plan, title, body, at in self.action_questions:
            due = local_date(at) + timedelta(days=rng.randint(14, 120))
            yield ("question", plan, plan.department, title, body, at, due, question_id, None, None)
        from_minutes = min(len(self.commitments), max(0, total - len(self.action_questions) - total // 5))
        for version_id, ref, text, d, due, plan, at in rng.sample(self.commitments, from_minutes):
            yield ("minutes", plan, d, text[:60], text, at, due, None, version_id, ref)
        past = [m for m in self.meetings if m.status == "published" and m.end < now]
        for _ in range(total - len(self.action_questions) - from_minutes):
            plan = rng.choice(past) if rng.random() < 0.8 else None
            d = plan.department if plan else rng.randrange(len(DEPARTMENTS))
            start = plan.end if plan else now - timedelta(days=1095)
            at = self.between(start, min(start + timedelta(days=30), now))
            due = local_date(at) + timedelta(days=rng.randint(14, 120))
            title = rng.choice(vocab.ACTION_TITLES)
            yield ("direct", plan, d, title, "", at, due, None, None, None)

    def rows_action_items(self):
        rng, now = self.rng, self.now
        today = local_date(now)
        self.action_history: list[tuple] = []
        for item_id, (source, plan, d, title, text, created, due, question_id, version_id, ref) in enumerate(
                self._action_sources(), start=1):
            official = rng.choice(self.officials[d])
            original_due = due
            if rng.random() < 0.08 and due > local_date(created) + timedelta(days=7):
                due = original_due + timedelta(days=rng.randint(14, 60))
            roll = rng.random()
            if due < today:
                status = "done" if roll < 0.7 else "cannot_resolve" if roll < 0.8 else \
                    "in_progress" if roll < 0.92 else "open"
            else:
                status = "open" if roll < 0.4 else "in_progress" if roll < 0.85 else "done"
            updates = []
            last = created
            if status != "open":
                last = self.between(created, min(created + timedelta(days=10), now))
                updates.append(("started", "工作已启动。", last))
            for _ in range(rng.randint(0 if status == "open" else 1, 3)):
                last = self.between(last, min(last + timedelta(days=20), now))
                updates.append(("progress", rng.choice(vocab.UPDATES), last))
            resolution = plan_text = ""
            closed = None
            if status in ("done", "cannot_resolve"):
                closed = self.between(last, min(last + timedelta(days=30), now))
                if status == "done":
                    resolution = rng.choice(vocab.RESOLUTIONS)
                    updates.append(("done", resolution, closed))
                    self.done_actions.append((item_id, closed))
                else:
                    resolution, plan_text = rng.choice(vocab.CANNOT)
                    updates.append(("cannot_resolve", f"{resolution}\n\n{plan_text}", closed))
            changed = None
            if due != original_due:
                changed = self.between(created, min(closed or now, now))
            self.action_history.append((item_id, official, updates, changed, original_due, due))
            yield (
                item_id, title, text if source != "direct" else "根据群众反映的问题，由相关部门跟进办理。",
                d + 1, official, plan.id if plan else None, source, question_id, version_id, ref, text,
                rng.choices(("normal", "high", "low"), (70, 15, 15))[0], status, due, original_due, resolution,
                plan_text, created, official, closed, updates[-1][2] if updates else None,
            )

    def rows_action_updates(self):
        update_id = 0
        for item_id, author, updates, _changed, _was, _due in self.action_history:
            for kind, body, at in updates:
                update_id += 1
                yield (update_id, item_id, body, kind, author, at)

    def rows_action_due_changes(self):
        change_id = 0
        for item_id, author, _updates, changed, was, due in self.action_history:
            if changed is not None:
                change_id += 1
                yield (change_id, item_id, was, due, self.rng.choice(vocab.EXTENSIONS), author, changed)
        self.action_history = []

    def rows_action_followers(self):
        rng = self.rng
        self.ratings: list[tuple] = []
        follower_id = 0
        for item_id, closed in self.done_actions:
            if rng.random() >= 0.1:
                continue
            for person in rng.sample(range(self.people), rng.randint(1, 3)):
                follower_id += 1
                followed = closed - timedelta(days=rng.randint(1, 20))
                yield (follower_id, item_id, self.citizen_email(person), sha(f"bigcity-action-follow-{follower_id}"),
                       None, None, "zh_CN", False, followed)
                if rng.random() < 0.7:
                    rated = min(closed + timedelta(days=rng.randint(1, 10)), self.now)
                    value = rng.choices(("satisfied", "partly", "not_satisfied"), (60, 25, 15))[0]
                    self.ratings.append((item_id, follower_id, value, rated))
        self.done_actions = []

    def rows_action_ratings(self):
        for rating_id, (item_id, follower_id, value, rated) in enumerate(self.ratings, start=1):
            yield (rating_id, item_id, follower_id, value, "", rated)


def row_counts_expected(sizes: Sizes) -> dict[str, int]:
    """The totals the issue asks for (the generator meets them exactly)."""
    return {"meetings": sizes.meetings, "registrations": sizes.registrations, "questions": sizes.questions,
            "question_votes": sizes.votes, "action_items": sizes.actions}


