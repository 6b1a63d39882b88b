"""`flask outbox ...`: send what is due, show the queue, requeue failed messages."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app.notify import queries as notify_queries
from app.notify import services as notify_services

outbox_cli = AppGroup("outbox", help="The email outbox.")


def _echo_result(result: notify_services.SendResult) -> None:
    # Ids only: addresses and contents never reach the terminal or its logs.
    if result.outcome == "sent":
        click.echo(f"#{result.outbox_id} sent")
    elif result.outcome == "retry":
        click.echo(f"#{result.outbox_id} attempt {result.attempts} failed, next try at "
                   f"{result.next_attempt_at:%Y-%m-%d %H:%M} UTC: {result.error}")
    else:
        click.echo(f"#{result.outbox_id} failed after {result.attempts} attempt(s): {result.error}")


@outbox_cli.command("send")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1),
              help="Most messages to send in one round.")
@click.option("--loop", is_flag=True, help="Keep running: send what is due, wait, repeat (Ctrl-C stops).")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(min=1),
              help="Seconds to wait between rounds with --loop.")
def send(limit: int, loop: bool, interval: int) -> None:
    """Send the messages that are due. Exits with status 1 if an attempt failed (without --loop)."""
    try:
        while True:
            try:
                summary = notify_services.send_due(limit=limit, on_progress=_echo_result)
            except notify_services.MailConfigError as error:
                raise click.ClickException(str(error)) from None
            click.echo(f"Outbox: {summary}")
            if not loop:
                break
            if summary.remaining == 0 or summary.stopped:
                time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("Stopped.")
        return
    if summary.failed:
        raise SystemExit(1)


@outbox_cli.command("status")
@click.option("--failed", "show_failed", is_flag=True, help="Also list the latest failed messages.")
def status(show_failed: bool) -> None:
    """Count the messages in each status, and those due now."""
    for state, count in notify_queries.count_by_status().items():
        click.echo(f"{state}\t{count}")
    click.echo(f"due now\t{notify_queries.count_due()}")
    if show_failed:
        for message in notify_queries.list_failed():
            click.echo(f"#{message.id}\t{message.created_at:%Y-%m-%d %H:%M}\t{message.dedupe_key}\t"
                       f"attempts {message.attempts}\t{message.last_error or ''}")


@outbox_cli.command("retry-failed")
@click.option("--id", "ids", multiple=True, type=int, help="Only this message (repeatable).")
def retry_failed(ids: tuple[int, ...]) -> None:
    """Put failed messages back in the queue with a fresh set of attempts."""
    count = notify_services.retry_failed(ids=ids or None)
    click.echo(f"Requeued {count} message(s).")
