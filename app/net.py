"""Who the client is: one address for rate limits, logs and sessions, decided once at the edge of the app.

With PROXY_COUNT=N the last N proxies in front of the app are trusted: the address the outermost of them
saw is the N-th value from the right of X-Forwarded-For (each proxy appends the address it received the
request from). Values further left were written by the client and are never used, so a client cannot
choose its own address by prepending values. With PROXY_COUNT=0 (the default) the header is ignored.

The middleware sets REMOTE_ADDR to that address (werkzeug's ProxyFix) and then removes X-Forwarded-For
from the request, so that nothing downstream can read the untrusted values: request.remote_addr, the
gunicorn and werkzeug access logs (they print REMOTE_ADDR), Flask-Limiter (through `client_address`) and
Flask-Login's session protection (which would otherwise hash the header's first, client-written value)
all see the same address.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix


class DropForwardedFor:
    """WSGI middleware: forget X-Forwarded-For once the trusted address has been taken from it."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        environ.pop("HTTP_X_FORWARDED_FOR", None)
        return self.wsgi_app(environ, start_response)


def install_client_address(app: Flask) -> None:
    """Wrap the app so REMOTE_ADDR is the client's address as far as the configured proxies can tell."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies < 0:
        raise RuntimeError("PROXY_COUNT must be 0 or more")
    wsgi_app = DropForwardedFor(app.wsgi_app)
    if proxies:
        wsgi_app = ProxyFix(wsgi_app, x_for=proxies, x_proto=0, x_host=0, x_port=0, x_prefix=0)
    app.wsgi_app = wsgi_app


def client_address() -> str:
    """The client's address (set by `install_client_address`): the key of address-based rate limits."""
    return request.remote_addr or "unknown"
