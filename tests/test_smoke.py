from tests import factories


def test_public_list_and_detail_render(client, app):
    meeting = factories.make_meeting(title="旧城改造座谈会", agenda=["开场", "讨论"])
    response = client.get("/meetings")
    assert response.status_code == 200
    assert "旧城改造座谈会" in response.get_data(as_text=True)
    response = client.get(f"/meetings/{meeting.id}")
    assert response.status_code == 200
    assert "讨论" in response.get_data(as_text=True)


def test_staff_pages_render(client, login_as):
    user = login_as("official")
    meeting = factories.make_meeting(status="draft", created_by=user, department_id=user.department_id)
    for url in ["/manage/", "/manage/meetings/", "/manage/meetings/new", f"/manage/meetings/{meeting.id}",
                f"/manage/meetings/{meeting.id}/edit", f"/manage/meetings/{meeting.id}/cancel"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:2000])
