"""Shared by the sweeps: the five kinds of visitor, who may use what (from the access table in
tests/test_security.py), the rules of app.url_map by method, and the header checks every response gets."""
from __future__ import annotations

import re

from app.security import Role
from tests.conftest import csrf_token_from
from tests.helpers import sign_in
from tests.security.world import World
from tests.test_security import ACCESS, AUTOMATIC_METHODS, PUBLIC, SIGNED_IN, TOKEN

ANONYMOUS = "anonymous"
TOKEN_HOLDER = "token holder"
VISITORS = (ANONYMOUS, TOKEN_HOLDER, Role.CLERK.value, Role.OFFICIAL.value, Role.ADMIN.value)
# Staff roles from the least to the most powerful: the first allowed one is the one that must succeed.
STAFF_ORDER = (Role.CLERK, Role.OFFICIAL, Role.ADMIN)

# A private link in a page: the registration, question and follower pages and the signed unsubscribe links.
PRIVATE_LINK = re.compile(r"/(registrations|questions/t|actions/f|actions/unsubscribe|notifications/unsubscribe|"
                          r"actions/\d+/follow)/[A-Za-z0-9_.-]{20,}")


def access_of(endpoint: str):
    if endpoint not in ACCESS:
        raise AssertionError(f"{endpoint} is not in ACCESS in tests/test_security.py: decide who may use it")
    return ACCESS[endpoint]


def is_staff_endpoint(endpoint: str) -> bool:
    return isinstance(access_of(endpoint), frozenset)


def may_use(visitor: str, endpoint: str) -> bool:
    """Whether this kind of visitor gets through (public and token endpoints: everybody)."""
    rule = access_of(endpoint)
    if rule in (PUBLIC, TOKEN):
        return True
    if visitor in (ANONYMOUS, TOKEN_HOLDER):
        return False
    return rule == SIGNED_IN or Role(visitor) in rule


def staff_roles_for(endpoint: str) -> list[Role]:
    rule = access_of(endpoint)
    if rule == SIGNED_IN:
        return list(STAFF_ORDER)
    return [role for role in STAFF_ORDER if role in rule]


def rules_with(app, method: str):
    """Every rule accepting `method`, sorted by endpoint (static files too)."""
    return sorted((rule for rule in app.url_map.iter_rules() if method in rule.methods - AUTOMATIC_METHODS),
                  key=lambda rule: (rule.endpoint, rule.rule))


def client_for(app, world: World, visitor: str):
    client = app.test_client()
    if visitor not in (ANONYMOUS, TOKEN_HOLDER):
        sign_in(client, world.staff[Role(visitor)])
    return client


def csrf_token(client) -> str:
    """A valid CSRF token of this client's session (from the sign-in page, or the dashboard once signed in)."""
    response = client.get("/login")
    if response.status_code == 302:
        response = client.get("/manage/")
    return csrf_token_from(response.get_data(as_text=True))


def header_problems(endpoint: str, response) -> list[str]:
    """What is wrong with the security headers of one response of `endpoint`."""
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp:
        problems.append(f"Content-Security-Policy without frame-ancestors 'none': {csp!r}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    cache = response.headers.get("Cache-Control", "")
    referrer = response.headers.get("Referrer-Policy", "")
    rule = ACCESS.get(endpoint)
    private = rule == TOKEN
    if not private and response.mimetype in ("text/html", "application/json", "text/plain"):
        private = bool(PRIVATE_LINK.search(response.get_data(as_text=True)))
        private = private or bool(PRIVATE_LINK.search(response.headers.get("Location", "")))
    if private and "no-store" not in cache:
        problems.append(f"a private link's response without Cache-Control: no-store ({cache!r})")
    if private and referrer != "no-referrer":
        problems.append(f"a private link's response without Referrer-Policy: no-referrer ({referrer!r})")
    if isinstance(rule, frozenset) and "no-store" not in cache:
        problems.append(f"a staff page without Cache-Control: no-store ({cache!r})")
    return [f"{endpoint} {response.request.method} {response.request.path} -> {response.status_code}: {p}"
            for p in problems]


def describe(response) -> str:
    return f"{response.request.method} {response.request.path} -> {response.status_code}"


def is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and response.headers.get("Location", "").startswith("/login")

