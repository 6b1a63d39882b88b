"""Rate limits for pages behind a private link, read from the config at request time.

A private link's token is the only thing protecting the page behind it, so each of these pages limits
how often one client may ask for it: guessing tokens, or hammering a page that builds a PDF, gets a
429 page instead. Public writes and sign-in have their own limits (PUBLIC_WRITE_RATE_LIMIT,
LOGIN_RATE_LIMIT) next to their views.
"""
from __future__ import annotations

from flask import current_app


def private_link_limit() -> str:
    """GET of a page opened through a private link (manage a registration, follow a question, an action
    item's follower, invitation and unsubscribe pages, the reminder unsubscribe page)."""
    return current_app.config["PRIVATE_LINK_RATE_LIMIT"]


def ticket_limit() -> str:
    """The registrant's ticket PDF, which is built on every request."""
    return current_app.config["TICKET_RATE_LIMIT"]
