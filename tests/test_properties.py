"""Property tests: whatever a visitor sends, a public endpoint never answers 500.

Every public endpoint in app.url_map is covered, found by walking the map (so a new one is covered the day
it is added): POST endpoints get arbitrary form data with a valid CSRF token (their real field names, found
in the forms of the public pages, with arbitrary, missing, huge and unknown values, and bodies whose
percent-encoding is not UTF-8), and GET endpoints get arbitrary query strings, against real objects (an open
meeting, a past one with minutes, a registration, questions, action items and every kind of private link).

Deterministic and bounded: derandomized, a modest number of examples, no deadline, and no example database
(so nothing is written into the repository).
"""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, quote_from_bytes, urlsplit

import pytest
from flask import url_for
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from app import PROJECT_ROOT, create_app
from app.actions import services as action_services
from app.calendar.notifications import unsubscribe_token
from app.extensions import db, limiter
from app.notify.models import OutboxMessage
from app.registrations import services as registration_services
from tests import factories
from tests.actions.builders import make_item
from tests.conftest import csrf_token_from
from tests.minutes.builders import add_registrant, published
from tests.minutes.builders import past_meeting as minutes_meeting
from tests.questions.builders import follow, make_question

# Hypothesis caches what it learns from the source outside the repository (and keeps no example database).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "townhall-hypothesis")
PROPERTY_SETTINGS = dict(database=None, derandomize=True, deadline=None, print_blob=False,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FORM_EXAMPLES = 40
QUERY_EXAMPLES = 12

# Private links: which object each token-bearing endpoint needs (see World.tokens).
TOKEN_KINDS = {
    "registrations.manage": "registration", "registrations.update_needs": "registration",
    "registrations.cancel": "registration", "registrations.ticket": "registration",
    "questions.follow": "question_follower", "questions.stop_emails": "question_follower",
    "actions.confirm_follow": "follow_invite", "actions.follower": "action_follower",
    "actions.unsubscribe": "action_follower", "calendar.unsubscribe": "calendar_unsubscribe",
}


def _public_rules(method: str) -> list:
    app = create_app("testing")
    rules = [rule for rule in app.url_map.iter_rules()
             if method in rule.methods and getattr(app.view_functions[rule.endpoint], "is_public", False)]
    return sorted(rules, key=lambda rule: (rule.endpoint, rule.rule))


POST_ENDPOINTS = sorted({rule.endpoint for rule in _public_rules("POST")})
GET_ENDPOINTS = sorted({rule.endpoint for rule in _public_rules("GET")})


def query_parameter_names() -> list[str]:
    """Every query parameter the app reads (request.args.get("x"), args.get("x")...)."""
    names = set()
    for path in (PROJECT_ROOT / "app").rglob("*.py"):
        names.update(re.findall(r"args\.get(?:list)?\(\s*[\"'](\w+)[\"']", path.read_text(encoding="utf-8")))
    return sorted(names)


# ---------------------------------------------------------------------------- the real objects

@dataclass
class World:
    values: dict[str, list]  # URL argument -> the real values it may take
    tokens: dict[str, list[str]]  # kind of private link -> tokens


def text_as_sent(message: OutboxMessage) -> str:
    """The email's text as the mail server gets it: where the outbox stores private links masked, they are
    put back only when the message is sent."""
    try:
        from app.notify.private import reveal
    except ImportError:  # links are stored as they are sent
        return message.body_text
    return reveal(message).text


def build_world() -> World:
    """An open meeting with a registration, an approved question and a follower; a past meeting with
    published minutes, an open and a done action item, a follower of the done one and a follow invitation."""
    meeting = factories.make_meeting(registration_required=True, capacity=3, title="老旧小区加装电梯座谈会",
                                     agenda=["开场", "方案说明"])
    registration = registration_services.register_citizen(
        meeting, registration_services.RegistrationInput(name="李四", email="li.si@example.cn"),
        submission_id="p" * 40)
    question = make_question(meeting, body="电梯费用怎么分摊？", votes=1)
    follow_token = follow(question)

    setting = minutes_meeting()
    published(setting)
    open_item = make_item(setting.official, meeting=setting.meeting, title="修复社区路灯")
    done_item = make_item(setting.official, meeting=setting.meeting, title="公布补偿标准")
    action_services.change_action_status(setting.official, done_item, "done", text="已于本月公布。")
    add_registrant(setting.meeting, 900, email="reader@example.cn")
    action_services.request_follow(done_item, "reader@example.cn")
    invite = db.session.query(OutboxMessage).filter(OutboxMessage.to_address == "reader@example.cn").one()
    invite_token = re.search(r"/actions/\d+/follow/([A-Za-z0-9_.-]+)", text_as_sent(invite)).group(1)
    follower = action_services.confirm_follow(done_item, invite_token)
    return World(
        values={"meeting_id": [meeting.id, setting.meeting.id], "question_id": [question.id],
                "action_id": [open_item.id, done_item.id], "code": ["zh_CN", "en"]},
        tokens={"registration": [registration.token], "question_follower": [follow_token],
                "follow_invite": [invite_token], "action_follower": [action_services.follower_token(follower)],
                "calendar_unsubscribe": [unsubscribe_token(registration.registration.id)]},
    )


def urls_for(app, endpoint: str, world: World) -> list[str]:
    """Every URL of `endpoint` over the real objects its arguments can point at."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules(endpoint):
            combos = [{}]
            for arg in sorted(rule.arguments):
                if arg == "token":
                    assert endpoint in TOKEN_KINDS, f"add {endpoint} to TOKEN_KINDS in {Path(__file__).name}"
                    choices = world.tokens[TOKEN_KINDS[endpoint]]
                else:
                    assert arg in world.values, f"no real object for <{arg}> of {endpoint}: add one to build_world"
                    choices = world.values[arg]
                combos = [combo | {arg: choice} for combo in combos for choice in choices]
            urls += [url_for(endpoint, **combo) for combo in combos]
    return sorted(set(urls))


# ---------------------------------------------------------------------------- the real forms

class FormParser(HTMLParser):
    """The POST forms of a page: action and the names of their fields, with the values offered."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, set[str]]]] = []
        self._fields: dict[str, set[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._fields = {}
            self.forms.append((attrs.get("action") or "", self._fields))
        elif self._fields is not None and tag in ("input", "textarea", "select", "button") and attrs.get("name"):
            values = self._fields.setdefault(attrs["name"], set())
            if attrs.get("value"):  # what the page fills in: a hidden id, a checkbox's or a button's value
                values.add(attrs["value"])
            self._select = attrs["name"] if tag == "select" else None
        elif tag == "option" and self._fields is not None and self._select:
            self._fields[self._select].add(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None


def crawl_forms(app, client, world: World) -> dict[str, dict[str, set[str]]]:
    """endpoint -> its fields, from the forms on every public page."""
    found: dict[str, dict[str, set[str]]] = {}
    adapter = app.url_map.bind("localhost")
    for endpoint in GET_ENDPOINTS:
        for url in urls_for(app, endpoint, world):
            if url.endswith((".pdf", ".ics", ".atom")):
                continue  # documents and feeds have no forms
            response = client.get(url)
            if response.mimetype != "text/html":
                continue
            parser = FormParser()
            parser.feed(response.get_data(as_text=True))
            for action, fields in parser.forms:
                path = urlsplit(action or url).path
                try:
                    target, _args = adapter.match(path, method="POST")
                except Exception:  # a form posting elsewhere (another method, another site)
                    continue
                merged = found.setdefault(target, {})
                for name, values in fields.items():
                    merged.setdefault(name, set()).update(values)
    return found


# ---------------------------------------------------------------------------- strategies

# Values at the edges of what code tends to expect: out-of-range and impossible dates and local times,
# numbers too big for any column, control and direction characters, markup, foreign URLs.
EDGES = ["0001-01-01", "9999-12-31", "9999-12-31T23:59", "2030-02-30", "2026-03-08T02:30", "2026-11-01T01:30",
         "99999999999999999999999", "-1", "0", "1e309", "NaN", "\x00", "\u202e\u200b", "%", "<script>alert(1)</script>",
         "//evil.example", "javascript:alert(1)", "=SUM(A1)", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀", ""]
PLAUSIBLE = EDGES + ["张三", "Zhang San", "zhang.san@example.cn", "13800138000", "+44 7700 900123", "y", "1", "on",
                     "2030-05-01", "2030-05-01T14:00", "health", "very_satisfied", "dissatisfied", "/meetings",
                     "https://evil.example/", "a" * 33, "x" * 40]
text = st.text(max_size=60)
huge = st.builds(lambda char, n: char * n, st.sampled_from(["a", "长", "\n", "😀", "%", "\u200b"]),
                 st.integers(min_value=1_000, max_value=120_000))
raw_bytes = st.binary(max_size=40)


# What a person would type into fields of these names, so that whole forms get through validation and the
# services behind them run; other fields get what the page offers (options, hidden values) or arbitrary text.
TYPICAL = {"name": "张三", "asker_name": "张三", "email": "zhang.san@example.cn", "contact_email": "zhang.san@example.cn",
           "mobile": "13800138000", "contact_mobile": "13800138000", "neighbourhood": "水果湖街道",
           "body": "社区医院什么时候开门？", "comment": "很满意", "other_needs": "需要座位", "password": "a long password 1"}


def good_value(name: str, offered: set[str]) -> str:
    return TYPICAL.get(name) or next((value for value in sorted(offered) if value), "")


def any_value(name: str, offered: set[str]):
    return st.one_of(st.sampled_from(sorted(offered | {good_value(name, offered)})), st.sampled_from(PLAUSIBLE),
                     text, huge, st.just(""))


def good_form(fields: dict[str, set[str]]) -> dict[str, str]:
    return {name: good_value(name, offered) for name, offered in sorted(fields.items()) if name != "csrf_token"}


@st.composite
def form_values(draw, fields: dict[str, set[str]]) -> dict[str, str]:
    """A whole, good form (so the service behind it runs), one with a single field changed or left out, or
    any fields with any values."""
    good = good_form(fields)
    names = sorted(good)
    kind = draw(st.sampled_from(["complete", "one change", "anything"]))
    if kind == "complete" or not names:
        return good
    if kind == "one change":
        name = draw(st.sampled_from(names))
        value = draw(st.none() | any_value(name, fields[name]))
        return {key: v for key, v in (good | {name: value}).items() if v is not None}
    present = [name for name in names if draw(st.booleans())]
    return {name: draw(any_value(name, fields[name])) for name in present}


@st.composite
def form_posts(draw, fields: dict[str, set[str]]):
    """(body fields, unknown fields, encoding). The CSRF token is added when posting."""
    values = draw(form_values(fields))
    unknown = draw(st.dictionaries(st.text(min_size=1, max_size=20), text, max_size=3))
    encoding = draw(st.sampled_from(["urlencoded", "multipart", "raw"]))
    if encoding == "raw":  # percent-encoded bytes that need not be UTF-8
        values = {name: draw(st.one_of(raw_bytes, st.just(value.encode("utf-8", "surrogatepass"))))
                  for name, value in values.items()}
    return values, unknown, encoding


def encode_query(pairs) -> str:
    return "&".join(f"{quote_from_bytes(_bytes(name))}={quote_from_bytes(_bytes(value))}" for name, value in pairs)


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


@st.composite
def query_strings(draw) -> str:
    """A few of the app's own parameters with telling values, or any names and values at all, percent-encoded
    from arbitrary bytes, sometimes with a malformed tail."""
    known = st.sampled_from(query_parameter_names())
    if draw(st.booleans()):
        pairs = draw(st.lists(st.tuples(known, st.sampled_from(PLAUSIBLE)), min_size=1, max_size=4))
    else:
        names = st.one_of(known, st.text(max_size=10), raw_bytes)
        values = st.one_of(st.sampled_from(PLAUSIBLE), st.text(max_size=40), raw_bytes,
                           st.integers(-10**12, 10**12).map(str))
        pairs = draw(st.lists(st.tuples(names, values), max_size=6))
    return encode_query(pairs) + draw(st.sampled_from(["", "&", "%", "%zz", "=&=", "a=%ff%fe", "page=%00"]))


def encode_raw(values: dict[str, bytes], unknown: dict[str, str], token: str) -> bytes:
    parts = [f"csrf_token={quote(token)}"]
    parts += [f"{quote(name)}={quote_from_bytes(value)}" for name, value in values.items()]
    parts += [f"{quote(name)}={quote(value, safe='')}" for name, value in unknown.items()]
    return "&".join(parts).encode("ascii")


# ---------------------------------------------------------------------------- the properties

def fresh_request() -> None:
    """Each request as in production: its own session, and the rate limits do not stop the sweep."""
    db.session.remove()
    limiter.reset()


def assert_not_a_server_error(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}\n{response.get_data(as_text=True)[:800]}"


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_arbitrary_form_data_never_gets_a_500(app, client, endpoint):
    world = build_world()
    fields = crawl_forms(app, client, world).get(endpoint)
    assert fields is not None, f"no public page has a form posting to {endpoint}: its fields cannot be found"
    urls = urls_for(app, endpoint, world)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))

    @settings(max_examples=FORM_EXAMPLES, **PROPERTY_SETTINGS)
    @given(url=st.sampled_from(urls), post=form_posts(fields), language=st.sampled_from(["zh-CN", "en"]))
    @example(url=urls[0], post=(good_form(fields), {}, "urlencoded"), language="zh-CN")
    def post_anything(url, post, language):
        values, unknown, encoding = post
        fresh_request()
        headers = {"Accept-Language": language}
        if encoding == "raw":
            response = client.post(url, data=encode_raw(values, unknown, token), headers=headers,
                                   content_type="application/x-www-form-urlencoded")
        elif encoding == "multipart":
            # Encoded here in memory: the test client would spool a big body to a file it never closes.
            boundary, body = encode_multipart(MultiDict({**unknown, **values, "csrf_token": token}))
            response = client.post(url, data=body, headers=headers,
                                   content_type=f"multipart/form-data; boundary={boundary}")
        else:
            response = client.post(url, data={**unknown, **values, "csrf_token": token}, headers=headers)
        assert_not_a_server_error(response, f"POST {url} {post!r}")

    post_anything()


def test_arbitrary_query_strings_never_get_a_500(app, client):
    """One world for every GET endpoint (reading changes nothing), each with its own examples."""
    world = build_world()
    for endpoint in GET_ENDPOINTS:
        urls = urls_for(app, endpoint, world)

        @settings(max_examples=QUERY_EXAMPLES, **PROPERTY_SETTINGS)
        @given(url=st.sampled_from(urls), query=query_strings())
        def get_anything(url, query):
            fresh_request()
            response = client.get(url, query_string=query)
            assert_not_a_server_error(response, f"GET {url}?{query}")

        # First, each edge value in every parameter the app reads at once, on a URL that shows a real page.
        shown = next((url for url in urls if client.get(url).status_code == 200), urls[0])
        for value in EDGES:
            get_anything = example(url=shown, query=encode_query((name, value) for name in query_parameter_names()))(
                get_anything)
        get_anything()


def test_every_public_form_and_page_is_swept():
    """The sweep found the endpoints by itself: the known forms are among them."""
    assert {"registrations.register", "questions.ask", "questions.vote", "actions.follow",
            "registrations.update_needs", "accounts.login"} <= set(POST_ENDPOINTS)
    assert {"meetings.index", "meetings.detail", "calendar.feed", "actions.index"} <= set(GET_ENDPOINTS)
    assert {"page", "q", "sort", "topic", "from", "to", "next"} <= set(query_parameter_names())

