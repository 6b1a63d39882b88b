"""Meeting forms: every text field is limited to its column (in characters), and bad input is refused next to
the field, in the user's language, with nothing written."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from app.accounts.forms import LoginForm, UserForm
from app.accounts.models import User
from app.extensions import db
from app.i18n import localized_name
from app.meetings.forms import AgendaItemForm, CancelForm, MeetingForm, PublishForm, RescheduleForm
from app.meetings.models import AgendaItem, Meeting
from app.registrations.forms import NeedsForm, RegistrationForm, WalkInForm
from app.registrations.models import Registration
from tests import factories
from tests.helpers import field_error, meeting_form, row_counts

# Form field -> the column it is stored in, where the names differ.
COLUMN_OF = {
    (RescheduleForm, "reason"): Meeting.__table__.c.reschedule_reason,
    (CancelForm, "reason"): Meeting.__table__.c.cancel_reason,
}
MODEL_OF = {MeetingForm: Meeting, RescheduleForm: Meeting, PublishForm: Meeting, CancelForm: Meeting,
            AgendaItemForm: AgendaItem, UserForm: User, LoginForm: User,
            RegistrationForm: Registration, NeedsForm: Registration, WalkInForm: Registration}


def _text_fields(form):
    return [f for f in form if isinstance(f, (StringField, TextAreaField)) and f.type not in ("PasswordField",
                                                                                            "HiddenField")]


@pytest.mark.parametrize("form_class", list(MODEL_OF), ids=lambda c: c.__name__)
def test_every_text_field_is_limited_to_the_length_of_its_column(app, form_class):
    with app.test_request_context():
        form = form_class(meta={"csrf": False})
        table = MODEL_OF[form_class].__table__
        checked = 0
        for field in _text_fields(form):
            column = COLUMN_OF.get((form_class, field.name), table.c.get(field.name))
            assert column is not None, f"{form_class.__name__}.{field.name} has no column"
            limits = [v.max for v in field.validators if isinstance(v, Length)]
            assert limits == [column.type.length], f"{form_class.__name__}.{field.name}"
            checked += 1
        assert checked


# ---------------------------------------------------------------------------- validators, form by form

@pytest.fixture
def choices(app):
    return {"dept": factories.make_department(), "district": factories.make_district()}


def validate_meeting_form(app, choices, **overrides):
    data = meeting_form(choices["dept"], choices["district"], **overrides)
    with app.test_request_context(method="POST", data=data, headers={"Accept-Language": "en"}):
        form = MeetingForm(formdata=MultiDict(data), meta={"csrf": False})
        form.set_choices([choices["dept"]], [choices["district"]], [], localized_name)
        ok = form.validate()
        return ok, {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_a_200_character_chinese_title_is_accepted(app, choices):
    ok, errors = validate_meeting_form(app, choices, title="议" * 200)
    assert ok, errors


def test_a_201_character_chinese_title_is_refused(app, choices):
    ok, errors = validate_meeting_form(app, choices, title="议" * 201)
    assert not ok and list(errors) == ["title"]


def test_a_4000_character_chinese_summary_is_accepted_and_4001_refused(app, choices):
    assert validate_meeting_form(app, choices, summary="述" * 4000)[0]
    assert list(validate_meeting_form(app, choices, summary="述" * 4001)[1]) == ["summary"]


@pytest.mark.parametrize("value", ["-1", "abc", "1.5", "1e3", "9999999999999"])
def test_capacity_must_be_a_non_negative_whole_number(app, choices, value):
    ok, errors = validate_meeting_form(app, choices, capacity=value)
    assert not ok and list(errors) == ["capacity"]


@pytest.mark.parametrize("value", ["", "0", "120"])
def test_capacity_may_be_empty_zero_or_positive(app, choices, value):
    assert validate_meeting_form(app, choices, capacity=value)[0]


@pytest.mark.parametrize("value", [
    "javascript:alert(1)", "JavaScript:alert(document.cookie)", " javascript:alert(1)", "data:text/html,<b>x</b>",
    "//evil.example.com", "http://", "meeting.example.org/room", "ftp://files.example.org", "https://exa mple.org",
    "vbscript:msgbox(1)", "http://[::1",
])
def test_online_links_must_be_http_or_https(app, choices, value):
    ok, errors = validate_meeting_form(app, choices, online_url=value)
    assert not ok and list(errors) == ["online_url"]
    assert errors["online_url"] == ["Enter a web address starting with http:// or https://."]


@pytest.mark.parametrize("value", ["https://meeting.example.org/room/42", "http://192.0.2.10:8080/x"])
def test_http_and_https_links_are_accepted(app, choices, value):
    assert validate_meeting_form(app, choices, online_url=value)[0]


@pytest.mark.parametrize("ends_at", ["2030-05-01T14:00", "2030-05-01T13:59"])
def test_the_end_must_be_after_the_start(app, choices, ends_at):
    ok, errors = validate_meeting_form(app, choices, starts_at="2030-05-01T14:00", ends_at=ends_at)
    assert not ok and errors["ends_at"] == ["The end must be after the start."]


@pytest.mark.parametrize("overrides, field", [
    ({"starts_at": ""}, "starts_at"),
    ({"starts_at": "2030-02-30T10:00"}, "starts_at"),
    ({"starts_at": "tomorrow"}, "starts_at"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "Asia/" + "x" * 80}, "timezone"),
    ({"title": " \u200b "}, "title"),
    ({"type": "party"}, "type"),
    ({"department_id": "abc"}, "department_id"),
    ({"district_id": "999999"}, "district_id"),
    ({"agenda-0-title": "项" * 201}, "agenda"),
    ({"agenda-0-duration_minutes": "-5"}, "agenda"),
    ({"agenda-0-position": "0"}, "agenda"),
    ({"agenda-0-presenter": "名" * 101}, "agenda"),
])
def test_malformed_fields_are_refused_on_that_field(app, choices, overrides, field):
    ok, errors = validate_meeting_form(app, choices, **overrides)
    assert not ok and list(errors) == [field], errors


def test_reasons_are_limited_to_500_characters(app):
    with app.test_request_context(method="POST"):
        cases = ((CancelForm, "reason"), (RescheduleForm, "reason"), (PublishForm, "short_notice_reason"))
        for form_class, name in cases:
            form = form_class(formdata=MultiDict({name: "因" * 501}), meta={"csrf": False})
            form.validate()
            assert name in form.errors, form_class.__name__
            form = form_class(formdata=MultiDict({name: "因" * 500}), meta={"csrf": False})
            form.validate()
            assert name not in form.errors, form_class.__name__


# ---------------------------------------------------------------------------- through the real page

@pytest.fixture
def planner(login_as):
    return login_as("official")


@pytest.fixture
def district(app):
    return factories.make_district()


def post_new(web, user, district, **overrides):
    return web.post_form("/manage/meetings/new", meeting_form(user.department, district, **overrides),
                         headers={"Accept-Language": "en"})


def test_a_200_character_chinese_title_is_saved_whole(web, planner, district):
    response = post_new(web, planner, district, title="议" * 200)
    assert response.status_code == 302
    assert db.session.execute(sa.select(Meeting.title)).scalar_one() == "议" * 200


@pytest.mark.parametrize("overrides, field, message", [
    ({"title": "议" * 201}, "title", "Field cannot be longer than 200 characters."),
    ({"capacity": "-3"}, "capacity", "Enter a whole number of 0 or more."),
    ({"capacity": "twelve"}, "capacity", "Not a valid integer value."),
    ({"online_url": "javascript:alert(1)"}, "online_url", "Enter a web address starting with http:// or https://."),
    ({"ends_at": "2030-05-01T13:00"}, "ends_at", "The end must be after the start."),
    ({"venue_name": "", "online_url": ""}, "venue_name", "Give a venue or an online link (or both)."),
    ({"timezone": "America/New_York", "starts_at": "2030-03-10T02:30", "ends_at": "2030-03-10T04:00"},
     "starts_at", "does not exist in America/New_York"),
    ({"timezone": "America/New_York", "starts_at": "2030-11-03T01:30", "ends_at": "2030-11-03T03:00"},
     "starts_at", "happens twice in America/New_York"),
    ({"timezone": "America/New_York", "starts_at": "2030-11-03T00:00", "ends_at": "2030-11-03T01:15"},
     "ends_at", "happens twice in America/New_York"),
    ({"timezone": "America/New_York", "starts_at": "2030-03-20T18:00", "ends_at": "2030-03-20T20:00",
      "registration_opens_at": "2030-03-10T02:10"}, "registration_opens_at", "does not exist"),
])
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(web, planner, district, overrides, field, message):
    before = row_counts()
    response = post_new(web, planner, district, **overrides)
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert row_counts() == before


def test_what_the_user_typed_is_kept_after_an_error(web, planner, district):
    response = post_new(web, planner, district, title="听证会" + "长" * 200, summary="保留我写的内容")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "保留我写的内容" in body and 'value="2030-05-01T14:00"' in body


def test_inputs_carry_maxlength_equal_to_the_column(web, planner):
    body = web.get("/manage/meetings/new").get_data(as_text=True)
    for name in ("title", "summary", "purpose", "venue_name", "address", "online_url", "host_note", "agenda-0-title"):
        column = Meeting.__table__.c.get(name) if not name.startswith("agenda") else AgendaItem.__table__.c.title
        tag = re.search(rf'<(?:input|textarea)[^>]*\bname="{name}"[^>]*>', body)
        assert tag and f'maxlength="{column.type.length}"' in tag.group(0), name


def test_errors_are_in_english_for_an_english_speaker(web, planner, district):
    response = post_new(web, planner, district, capacity="-1")
    assert field_error(response, "capacity") == "Enter a whole number of 0 or more."


def test_errors_are_in_chinese_for_a_chinese_speaker(web, planner, district):
    data = meeting_form(planner.department, district, capacity="-1")
    response = web.post_form("/manage/meetings/new", data, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400
    error = field_error(response, "capacity")
    assert error and error != "Enter a whole number of 0 or more."
