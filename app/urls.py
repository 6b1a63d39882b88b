"""Helpers for URLs that come from users."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "meetings.index") -> str:
    """Return `target` only if it is a local path on this site; otherwise the default page.

    Refuses absolute URLs, scheme-relative `//host` URLs, backslash tricks and control characters.
    """
    if not target or any(ch in target for ch in "\\\r\n\t\x00"):
        return url_for(default_endpoint)
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for(default_endpoint)
    return target


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for emails, QR codes and feeds, built from PUBLIC_BASE_URL.

    Never from the request's Host header (which a client controls), and it works outside requests
    (commands that queue emails).
    """
    from flask import current_app

    adapter = current_app.url_map.bind("localhost")
    path = adapter.build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
