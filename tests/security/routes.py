"""What the sweeps need to know about each endpoint beyond app.url_map: which real object each URL argument
points at, which kind of private token a token endpoint takes, and for every POST a form body with which
the view succeeds. Every lookup fails with the endpoint's name when an endpoint is missing here, so a new
route cannot slip through the sweeps."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

from flask import url_for

from app.db import utcnow
from tests.helpers import meeting_form
from tests.security.world import World

# ---------------------------------------------------------------------------- URL arguments

# The meeting each endpoint is shown with (default: the upcoming published meeting with registrations).
MEETING_OF = {
    "meetings_manage.edit": "draft",
    "meetings_manage.publish": "draft",
    "minutes.show": "past",
    "reports.summary": "past",
    "reports_manage.summary_draft": "minutes_draft",
    "minutes_manage.overview": "past",
    "minutes_manage.correction": "past",
    "minutes_manage.start": "no_minutes",
    "minutes_manage.edit": "minutes_draft",
    "minutes_manage.submit": "minutes_draft",
    "minutes_manage.approve": "minutes_submitted",
    "minutes_manage.send_back": "minutes_submitted",
    "minutes_manage.publish": "minutes_approved",
    "minutes_manage.hearing_record": "hearing",
    "minutes_manage.hearing_edit": "hearing",
    "minutes_manage.participant_state": "hearing",
    "minutes_manage.hearing_start": "no_minutes",
}

# Other id arguments: the key in World.ids (default: the argument's own name without "_id").
ID_OF = {
    ("minutes_manage.submit", "version_id"): "draft_version",
    ("minutes_manage.approve", "version_id"): "submitted_version",
    ("minutes_manage.send_back", "version_id"): "submitted_version",
    ("minutes_manage.publish", "version_id"): "approved_version",
    ("registrations_manage.undo_check_in", "registration_id"): "checked_in_registration",
    ("questions_manage.approve", "question_id"): "pending_question",
    ("questions_manage.reject", "question_id"): "pending_question",
    ("questions_manage.edit", "question_id"): "pending_question",
    ("questions_manage.merge", "question_id"): "pending_question",
    ("actions.follower", "action_id"): "done_action",
}

# The kind of private token (a key of World.tokens) each endpoint with a <token> argument takes.
TOKEN_KIND = {
    "registrations.manage": "registration",
    "registrations.update_needs": "registration",
    "registrations.cancel": "registration",
    "registrations.ticket": "registration",
    "calendar.unsubscribe": "unsubscribe",
    "questions.follow": "question",
    "questions.stop_emails": "question",
    "actions.confirm_follow": "invite",
    "actions.follower": "action_follower",
    "actions.unsubscribe": "action_follower",
}

OTHER_ARGUMENTS = {"code": "en", "filename": "css/townhall.css", "user_id": None}


class NotInTable(AssertionError):
    pass


def token_kind(endpoint: str) -> str:
    if endpoint not in TOKEN_KIND:
        raise NotInTable(f"{endpoint} takes a <token>: add the kind of token it takes to TOKEN_KIND in "
                         f"tests/security/routes.py")
    return TOKEN_KIND[endpoint]


def url_arguments(world: World, rule, **overrides) -> dict:
    """Real objects for every argument of `rule`: the URL a person would actually open."""
    values = {}
    for name in rule.arguments:
        if name in overrides:
            values[name] = overrides[name]
        elif name == "meeting_id":
            values[name] = world.meetings[MEETING_OF.get(rule.endpoint, "upcoming")].id
        elif name == "token":
            values[name] = world.tokens[token_kind(rule.endpoint)]
        elif name == "user_id":
            values[name] = world.users["inactive" if rule.endpoint == "accounts_manage.activate_user"
                                       else "target"].id
        elif name in OTHER_ARGUMENTS:
            values[name] = OTHER_ARGUMENTS[name]
        else:
            key = ID_OF.get((rule.endpoint, name), name.removesuffix("_id"))
            if key not in world.ids:
                raise NotInTable(f"{rule.endpoint}: no real object for <{name}>: add it to ID_OF in "
                                 f"tests/security/routes.py and to the world")
            values[name] = world.ids[key]
    return values


def url_of(world: World, rule, **overrides) -> str:
    return url_for(rule.endpoint, **url_arguments(world, rule, **overrides))


# ---------------------------------------------------------------------------- POST bodies

@dataclass(frozen=True)
class Post:
    """A POST that succeeds: its form body (without the CSRF token), whether a success writes to the
    database, and, for forms with many generated fields, the page whose form to fill in first."""

    data: Callable[[World], dict] = lambda world: {}
    writes: bool = True
    form_page: str | None = None  # "same": the GET of the same URL
    ok: tuple[int, ...] = (200, 302, 303)
    extra: dict = field(default_factory=dict)


def _future(days: int) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


def _reschedule(world: World) -> dict:
    return {"timezone": "Asia/Shanghai", "starts_at": (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT10:00"),
            "ends_at": (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT12:00"), "venue_name": "新的会场",
            "reason": "场地调整"}


POSTS: dict[str, Post] = {
    "accounts.login": Post(lambda w: {"email": w.staff["admin"].email, "password": "correct horse battery"}),
    "accounts.logout": Post(writes=False, ok=(302,)),
    "accounts_manage.new_user": Post(lambda w: {"email": "new.clerk@example.gov.cn", "name": "新职员",
                                                "role": "clerk", "department_id": str(w.department.id),
                                                "password": "a-long-password"}),
    "accounts_manage.edit_user": Post(lambda w: {"name": "改名", "role": "clerk",
                                                 "department_id": str(w.department.id)}),
    "accounts_manage.deactivate_user": Post(),
    "accounts_manage.activate_user": Post(),
    "accounts_manage.reset_password": Post(lambda w: {"password": "another-long-password"}),
    "actions.follow": Post(lambda w: {"email": "second.past@example.cn"}),
    "actions.confirm_follow": Post(),
    "actions.follower": Post(lambda w: {"value": "satisfied", "comment": "很好"}),
    "actions.unsubscribe": Post(),
    "actions_manage.new": Post(lambda w: {"title": "新事项", "description": "说明", "due_on": _future(20),
                                          "department_id": str(w.department.id),
                                          "responsible_id": str(w.staff["official"].id), "priority": "normal",
                                          "minutes_ref": ""}),
    "actions_manage.post_update": Post(lambda w: {"body": "已联系施工单位"}),
    "actions_manage.change_status": Post(lambda w: {"status": "in_progress", "text": "开始办理"}),
    "actions_manage.extend": Post(lambda w: {"due_on": _future(90), "reason": "等待材料"}),
    "calendar.unsubscribe": Post(),
    "meetings_manage.new": Post(lambda w: meeting_form(w.department, w.district)),
    "meetings_manage.edit": Post(lambda w: meeting_form(w.department, w.district, title="改过的标题")),
    "meetings_manage.publish": Post(lambda w: {"confirm_conflicts": "y"}),
    "meetings_manage.reschedule": Post(_reschedule),
    "meetings_manage.cancel": Post(lambda w: {"reason": "天气原因"}),
    "minutes_manage.start": Post(),
    "minutes_manage.edit": Post(form_page="same", extra={"save": "Save draft", "presiding": "李明（主持）"}),
    "minutes_manage.submit": Post(),
    "minutes_manage.approve": Post(),
    "minutes_manage.publish": Post(),
    "minutes_manage.send_back": Post(lambda w: {"comment": "请补充表决情况"}),
    "minutes_manage.correction": Post(lambda w: {"reason": "更正出席人数"}),
    "minutes_manage.hearing_start": Post(),
    "minutes_manage.hearing_edit": Post(form_page="same", extra={"participants-5-name": "赵六",
                                                                 "participants-5-capacity": "居民"}),
    "minutes_manage.participant_state": Post(lambda w: {"state": "confirmed"}),
    "questions.ask": Post(lambda w: {"submission_id": "security-sweep-question-0001-" + "q" * 16,
                                     "body": "垃圾分类站点能否增加夜间开放时间？", "topic": "environment",
                                     "confirmed": "1", "asker_name": "", "contact_email": "",
                                     "contact_mobile": ""}),
    "questions.vote": Post(),
    "questions.stop_emails": Post(),
    "questions_manage.save_settings": Post(lambda w: {"moderation_mode": "post", "closed_message": ""}),
    "questions_manage.enter": Post(lambda w: {"body": "热线转来的问题：路灯坏了", "topic": "urban_management",
                                              "channel": "hotline", "language": "zh_CN", "asker_name": "",
                                              "contact_email": "", "contact_mobile": ""}),
    "questions_manage.approve": Post(),
    "questions_manage.reject": Post(lambda w: {"reason": "与本次会议无关"}),
    "questions_manage.edit": Post(lambda w: {"body": "社区公园何时开放？（已编辑）", "topic": "urban_management",
                                             "asker_name": ""}),
    "questions_manage.merge": Post(lambda w: {"into_id": str(w.ids["kept_question"])}),
    "questions_manage.respond": Post(lambda w: {"outcome": "answered", "response": "年内完成改造"}),
    "questions_manage.now_answering": Post(),
    "questions_manage.clear_current": Post(),
    "questions_manage.answered_live": Post(),
    "registrations.register": Post(lambda w: {"name": "新市民", "email": "new.citizen@example.cn",
                                              "mobile": "", "neighbourhood": "",
                                              "submission_id": "security-sweep-registration-0001-" + "r" * 12}),
    "registrations.update_needs": Post(lambda w: {"needs_wheelchair": "y", "other_needs": "需要座位"}),
    "registrations.cancel": Post(),
    "registrations_manage.capacity": Post(lambda w: {"capacity": "40"}),
    "registrations_manage.cancel": Post(),
    "registrations_manage.do_check_in": Post(),
    "registrations_manage.undo_check_in": Post(),
    "registrations_manage.add_walk_in": Post(lambda w: {"name": "现场市民", "neighbourhood": "昙华林"}),
}


def post_spec(endpoint: str) -> Post:
    if endpoint not in POSTS:
        raise NotInTable(f"{endpoint} accepts POST: add a form body that succeeds to POSTS in "
                         f"tests/security/routes.py")
    return POSTS[endpoint]


class _FormReader(HTMLParser):
    """The fields of every POST form in a page, as a browser would submit them (first submit button
    excluded; checkboxes only when checked; a select's selected option, or its first)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict]] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = (a.get("action") or "", {})
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form[1].setdefault(a["name"], a.get("value") or ("y" if kind == "checkbox" else ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form[1][a["name"]] = ""
        elif tag == "select" and a.get("name"):
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[2] is None:
                self._select[2] = value
            if "selected" in a:
                self._select[1] = value

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[1][self._textarea] += data

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, selected, first = self._select
            self._form[1][name] = selected if selected is not None else (first or "")
            self._select = None
        elif tag == "form":
            self.forms.append(self._form)
            self._form = None


def form_fields(html: str, action: str) -> dict:
    """The fields of the form in `html` that posts to `action` (its path)."""
    reader = _FormReader()
    reader.feed(html)
    for form_action, fields in reader.forms:
        if form_action.split("?")[0] in (action, ""):
            return {name: value for name, value in fields.items() if name != "csrf_token"}
    raise AssertionError(f"no form posting to {action} in the page")
