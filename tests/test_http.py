"""HTTP-level protections: the Host header, security headers, download names."""
from urllib.parse import unquote

from app.http import attachment_disposition


def test_an_untrusted_host_header_is_refused_with_a_plain_400(app):
    app.config["TRUSTED_HOSTS"] = ["townhall.example"]
    response = app.test_client().get("/meetings", headers={"Host": "evil.example"})
    assert response.status_code == 400


def test_security_headers_are_set_on_every_page(client):
    response = client.get("/meetings")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_download_names_drop_invisible_formatting_characters():
    header = attachment_disposition("通知\u202efdp.exe\u200b\u2028说明.pdf")
    name = unquote(header.split("filename*=UTF-8''", 1)[1])
    assert name == "通知fdp.exe_说明.pdf"


def test_download_names_work_for_any_title():
    header = attachment_disposition('2026-12-01 旧城"改造"\r\n座谈会.pdf')
    assert "\r" not in header and "\n" not in header
    assert "filename*=UTF-8''2026-12-01%20%E6%97%A7" in header
    assert 'filename="2026-12-01_' in header
