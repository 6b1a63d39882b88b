"""Backups of PostgreSQL databases with pg_dump and pg_restore (custom format).

The password goes to the tools through PGPASSWORD in their environment, never on a command line (where
any user of the machine could read it in the process list). The backup is taken from a snapshot exported
by a transaction that also counts the rows, so the summary describes exactly what the file holds.
"""
from __future__ import annotations

import os
import re
import subprocess
from collections import deque
from pathlib import Path

import sqlalchemy as sa

from app.backups.services import BackupError, Progress, count_rows, table_names, tool_path

HEADER = b"PGDMP"
ERROR_LINES_KEPT = 20


def _libpq(url: sa.URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries the password."""
    env = dict(os.environ)
    env.pop("PGPASSWORD", None)
    if url.password:
        env["PGPASSWORD"] = url.password
    bare = sa.URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                         query=url.query)
    return bare.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], on_progress: Progress, what: str) -> None:
    """Run a tool with --verbose, passing its progress lines on; BackupError with its last lines on failure."""
    tail: deque[str] = deque(maxlen=ERROR_LINES_KEPT)
    try:
        process = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, errors="replace")
    except OSError as error:
        raise BackupError(f"{what} could not be started: {error}") from None
    with process:
        for line in process.stderr:
            line = line.rstrip()
            if line:
                tail.append(line)
                on_progress(line)
    if process.returncode != 0:
        details = "\n".join(tail)
        raise BackupError(f"{what} failed (exit status {process.returncode}); nothing was changed.\n{details}")


def backup(engine: sa.Engine, path: Path, on_progress: Progress) -> list[tuple[str, int]]:
    pg_dump = tool_path("pg_dump", "PG_DUMP")
    uri, env = _libpq(engine.url)
    on_progress(f"Dumping the PostgreSQL database {engine.url.database} with {pg_dump}")
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            tables = count_rows(connection)
            _run([pg_dump, "--format=custom", "--verbose", f"--snapshot={snapshot}", f"--file={path}",
                  f"--dbname={uri}"], env, on_progress, "pg_dump")
    return tables


def check_file(path: Path) -> None:
    with path.open("rb") as f:
        header = f.read(len(HEADER))
    if header != HEADER:
        raise BackupError(f"{path} is not a PostgreSQL backup made by flask backup (pg_dump custom format); "
                          "SQLite backups are restored into SQLite.")


def _tables_in(pg_restore: str, path: Path, env: dict[str, str]) -> set[str]:
    """The tables a backup file holds, from its table of contents (`pg_restore --list`)."""
    listing = subprocess.run([pg_restore, "--list", str(path)], env=env, capture_output=True, text=True,
                             errors="replace")
    if listing.returncode != 0:
        raise BackupError(f"{path} cannot be read by pg_restore: {listing.stderr.strip()}")
    return {match.group(1) for match in re.finditer(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing.stdout, re.M)}


def restore(engine: sa.Engine, path: Path, on_progress: Progress, *, replace: bool) -> list[tuple[str, int]]:
    """pg_restore in one transaction: on any error nothing changes. Replacing drops and recreates the
    backup's objects, so the database must not have tables that the backup does not know."""
    pg_restore = tool_path("pg_restore", "PG_RESTORE")
    uri, env = _libpq(engine.url)
    args = [pg_restore, "--verbose", "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl"]
    if replace:
        unknown = sorted(set(table_names(engine)) - _tables_in(pg_restore, path, env))
        if unknown:
            raise BackupError("The database has tables the backup does not have (" + ", ".join(unknown) +
                              "): restore into an empty database instead.")
        args += ["--clean", "--if-exists"]
    on_progress(f"Restoring into the PostgreSQL database {engine.url.database} with {pg_restore}")
    _run(args + [f"--dbname={uri}", str(path)], env, on_progress, "pg_restore")
    with engine.connect() as connection:
        return count_rows(connection)
