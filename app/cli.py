"""Attaches every domain's command group to the flask command."""
from flask import Flask


def register_commands(app: Flask) -> None:
    from app.accounts.cli import accounts_cli
    from app.backups.cli import backup_command, restore_command
    from app.calendar.cli import notify_cli
    from app.demo.cli import demo_cli
    from app.minutes.cli import minutes_cli
    from app.notify.cli import outbox_cli

    app.cli.add_command(accounts_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(notify_cli)
    app.cli.add_command(minutes_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
