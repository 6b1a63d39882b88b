"""`flask notify due`: queue the reminders that are due (the outbox sends them)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.calendar import notifications

notify_cli = AppGroup("notify", help="Reminders about meetings, queued in the outbox.")


@notify_cli.command("due")
@click.option("--hours", type=click.IntRange(min=1), default=None,
              help="Remind this many hours ahead (default: REMINDER_HOURS_BEFORE, 24).")
def due(hours: int | None) -> None:
    """Queue reminders to confirmed registrants of meetings starting soon. Safe to run often and in
    parallel: each reminder is queued once. Send them with `flask outbox send`."""
    count = notifications.queue_due_reminders(hours=hours)
    click.echo(f"Queued {count} reminder(s).")
