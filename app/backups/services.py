"""Backing up the whole database to one file and restoring it into a database, on PostgreSQL and SQLite.

- `create_backup(path, *, overwrite=False, on_progress=None) -> BackupSummary`: PostgreSQL through
  pg_dump (custom format, from one snapshot), SQLite through its online backup API. The file is written
  under a temporary name and renamed when complete, so a failed backup leaves no partial file.
- `restore_backup(path, *, force=False, on_progress=None) -> BackupSummary`: pg_restore in a single
  transaction, or the SQLite backup API; refuses a database that already has tables unless `force`.
- Both report the tables and their row counts: those saved (counted in the snapshot the backup was taken
  from) or those restored (counted in the database afterwards).

`on_progress` receives one line of text per step. Failures raise BackupError with a message that says
what to do; a database password never appears in a command line, a message or the progress.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.extensions import db

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot be done or failed; the message says why and what to do."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    tables: list[tuple[str, int]]  # (table, rows), by table name
    size: int  # bytes in the backup file

    @property
    def total_rows(self) -> int:
        return sum(rows for _table, rows in self.tables)


def _quiet(_line: str) -> None:
    pass


def _backend():
    from app.backups import postgres, sqlite

    name = db.engine.dialect.name
    if name == "postgresql":
        return postgres
    if name == "sqlite":
        return sqlite
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {name}.")


def create_backup(path: Path, *, overwrite: bool = False, on_progress: Progress | None = None) -> BackupSummary:
    """Write a backup of the configured database to `path`. Refuses an existing file unless `overwrite`.
    Raises BackupError."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} already exists: choose another name, or use --force to replace it.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    db.session.remove()  # no transaction of ours may hold a lock while the database is copied
    try:
        tables = _backend().backup(db.engine, partial, on_progress or _quiet)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(path, tables, path.stat().st_size)


def restore_backup(path: Path, *, force: bool = False, on_progress: Progress | None = None) -> BackupSummary:
    """Restore the backup at `path` into the configured database. Refuses a database that already has
    tables unless `force` (its contents are then replaced). Raises BackupError."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    backend = _backend()
    backend.check_file(path)
    db.session.remove()
    existing = table_names(db.engine)
    if existing and not force:
        raise BackupError(f"The database already has {len(existing)} tables. Restore into an empty database, "
                          "or use --force to replace everything in it with the backup.")
    tables = backend.restore(db.engine, path, on_progress or _quiet, replace=bool(existing))
    db.engine.dispose()  # pooled connections may have cached the old schema
    return BackupSummary(path, tables, path.stat().st_size)


def table_names(engine: sa.Engine) -> list[str]:
    return sorted(sa.inspect(engine).get_table_names())


def count_rows(connection: sa.Connection) -> list[tuple[str, int]]:
    """Rows in every table of the database `connection` is on (whatever its schema version)."""
    names = sorted(sa.inspect(connection).get_table_names())
    preparer = connection.dialect.identifier_preparer
    return [(name, connection.exec_driver_sql(f"SELECT count(*) FROM {preparer.quote(name)}").scalar_one())
            for name in names]


def tool_path(name: str, setting: str) -> str:
    """The path of a command-line tool: the `setting` config value (environment variable of that name)
    if set, else the first `name` on PATH."""
    import shutil

    configured = current_app.config.get(setting)
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise BackupError(f"{setting} is set to {configured}, which is not an executable file.")
        return configured
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH. Install the PostgreSQL client tools (on Debian: "
                          f"apt-get install postgresql-client) or set {setting} to the path of {name}.")
    return found
