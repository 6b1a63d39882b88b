"""The registrants export opened in a spreadsheet: every way a cell can start a formula, typed into
every field that reaches the export through the real forms, stays inert text; phone numbers stay
phone numbers."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.registrations.models import Registration
from tests import factories
from tests.conftest import csrf_token_from
from tests.helpers import sign_in
from tests.injection.corpus import FORMULAS
from tests.injection.outputs import csv_problems, csv_rows


def _registrations(meeting_id: int) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Registration)
                              .where(Registration.meeting_id == meeting_id)).scalar_one()


def register(app, meeting_id: int, *, name: str, mobile: str, email: str = "", text: str = "") -> None:
    visitor = app.test_client()
    before = _registrations(meeting_id)
    url = f"/meetings/{meeting_id}/register"
    page = visitor.get(url).get_data(as_text=True)
    submission = re.search(r'name="submission_id"[^>]*value="([^"]+)"', page).group(1)
    response = visitor.post(url, data={"csrf_token": csrf_token_from(page), "submission_id": submission,
                                       "name": name, "email": email, "mobile": mobile, "neighbourhood": text,
                                       "interpretation_language": text[:60], "other_needs": text})
    assert response.status_code == 200, name
    # The page is the same for a new and a repeat registration: the row says it was made.
    assert _registrations(meeting_id) == before + 1, name


def test_no_cell_of_the_registrants_export_starts_a_formula_and_phone_numbers_stay_intact(app, client):
    official = factories.make_user("official")
    meeting = factories.make_meeting(department_id=official.department_id, created_by=official,
                                     registration_required=True, capacity=100, starts_in=timedelta(days=5))
    typed_mobiles = []
    for n, formula in enumerate(FORMULAS):
        mobile = f"+86 138 0013 {8000 + n}"
        typed_mobiles.append(mobile)
        register(app, meeting.id, name=formula, mobile=mobile, text=formula, email=f"{formula[:1]}x{n}@example.org"
                 if formula[0] in "=+-" else "")
    register(app, meeting.id, name="Ann Other", mobile="+44 7700 900123", text="-5")
    sign_in(client, official)
    token = csrf_token_from(client.get(f"/manage/meetings/{meeting.id}/check-in").get_data(as_text=True))
    response = client.post(f"/manage/meetings/{meeting.id}/walk-ins",
                           data={"csrf_token": token, "name": FORMULAS[0], "neighbourhood": FORMULAS[3]})
    assert response.status_code == 302

    export = client.get(f"/manage/meetings/{meeting.id}/registrations.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    body = export.get_data()
    assert not csv_problems(body)
    header, *rows = csv_rows(body)
    assert len(rows) == len(FORMULAS) + 2
    mobiles = {row[3] for row in rows}  # code, name, email, mobile...
    assert {"+861380013" + str(8000 + n) for n in range(len(FORMULAS))} | {"+447700900123"} <= mobiles
    names = [row[1] for row in rows]
    assert "'" + FORMULAS[0] in names  # kept, made inert with the apostrophe spreadsheets understand
    assert "-5" in {row[4] for row in rows}  # a plain number is left alone
