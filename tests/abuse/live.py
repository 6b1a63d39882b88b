"""Real app server processes for the abuse and Redis tests: gunicorn serving run:app on 127.0.0.1, a database
prepared by migrations, a private redis-server when a test must stop Redis, and a small HTTP client with
cookies and CSRF tokens.

Each server gets a socket bound here (gunicorn's fd:// binding), so ports never race. The servers share
SECRET_KEY, so a session cookie or voter cookie from one is valid on the other, as behind a load balancer.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command

from app import PROJECT_ROOT, create_app
from app.extensions import db
from tests.conftest import USES_POSTGRES

SECRET_KEY = "live-server-secret"
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_TIMEOUT = 120  # seconds; importing the app on a busy two-core machine can take a while
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Variables of the test run that must not reach the servers (they would override what a test sets).
HIDDEN_VARIABLES = {"TEST_DATABASE_URL", "DATABASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI", "TOWNHALL_CONFIG",
                    "SECRET_KEY", "PROXY_COUNT", "TRUSTED_HOSTS", "RATELIMIT_KEY_PREFIX"}


# ---------------------------------------------------------------------------- database

@contextmanager
def migrated_database(directory: Path):
    """An empty database upgraded to head by the migrations: a SQLite file, or on the PostgreSQL pass a
    throwaway PostgreSQL database (dropped afterwards). Yields its URL."""
    if USES_POSTGRES:
        from tests.test_migrations import throwaway_postgres_database

        with throwaway_postgres_database() as url:
            _upgrade(url)
            yield url
    else:
        url = f"sqlite:///{directory / f'live-{uuid.uuid4().hex[:8]}.sqlite3'}"
        _upgrade(url)
        yield url


def _upgrade(url: str) -> None:
    with app_context(url):
        from flask import current_app

        config = current_app.extensions["migrate"].migrate.get_config()
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")


@contextmanager
def app_context(url: str):
    """An app context on `url` (same SECRET_KEY as the servers), for seeding data with the factories."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET_KEY)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


# ---------------------------------------------------------------------------- processes

def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in HIDDEN_VARIABLES}
    env.update({"TOWNHALL_CONFIG": "development", "SECRET_KEY": SECRET_KEY, "DATABASE_URL": database_url,
                "RATELIMIT_KEY_PREFIX": f"townhall-test-{uuid.uuid4().hex[:12]}", "PYTHONUNBUFFERED": "1"})
    env.update(settings)
    return env


@contextmanager
def app_servers(count: int, env: dict[str, str], log_dir: Path):
    """`count` gunicorn processes (one sync worker each) serving the app with `env`; stopped afterwards."""
    servers = []
    try:
        for n in range(count):
            sock = _listening_socket()
            port = sock.getsockname()[1]
            log_path = log_dir / f"server-{n}-{port}.log"
            with open(log_path, "w") as log:
                process = subprocess.Popen(
                    [str(GUNICORN), "--workers", "1", "--worker-class", "sync", "--bind", f"fd://{sock.fileno()}",
                     "--no-control-socket", "--access-logfile", "-", "--error-logfile", "-",
                     "--logger-class", "app.logs.GunicornLogger", "--timeout", "120", "--graceful-timeout", "2",
                     "run:app"],
                    cwd=PROJECT_ROOT, env=env, pass_fds=[sock.fileno()], stdout=log, stderr=subprocess.STDOUT)
            sock.close()
            servers.append(Server(f"server {n}", f"http://127.0.0.1:{port}", process, log_path))
        for server in servers:
            _wait_until_serving(server)
        yield servers
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.process.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=10)


def _wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/login", timeout=START_TIMEOUT) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not start within {START_TIMEOUT} s:\n{server.log()}")


class RedisServer:
    """A private redis-server on a free port, so a test can stop (or freeze) it without touching the shared one."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                 "--daemonize", "no"], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start:\n{self.log_path.read_text()}")

    def pause(self) -> None:
        """Freeze the server: connections are accepted by the kernel but never answered."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


# ---------------------------------------------------------------------------- HTTP

@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str
    url: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Browser:
    """One visitor: a cookie jar shared by every server (cookies do not depend on the port), a fixed
    language, and optionally the address a trusted proxy would put in X-Forwarded-For."""

    language: str = "zh-CN"
    forwarded_for: str | None = None
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def _opener(self):
        return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects)

    def request(self, method: str, url: str, data: dict | None = None, headers: dict | None = None,
                timeout: float = 30) -> Response:
        all_headers = {"Accept-Language": self.language}
        if self.forwarded_for:
            all_headers["X-Forwarded-For"] = self.forwarded_for
        all_headers.update(headers or {})
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method=method, headers=all_headers)
        try:
            with self._opener().open(request, timeout=timeout) as raw:
                return Response(raw.status, {k.lower(): v for k, v in raw.headers.items()},
                                raw.read().decode("utf-8", "replace"), url)
        except urllib.error.HTTPError as raw:
            return Response(raw.code, {k.lower(): v for k, v in raw.headers.items()},
                            raw.read().decode("utf-8", "replace"), url)

    def get(self, url: str, **kwargs) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: dict, **kwargs) -> Response:
        return self.request("POST", url, data=data, **kwargs)

    def token(self, url: str) -> str:
        page = self.get(url)
        match = CSRF_RE.search(page.text)
        assert match, f"no CSRF token on {url} ({page.status}): {page.text[:300]}"
        return match.group(1)

    def submit(self, form_url: str, data: dict, *, post_url: str | None = None, **kwargs) -> Response:
        """GET the form page for its CSRF token, then POST (the two may go to different servers)."""
        return self.post(post_url or form_url, {"csrf_token": self.token(form_url), **data}, **kwargs)


# ---------------------------------------------------------------------------- data

ADMIN_EMAIL = "admin@live.example.gov.cn"
OFFICIAL_EMAIL = "official@live.example.gov.cn"


def seed_city() -> dict:
    """In the current app context: an upcoming meeting open for registration and questions (with three
    registrants and a published question), a past meeting with published minutes, a done action item with
    a follower, an admin and an official of the upcoming meeting. Returns the ids and private-link tokens."""
    from app.actions import services as action_services
    from app.calendar.notifications import unsubscribe_token
    from app.notify.models import OutboxMessage
    from app.notify.private import reveal
    from app.registrations import services as registration_services
    from tests import factories
    from tests.actions.builders import make_item
    from tests.minutes.builders import add_registrant, past_meeting, published
    from tests.questions.builders import follow, make_question

    department = factories.make_department()
    official = factories.make_user("official", department=department, email=OFFICIAL_EMAIL)
    admin = factories.make_user("admin", email=ADMIN_EMAIL)
    meeting = factories.make_meeting(registration_required=True, capacity=500, department_id=department.id,
                                     created_by=official, hosts=[official], title="加装电梯座谈会")
    registrations = []
    for n in range(3):
        data = registration_services.RegistrationInput(name=f"居民{n}", email=f"resident{n}@live.example.cn")
        result = registration_services.register_citizen(meeting, data, submission_id=f"seed-submission-{n:024d}")
        registrations.append(result)
    question = make_question(meeting, body="电梯什么时候开工？")
    question_token = follow(question)

    setting = past_meeting()
    published(setting)
    past = setting.meeting
    add_registrant(past, 1, email="follower@live.example.cn")
    item = make_item(setting.official, past, title="修复小区路灯")
    action_services.request_follow(item, "follower@live.example.cn")
    invite = db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars().first()
    invite_token = re.search(r"/follow/([A-Za-z0-9_.-]+)", reveal(invite).text).group(1)
    follower = action_services.confirm_follow(item, invite_token)
    action_services.change_action_status(setting.official, item, "done", text="路灯已全部更换")
    return {
        "meeting_id": meeting.id, "past_meeting_id": past.id, "question_id": question.id, "action_id": item.id,
        "admin_id": admin.id, "official_id": official.id,
        "registration_ids": [r.registration.id for r in registrations],
        "registration_token": registrations[0].token, "question_token": question_token,
        "follower_token": action_services.follower_token(follower), "invite_token": invite_token,
        "unsubscribe_token": unsubscribe_token(registrations[1].registration.id),
    }


# ---------------------------------------------------------------------------- every page

TOKEN_OF = {"registrations.": "registration_token", "questions.": "question_token",
            "actions.confirm_follow": "invite_token", "actions.": "follower_token", "calendar.": "unsubscribe_token"}
FIXED_ARGUMENTS = {"code": "en", "filename": "css/townhall.css"}


def _token_for(endpoint: str, ids: dict) -> str:
    for prefix, key in TOKEN_OF.items():
        if endpoint.startswith(prefix):
            return ids[key]
    raise AssertionError(f"no private-link token known for {endpoint}: add it to TOKEN_OF")


def page_paths(app, ids: dict) -> list[tuple[str, str]]:
    """(endpoint, path) for every GET route of the app, pointing at the objects of `seed_city` (routes of a
    meeting once for the upcoming and once for the past meeting). The language switch comes last."""
    from flask import url_for

    paths = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "site.set_language", r.rule)):
            if "GET" not in rule.methods:
                continue
            meetings = [ids["meeting_id"], ids["past_meeting_id"]] if "meeting_id" in rule.arguments else [None]
            for meeting_id in meetings:
                values = {}
                for argument in rule.arguments:
                    if argument == "meeting_id":
                        values[argument] = meeting_id
                    elif argument == "token":
                        values[argument] = _token_for(rule.endpoint, ids)
                    elif argument == "user_id":
                        values[argument] = ids["admin_id"]
                    elif argument in FIXED_ARGUMENTS:
                        values[argument] = FIXED_ARGUMENTS[argument]
                    else:
                        values[argument] = ids[argument]
                paths.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return paths
