"""Calendars, feeds and meeting notifications: .ics files and the subscription feed, Atom feeds,
reminders and change notices through the outbox, and the unsubscribe page.

- ics.py            iCalendar building (icalendar library), streamed feeds
- atom.py           Atom 1.0 writer
- queries.py        what the feeds hold
- notifications.py  reminders, reschedule/cancel notices, unsubscribe tokens
- models.py         NotificationOptOut (table notification_opt_outs)
- views.py          /meetings/<id>.ics, /calendar.ics, /feeds/*.atom, /notifications/unsubscribe/<token>
- cli.py            flask notify due
"""
from flask import Blueprint

bp = Blueprint("calendar", __name__)

from app.calendar import views  # noqa: E402,F401
