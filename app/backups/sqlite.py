"""Backups of SQLite databases through SQLite's online backup API (consistent while the app is running)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

from app.backups.services import BackupError, Progress, count_rows

PAGES_PER_STEP = 256
HEADER = b"SQLite format 3\x00"


def _reporter(on_progress: Progress, verb: str):
    shown: list[int] = []

    def progress(status: int, remaining: int, total: int) -> None:
        done = total - remaining
        percent = 100 * done // total if total else 100
        if not shown or percent >= shown[-1] + 10 or remaining == 0:
            shown.append(percent)
            on_progress(f"{verb} {done} of {total} pages ({percent}%)")

    return progress


def _counts(path: Path) -> list[tuple[str, int]]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return count_rows(connection)
    finally:
        engine.dispose()


def backup(engine: sa.Engine, path: Path, on_progress: Progress) -> list[tuple[str, int]]:
    on_progress(f"Copying the SQLite database {engine.url.database or '(in memory)'}")
    source = engine.raw_connection()
    try:
        target = sqlite3.connect(path)
        try:
            source.driver_connection.backup(target, pages=PAGES_PER_STEP, progress=_reporter(on_progress, "copied"))
            # A self-contained file: no -wal or -shm file needed next to it to read it.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite backup failed: {error}") from None
    finally:
        source.close()
    return _counts(path)


def check_file(path: Path) -> None:
    with path.open("rb") as f:
        header = f.read(len(HEADER))
    if header != HEADER:
        raise BackupError(f"{path} is not a SQLite backup (this database is SQLite): "
                          "PostgreSQL backups are restored into PostgreSQL.")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = source.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be read: {error}") from None
    finally:
        source.close()
    if result != "ok":
        raise BackupError(f"{path} is damaged ({result}); nothing was restored.")


def restore(engine: sa.Engine, path: Path, on_progress: Progress, *, replace: bool) -> list[tuple[str, int]]:
    """Copy the backup over the database (the backup API replaces its whole content in one step)."""
    on_progress(f"{'Replacing' if replace else 'Filling'} the SQLite database {engine.url.database or '(in memory)'}")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = engine.raw_connection()
    try:
        source.backup(target.driver_connection, pages=PAGES_PER_STEP, progress=_reporter(on_progress, "restored"))
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite restore failed: {error}") from None
    finally:
        target.close()
        source.close()
    with engine.connect() as connection:
        return count_rows(connection)
