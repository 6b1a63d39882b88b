"""`flask backup PATH` and `flask restore PATH`: the whole database to one file and back."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.backups import services as backup_services


def _echo_summary(verb: str, summary: backup_services.BackupSummary) -> None:
    width = max([len(name) for name, _rows in summary.tables] + [5])
    for name, rows in summary.tables:
        click.echo(f"  {name:<{width}}  {rows:>9,}")
    click.echo(f"{verb} {summary.path} ({summary.size:,} bytes): {len(summary.tables)} tables, "
               f"{summary.total_rows:,} rows.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Back up the whole database to PATH (PostgreSQL: pg_dump custom format; SQLite: a copy of the file).

    Safe while the app is running. PostgreSQL needs pg_dump on PATH, or its path in PG_DUMP."""
    try:
        summary = backup_services.create_backup(path, overwrite=force, on_progress=click.echo)
    except backup_services.BackupError as error:
        raise click.ClickException(str(error)) from None
    _echo_summary("Backed up to", summary)


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the contents of a database that already has tables.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Restore a backup made by `flask backup` into the configured database, which should be empty.

    Stop the app while restoring. PostgreSQL needs pg_restore on PATH, or its path in PG_RESTORE."""
    try:
        summary = backup_services.restore_backup(path, force=force, on_progress=click.echo)
    except backup_services.BackupError as error:
        raise click.ClickException(str(error)) from None
    _echo_summary("Restored from", summary)
