"""One round of the injection sweep: a whole city's life written through the real forms with the test
client, every text field of every form filled with the round's hostile text.

The Driver posts a form with hostile values; when the app refuses them it checks the refusal (400 or
409, a message on the page, nothing written, a page that is itself safe), puts the round's fallback
into the fields the page marked as wrong and posts again. It records which fields got hostile text,
so the test can prove that every text field of every form was swept.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import User
from app.actions.models import ActionItem
from app.db import utcnow
from app.extensions import db
from app.meetings.models import Meeting, MeetingStatus
from app.minutes.models import HearingRecord, Minutes, MinutesVersion, VersionStatus
from app.notify.models import OutboxMessage
from app.notify.private import reveal
from app.questions.models import Question
from app.registrations.models import Registration
from tests import factories
from tests.conftest import csrf_token_from
from tests.helpers import row_counts
from tests.injection.corpus import MARK, Round
from tests.injection.fields import TextField, path_of, text_fields
from tests.injection.pages import html_problems

WUHAN = ZoneInfo("Asia/Shanghai")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
PASSWORD_MIN = 10
REFUSED = (400, 409, 422)
_n = itertools.count(1)


def local(delta: timedelta) -> str:
    """A local Wuhan time `delta` from now, on the minute, as a datetime-local form value."""
    return (datetime.now(WUHAN) + delta).replace(second=0, microsecond=0).strftime(LOCAL_FORMAT)


class Actor:
    """A browser: a test client with cookies (signed in when `user` is given) and its CSRF token."""

    def __init__(self, app, name: str, user=None, password: str = factories.DEFAULT_PASSWORD,
                 token_page: str = "/login") -> None:
        self.name = name
        self.client = app.test_client()
        self.user = user
        self.email = user.email if user is not None else None
        self.first_page = self.client.get(token_page).get_data(as_text=True)
        self.token = csrf_token_from(self.first_page)
        if user is not None:
            self.sign_in(user.email, password)

    def sign_in(self, email: str, password: str) -> None:
        response = self.client.post("/login", data={"csrf_token": self.token, "email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        self.token = csrf_token_from(self.client.get("/manage/").get_data(as_text=True))

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict, **kwargs):
        return self.client.post(url, data={"csrf_token": self.token, **data}, **kwargs)


def _error_fields(body: str, names) -> list[str]:
    """The posted names whose field the page marks with an error message."""
    marked = set(re.findall(r'id="([^"]+)-error"', body))
    return [name for name in names if name in marked]


def _has_message(body: str) -> bool:
    return bool(re.search(r'class="error-message"|class="flash flash-error"|class="error-summary"|'
                          r'class="notice notice-error"|class="error-page"|role="alert"', body))


@dataclass
class Driver:
    app: object
    round: Round
    fields: dict = field(default_factory=text_fields)
    sent: set = field(default_factory=set)           # (form, path) that got the round's hostile value
    problems: list[str] = field(default_factory=list)
    refusals: int = 0
    typed: dict = field(default_factory=dict)        # (form, path) -> the value finally accepted
    submission: int = 0                              # numbers the forms' one-time submission ids

    # ------------------------------------------------------------------ values

    def spec(self, form: str, name: str) -> TextField:
        key = (form, path_of(name))
        assert key in self.fields, f"{key} is not a text field of the app's forms"
        return self.fields[key]

    def value(self, spec: TextField) -> str:
        text = self.round.value(spec)
        if spec.path == "submission_id":  # one per form shown: a repeated id is a repeated submit
            return f"{text}-{self.submission}"
        if spec.kind == "url":
            return "https://example.org/" + text if not text.startswith("javascript:") else text
        if spec.kind == "password":
            return (text + "-" * PASSWORD_MIN)[: max(PASSWORD_MIN, min(len(text), spec.max_length or 200))]
        return text

    def fallback(self, spec: TextField) -> str:
        """A value the field accepts that is still as hostile as the field allows."""
        n = next(_n)
        if spec.kind == "email":
            return f"=x{n}'{{{{7*7}}}}|&~+{MARK}@example.org"
        if spec.kind == "mobile":
            return f"+86 139 {n:04d} {(n * 37) % 10000:04d}"
        if spec.kind == "url":
            return f'https://example.org/javascript:alert(1)?q="><script>alert({n})</script>&{MARK}=1'
        text = self.round.fallback(spec)
        if spec.kind == "password":
            return (text + "-" * PASSWORD_MIN)[: max(PASSWORD_MIN, min(len(text), spec.max_length or 200))]
        return text

    # ------------------------------------------------------------------ posting

    def submit(self, actor: Actor, url: str, form: str, data: dict, hostile: list[str], *,
               ok: Callable = lambda r: r.status_code in (302, 303), effect: Callable | None = None,
               fixed: dict | None = None, choices: tuple[str, ...] = (), label: str = "") -> tuple[object, dict]:
        """POST `data` with the round's value in each `hostile` field; retry refused fields with the
        fallback (or `fixed[name]`). `choices` name fields that are not text (selects, numbers, dates):
        they get the hostile text first too, then go back to their value in `data`. Returns the
        accepted response and the values finally posted."""
        label = label or f"{form} at {url}"
        self.submission += 1
        specs = {name: self.spec(form, name) for name in hostile}
        specs.update({name: TextField(form, path_of(name), None, "choice") for name in choices})
        values = {name: self.value(spec) for name, spec in specs.items()}
        fixed = {**{name: data[name] for name in choices}, **(fixed or {})}
        for _attempt in range(4):
            before = row_counts()
            response = actor.post(url, {**data, **values})
            if ok(response) and (effect is None or effect()):
                if response.mimetype == "text/html":  # a page shown after the post (confirmation...)
                    body = response.get_data(as_text=True)
                    self.problems.extend(f"{label} (answer): {p}" for p in html_problems(body))
                break
            if ok(response):  # answered as if it had worked
                self.problems.append(f"{label}: answered {response.status_code} but did nothing and said "
                                     f"nothing about why (values: {self._short(values)})")
                wrong = list(values)
            else:
                self.check_refusal(response, before, label, values)
                wrong = _error_fields(response.get_data(as_text=True), values) or list(values)
            changed = False
            for name in wrong:
                replacement = fixed.get(name) if name in fixed else self.fallback(specs[name])
                if values[name] != replacement:
                    values[name], changed = replacement, True
            assert changed, f"{label}: refused ({response.status_code}) even with the fallback values: " \
                            f"{response.get_data(as_text=True)[:1500]}"
        else:
            raise AssertionError(f"{label}: still refused after 4 attempts")
        for name, value in values.items():
            self.typed[specs[name].key] = value
        self.sent.update(spec.key for spec in specs.values() if spec.kind != "choice")
        return response, values

    def check_refusal(self, response, before: dict, label: str, values: dict) -> None:
        self.refusals += 1
        status = response.status_code
        body = response.get_data(as_text=True)
        if status not in REFUSED:
            self.problems.append(f"{label}: refused with status {status} (values: {self._short(values)}): "
                                 f"{body[:300]}")
            return
        if response.mimetype == "text/html" and not _has_message(body):
            self.problems.append(f"{label}: refused with {status} and no message on the page "
                                 f"(values: {self._short(values)})")
        after = row_counts()
        if after != before:
            changed = {t: (before[t], after[t]) for t in after if after[t] != before[t]}
            self.problems.append(f"{label}: refused with {status} but wrote {changed}")
        if response.mimetype == "text/html":
            self.problems.extend(f"{label} (refusal page): {p}" for p in html_problems(body))

    @staticmethod
    def _short(values: dict) -> str:
        return ", ".join(f"{k}={v[:40]!r}{'…' if len(v) > 40 else ''}" for k, v in values.items())


# ---------------------------------------------------------------------------- the city


@dataclass
class City:
    """What one round made: ids, private links and the people who made them."""

    driver: Driver
    admin: Actor = None
    host: Actor = None
    second: Actor = None
    clerk: Actor = None
    department: object = None
    district: object = None
    hearing_id: int = 0           # the meeting at the heart of the round (a hearing, now past)
    cancelled_id: int = 0         # rescheduled, then cancelled
    question_ids: dict = field(default_factory=dict)
    registration_tokens: list = field(default_factory=list)
    follow_tokens: list = field(default_factory=list)
    action_ids: list = field(default_factory=list)
    follower_url: str = ""
    confirm_url: str = ""
    searches: list = field(default_factory=list)  # staff and public pages with the round's text in the URL


def _id_from(response, pattern: str) -> int:
    match = re.search(pattern, response.headers.get("Location", ""))
    assert match, (response.status_code, response.headers.get("Location"))
    return int(match.group(1))


def build_city(app, round: Round) -> City:
    # Limits stay on, high enough for one round's writes from one address.
    app.config.update(PUBLIC_WRITE_RATE_LIMIT="10000 per minute", LOGIN_RATE_LIMIT="10000 per minute",
                      QUESTION_ASK_RATE_LIMIT="10000 per minute", QUESTION_VOTE_RATE_LIMIT="10000 per minute")
    driver = Driver(app, round)
    city = City(driver)
    city.department = factories.make_department()
    city.district = factories.make_district()
    admin = factories.make_user("admin", department=city.department, name="管理员")
    second = factories.make_user("official", department=city.department, name="第二官员")
    clerk = factories.make_user("clerk", department=city.department, name="书记员")
    city.admin = Actor(app, "admin", admin)
    _staff_accounts(city, clerk)
    city.second = Actor(app, "second official", second)
    city.clerk = Actor(app, "clerk", clerk)
    _meetings(city)
    _registrations(city)
    _questions(city)
    _pass_time(city)
    _hearing_record(city)
    _minutes(city)
    _actions(city)
    _searches(city)
    db.session.remove()
    return city


def _staff_accounts(city: City, clerk) -> None:
    """The admin creates the official who hosts everything (so their name is on every page), renames
    the clerk and resets a password; a sign-in attempt with hostile text is refused."""
    d = city.driver
    response, values = d.submit(city.admin, "/manage/users/new", "accounts.UserForm", {
        "role": "official", "department_id": str(city.department.id)}, ["email", "name", "password"],
        choices=("role", "department_id"), label="new staff account")
    host = db.session.execute(sa.select(User).where(User.email == values["email"].strip().lower())).scalar_one()
    d.submit(city.admin, f"/manage/users/{clerk.id}", "accounts.EditUserForm", {
        "role": "clerk", "department_id": str(city.department.id)}, ["name"], choices=("role", "department_id"),
        label="rename the clerk")
    spare = factories.make_user("official", department=city.department)
    d.submit(city.admin, f"/manage/users/{spare.id}/password", "accounts.ResetPasswordForm", {}, ["password"],
             label="reset a password")
    visitor = Actor(city.driver.app, "visitor")
    d.submit(visitor, "/login", "accounts.LoginForm", {"email": host.email, "password": values["password"]},
             ["next"], ok=lambda r: r.status_code == 302 and urlsplit(r.headers["Location"]).netloc == "",
             label="sign in with a hostile next")
    # A sign-in with hostile text everywhere can only be refused; the refusal must be clean.
    before = row_counts()
    stranger = Actor(city.driver.app, "stranger")
    wrong = stranger.post("/login", {"email": d.value(d.spec("accounts.LoginForm", "email")),
                                     "password": d.value(d.spec("accounts.LoginForm", "password"))})
    d.check_refusal(wrong, before, "sign in with hostile credentials", {})
    d.sent.update({("accounts.LoginForm", "email"), ("accounts.LoginForm", "password")})
    city.host = Actor(city.driver.app, "host official", host, password=values["password"])


def _meeting_data(city: City, *, type: str, starts: timedelta, capacity: str = "") -> dict:
    return {
        "type": type, "department_id": str(city.department.id), "district_id": str(city.district.id),
        "host_ids": [str(city.host.user.id)], "timezone": "Asia/Shanghai",
        "starts_at": local(starts), "ends_at": local(starts + timedelta(hours=2)),
        "registration_required": "y" if capacity else "", "capacity": capacity,
        "registration_opens_at": "", "registration_closes_at": "",
        "agenda-0-position": "1", "agenda-0-duration_minutes": "30",
        "agenda-1-position": "2", "agenda-1-title": "第二项", "save": "Save draft",
    }


MEETING_CHOICES = ("type", "timezone", "department_id", "district_id", "starts_at", "ends_at", "capacity",
                   "agenda-0-duration_minutes", "agenda-0-position")
MEETING_TEXT = ["title", "summary", "purpose", "host_note", "venue_name", "address", "online_url",
                "agenda-0-title", "agenda-0-presenter", "agenda-0-description"]


def _meetings(city: City) -> None:
    """A hearing at short notice (reason given), and a forum that is rescheduled and then cancelled."""
    d = city.driver
    response, _ = d.submit(city.host, "/manage/meetings/new", "meetings.MeetingForm",
                           _meeting_data(city, type="hearing", starts=timedelta(days=2), capacity="2"),
                           MEETING_TEXT, choices=MEETING_CHOICES, label="new hearing")
    city.hearing_id = _id_from(response, r"/manage/meetings/(\d+)")
    hearing = lambda: db.session.get(Meeting, city.hearing_id)  # noqa: E731
    d.submit(city.host, f"/manage/meetings/{city.hearing_id}/publish", "meetings.PublishForm",
             {"confirm_conflicts": "y"}, ["short_notice_reason"],
             effect=lambda: _fresh(hearing()).status == MeetingStatus.PUBLISHED, label="publish at short notice")

    response, _ = d.submit(city.host, "/manage/meetings/new", "meetings.MeetingForm",
                           _meeting_data(city, type="town_hall", starts=timedelta(days=30)),
                           MEETING_TEXT, choices=MEETING_CHOICES, label="new forum")
    city.cancelled_id = _id_from(response, r"/manage/meetings/(\d+)")
    forum = lambda: _fresh(db.session.get(Meeting, city.cancelled_id))  # noqa: E731
    d.submit(city.host, f"/manage/meetings/{city.cancelled_id}/publish", "meetings.PublishForm",
             {"confirm_conflicts": "y"}, ["short_notice_reason"],
             effect=lambda: forum().status == MeetingStatus.PUBLISHED, label="publish the forum")
    d.submit(city.host, f"/manage/meetings/{city.cancelled_id}/reschedule", "meetings.RescheduleForm", {
        "timezone": "Asia/Shanghai", "starts_at": local(timedelta(days=1, hours=3)),
        "ends_at": local(timedelta(days=1, hours=5))},
        ["venue_name", "address", "online_url", "reason", "short_notice_reason"],
        choices=("timezone", "starts_at", "ends_at"), effect=lambda: forum().sequence == 1,
        label="reschedule at short notice")
    d.submit(city.host, f"/manage/meetings/{city.cancelled_id}/cancel", "meetings.CancelForm", {}, ["reason"],
             effect=lambda: forum().status == MeetingStatus.CANCELLED, label="cancel the forum")


def _fresh(obj):
    db.session.refresh(obj)
    return obj


def _citizen(city: City, url: str) -> Actor:
    """A new visitor who opened the form at `url` (whose one-time submission id the round replaces)."""
    visitor = Actor(city.driver.app, "citizen", token_page=url)
    assert 'name="submission_id"' in visitor.first_page, url
    return visitor


REGISTRATION_TEXT = ["name", "email", "mobile", "neighbourhood", "interpretation_language", "other_needs",
                     "submission_id"]


def _registration_count(meeting_id: int) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Registration)
                              .where(Registration.meeting_id == meeting_id)).scalar_one()


def _private_link_token(meeting_id: int) -> str:
    """The private link of the meeting's newest registration, from the email that carries it (the page after
    registering never shows it). A registrant who gave only a mobile number has no link, so the sweep gives
    the registration one the way a fresh link is made, to reach its private pages."""
    from app.registrations import codes

    registration = db.session.execute(sa.select(Registration).where(Registration.meeting_id == meeting_id)
                                      .order_by(Registration.id.desc()).limit(1)).scalar_one()
    message = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.to_address == registration.email)
                                 .order_by(OutboxMessage.id.desc()).limit(1)).scalar_one_or_none() \
        if registration.email else None
    if message is not None:
        return re.search(r"/registrations/([A-Za-z0-9_-]+)", reveal(message).text).group(1)
    token = codes.new_token()
    registration.token_hash = codes.hash_token(token)
    db.session.commit()
    return token


def _registrations(city: City) -> None:
    """Three registrations for two seats (one waitlisted, promoted when the first cancels), needs
    changed through the private link, a capacity change and a walk-in."""
    d = city.driver
    url = f"/meetings/{city.hearing_id}/register"
    for n in range(3):
        visitor = _citizen(city, url)
        known = _registration_count(city.hearing_id)
        response, values = d.submit(visitor, url, "registrations.RegistrationForm", {
            "needs_wheelchair": "y", "needs_sign_language": "y"}, REGISTRATION_TEXT,
            ok=lambda r: r.status_code == 200, effect=lambda: _registration_count(city.hearing_id) > known,
            label=f"registration {n + 1}")
        token = _private_link_token(city.hearing_id)
        city.registration_tokens.append(token)
        visitor.get(f"/registrations/{token}")
        d.submit(visitor, f"/registrations/{token}/needs", "registrations.NeedsForm", {"needs_large_print": "y"},
                 ["interpretation_language", "other_needs"], label="change needs")
    first = Actor(city.driver.app, "first registrant", token_page=f"/registrations/{city.registration_tokens[0]}")
    cancelled = first.post(f"/registrations/{city.registration_tokens[0]}/cancel", {})
    assert cancelled.status_code == 200, cancelled.status_code
    d.submit(city.clerk, f"/manage/meetings/{city.hearing_id}/capacity", "registrations.CapacityForm",
             {"capacity": "10"}, [], choices=("capacity",), label="raise the capacity")
    d.submit(city.clerk, f"/manage/meetings/{city.hearing_id}/walk-ins", "registrations.WalkInForm", {},
             ["name", "neighbourhood"], label="walk-in")
    walk_in = db.session.execute(sa.select(Registration).where(Registration.meeting_id == city.hearing_id,
                                                               Registration.channel == "walk_in")).scalar_one()
    assert walk_in.checked_in_at is not None
    registrant = db.session.execute(sa.select(Registration).where(
        Registration.meeting_id == city.hearing_id, Registration.status == "confirmed",
        Registration.channel == "web").limit(1)).scalar_one()
    checked_in = city.clerk.post(f"/manage/meetings/{city.hearing_id}/check-in/{registrant.id}", {})
    assert checked_in.status_code == 302, checked_in.status_code


QUESTION_TEXT = ["body", "asker_name", "contact_email", "contact_mobile", "submission_id", "confirmed"]


def _ask(city: City, label: str, *, anonymous: bool = False) -> int:
    d = city.driver
    url = f"/meetings/{city.hearing_id}/questions"
    visitor = _citizen(city, url)
    data = {"topic": "housing", "is_anonymous": "y" if anonymous else ""}
    response, values = d.submit(visitor, url, "questions.QuestionForm", data, QUESTION_TEXT, choices=("topic",),
                                ok=lambda r: r.status_code == 200, label=f"ask ({label})")
    if "/questions/t/" not in response.get_data(as_text=True):  # the similar questions: ask anyway
        response = visitor.post(url, {**data, **values, "confirmed": "1"})
        assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    d.problems.extend(f"ask ({label}), the answer: {p}" for p in html_problems(page))
    city.follow_tokens.append(re.search(r'/questions/t/([A-Za-z0-9_-]+)"', page).group(1))
    vote_page = visitor.get(f"/meetings/{city.hearing_id}/questions")
    assert vote_page.status_code == 200
    return db.session.execute(sa.select(sa.func.max(Question.id))).scalar_one()


def _questions(city: City) -> None:
    """Questions asked on the web (named and anonymous) and entered by staff; approved, rejected,
    edited, answered, turned into work, shown on the projector; then questions close with a message."""
    d = city.driver
    base = f"/manage/meetings/{city.hearing_id}/questions"
    ids = city.question_ids
    ids["named"] = _ask(city, "named")
    ids["anonymous"] = _ask(city, "anonymous", anonymous=True)
    ids["rejected"] = _ask(city, "to reject")
    ids["action"] = _ask(city, "to become an action item")
    ids["duplicate"] = _ask(city, "a duplicate")
    d.submit(city.clerk, f"{base}/new", "questions.EnterQuestionForm", {"topic": "transport", "channel": "hotline",
             "language": "en"}, ["body", "asker_name", "contact_email", "contact_mobile"],
             choices=("topic", "channel", "language"), label="enter a question")
    ids["entered"] = db.session.execute(sa.select(sa.func.max(Question.id))).scalar_one()
    for key in ("named", "anonymous", "action", "duplicate"):
        d.submit(city.clerk, f"{base}/{ids[key]}/approve", "questions.ButtonForm", {}, ["next"],
                 ok=lambda r: r.status_code == 303 and urlsplit(r.headers["Location"]).netloc == "",
                 label="approve with a hostile next")
    d.submit(city.clerk, f"{base}/{ids['rejected']}/reject", "questions.RejectForm", {}, ["reason", "next"],
             ok=lambda r: r.status_code == 303, label="reject")
    d.submit(city.clerk, f"{base}/{ids['anonymous']}/edit", "questions.EditQuestionForm", {
        "topic": "health", "is_anonymous": "y"}, ["body", "asker_name"], choices=("topic",),
        ok=lambda r: r.status_code == 303, label="edit a question")
    d.submit(city.host, f"{base}/{ids['named']}/outcome", "questions.OutcomeForm", {"outcome": "declined",
             "department_id": ""}, ["response", "reason", "plan"], choices=("outcome", "department_id"),
             ok=lambda r: r.status_code == 303, label="decline with a plan")
    d.submit(city.clerk, f"{base}/{ids['duplicate']}/merge", "questions.MergeForm", {"into_id": str(ids["action"])},
             [], choices=("into_id",), ok=lambda r: r.status_code == 303, label="merge a duplicate")
    visitor = Actor(city.driver.app, "voter", token_page=f"/meetings/{city.hearing_id}/questions")
    d.submit(visitor, f"/questions/{ids['action']}/vote", "questions.VoteForm", {}, ["next"],
             ok=lambda r: r.status_code == 303 and urlsplit(r.headers["Location"]).netloc == "",
             label="vote with a hostile next")
    city.clerk.post(f"{base}/{ids['anonymous']}/now-answering", {})
    city.clerk.post(f"{base}/{ids['entered']}/answered-live", {})
    d.submit(city.clerk, f"{base}/settings", "questions.SettingsForm", {"moderation_mode": "post", "is_closed": "y"},
             ["closed_message"], choices=("moderation_mode",), ok=lambda r: r.status_code == 303,
             label="close questions with a message")


def _pass_time(city: City) -> None:
    """The hearing takes place: it now started three hours ago and ended an hour ago."""
    now = utcnow().replace(microsecond=0)
    db.session.execute(sa.update(Meeting).where(Meeting.id == city.hearing_id)
                       .values(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1)))
    db.session.commit()


def _hearing_record(city: City) -> None:
    d = city.driver
    base = f"/manage/meetings/{city.hearing_id}/hearing-record"
    assert city.clerk.post(f"{base}/start", {}).status_code == 302
    d.submit(city.clerk, f"{base}/edit", "minutes.HearingRecordForm", {"participants-1-name": "第二位参加人",
             "participants-1-capacity": "专家", "presiding_official_id": str(city.host.user.id)},
             ["participants-0-name", "participants-0-capacity", "statements-0-speaker", "statements-0-text"],
             label="hearing record")
    record = db.session.execute(sa.select(HearingRecord).where(HearingRecord.meeting_id == city.hearing_id)
                                ).scalar_one()
    first, second = sorted(record.participants, key=lambda p: p.position)
    d.submit(city.host, f"{base}/participants/{first.id}/state", "minutes.ParticipantStateForm",
             {}, ["state", "note"], fixed={"state": "refused"}, label="a refusal to sign")
    d.submit(city.host, f"{base}/participants/{second.id}/state", "minutes.ParticipantStateForm",
             {"state": "confirmed"}, [], label="a confirmation")


def _minutes_data(city: City, meeting: Meeting, officials: str) -> dict:
    agenda = sorted(meeting.agenda_items, key=lambda a: a.position)
    data = {
        "citizens_present": "5", "quorum_present": "yes",
        "adjourned_at": local(timedelta(hours=-1, minutes=-5)),
        "items-0-agenda_item_id": str(agenda[0].id), "items-0-title": agenda[0].title,
        "items-0-decisions-0-outcome": "carried", "items-0-decisions-0-votes_for": "2",
        "items-0-decisions-0-votes_against": "1", "items-0-decisions-0-votes_abstain": "0",
        "items-0-decisions-1-outcome": "deferred", "items-0-decisions-1-motion": "按名单表决",
        "items-0-decisions-1-roll_call_for": officials, "items-0-decisions-1-roll_call_against": "",
        "items-0-decisions-1-roll_call_abstain": "",
        "items-1-agenda_item_id": str(agenda[1].id), "items-1-title": agenda[1].title, "items-1-summary": "通过",
        "public_comments-0-summary": "居民发言",
        "commitments-0-department_id": str(city.department.id),
        "commitments-0-due_on": (datetime.now(WUHAN) + timedelta(days=40)).date().isoformat(),
        "question_ids": [str(city.question_ids["entered"])],
        "officials_present": officials,
        "save_and_submit": "Save and submit",
    }
    return data


MINUTES_CHOICES = ("quorum_present", "citizens_present", "adjourned_at", "items-0-decisions-0-outcome",
                   "items-0-decisions-0-votes_for", "commitments-0-department_id", "commitments-0-due_on")
MINUTES_TEXT = ["presiding", "recorder", "items-0-summary", "items-0-decisions-0-motion",
                "items-0-decisions-0-mover", "public_comments-0-speaker", "public_comments-1-speaker",
                "public_comments-1-summary", "commitments-0-text", "items-2-title", "items-2-summary",
                "items-2-agenda_item_id"]


def _minutes(city: City) -> None:
    """Minutes written, sent back with a comment, resubmitted, approved, published; then corrected."""
    d = city.driver
    meeting = db.session.get(Meeting, city.hearing_id)
    base = f"/manage/meetings/{city.hearing_id}/minutes"
    assert city.clerk.post(f"{base}/start", {}).status_code == 302
    # The officials present and the roll call name the same people, so both get the same text.
    roll_call = d.spec("minutes.MinutesForm", "items-0-decisions-0-roll_call_for")
    officials_spec = d.spec("minutes.MinutesForm", "officials_present")
    officials = d.value(roll_call)
    if len(officials) > roll_call.max_length or "\n" in officials or "\r" in officials:
        officials = d.fallback(roll_call).replace("\r", " ").replace("\n", " ")
    data = _minutes_data(city, meeting, officials)
    response, values = d.submit(city.clerk, f"{base}/edit", "minutes.MinutesForm", data, MINUTES_TEXT,
                                choices=MINUTES_CHOICES, label="minutes")
    d.sent.update({officials_spec.key, d.spec("minutes.MinutesForm", "items-decisions-roll_call_for").key})
    version = _latest_version(city.hearing_id)
    assert version.status == VersionStatus.SUBMITTED, (version.status, response.get_data(as_text=True)[:2000])
    d.submit(city.second, f"{base}/versions/{version.id}/return", "minutes.ReturnForm", {}, ["comment"],
             label="send the minutes back")
    for vote in ("against", "abstain"):  # the other roll-call boxes: the same names cannot vote twice
        refused = city.clerk.post(f"{base}/edit", {**data, **values, f"items-0-decisions-1-roll_call_{vote}":
                                                   officials})
        assert refused.status_code in REFUSED, refused.status_code
        d.sent.add(d.spec("minutes.MinutesForm", f"items-decisions-roll_call_{vote}").key)
    response = city.clerk.post(f"{base}/edit", {**data, **values})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    version = _latest_version(city.hearing_id)
    for path in ("approve", "publish"):
        assert city.second.post(f"{base}/versions/{version.id}/{path}", {}).status_code == 302
    assert _latest_version(city.hearing_id).status == VersionStatus.PUBLISHED
    d.submit(city.clerk, f"{base}/correction", "minutes.CorrectionForm", {}, ["reason"], label="a correction")
    corrected = {**data, **values, "items-1-summary": "更正：通过"}
    assert city.clerk.post(f"{base}/edit", corrected).status_code == 302
    version = _latest_version(city.hearing_id)
    for path in ("approve", "publish"):
        assert city.second.post(f"{base}/versions/{version.id}/{path}", {}).status_code == 302
    assert _latest_version(city.hearing_id).status == VersionStatus.PUBLISHED


def _latest_version(meeting_id: int) -> MinutesVersion:
    db.session.expire_all()
    return db.session.execute(sa.select(MinutesVersion).join(Minutes).where(Minutes.meeting_id == meeting_id)
                              .order_by(MinutesVersion.number.desc()).limit(1)).scalar_one()


ACTION_TEXT = ["title", "description"]
ACTION_CHOICES = ("department_id", "responsible_id", "due_on", "priority")


def _action_data(city: City, **extra) -> dict:
    return {"department_id": str(city.department.id), "responsible_id": str(city.host.user.id),
            "due_on": (datetime.now(WUHAN) + timedelta(days=20)).date().isoformat(), "priority": "high", **extra}


def _actions(city: City) -> None:
    """Two items (from a question and from the minutes): progress, an extension, done and cannot be
    resolved; a registrant follows one and rates it."""
    d = city.driver
    response, _ = d.submit(city.host, f"/manage/actions/new?question={city.question_ids['action']}",
                           "actions.ActionItemForm", _action_data(city), ACTION_TEXT, choices=ACTION_CHOICES,
                           label="action from a question")
    first = _id_from(response, r"/manage/actions/(\d+)")
    response, _ = d.submit(city.host, f"/manage/actions/new?meeting={city.hearing_id}", "actions.ActionItemForm",
                           _action_data(city, minutes_ref="c0"), ACTION_TEXT,
                           choices=ACTION_CHOICES + ("minutes_ref",), label="action from the minutes")
    second = _id_from(response, r"/manage/actions/(\d+)")
    city.action_ids = [first, second]
    d.submit(city.clerk, f"/manage/actions/{first}/updates", "actions.ProgressForm", {}, ["body"],
             label="progress update")
    item = db.session.get(ActionItem, second)
    d.submit(city.host, f"/manage/actions/{second}/extend", "actions.ExtendForm", {
        "due_on": (item.due_on + timedelta(days=30)).isoformat()}, ["reason"], choices=("due_on",),
        label="extend the due date")
    d.submit(city.host, f"/manage/actions/{first}/status", "actions.StatusForm", {"status": "done"},
             ["text", "plan"], choices=("status",), label="done")
    # The reason and the plan are published as one update: together they may fill it, no more.
    half = {name: d.fallback(d.spec("actions.StatusForm", name))[:1999] for name in ("text", "plan")}
    d.submit(city.host, f"/manage/actions/{second}/status", "actions.StatusForm", {"status": "cannot_resolve"},
             ["text", "plan"], fixed=half, label="cannot be resolved")
    # A registrant follows the done item (the invitation comes by email) and rates it.
    registrant = db.session.execute(sa.select(Registration).where(
        Registration.meeting_id == city.hearing_id, Registration.email != "",
        Registration.status == "confirmed").limit(1)).scalar_one()
    visitor = Actor(city.driver.app, "follower", token_page=f"/actions/{first}")
    d.submit(visitor, f"/actions/{first}/follow", "actions.FollowForm", {}, ["email"],
             fixed={"email": registrant.email}, ok=lambda r: r.status_code == 303, label="follow")
    invite = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.to_address == registrant.email,
                                                                OutboxMessage.dedupe_key.like("action-follow:%"))
                                ).scalar_one()
    city.confirm_url = re.search(rf"(/actions/{first}/follow/[A-Za-z0-9_.\-]+)", reveal(invite).text).group(1)
    visitor.get(city.confirm_url)
    response, _ = d.submit(visitor, city.confirm_url, "actions.ButtonForm", {}, ["next"],
                           ok=lambda r: r.status_code == 303, label="confirm following")
    city.follower_url = urlsplit(response.headers["Location"]).path
    d.submit(visitor, city.follower_url, "actions.RatingForm", {"value": "partly"}, ["comment"],
             choices=("value",), ok=lambda r: r.status_code == 303, label="rate")


def _searches(city: City) -> None:
    """Pages that show the round's text from their URL: staff searches and the similar questions."""
    text = city.driver.value(city.driver.spec("registrations.CheckInSearchForm", "q"))
    city.searches = [
        (city.clerk, f"/manage/meetings/{city.hearing_id}/check-in?{urlencode({'q': text})}"),
        (city.clerk, f"/manage/meetings/{city.hearing_id}/registrations?{urlencode({'q': text})}"),
        (None, f"/meetings/{city.hearing_id}/questions/similar?{urlencode({'q': text})}"),
        (None, f"/meetings?{urlencode({'q': text})}"),
        (None, f"/actions?{urlencode({'q': text})}"),
        (None, f"/calendar.ics?{urlencode({'q': text})}"),
    ]
    d = city.driver
    d.sent.add(d.spec("registrations.CheckInSearchForm", "q").key)


def all_outbox() -> list[OutboxMessage]:
    return list(db.session.execute(sa.select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def public_meeting_ids() -> list[int]:
    return list(db.session.execute(sa.select(Meeting.id).where(Meeting.published_at.is_not(None))).scalars())
