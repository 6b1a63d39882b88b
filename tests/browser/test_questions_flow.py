"""Questions in a real browser: citizens ask (with similar questions suggested while they type) and vote,
a moderator approves and merges, the projector shows the question being answered and the top questions,
an official answers, the asker reads the answer through the private link, and the dashboard shows the
overdue questions. Plus axe audits of the public question pages."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.notify.models import OutboxMessage
from app.questions.models import Question, QuestionStatus
from tests import factories
from tests.browser.conftest import settle, sign_in_as
from tests.questions.builders import make_question

pytestmark = pytest.mark.browser

EXISTING = "When will the lift works start in Block 3?"
ASKED = "When will the lift works in our block start? My neighbour is 90."
DUPLICATE = "Is there a date for the lift works yet?"
ANSWER = "The lift works start on 1 June; the contractor will post the schedule in each stairwell."


def sign_in(page, email: str) -> None:
    sign_in_as(page, email)


def ask(page, meeting_id: int, body: str, *, name: str = "", anonymous: bool = False, email: str = "") -> str:
    """Ask through the form; send it anyway if similar questions are offered. Returns the private link."""
    page.goto(f"/meetings/{meeting_id}/questions")
    page.locator("#body").fill(body)
    page.locator("#topic").select_option("housing")
    if name:
        page.locator("#asker_name").fill(name)
    if anonymous:
        page.locator("#is_anonymous").check()
    if email:
        page.locator("#contact_email").fill(email)
    page.locator("form.ask-form [type=submit][name=submit]").click()
    anyway = page.get_by_role("button", name="Send my question anyway")
    if anyway.count():
        anyway.click()
    expect(page.locator("h1")).to_contain_text("your question is received")
    return page.locator(".private-link a").get_attribute("href")


def question_row(page, body: str):
    return page.locator(".staff-question", has_text=body)


def test_citizens_ask_and_vote_a_moderator_merges_the_projector_shows_it_and_an_official_answers(
        app, base_url, new_context, page):
    app.config["PUBLIC_BASE_URL"] = base_url
    department = factories.make_department(name_en="Housing and Urban Renewal Bureau")
    official = factories.make_user("official", department=department, name="Li Ming")
    meeting = factories.make_meeting(title="Baibuting lift retrofit forum", department_id=department.id,
                                     created_by=official, starts_in=timedelta(days=3))
    make_question(meeting, body=EXISTING)
    past = factories.make_meeting(title="Old estates drainage visit", department_id=department.id,
                                  starts_in=timedelta(days=-40))
    make_question(past, body="Who repairs the blocked drain behind Block 9?")
    meeting_id, official_email = meeting.id, official.email
    settle()

    # Citizen A types a question: a similar one is suggested while typing, but A asks anyway.
    asker = new_context().new_page()
    asker.goto(f"/meetings/{meeting_id}")
    asker.get_by_role("link", name="Ask or vote").click()
    asker.locator("#body").press_sequentially("When will the lift works start")
    expect(asker.locator("#similar-live .similar-questions")).to_contain_text(EXISTING)
    link = ask(asker, meeting_id, ASKED, name="Grace Liu", anonymous=True, email="grace@example.com")
    assert "/questions/t/" in link

    # Citizen B asks the same in other words (no JavaScript: the server offers the confirm step).
    other = new_context(java_script_enabled=False).new_page()
    ask(other, meeting_id, DUPLICATE, name="Tom Walker")

    # The moderator approves A's question and merges B's into it.
    sign_in(page, official_email)
    page.goto(f"/manage/meetings/{meeting_id}/questions")
    expect(page.locator(".staff-question")).to_have_count(2)
    expect(question_row(page, ASKED)).to_contain_text("grace@example.com")     # staff see the contact
    question_row(page, ASKED).get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.locator(".flash-success")).to_be_visible()
    question_row(page, DUPLICATE).get_by_role("link", name=re.compile("Edit, merge or answer")).click()
    page.locator(".similar-list li", has_text=ASKED).get_by_role("button").click()
    expect(page.locator(".flash-success")).to_contain_text("merged")
    rows = db.session.execute(sa.select(Question.body, Question.status, Question.merged_into_id)).all()
    settle()
    kept_id = next(i for i, (body, _s, _m) in enumerate(rows, start=1) if body == ASKED)
    assert {body: status for body, status, _m in rows}[DUPLICATE] == QuestionStatus.MERGED

    # Two citizens vote A's question up; then the button gives way to "You voted".
    for voter in (other, new_context().new_page()):
        voter.goto(f"/meetings/{meeting_id}/questions")
        voter.locator(f"#q-{kept_id} .vote-button").click()
        expect(voter.locator(".flash-success")).to_be_visible()
        expect(voter.locator(f"#q-{kept_id} .voted")).to_be_visible()
    other.reload()
    expect(other.locator(f"#q-{kept_id} .vote-count strong")).to_have_text("2")
    expect(other.locator(f"#q-{kept_id} .vote-button")).to_have_count(0)
    expect(other.locator(f"#q-{kept_id}")).not_to_contain_text("Grace")       # anonymous in public

    # The console puts A's question on the projector; the projector shows no names.
    page.goto(f"/manage/meetings/{meeting_id}/questions/console")
    page.locator(f"#q-{kept_id}").get_by_role("button", name=re.compile("^Answer now")).click()
    screen = new_context().new_page()
    screen.goto(f"/meetings/{meeting_id}/questions/projector")
    expect(screen.locator(".projector-current .projector-question")).to_have_text(ASKED)
    expect(screen.locator(".projector-list li").first).to_contain_text(EXISTING)
    expect(screen.locator("body")).not_to_contain_text("Grace")
    # With JavaScript on, projector.js reloads the screen (the meta refresh is only in <noscript>).
    assert screen.locator("script[data-refresh-seconds]").get_attribute("data-refresh-seconds").isdigit()

    # After the meeting an official writes the answer; the asker reads it through the private link.
    page.goto(f"/manage/meetings/{meeting_id}/questions/{kept_id}")
    page.locator("input[name=outcome][value=answered]").check()
    page.locator("#response").fill(ANSWER)
    page.get_by_role("button", name="Save the outcome").click()
    expect(page.locator(".flash-success")).to_be_visible()
    asker.goto(link)
    expect(asker.locator(".question-outcome")).to_contain_text(ANSWER)
    other.goto(f"/meetings/{meeting_id}/questions")
    expect(other.locator(f"#q-{kept_id} .question-outcome")).to_contain_text(ANSWER)
    emails = db.session.execute(sa.select(OutboxMessage.to_address, OutboxMessage.subject)).all()
    settle()
    assert ("grace@example.com", "Your question has an answer: Baibuting lift retrofit forum") in emails

    # The dashboard flags the old meeting's unanswered question.
    page.goto("/manage/")
    expect(page.locator(".overdue-table")).to_contain_text("Who repairs the blocked drain behind Block 9?")
    expect(page.locator(".overdue-table")).not_to_contain_text(ASKED)


# ---------------------------------------------------------------------------- accessibility

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    axe = pytest.importorskip("axe_playwright_python", reason="pip install -r requirements-dev.txt")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def violations(page, *, skip: tuple[str, ...] = ()) -> list[dict]:
    page.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in skip}}
    return page.evaluate("options => axe.run(document, options)", options)["violations"]


def describe(url: str, found: list[dict]) -> str:
    return f"{url}: " + "; ".join(
        f"{v['id']} at {json.dumps([n['target'] for n in v['nodes'][:3]])}" for v in found)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_question_pages_pass_axe(app, new_context, language):
    meeting = factories.make_meeting(title="Lift retrofit forum 加装电梯座谈会", starts_in=timedelta(days=2))
    official = factories.make_user("official", department_id=meeting.department_id)
    first = make_question(meeting, body=EXISTING, votes=4, asker_name="Grace Liu")
    make_question(meeting, body="老旧小区加装电梯，一楼住户的补偿怎么算？", votes=2, is_anonymous=True,
                  outcome="answered", response="按评估价补偿。", outcome_at=factories.now())
    from app.questions import services as question_services

    question_services.set_now_answering(official, meeting, first)
    meeting_id = meeting.id
    settle()
    page = new_context(bypass_csp=True).new_page()
    page.goto(f"/language/{language}")
    failures = []
    # The projector reloads itself through a script (no meta refresh in the DOM), and offers a link that
    # stops the reloading; both versions are audited with every rule.
    pages = [(f"/meetings/{meeting_id}/questions", ()),
             (f"/meetings/{meeting_id}/questions/projector", ()),
             (f"/meetings/{meeting_id}/questions/projector?refresh=off", ())]
    for url, skip in pages:
        page.goto(url)
        found = violations(page, skip=skip)
        if found:
            failures.append(describe(url, found))
    page.goto(f"/meetings/{meeting_id}/questions")
    page.locator("form.ask-form [type=submit][name=submit]").click()     # empty: errors shown
    expect(page.locator(".error-summary")).to_be_visible()
    found = violations(page)
    if found:
        failures.append(describe("ask form with errors", found))
    page.goto(f"/meetings/{meeting_id}/questions")
    page.locator("#body").fill("When will the lift works start in our block?")
    page.locator("#topic").select_option("housing")
    page.locator("form.ask-form [type=submit][name=submit]").click()     # the confirm step
    expect(page.locator(".similar-questions")).to_be_visible()
    found = violations(page)
    if found:
        failures.append(describe("confirm step", found))
    assert not failures, "\n".join(failures)
