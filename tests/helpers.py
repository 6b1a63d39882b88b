"""Small helpers shared by the tests: row counts, signing a second client in, reading field errors,
and building meeting input (service data and form posts)."""
from __future__ import annotations

import html
import re
from datetime import datetime, timezone

import sqlalchemy as sa

from app.extensions import db
from app.meetings.services import AgendaEntry, MeetingData, Schedule
from tests.conftest import csrf_token_from
from tests.factories import DEFAULT_PASSWORD


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def row_counts() -> dict[str, int]:
    """Rows in every table, to prove that a refused request wrote nothing."""
    db.session.expire_all()
    return {
        table.name: db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def sign_in(client, user, password: str = DEFAULT_PASSWORD):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def page_token(client, url: str = "/manage/") -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field_id: str) -> str:
    """The error text rendered next to a field by the forms macro ('' when there is none)."""
    body = response.get_data(as_text=True)
    match = re.search(rf'<p class="error-message" id="{re.escape(field_id)}-error">(.*?)</p>', body, re.S)
    if not match:
        return ""
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def meeting_data(department, district, *, starts_local: datetime, ends_local: datetime | None = None,
                 tz: str = "Asia/Shanghai", venue_name: str = "街道文化中心", address: str = "",
                 online_url: str = "", **overrides) -> MeetingData:
    schedule = Schedule(timezone=tz, starts_local=starts_local, ends_local=ends_local,
                        venue_name=venue_name, address=address, online_url=online_url)
    values = dict(type="town_hall", title="老旧小区改造座谈会", department_id=department.id,
                  district_id=district.id, schedule=schedule)
    values.update(overrides)
    return MeetingData(**values)


def agenda(*titles: str) -> list[AgendaEntry]:
    return [AgendaEntry(title=title) for title in titles]


def meeting_form(department, district, **overrides) -> dict:
    """A complete POST body for the meeting form (without the CSRF token)."""
    data = {
        "type": "town_hall",
        "title": "老旧小区改造座谈会",
        "summary": "听取居民意见",
        "purpose": "",
        "department_id": str(department.id),
        "district_id": str(district.id),
        "host_note": "",
        "timezone": "Asia/Shanghai",
        "starts_at": "2030-05-01T14:00",
        "ends_at": "2030-05-01T16:00",
        "venue_name": "街道文化中心",
        "address": "解放大道1号",
        "online_url": "",
        "capacity": "",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "agenda-0-position": "1",
        "agenda-0-title": "开场",
        "agenda-0-presenter": "",
        "agenda-0-duration_minutes": "",
        "agenda-0-description": "",
        "save": "Save draft",
    }
    data.update({key: value for key, value in overrides.items()})
    return {key: value for key, value in data.items() if value is not None}
