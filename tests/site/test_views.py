"""Which language a visitor sees: Accept-Language on the first visit (Chinese by default), then the language
they chose with the switch, which sticks; the switch only ever redirects within the site."""
from __future__ import annotations

import re

import pytest

from tests import factories
from tests.helpers import meeting_form, sign_in, text_of


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)">', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("header, lang", [
    (None, "zh-Hans"),
    ("zh-CN,zh;q=0.9", "zh-Hans"),
    ("zh-TW", "zh-Hans"),
    ("en-US,en;q=0.9", "en"),
    ("EN", "en"),
    ("fr-FR,fr;q=0.9", "zh-Hans"),
    ("fr-FR,en;q=0.5", "en"),
    ("en;q=0.3,zh-CN;q=0.8", "zh-Hans"),
    ("*", "zh-Hans"),
    ("garbage;;q=x", "zh-Hans"),
])
def test_the_first_visit_follows_accept_language_and_defaults_to_chinese(client, header, lang):
    response = client.get("/meetings", headers={"Accept-Language": header} if header else {})
    assert response.status_code == 200
    assert html_lang(response) == lang


def test_the_language_switch_sticks_across_pages_whatever_the_browser_says(client):
    meeting = factories.make_meeting()
    response = client.get("/language/en?next=/meetings")
    assert response.status_code == 302 and response.headers["Location"] == "/meetings"
    for url in ("/meetings", f"/meetings/{meeting.id}", "/meetings?when=past", "/login"):
        assert html_lang(client.get(url, headers={"Accept-Language": "zh-CN"})) == "en", url
    client.get("/language/zh_CN")
    assert html_lang(client.get("/meetings", headers={"Accept-Language": "en"})) == "zh-Hans"


def test_the_switch_links_to_the_other_language_and_back_to_the_same_page(client):
    page = client.get("/meetings?type=hearing&q=%E5%90%AC%E8%AF%81", headers={"Accept-Language": "zh-CN"})
    link = re.search(r'<a href="(/language/en[^"]*)"', page.get_data(as_text=True)).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/meetings?")
    assert "type=hearing" in response.headers["Location"]


def test_the_chosen_language_survives_signing_in_and_out(client):
    user = factories.make_user("official")
    client.get("/language/en")
    sign_in(client, user)
    assert html_lang(client.get("/manage/", headers={"Accept-Language": "zh-CN"})) == "en"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/manage/").get_data(as_text=True)).group(1)
    client.post("/logout", data={"csrf_token": token})
    assert html_lang(client.get("/meetings", headers={"Accept-Language": "zh-CN"})) == "en"


def test_form_errors_follow_the_chosen_language(client, web):
    user = factories.make_user("official")
    district = factories.make_district()
    sign_in(client, user)
    client.get("/language/en")
    response = web.post_form("/manage/meetings/new", meeting_form(user.department, district, capacity="-1"),
                             headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 400 and "Enter a whole number of 0 or more." in text_of(response)
    client.get("/language/zh_CN")
    response = web.post_form("/manage/meetings/new", meeting_form(user.department, district, capacity="-1"),
                             headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "Enter a whole number of 0 or more." not in text_of(response)


@pytest.mark.parametrize("code", ["fr", "zh", "EN", "zh-CN", "..", "en%00"])
def test_an_unknown_language_code_is_not_found_and_changes_nothing(client, code):
    assert client.get(f"/language/{code}").status_code == 404
    assert html_lang(client.get("/meetings")) == "zh-Hans"


@pytest.mark.parametrize("target", [
    "//evil.com", "https://evil.com", "http://evil.com/meetings", "/\\evil.com", "\\\\evil.com",
    "javascript:alert(1)", "///evil.com", "/\t/evil.com", "evil.com", "https:evil.com", "\r\n//evil.com",
])
def test_the_switch_never_redirects_off_the_site(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/meetings"


def test_the_switch_without_next_goes_home(client):
    response = client.get("/language/en")
    assert response.status_code == 302 and response.headers["Location"] == "/meetings"


def test_the_switch_keeps_a_local_path_with_its_query(client):
    response = client.get("/language/en", query_string={"next": "/meetings?when=past&page=2"})
    assert response.headers["Location"] == "/meetings?when=past&page=2"
