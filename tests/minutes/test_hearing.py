"""The hearing record: statements, then each participant confirms, refuses (noted by the record's
presiding official, nobody else) or is absent; complete only when nobody is pending."""
from __future__ import annotations

import pytest

from app.errors import InvalidState, NotAllowed, ValidationFailed
from app.minutes import services as ms
from app.minutes.models import ParticipantState
from app.minutes.services.hearing import ParticipantEntry, RecordLocked, StatementEntry
from tests import factories
from tests.helpers import field_error, page_token, row_counts, sign_in, text_of
from tests.minutes import builders


@pytest.fixture
def hearing(app):
    return builders.past_meeting(type="hearing")


def filled_record(hearing, *, presiding=True):
    record = ms.open_hearing_record(hearing.clerk, hearing.meeting)
    ms.save_hearing_record(hearing.clerk, record, [ParticipantEntry("陈一", "消费者代表"), ParticipantEntry("刘二", "经营者代表"),
                                                   ParticipantEntry("赵三", "专家")],
                           [StatementEntry("陈一", "票价上涨幅度过大。"), StatementEntry("刘二", "成本已上涨三成。")],
                           presiding_official_id=hearing.official.id if presiding else None)
    return record


def test_only_hearings_have_a_record(app):
    forum = builders.past_meeting()
    with pytest.raises(InvalidState):
        ms.open_hearing_record(forum.clerk, forum.meeting)


def test_the_record_is_complete_when_everyone_confirmed_refused_or_is_absent(hearing):
    record = filled_record(hearing)
    chen, liu, zhao = record.participants
    ms.set_participant_state(hearing.clerk, chen, ParticipantState.CONFIRMED)
    assert record.is_locked and not record.is_complete
    with pytest.raises(RecordLocked):
        ms.save_hearing_record(hearing.clerk, record, [], [])
    with pytest.raises(NotAllowed):  # a clerk cannot note a refusal: the presiding official does
        ms.set_participant_state(hearing.clerk, liu, ParticipantState.REFUSED, note="不同意记录")
    with pytest.raises(NotAllowed, match="Only the presiding official, 李明, can note a refusal to sign."):
        ms.set_participant_state(hearing.second_official, liu, ParticipantState.REFUSED, note="不同意记录")
    with pytest.raises(NotAllowed):  # nor an administrator
        ms.set_participant_state(factories.make_user("admin"), liu, ParticipantState.REFUSED, note="不同意记录")
    with pytest.raises(ValidationFailed):
        ms.set_participant_state(hearing.official, liu, ParticipantState.REFUSED, note="")
    ms.set_participant_state(hearing.official, liu, ParticipantState.REFUSED, note="认为笔录未完整记录其发言")
    assert not record.is_complete
    ms.set_participant_state(hearing.clerk, zhao, ParticipantState.ABSENT)
    assert record.is_complete
    with pytest.raises(InvalidState):
        ms.set_participant_state(hearing.clerk, zhao, ParticipantState.CONFIRMED)


def test_participants_confirm_only_once_there_are_statements(hearing):
    record = ms.open_hearing_record(hearing.clerk, hearing.meeting)
    ms.save_hearing_record(hearing.clerk, record, [ParticipantEntry("陈一")], [])
    with pytest.raises(InvalidState):
        ms.set_participant_state(hearing.clerk, record.participants[0], ParticipantState.CONFIRMED)


def test_nobody_confirms_or_refuses_before_a_presiding_official_is_named(hearing):
    record = filled_record(hearing, presiding=False)
    chen, liu, zhao = record.participants
    with pytest.raises(InvalidState, match="Name the presiding official"):
        ms.set_participant_state(hearing.clerk, chen, ParticipantState.CONFIRMED)
    with pytest.raises(InvalidState, match="Name the presiding official"):
        ms.set_participant_state(hearing.official, liu, ParticipantState.REFUSED, note="拒绝")
    ms.set_participant_state(hearing.clerk, zhao, ParticipantState.ABSENT)    # absence needs nobody
    assert not record.is_locked


def test_the_presiding_official_is_an_official_of_the_meeting_and_is_fixed_with_the_statements(hearing):
    record = ms.open_hearing_record(hearing.clerk, hearing.meeting)
    outsider = factories.make_user("official")
    for wrong in (outsider.id, hearing.clerk.id, factories.make_user("admin").id):
        with pytest.raises(ValidationFailed, match="Choose an official of this meeting"):
            ms.save_hearing_record(hearing.clerk, record, [ParticipantEntry("陈一")], [StatementEntry("陈一", "同意")],
                                   presiding_official_id=wrong)
    assert record.presiding_official_id is None
    ms.save_hearing_record(hearing.clerk, record, [ParticipantEntry("陈一")], [StatementEntry("陈一", "同意")],
                           presiding_official_id=hearing.second_official.id)
    ms.set_participant_state(hearing.clerk, record.participants[0], ParticipantState.CONFIRMED)
    with pytest.raises(RecordLocked):
        ms.save_hearing_record(hearing.clerk, record, [ParticipantEntry("陈一")], [StatementEntry("陈一", "同意")],
                               presiding_official_id=hearing.official.id)
    assert record.presiding_official_id == hearing.second_official.id


def test_a_participant_listed_twice_is_refused(hearing):
    record = ms.open_hearing_record(hearing.clerk, hearing.meeting)
    with pytest.raises(ValidationFailed):
        ms.save_hearing_record(hearing.clerk, record, [ParticipantEntry("陈一"), ParticipantEntry("陈一")], [])


def test_staff_pages_record_the_answers(client, hearing):
    record = filled_record(hearing)
    meeting_id = hearing.meeting.id
    chen_id = record.participants[0].id
    sign_in(client, hearing.official)
    url = f"/manage/meetings/{meeting_id}/hearing-record"
    page = text_of(client.get(url))
    assert "票价上涨幅度过大" in page and "3 participants still to confirm" in page
    token = page_token(client, url)
    response = client.post(f"{url}/participants/{chen_id}/state", data={"csrf_token": token, "state": "refused",
                                                                       "note": ""})
    assert response.status_code == 400
    response = client.post(f"{url}/participants/{chen_id}/state", data={"csrf_token": token, "state": "refused",
                                                                       "note": "拒绝签字"})
    assert response.status_code == 302
    assert "Refused to sign" in text_of(client.get(url))


def test_another_official_sees_who_notes_refusals_and_is_told_so_if_they_try(client, hearing):
    record = filled_record(hearing)
    liu_id = record.participants[1].id
    url = f"/manage/meetings/{hearing.meeting.id}/hearing-record"
    sign_in(client, hearing.second_official)
    page = text_of(client.get(url))
    assert "Presiding official: 李明" in page
    assert "Only the presiding official, 李明, can note a refusal to sign." in page
    assert 'value="refused"' not in client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/participants/{liu_id}/state", data={
        "csrf_token": page_token(client, url), "state": "refused", "note": "拒绝签字"})
    assert response.status_code == 403
    assert "Only the presiding official, 李明, can note a refusal to sign." in text_of(response)
    assert "Refused to sign:" in text_of(client.get(url)) and record.participants[1].state == ParticipantState.PENDING


def test_a_wrong_state_or_an_overlong_note_is_refused_with_a_message(client, hearing):
    record = filled_record(hearing)
    chen_id = record.participants[0].id
    sign_in(client, hearing.official)
    url = f"/manage/meetings/{hearing.meeting.id}/hearing-record"
    token = page_token(client, url)
    before = row_counts()
    for data, message in (({"state": "signed", "note": ""}, "Choose whether the participant confirmed"),
                          ({"state": "refused", "note": "拒" * 1001}, "1000 characters")):
        response = client.post(f"{url}/participants/{chen_id}/state", data={"csrf_token": token, **data},
                               headers={"Accept-Language": "en"})
        assert response.status_code == 400
        assert message in text_of(response)
    assert row_counts() == before


def test_the_editor_refuses_overlong_rows_next_to_the_field(client, hearing):
    ms.open_hearing_record(hearing.clerk, hearing.meeting)
    sign_in(client, hearing.clerk)
    url = f"/manage/meetings/{hearing.meeting.id}/hearing-record/edit"
    before = row_counts()
    response = client.post(url, data={"csrf_token": page_token(client, url), "participants-0-name": "陈" * 101,
                                      "statements-0-speaker": "陈一", "statements-0-text": "反对涨价"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "Please correct the highlighted fields" in text_of(response)
    assert field_error(response, "participants-0-name")
    assert row_counts() == before


def test_the_editor_saves_participants_and_statements(client, hearing):
    ms.open_hearing_record(hearing.clerk, hearing.meeting)
    sign_in(client, hearing.clerk)
    url = f"/manage/meetings/{hearing.meeting.id}/hearing-record/edit"
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{hearing.official.id}">李明</option>' in page and "张记</option>" not in page
    response = client.post(url, data={"csrf_token": page_token(client, url), "participants-0-name": "陈一",
                                      "participants-0-capacity": "消费者代表", "statements-0-speaker": "陈一",
                                      "statements-0-text": "反对涨价", "presiding_official_id": str(hearing.official.id)})
    assert response.status_code == 302
    page = text_of(client.get(f"/manage/meetings/{hearing.meeting.id}/hearing-record"))
    assert "反对涨价" in page and "消费者代表" in page and "Presiding official: 李明" in page


def test_the_complete_record_appears_with_the_published_minutes(client, hearing):
    record = filled_record(hearing)
    for participant in record.participants:
        ms.set_participant_state(hearing.clerk, participant, ParticipantState.CONFIRMED)
    builders.published(hearing)
    body = text_of(client.get(f"/meetings/{hearing.meeting.id}/minutes"))
    assert "Hearing record" in body and "成本已上涨三成" in body and "Quorum present" in body
    outsider = factories.make_user("clerk")
    with pytest.raises(NotAllowed):
        ms.open_hearing_record(outsider, hearing.meeting)
