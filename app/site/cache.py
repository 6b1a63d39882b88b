"""A cache of rendered public pages for anonymous visitors, in each app process's memory.

What may be cached: GET requests to views marked with `cached_public_page`, from visitors who send no
cookie at all (so no staff session, no private link's session, no voter id, no chosen language), and only
200 responses that set no cookie and are not marked private or no-store. Staff views and personal pages
are therefore never stored.

Pages with forms (`cached_public_page(with_forms=True)`): their CSRF token (which also starts the
visitor's session) and one-time values such as a form's submission id (`one_time_value()`) differ for
every visitor. Such a page is stored with those values cut out, and every response, the first one
included, carries values made for it alone: a fresh CSRF token in a fresh session (so the response sets
the session cookie, as a rendered page does) and fresh one-time values. It is stored only if rendering
wrote nothing to the session but the CSRF token. Everything else on such a page must be the same for
every cookie-less visitor, as on any cached page (no votes, no flashed messages: those need a cookie).

Key: the visitor's language (from Accept-Language) and the full path with its query string.

Invalidation: every committed transaction that wrote to a table a public page may show also bumps
`page_cache_state.version`, in the same transaction (an engine event, so ORM flushes, Core statements and
raw SQL through the app all count). Each entry remembers the version it was built at, and a request is
served from the cache only if that is still the current version. A process reads the version from the
database at most every PUBLIC_CACHE_VERSION_SECONDS (default 1) and at once after its own writes, so a
change made through the app is visible on the next request in the process that made it and within a
second in every other process and on every other machine (the version lives in the database, not in
the process). Staff are signed in, so they always see pages built for them. Entries also expire after
PUBLIC_CACHE_SECONDS (default 30): what changes with the clock alone (a meeting ending and moving to the
archive, registration closing, an action item becoming overdue) and changes made outside the app (SQL by
hand, a restore) show within that time. PUBLIC_CACHE_SECONDS=0 turns the cache off.
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from app.extensions import db
from app.site.models import PageCacheState

# Tables no public page reads: writing to them leaves cached pages valid.
PRIVATE_TABLES = frozenset({"outbox_messages", "audit_events", "notification_opt_outs", "question_followers",
                            "action_followers", "page_cache_state", "alembic_version"})
BUMP = ("INSERT INTO page_cache_state (id, version) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET version = page_cache_state.version + 1")
MAX_KEY_LENGTH = 2000
# Headers about this one response rather than the page (the server and the limiter set them anew).
UNSTORED_HEADERS = ("content-length", "date", "retry-after")
_DML = re.compile(r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)"
                  r"\s+[\"`]?(\w+)", re.IGNORECASE)
_WRITE_WORD = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)


def cached_public_page(view=None, *, with_forms: bool = False):
    """Mark a public view whose anonymous response depends only on its URL, the language and the
    database (and the clock, within PUBLIC_CACHE_SECONDS); `with_forms`: and on the CSRF token and
    the one-time values (`one_time_value()`) it renders, which every response gets afresh."""
    def mark(view):
        view.cached_public_page = True
        view.cached_with_forms = with_forms
        return view

    return mark(view) if view is not None else mark


# A value cut out of a stored page is replaced by a marker no page can contain (it is made anew in
# every process and never sent); each response gets the marker replaced by a value made for it.
_MARKER = f"townhall-cut-{secrets.token_hex(16)}"
CSRF_MARKER = f"{_MARKER}-csrf".encode()
ONE_TIME_MARKER = f"{_MARKER}-once".encode()


def one_time_value() -> str:
    """A fresh random value for a form on a page (a submission id that makes a repeated submit
    harmless). On a page cached `with_forms` every response gets its own."""
    value = secrets.token_urlsafe(32)
    g.setdefault("page_cache_one_time_values", []).append(value)
    return value


# ---------------------------------------------------------------------------- the version

def written_table(statement: str, context) -> str | None:
    """The table a statement writes to, '?' for a write whose table is unknown, None for no write.
    DDL is not a write here: schema changes come with migrations, not with data."""
    if context is not None and getattr(context, "compiled", None) is not None and \
            (context.isinsert or context.isupdate or context.isdelete):
        table = getattr(context.compiled.statement, "table", None)
        return getattr(table, "name", None) or "?"
    match = _DML.match(statement)
    if match:
        return match.group(1).lower()
    if statement.lstrip()[:4].upper() == "WITH" and _WRITE_WORD.search(statement):
        return "?"
    return None


def track_public_writes(engine: sa.Engine, on_bump=lambda: None) -> None:
    """Bump the version inside every transaction that wrote a public table, just before it commits;
    `on_bump` is told (so this process reads the new version on its next request)."""
    state = {"table_exists": False}

    @sa.event.listens_for(engine, "after_cursor_execute")
    def note_write(conn, cursor, statement, parameters, context, executemany):
        table = written_table(statement, context)
        if table is not None and table not in PRIVATE_TABLES:
            conn.info["public_write"] = True

    @sa.event.listens_for(engine, "commit")
    def bump(conn):
        if not conn.info.pop("public_write", False):
            return
        on_bump()
        if not state["table_exists"]:  # before the migration that creates it (data written by migrations)
            state["table_exists"] = sa.inspect(conn).has_table("page_cache_state")
            if not state["table_exists"]:
                return
        conn.exec_driver_sql(BUMP)

    @sa.event.listens_for(engine, "rollback")
    def forget(conn):
        conn.info.pop("public_write", None)

    @sa.event.listens_for(engine, "reset")
    def forget_on_return(dbapi_connection, record, reset_state):
        record.info.pop("public_write", None)


def read_version() -> int:
    return db.session.execute(sa.select(PageCacheState.version).where(PageCacheState.id == 1)).scalar() or 0


# ---------------------------------------------------------------------------- the store

@dataclass
class Entry:
    version: int
    stored_at: float
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    cut_out: bool = False  # the body holds CSRF_MARKER / ONE_TIME_MARKER in place of per-visitor values


class PageCache:
    """An LRU of entries, bounded in bytes, and this process's view of the version; safe for threaded
    servers."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()
        self.version: tuple[int, float] | None = None  # (version, when it was read)

    def current_version(self, max_age: float) -> int:
        known = self.version
        if known is None or time.monotonic() - known[1] >= max_age:
            known = self.version = (read_version(), time.monotonic())
        return known[0]

    def forget_version(self) -> None:
        self.version = None

    def get(self, key: tuple, version: int, max_age: float) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry.version != version or time.monotonic() - entry.stored_at > max_age:
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        if len(entry.body) > self.max_bytes:
            return
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = entry
            self.size += len(entry.body)
            while self.size > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def _drop(self, key: tuple) -> None:
        self.size -= len(self.entries.pop(key).body)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


class _Capture:
    """Passes a streamed body through to the client and stores it once it has been sent in full."""

    def __init__(self, iterable, limit: int, store):
        self.iterable, self.limit, self.store = iterable, limit, store

    def __iter__(self):
        chunks: list[bytes] | None = []
        size = 0
        for chunk in self.iterable:
            if chunks is not None:
                size += len(chunk)
                if size <= self.limit:
                    chunks.append(chunk)
                else:
                    chunks = None
            yield chunk
        if chunks is not None:
            self.store(b"".join(chunks))

    def close(self):
        close = getattr(self.iterable, "close", None)
        if close is not None:
            close()


# ---------------------------------------------------------------------------- request hooks

def _is_cacheable_request() -> bool:
    if current_app.config.get("PUBLIC_CACHE_SECONDS", 0) <= 0 or request.method != "GET":
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "cached_public_page", False):
        return False
    return not request.cookies and "Authorization" not in request.headers and \
        len(request.full_path) <= MAX_KEY_LENGTH


def _may_store(response: Response, with_forms: bool) -> bool:
    """A 200 that sets no cookie: neither in its headers yet nor through the session, which Flask saves
    after the after_request hooks (a CSRF token or a flash message writes to it). A page with forms
    may have put its CSRF token in the session, and nothing else."""
    cache_control = response.headers.get("Cache-Control", "").lower()
    if with_forms:
        session_clean = not session.modified or set(session) <= {_csrf_field()}
    else:
        session_clean = not session.modified
    return (response.status_code == 200 and "Set-Cookie" not in response.headers and session_clean
            and "private" not in cache_control and "no-store" not in cache_control
            and not response.direct_passthrough)


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _cutter():
    """A function replacing this response's CSRF token and one-time values in a body by markers."""
    token = g.get(_csrf_field())  # Flask-WTF keeps the signed token it rendered here
    cuts = ([(token.encode(), CSRF_MARKER)] if token else []) + \
        [(value.encode(), ONE_TIME_MARKER) for value in g.get("page_cache_one_time_values", ())]

    def cut(body: bytes) -> bytes:
        for value, marker in cuts:
            body = body.replace(value, marker)
        return body

    return cut


def _fill_in(body: bytes) -> bytes:
    """A stored body with values made for this response: a new CSRF token (in this visitor's new
    session) and a new value for every one-time marker."""
    if CSRF_MARKER in body:
        body = body.replace(CSRF_MARKER, generate_csrf().encode())
    parts = body.split(ONE_TIME_MARKER)
    return parts[0] + b"".join(secrets.token_urlsafe(32).encode() + part for part in parts[1:])


def _serve() -> Response | None:
    from app.i18n import current_language

    if not _is_cacheable_request():
        return None
    key = (current_language(), request.full_path)
    cache = current_app.extensions["page_cache"]
    version = cache.current_version(current_app.config.get("PUBLIC_CACHE_VERSION_SECONDS", 1.0))
    entry = cache.get(key, version, current_app.config["PUBLIC_CACHE_SECONDS"])
    if entry is not None:
        if entry.cut_out:
            return Response(_fill_in(entry.body), status=entry.status, headers=entry.headers)
        return Response(entry.body, status=entry.status, headers=entry.headers).make_conditional(request)
    g.page_cache_key, g.page_cache_version = key, version
    return None


def _store(response: Response) -> Response:
    key = g.pop("page_cache_key", None)
    if key is None:
        return response
    response.vary.update(("Accept-Language", "Cookie"))
    with_forms = getattr(current_app.view_functions.get(request.endpoint or ""), "cached_with_forms", False)
    if not _may_store(response, with_forms):
        return response
    cache = current_app.extensions["page_cache"]
    version, stored_at = g.page_cache_version, time.monotonic()
    headers = [(k, v) for k, v in response.headers.items()
               if k.lower() not in UNSTORED_HEADERS and not k.lower().startswith("x-ratelimit")]

    cut = _cutter() if with_forms else None

    def store(body: bytes) -> None:
        cache.put(key, Entry(version, stored_at, response.status_code, headers, cut(body) if cut else body,
                             cut_out=with_forms))

    if response.is_streamed:
        response.response = _Capture(response.response, cache.max_bytes // 8, store)
    else:
        store(response.get_data())
    return response


def register_page_cache(app: Flask) -> None:
    cache = app.extensions["page_cache"] = PageCache(app.config.get("PUBLIC_CACHE_MAX_BYTES", 64 * 1024 * 1024))
    with app.app_context():
        track_public_writes(db.engine, on_bump=cache.forget_version)
    app.before_request(_serve)
    app.after_request(_store)
