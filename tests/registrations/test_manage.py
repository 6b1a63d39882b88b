"""Staff registrant pages over HTTP: search and filters, the exact counts, accommodation requests, capacity,
and the door (check-in by name, undo)."""
from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.extensions import db
from app.notify.models import OutboxMessage
from app.registrations import services as reg
from app.registrations.models import Registration, RegistrationStatus
from tests import factories
from tests.helpers import field_error, page_token, row_counts

EN = {"Accept-Language": "en"}


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def counts_shown(response) -> dict[str, str]:
    """The counts box (registrations/manage/_counts.html) as {label: value}."""
    box = re.search(r'<dl class="counts">(.*?)</dl>', response.get_data(as_text=True), re.S).group(1)
    return {_text(dt): _text(dd) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", box, re.S)}


def listed_names(response) -> list[str]:
    """Names in the registrants table, in the order shown (a walk-in's channel label removed)."""
    body = response.get_data(as_text=True)
    table = re.search(r'<table class="data-table">.*?<tbody>(.*?)</tbody>', body, re.S)
    if table is None:
        return []
    rows = re.findall(r"<tr>\s*<td class=\"code\">[^<]*</td>\s*<td>(.*?)</td>", table.group(1), re.S)
    return [_text(re.sub(r'<span class="muted">.*?</span>', "", name)) for name in rows]


def accommodation_lines(response) -> list[str]:
    body = response.get_data(as_text=True)
    box = re.search(r'<ul class="needs-list">(.*?)</ul>', body, re.S)
    return [_text(item) for item in re.findall(r"<li>(.*?)</li>", box.group(1), re.S)] if box else []


def person(name, **fields) -> reg.RegistrationInput:
    needs = reg.Needs(**fields.pop("needs", {}))
    return reg.RegistrationInput(name=name, needs=needs, **fields)


@pytest.fixture
def door(app):
    """Capacity 3. 张三, 李四, 王五 confirmed, 赵六 and 孙七 waiting; 王五 cancels so 赵六 moves up;
    李四 is checked in. Accommodations: 张三 (wheelchair), 赵六 (large print), 王五 (cancelled: not listed)."""
    meeting = factories.make_meeting(registration_required=True, capacity=3, title="加装电梯座谈会")
    clerk = factories.make_user("clerk", department_id=meeting.department_id)
    people = {}
    for n, (name, fields) in enumerate([
        ("张三", {"email": "zhang.san@example.cn", "needs": {"wheelchair": True}}),
        ("李四", {"mobile": "13800000002", "needs": {"interpretation_language": ""}}),
        ("王五", {"mobile": "13800000003", "needs": {"sign_language": True}}),
        ("赵六", {"email": "zhao@example.cn", "needs": {"large_print": True, "other": "需要助听设备"}}),
        ("孙七", {"email": "sun.qi@example.cn", "language": "en"}),
    ]):
        result = reg.register_citizen(meeting, person(name, **fields), submission_id=f"door-fixture-{n:02d}-" + "s" * 30)
        people[name] = result.registration
    reg.cancel_registration(people["王五"])
    reg.check_in(clerk, people["李四"])
    return {"meeting": meeting, "clerk": clerk, "people": people}


@pytest.fixture
def staff(login_as, door):
    return login_as("clerk", department_id=door["meeting"].department_id)


def registrants(client, door, **query):
    return client.get(f"/manage/meetings/{door['meeting'].id}/registrations", query_string=query, headers=EN)


def test_the_counts_are_exact(client, door, staff):
    assert counts_shown(registrants(client, door)) == {
        "Confirmed": "3 / 3", "Waitlisted": "1", "Checked in": "1", "Walk-ins": "0", "Cancelled": "1"}


def test_the_list_shows_everyone_confirmed_first_then_waiting_then_cancelled(client, door, staff):
    assert listed_names(registrants(client, door)) == ["张三", "李四", "赵六", "孙七", "王五"]


@pytest.mark.parametrize("query, names", [
    ("张", ["张三"]),
    ("ZHANG.SAN@", ["张三"]),
    ("13800000002", ["李四"]),
    ("example.cn", ["张三", "赵六", "孙七"]),
    ("nobody", []),
    ("%", []),
])
def test_search_finds_by_name_email_or_mobile(client, door, staff, query, names):
    assert listed_names(registrants(client, door, q=query)) == names


def test_search_finds_a_code_typed_in_any_case_without_the_dash(client, door, staff):
    code = door["people"]["李四"].code
    assert listed_names(registrants(client, door, q=code.replace("-", "").lower())) == ["李四"]


@pytest.mark.parametrize("status, names", [
    ("confirmed", ["张三", "李四", "赵六"]),
    ("waitlisted", ["孙七"]),
    ("cancelled", ["王五"]),
    ("checked_in", ["李四"]),
    ("", ["张三", "李四", "赵六", "孙七", "王五"]),
    ("no-such-status", ["张三", "李四", "赵六", "孙七", "王五"]),
])
def test_the_status_filter(client, door, staff, status, names):
    response = registrants(client, door, status=status)
    assert response.status_code == 200
    assert listed_names(response) == names


def test_search_and_status_combine_and_the_filters_stay_in_the_form(client, door, staff):
    response = registrants(client, door, q="example.cn", status="confirmed")
    assert listed_names(response) == ["张三", "赵六"]
    body = response.get_data(as_text=True)
    assert 'name="q" value="example.cn"' in body and '<option value="confirmed" selected>' in body


def test_accommodation_requests_of_live_registrations_are_listed(client, door, staff):
    people = door["people"]
    assert accommodation_lines(registrants(client, door)) == [
        f"张三 ({people['张三'].code}, Confirmed): Wheelchair access",
        f"赵六 ({people['赵六'].code}, Confirmed): Large print; 需要助听设备",
    ]


def test_raising_the_capacity_over_http_promotes_the_first_person_waiting_and_emails_them(client, door, staff):
    meeting = door["meeting"]
    url = f"/manage/meetings/{meeting.id}/capacity"
    response = client.post(url, data={"csrf_token": page_token(client, f"/manage/meetings/{meeting.id}/registrations"),
                                      "capacity": "5"}, headers=EN)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=EN)
    assert "Capacity changed; 1 person moved up from the waitlist." in html.unescape(page.get_data(as_text=True))
    assert counts_shown(page) == {"Confirmed": "4 / 5", "Waitlisted": "0", "Checked in": "1", "Walk-ins": "0",
                                  "Cancelled": "1"}
    db.session.expire_all()
    promoted = db.session.get(Registration, door["people"]["孙七"].id)
    assert promoted.status == RegistrationStatus.CONFIRMED and promoted.promoted_at is not None
    email = db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.to_address == "sun.qi@example.cn")
                               .order_by(OutboxMessage.id.desc())).scalars().first()
    assert email.subject == "A seat is yours: 加装电梯座谈会" and email.language == "en"
    event = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert (event.action, event.actor_id, event.details_dict) == (
        "meeting.capacity", staff.id, {"before": 3, "after": 5, "promoted": 1})


@pytest.mark.parametrize("capacity, status, message", [
    ("2", 400, "3 people already hold a seat: capacity cannot be lower than that."),
    ("-1", 400, "Enter a whole number of 0 or more."),
    ("many", 400, "Not a valid integer value."),
])
def test_a_capacity_below_the_seats_taken_or_not_a_number_is_refused_next_to_the_field(client, door, staff,
                                                                                      capacity, status, message):
    meeting = door["meeting"]
    token = page_token(client, f"/manage/meetings/{meeting.id}/registrations")
    before = row_counts()
    response = client.post(f"/manage/meetings/{meeting.id}/capacity", data={"csrf_token": token, "capacity": capacity},
                           headers=EN)
    assert response.status_code == status
    assert field_error(response, "capacity").startswith(message)
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(type(meeting), meeting.id).capacity == 3


def door_page(client, door, q):
    return client.get(f"/manage/meetings/{door['meeting'].id}/check-in", query_string={"q": q}, headers=EN)


def test_the_door_finds_people_by_part_of_their_name_and_checks_them_in(client, door, staff):
    meeting, zhao = door["meeting"], door["people"]["赵六"]
    page = door_page(client, door, "赵")
    body = page.get_data(as_text=True)
    assert "赵六" in body and "张三" not in body
    assert f'action="/manage/meetings/{meeting.id}/check-in/{zhao.id}"' in body
    assert "Needs: Large print; 需要助听设备" in html.unescape(body)
    response = client.post(f"/manage/meetings/{meeting.id}/check-in/{zhao.id}",
                           data={"csrf_token": page_token(client, f"/manage/meetings/{meeting.id}/check-in")},
                           headers=EN)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, zhao.id).checked_in_by_id == staff.id
    after = client.get(response.headers["Location"], headers=EN)
    assert "赵六 is checked in." in html.unescape(after.get_data(as_text=True))
    assert counts_shown(after)["Checked in"] == "2"


def test_cancelled_and_unknown_people_are_not_found_at_the_door(client, door, staff):
    for query in ("王五", door["people"]["王五"].code, "不存在的人"):
        body = door_page(client, door, query).get_data(as_text=True)
        assert 'class="checkin-result"' not in body and "No registration matches" in body


def test_a_waitlisted_person_is_found_but_offered_no_check_in(client, door, staff):
    sun = door["people"]["孙七"]
    body = door_page(client, door, "孙七").get_data(as_text=True)
    assert "孙七" in body and f"/check-in/{sun.id}\"" not in body


def test_undoing_a_check_in_clears_it_and_returns_to_that_person(client, door, staff):
    meeting, li = door["meeting"], door["people"]["李四"]
    body = door_page(client, door, "李四").get_data(as_text=True)
    undo = f"/manage/meetings/{meeting.id}/check-in/{li.id}/undo"
    assert f'action="{undo}"' in body
    response = client.post(undo, data={"csrf_token": page_token(client, f"/manage/meetings/{meeting.id}/check-in")},
                           headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/meetings/{meeting.id}/check-in?q={li.code}")
    db.session.expire_all()
    assert db.session.get(Registration, li.id).checked_in_at is None
    page = client.get(response.headers["Location"], headers=EN)
    assert "Check-in undone for 李四." in html.unescape(page.get_data(as_text=True))
    assert counts_shown(page)["Checked in"] == "0"
    assert f'action="/manage/meetings/{meeting.id}/check-in/{li.id}"' in page.get_data(as_text=True)
    event = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert (event.action, event.object_id, event.actor_id) == ("registration.undo_check_in", li.id, staff.id)


def test_an_undo_without_the_form_token_changes_nothing(client, door, staff):
    meeting, li = door["meeting"], door["people"]["李四"]
    response = client.post(f"/manage/meetings/{meeting.id}/check-in/{li.id}/undo", data={}, headers=EN)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Registration, li.id).checked_in_at is not None
