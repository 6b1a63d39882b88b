"""Hostile text in a real browser: a city written through the forms with script tags, event handlers,
javascript: URLs and template syntax in every field (tests/injection/scenario.py), then every page
that shows it, public, private and staff, opened in Chromium. No dialog may ever open, no console
error may appear (an injected inline script would be blocked by the CSP, which logs one), and the
DOM the browser built holds no element or attribute from the input."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests import factories
from tests.browser.conftest import settle, sign_in_as
from tests.conftest import FreshGlobalsClient
from tests.crawl import Crawler
from tests.injection.corpus import MARK, ROUNDS
from tests.injection.scenario import build_city
from tests.questions.builders import make_question

pytestmark = pytest.mark.browser

# Anything of the input that became markup in the browser's DOM.
INJECTED = (f"[data-{MARK}], .{MARK}, #{MARK}, [name={MARK}], svg[onload], [onerror], [onmouseover], "
            "[href^='javascript' i], [src^='javascript' i], iframe, meta[http-equiv=refresh][content*=url i]")


def _pages(app, city) -> list[str]:
    """Every page the crawl reaches, public and staff, that shows hostile text, and the private pages
    behind the tokens; of the kinds of page (route and query keys) that show none, one each."""
    urls, shows = [], set()
    for client, skip in ((app.test_client(use_cookies=False), ("/manage", "/static/")),
                         (city.admin.client, ("/static/", "/language/", "/logout"))):
        crawler = Crawler(app, _objects(), client=client, skip=skip, max_variants=3, read_texts=False,
                          keep_bodies=True)
        crawler.run()
        for response in crawler.responses:
            if response.status == 200 and response.kind == "html":
                urls.append(response.url)
                if MARK.encode() in response.body:
                    shows.add(response.url)
    private = ([f"/registrations/{token}" for token in city.registration_tokens[1:]]
               + [f"/questions/t/{token}" for token in city.follow_tokens] + [city.confirm_url, city.follower_url])
    urls += private
    shows.update(private)
    chosen, kinds = [], {}
    for url in dict.fromkeys(urls):
        path, _, query = url.partition("?")
        kinds.setdefault((re.sub(r"\d+", "N", path), tuple(sorted(re.findall(r"(\w+)=", query)))), url)
        if url in shows:
            chosen.append(url)
    return chosen + [url for url in kinds.values() if url not in shows]


def _objects() -> dict[str, list]:
    import sqlalchemy as sa

    from app.accounts.models import User
    from app.actions.models import ActionItem
    from app.meetings.models import Meeting
    from app.questions.models import Question

    def ids(model):
        return list(db.session.execute(sa.select(model.id).order_by(model.id)).scalars())

    return {"meeting_id": ids(Meeting), "question_id": ids(Question), "action_id": ids(ActionItem),
            "user_id": ids(User)}


def _console_error(message) -> bool:
    # A failed download is reported as a console error too; those are checked by URL in _watch.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def _watch(page, where: list[str], dialogs: list[str], errors: list[str]) -> None:
    page.on("dialog", lambda dialog: (dialogs.append(f"{where[0]}: {dialog.type} {dialog.message!r}"),
                                      dialog.dismiss()))
    page.on("console", lambda message: _console_error(message) and errors.append(f"{where[0]}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(f"{where[0]}: {error}"))
    # The browser asks every site for /favicon.ico, which this one does not have; nothing else may fail.
    page.on("response", lambda response: response.status >= 400 and not response.url.endswith("/favicon.ico")
            and errors.append(f"{where[0]}: {response.status} for {response.url}"))


def test_no_page_showing_hostile_input_runs_it(app, live_server, new_context):
    app.test_client_class = FreshGlobalsClient  # as in tests/conftest.py: no `g` shared between clients
    city = build_city(app, ROUNDS[0])
    # A meeting still open for questions, whose published question has the hostile text: typing it
    # again brings it back as a live suggestion (HTML the page's script inserts).
    hostile = city.driver.typed[("questions.QuestionForm", "body")]
    open_meeting = factories.make_meeting(title="仍在征集问题的座谈会", starts_in=timedelta(days=3))
    make_question(open_meeting, body=hostile)
    open_id = open_meeting.id
    pages = _pages(app, city)
    admin_email = city.admin.email
    settle()
    assert len(pages) >= 90

    where, dialogs, errors, injected = ["-"], [], [], []
    visitor = new_context().new_page()
    staff = new_context().new_page()
    for page in (visitor, staff):
        _watch(page, where, dialogs, errors)
    sign_in_as(staff, admin_email)

    for url in pages:
        page = staff if url.startswith("/manage") else visitor
        where[0] = url
        page.goto(url, wait_until="load")
        found = page.locator(INJECTED).count()
        if found:
            injected.append(f"{url}: {found} elements from the input, e.g. "
                            f"{page.locator(INJECTED).first.evaluate('e => e.outerHTML')[:200]}")
        # Pointing at and focusing everything fires any handler that slipped through.
        page.evaluate("""() => {
            for (const el of document.querySelectorAll('body *')) {
                for (const type of ['mouseover', 'focus', 'click']) {
                    if (type === 'click' && (el.closest('form') || el.tagName === 'A')) continue;
                    el.dispatchEvent(new Event(type));
                }
            }
        }""")

    where[0] = f"/meetings/{open_id}/questions (typing)"
    visitor.goto(f"/meetings/{open_id}/questions")
    visitor.locator("#body").fill(hostile)
    visitor.locator("#body").dispatch_event("input")
    expect(visitor.locator("#similar-live li").first).to_be_visible()
    assert visitor.locator(f"#similar-live {INJECTED.replace(', ', ', #similar-live ')}").count() == 0

    assert not dialogs, dialogs
    assert not errors, errors
    assert not injected, injected
