"""Injection sweep: hostile text in every text field of every form, then every output that shows it.

Each round (tests/injection/corpus.py) writes a whole city through the real forms with its kind of
hostile text (tests/injection/scenario.py), then reads everything back: the public site and the staff
pages (crawled, so every page that shows a field is read), the private pages behind tokens, every
PDF, calendar, feed and CSV export, and every email, in the outbox and as delivered by SMTP.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

import app as app_package
from app.extensions import db
from app.notify import services as notify_services
from tests.crawl import Crawler
from tests.injection.corpus import ROUND_NAMES, ROUNDS
from tests.injection.fields import EXEMPT, TextField, text_fields
from tests.injection.outputs import (
    ATOM,
    atom_problems,
    csv_problems,
    csv_rows,
    delivery_problems,
    download_name_problems,
    ics_problems,
    ics_summaries,
    outbox_problems,
    pdf_problems,
    pdf_text,
)
from tests.injection.pages import SECRET, html_problems, shows, squeeze
from tests.injection.scenario import all_outbox, build_city

# Markup the PDFs must print as typed (when the field's value holds it).
PDF_LITERALS = ["<b>bold</b>", "<font color=red size=40 face=Courier>font</font>", "&amp;&lt;&#x41;&nbsp;",
                "<para>para</para>", '<img src="/etc/passwd" width=400/>', '<a href="http://evil.example/">link</a>',
                "{{7*7}}", "<script>"]


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


def _check(response, base_url: str) -> list[str]:
    """The problems of one crawled response, read the way its consumer reads it."""
    where = response.url
    if response.status >= 500:
        return [f"{where}: {response.status}"]
    if response.status != 200 or not response.body:
        return []
    found: list[str] = download_name_problems(response.headers.get("Content-Disposition", ""))
    if response.mimetype == "text/html":
        found += html_problems(response.body.decode("utf-8"))
    elif response.mimetype == "application/pdf":
        found += pdf_problems(response.body, base_url)
    elif response.mimetype == "text/calendar":
        single = where.split("?")[0].endswith(".ics") and where.startswith("/meetings/")
        found += ics_problems(response.body, events=1 if single else None)
    elif response.mimetype == "application/atom+xml":
        found += atom_problems(response.body)
    elif response.mimetype == "text/csv":
        found += csv_problems(response.body)
    return [f"{where}: {problem}" for problem in found]


def _crawl(app, client=None, skip=("/static/",)) -> list:
    crawler = Crawler(app, _objects(), client=client, skip=skip, keep_bodies=True, read_texts=False, max_variants=4)
    crawler.run()
    return crawler.responses


@pytest.mark.parametrize("round", ROUNDS, ids=ROUND_NAMES)
def test_hostile_text_in_every_field_stays_text_in_every_output(app, smtp_server, round):
    city = build_city(app, round)
    driver = city.driver
    problems = list(driver.problems)
    base_url = app.config["PUBLIC_BASE_URL"]

    # Every text field of every form got the round's text (a new field fails here until swept).
    unswept = sorted(set(text_fields()) - driver.sent - set(EXEMPT))
    assert not unswept, f"fields no step of tests/injection/scenario.py fills: {unswept}"

    # Everything public, as an anonymous visitor, and everything the staff see (as the admin).
    public = _crawl(app, skip=("/manage", "/static/"))
    staff = _crawl(app, client=city.admin.client, skip=("/static/", "/language/", "/logout"))
    for response in public + staff:
        problems += _check(response, base_url)
    kinds = {r.mimetype for r in public + staff if r.status == 200}
    assert {"text/html", "application/pdf", "text/calendar", "application/atom+xml", "text/csv"} <= kinds

    # The private pages behind the tokens, and the pages that echo the round's text from the URL.
    private = [f"/registrations/{t}" for t in city.registration_tokens[1:]]
    private += [f"/registrations/{t}/ticket.pdf" for t in city.registration_tokens[1:]]
    private += [f"/questions/t/{t}" for t in city.follow_tokens]
    private += [city.confirm_url, city.follower_url, city.follower_url.replace("/actions/f/", "/actions/unsubscribe/")]
    visitor = app.test_client()
    pages = {url: visitor.get(url) for url in private}
    for actor, url in city.searches:
        pages[url] = (actor.client if actor else visitor).get(url)
    for url, response in pages.items():
        body = response.get_data()
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
        elif response.mimetype == "text/html":
            problems += [f"{url}: {p}" for p in html_problems(body.decode("utf-8"))]
        elif response.mimetype == "application/pdf":
            problems += [f"{url}: {p}" for p in pdf_problems(body, base_url)]
        elif response.mimetype == "text/calendar":
            problems += [f"{url}: {p}" for p in ics_problems(body)]

    problems += _query_parameters(app, city)
    if round.shows_text:
        problems += _shown_as_typed(city, public, staff, pages)
    problems += _pdfs_print_markup_as_text(city, public, staff, pages)
    problems += _csv_keeps_phone_numbers(staff)
    problems += _emails(app, smtp_server, city)
    assert not problems, f"{len(problems)} problems in round {round.name}:\n" + "\n".join(problems[:80])


def query_parameter_names() -> list[str]:
    """Every query parameter the app reads (request.args.get / args.get in its source)."""
    names = set()
    for path in Path(app_package.__file__).parent.rglob("*.py"):
        names |= set(re.findall(r"args\.get\(\s*[\"'](\w+)[\"']", path.read_text(encoding="utf-8")))
    return sorted(names)


def _fitted(round, field) -> str:
    """The round's value for `field`, or its fallback when the value is longer than the field."""
    value = round.value(field)
    return value if len(value) <= field.max_length else round.fallback(field)


def _query_parameters(app, city) -> list[str]:
    """Every GET page, public and staff, with the round's text in every query parameter the app reads:
    no 500, a safe page, and redirects that stay on the site."""
    names = query_parameter_names()
    assert {"q", "page", "next", "type", "status", "sort", "topic", "view"} <= set(names)
    # As long as a request line gets past the server in front of the app (gunicorn: 4094 bytes).
    for length in (300, 100, 40, 15):
        query = urlencode({name: _fitted(city.driver.round, TextField("query", name, length, "line"))
                           for name in names})
        if len(query) < 3500:
            break
    assert len(query) < 3500
    own = ("", urlsplit(app.config["PUBLIC_BASE_URL"]).netloc)
    problems = []
    for client, skip in ((app.test_client(), ("/manage", "/static/")),
                         (city.admin.client, ("/static/", "/logout", "/language/"))):
        for url in Crawler(app, _objects(), client=client, skip=skip).start_urls():
            if url.endswith((".pdf", ".csv")):  # documents read no query parameters
                continue
            response = client.get(f"{url}?{query}")
            response.get_data()  # a streamed export holds its request context until it is read
            where = f"{url}?<hostile query>"
            if response.status_code >= 500:
                problems.append(f"{where}: {response.status_code}")
            elif response.status_code in (301, 302, 303, 307, 308):
                if urlsplit(response.headers["Location"]).netloc not in own:
                    problems.append(f"{where}: redirects away to {response.headers['Location']!r}")
            elif response.mimetype == "text/html":
                problems += [f"{where}: {p}" for p in html_problems(response.get_data(as_text=True))]
            elif response.mimetype == "text/calendar":
                problems += [f"{where}: {p}" for p in ics_problems(response.get_data())]
    return problems


def _page(responses, url: str) -> str:
    for response in responses:
        if response.url == url and response.status == 200:
            return response.body.decode("utf-8")
    raise AssertionError(f"{url} was not crawled")


def _shown_as_typed(city, public, staff, pages) -> list[str]:
    """Each field is shown as text, as typed, on the main page that shows it."""
    typed = city.driver.typed
    hearing = city.hearing_id
    expected = {
        f"/meetings/{hearing}": [("meetings.MeetingForm", "title"), ("meetings.MeetingForm", "summary"),
                                 ("meetings.MeetingForm", "purpose"), ("meetings.MeetingForm", "venue_name"),
                                 ("meetings.MeetingForm", "address"), ("meetings.MeetingForm", "agenda-title"),
                                 ("meetings.MeetingForm", "agenda-presenter"), ("meetings.MeetingForm", "host_note"),
                                 ("meetings.PublishForm", "short_notice_reason"), ("accounts.UserForm", "name")],
        f"/meetings/{city.cancelled_id}": [("meetings.CancelForm", "reason"), ("meetings.RescheduleForm", "reason")],
        f"/meetings/{hearing}/questions": [("questions.QuestionForm", "body"),
                                           ("questions.EnterQuestionForm", "body"),
                                           ("questions.OutcomeForm", "response"), ("questions.OutcomeForm", "plan"),
                                           ("questions.SettingsForm", "closed_message")],
        f"/meetings/{hearing}/minutes": [("minutes.MinutesForm", "presiding"), ("minutes.MinutesForm", "recorder"),
                                         ("minutes.MinutesForm", "items-summary"),
                                         ("minutes.MinutesForm", "items-decisions-motion"),
                                         ("minutes.MinutesForm", "public_comments-summary"),
                                         ("minutes.MinutesForm", "commitments-text"),
                                         ("minutes.CorrectionForm", "reason"),
                                         ("minutes.HearingRecordForm", "statements-text"),
                                         ("minutes.ParticipantStateForm", "note")],
        f"/actions/{city.action_ids[0]}": [("actions.ActionItemForm", "title"), ("actions.ProgressForm", "body"),
                                           ("actions.StatusForm", "text")],
        f"/actions/{city.action_ids[1]}": [("actions.ExtendForm", "reason"), ("actions.StatusForm", "plan")],
        f"/manage/meetings/{hearing}/registrations": [("registrations.RegistrationForm", "name"),
                                                      ("registrations.NeedsForm", "other_needs"),
                                                      ("registrations.WalkInForm", "name")],
    }
    problems = []
    for url, keys in expected.items():
        body = _page(staff if url.startswith("/manage") else public, url)
        for key in keys:
            assert key in typed, f"no step typed into {key}"
            if not shows(body, typed[key]):
                problems.append(f"{url} does not show {key} as typed: {typed[key][:80]!r}")
    # The calendars and the feed carry the title as text too (no property or element made of it).
    title = squeeze(typed[("meetings.MeetingForm", "title")])
    calendar = next(r.body for r in public if r.url == f"/meetings/{hearing}.ics")
    if [squeeze(summary) for summary in ics_summaries(calendar)] != [title]:
        problems.append(f"/meetings/{hearing}.ics: SUMMARY is not the title as typed")
    feed = next(r.body for r in public if r.url == "/feeds/meetings.atom")
    if not any(squeeze(entry.text or "") == title for entry in ET.fromstring(feed).iter(f"{ATOM}title")):
        problems.append("/feeds/meetings.atom: no entry titled with the title as typed")
    return problems


def _pdfs_print_markup_as_text(city, public, staff, pages) -> list[str]:
    """The summary prints the minutes exactly as typed: markup as text, long runs whole."""
    typed = city.driver.typed
    summary = next(r.body for r in public if r.url == f"/meetings/{city.hearing_id}/summary.pdf")
    text = squeeze(pdf_text(summary))
    problems = []
    for key in (("minutes.MinutesForm", "items-summary"), ("minutes.MinutesForm", "public_comments-summary"),
                ("minutes.MinutesForm", "presiding")):
        value = typed[key]
        literals = [literal for literal in PDF_LITERALS if literal in value]
        if not city.driver.round.shows_text:  # a long run: printed whole, broken only into lines
            literals = [value[:300]]
        elif not literals and squeeze(value).isascii():
            literals = [value[:200]]
        problems += [f"summary.pdf, {key[1]}: {literal[:40]!r} is not printed as typed"
                     for literal in literals if squeeze(literal) not in text]
    return problems


def _csv_keeps_phone_numbers(staff) -> list[str]:
    exports = [r for r in staff if r.mimetype == "text/csv" and r.status == 200]
    rows = [cell for r in exports for row in csv_rows(r.body) for cell in row]
    phones = [cell for cell in rows if cell.startswith("+86")]
    return [] if phones else ["registrations.csv: no +86 mobile number kept as it is"]


def _emails(app, smtp_server, city) -> list[str]:
    messages = all_outbox()
    problems = [p for message in messages for p in outbox_problems(message)]
    problems += [f"email {m.dedupe_key}: the secret key is in it" for m in messages if SECRET in m.body_text]
    title = city.driver.typed[("meetings.MeetingForm", "title")]
    if city.driver.round.shows_text and not any(squeeze(title) in squeeze(m.body_text) for m in messages):
        problems.append("no email shows the meeting's title as typed")
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5)
    summary = notify_services.send_due(limit=1000)
    if summary.failed or summary.remaining:
        problems.append(f"sending: {summary}")
    by_id = {message.message_id: message for message in all_outbox()}
    if len(smtp_server.deliveries) != len(messages):
        problems.append(f"{len(messages)} emails queued, {len(smtp_server.deliveries)} delivered")
    for delivery in smtp_server.deliveries:
        message = by_id[delivery.message["Message-ID"]]
        problems += delivery_problems(delivery, message)
    return problems
