"""Security headers on every kind of response (pages, error pages, PDFs, .ics, Atom, CSV, JSON, redirects,
static files), no-store on everything showing personal data, the production cookie flags, and the
session: renewed on sign-in, bound to the browser by Flask-Login's strong session protection.
(The sweeps in test_get_safety.py and test_csrf.py check the same headers on every endpoint.)"""
from __future__ import annotations

import pytest
from flask import url_for
from flask_login import login_user

from app import create_app
from app.extensions import db as _db
from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD
from tests.helpers import sign_in
from tests.security.sweep import client_for, header_problems
from tests.security.world import build_world


@pytest.fixture
def world(app):
    return build_world()


def _check(response, what: str) -> list[str]:
    problems = []
    if "frame-ancestors 'none'" not in response.headers.get("Content-Security-Policy", ""):
        problems.append(f"{what} ({response.status_code}, {response.mimetype}): no frame-ancestors 'none'")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{what} ({response.status_code}, {response.mimetype}): no nosniff")
    return problems


def test_every_kind_of_response_carries_the_security_headers(app, world):
    app.config["TESTING_RENDER_UNEXPECTED"] = True

    def boom():
        raise RuntimeError("an unexpected failure")

    app.add_url_rule("/__boom", "boom", boom)
    client = app.test_client()
    staff = client_for(app, world, "clerk")
    past, upcoming = world.meetings["past"].id, world.meetings["upcoming"].id
    requests = {
        "an HTML page": (client, "GET", "/meetings"),
        "a redirect": (client, "GET", "/language/en?next=/meetings"),
        "a notice PDF": (client, "GET", f"/meetings/{upcoming}/notice.pdf"),
        "a summary PDF": (client, "GET", f"/meetings/{past}/summary.pdf"),
        "an .ics file": (client, "GET", f"/meetings/{upcoming}.ics"),
        "the calendar feed": (client, "GET", "/calendar.ics"),
        "an Atom feed": (client, "GET", "/feeds/meetings.atom"),
        "a static file": (client, "GET", "/static/css/townhall.css"),
        "an HTML fragment": (client, "GET", f"/meetings/{upcoming}/questions/similar?q=电梯"),
        "a ticket PDF": (client, "GET", f"/registrations/{world.tokens['registration']}/ticket.pdf"),
        "a 404 page": (client, "GET", "/no-such-page"),
        "a JSON error": (client, "GET", "/api/v1/no-such-thing"),
        "a 405 page": (client, "DELETE", "/meetings"),
        "a 400 CSRF page": (client, "POST", "/login"),
        "a 500 page": (client, "GET", "/__boom"),
        "a redirect to sign in": (client, "GET", "/manage/"),
        "a CSV export": (staff, "GET", f"/manage/meetings/{upcoming}/registrations.csv"),
        "a sign-in sheet": (staff, "GET", f"/manage/meetings/{upcoming}/sign-in-sheet.pdf"),
        "a 403 page": (staff, "GET", "/manage/users"),
    }
    responses = {}
    for what, (who, method, url) in requests.items():
        responses[what] = who.open(url, method=method)
        responses[what].get_data()
        responses[what].close()  # streamed downloads hold their request context until closed
    app.config["LOGIN_RATE_LIMIT"] = "1 per minute"
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    for _ in range(2):
        limited = client.post("/login", data={"csrf_token": token, "email": "a@example.org", "password": "x"})
    responses["a 429 page"] = limited
    app.config["TRUSTED_HOSTS"] = ["townhall.example"]
    responses["an untrusted Host"] = app.test_client().get("/meetings", headers={"Host": "evil.example"})

    assert responses["a 500 page"].status_code == 500
    assert responses["a 429 page"].status_code == 429
    assert responses["an untrusted Host"].status_code == 400
    assert responses["a JSON error"].mimetype == "application/json"
    assert {what: r.status_code for what, r in responses.items() if what.startswith("a ") and what[2:5].isdigit()} \
        == {"a 404 page": 404, "a 405 page": 405, "a 400 CSRF page": 400, "a 500 page": 500, "a 403 page": 403,
            "a 429 page": 429}
    problems = [p for what, response in responses.items() for p in _check(response, what)]
    assert not problems, "\n".join(problems)


def test_personal_pages_and_downloads_are_never_stored(app, world):
    citizen = app.test_client()
    staff = client_for(app, world, "clerk")
    upcoming = world.meetings["upcoming"].id
    reg, question, follower = (world.tokens[k] for k in ("registration", "question", "action_follower"))
    with app.test_request_context():
        urls = {
            "registrations.manage": (citizen, url_for("registrations.manage", token=reg)),
            "registrations.ticket": (citizen, url_for("registrations.ticket", token=reg)),
            "questions.follow": (citizen, url_for("questions.follow", token=question)),
            "actions.follower": (citizen, url_for("actions.follower", token=follower)),
            "calendar.unsubscribe": (citizen, url_for("calendar.unsubscribe", token=world.tokens["unsubscribe"])),
            "registrations_manage.export_csv": (staff, url_for("registrations_manage.export_csv", meeting_id=upcoming)),
            "registrations_manage.signin_sheet": (staff, url_for("registrations_manage.signin_sheet",
                                                                 meeting_id=upcoming)),
            "registrations_manage.index": (staff, url_for("registrations_manage.index", meeting_id=upcoming)),
            "dashboard.index": (staff, url_for("dashboard.index")),
        }
    private = {}
    for endpoint, (who, url) in urls.items():
        private[endpoint] = who.get(url)
        private[endpoint].get_data()
        private[endpoint].close()
    for endpoint, response in private.items():
        assert response.status_code == 200, endpoint
        assert "no-store" in response.headers.get("Cache-Control", ""), endpoint
        assert not header_problems(endpoint, response), header_problems(endpoint, response)
    for endpoint in ("registrations.manage", "registrations.ticket", "questions.follow", "actions.follower"):
        assert private[endpoint].headers["Referrer-Policy"] == "no-referrer", endpoint


# ---------------------------------------------------------------------------- production cookies

@pytest.fixture
def production_app(app, tmp_path):
    """The app under the production config, on its own SQLite file, with one staff account."""
    production = create_app("production", SECRET_KEY="production-test-secret", RATELIMIT_STORAGE_URI="memory://",
                            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'production.sqlite3'}")
    with production.app_context():
        _db.create_all()
        from tests import factories

        factories.make_user("admin", email="prod.admin@example.gov.cn")
        yield production
        _db.session.remove()
        _db.engine.dispose()


def _cookie(response, name: str) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert cookies, f"no {name} cookie in {response.headers.getlist('Set-Cookie')}"
    return cookies[-1]


def _flags(cookie: str) -> dict[str, str]:
    parts = [p.strip() for p in cookie.split(";")[1:]]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts}


def test_the_production_session_cookie_is_secure_httponly_and_samesite(production_app):
    client = production_app.test_client()
    base = "https://localhost"
    page = client.get("/login", base_url=base)
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login", base_url=base, headers={"Referer": f"{base}/login"},
                           data={"csrf_token": token, "email": "prod.admin@example.gov.cn",
                                 "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    flags = _flags(_cookie(response, production_app.config["SESSION_COOKIE_NAME"]))
    assert "secure" in flags and "httponly" in flags and flags.get("samesite") == "Lax", flags
    assert "expires" not in flags, "a staff session ends with the browser"
    assert client.get("/manage/", base_url=base).status_code == 200


def test_the_production_remember_cookie_is_secure_httponly_and_samesite(production_app):
    """Sign-in does not offer "remember me", but should anything set Flask-Login's cookie, it is locked down."""
    from app.accounts.models import User

    user = _db.session.execute(_db.select(User)).scalar_one()
    with production_app.test_request_context("/login", base_url="https://localhost"):
        login_user(user, remember=True)
        response = production_app.process_response(production_app.response_class("ok"))
    flags = _flags(_cookie(response, production_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")))
    assert "secure" in flags and "httponly" in flags and flags.get("samesite") == "Lax", flags


def test_signing_in_sets_no_remember_cookie(app, client):
    from tests import factories

    response = sign_in(client, factories.make_user("official"))
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]


def test_an_anonymous_page_with_a_form_sets_the_session_cookie_and_nothing_else(app, client):
    """The visitor's identity is loaded before the form's CSRF token enters the session: loaded after
    it, Flask-Login's session protection took the new session for a tampered login and sent a
    remember-cookie deletion (and a session marker) with every such page."""
    from tests import factories

    meeting = factories.make_meeting(registration_required=True, capacity=10)
    for url in (f"/meetings/{meeting.id}/questions", f"/meetings/{meeting.id}/register", "/login"):
        response = app.test_client().get(url)
        cookies = response.headers.getlist("Set-Cookie")
        assert [c.split("=")[0] for c in cookies] == [app.config["SESSION_COOKIE_NAME"]], (url, cookies)


# ---------------------------------------------------------------------------- the session across sign-in

def _session_of(client) -> dict:
    with client.session_transaction() as sess:
        return dict(sess)


def test_signing_in_starts_a_new_session_keeping_only_the_language(app, client, world):
    client.get("/language/en")
    form_token = csrf_token_from(client.get("/login").get_data(as_text=True))
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker before sign-in"
    before = _session_of(client)
    cookie_before = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    sign_in(client, world.staff["official"])
    after = _session_of(client)
    assert after["lang"] == "en"
    assert "planted" not in after
    assert after.get("csrf_token") != before.get("csrf_token")
    assert set(after) <= {"lang", "_user_id", "_fresh", "_id", "csrf_token", "_flashes"}, sorted(after)
    # The CSRF token of the anonymous session no longer works.
    response = client.post("/logout", data={"csrf_token": form_token})
    assert response.status_code == 400

    # A copy of the cookie from before sign-in does not carry the signed-in state.
    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie_before)
    assert replay.get("/manage/").status_code == 302


def test_a_signed_in_cookie_replayed_from_another_browser_is_signed_out(app, client, world):
    """Flask-Login's strong session protection: the session is bound to the address and User-Agent."""
    sign_in(client, world.staff["official"])
    client.get("/language/en")  # a language chosen while signed in must not loosen the protection
    assert client.get("/manage/").status_code == 200
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert thief.get("/manage/", headers={"User-Agent": "another browser"}).status_code == 302
    same_browser = app.test_client()
    same_browser.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert same_browser.get("/manage/").status_code == 200


def test_signing_out_clears_the_session_but_the_language(app, client, world):
    client.get("/language/en")
    sign_in(client, world.staff["clerk"])
    token = csrf_token_from(client.get("/manage/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    after = _session_of(client)
    assert after.get("lang") == "en" and "_user_id" not in after
    assert client.get("/manage/").status_code == 302


def test_an_untrusted_host_is_refused_on_every_kind_of_request(app, world):
    app.config["TRUSTED_HOSTS"] = ["townhall.example"]
    client = app.test_client()
    for method, url in (("GET", "/"), ("GET", "/manage/"), ("POST", "/login"),
                        ("GET", f"/registrations/{world.tokens['registration']}")):
        response = client.open(url, method=method, headers={"Host": "evil.example"})
        assert response.status_code == 400, (method, url)
        assert "evil.example" not in response.get_data(as_text=True)
    assert client.get("/", headers={"Host": "townhall.example"}).status_code == 200
