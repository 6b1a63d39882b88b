"""Making the database fail on purpose: at the n-th statement of a request or the n-th COMMIT, once or for
good, with the driver's own OperationalError raised where the driver would raise it (so SQLAlchemy wraps
and handles it exactly as a real one). Also a snapshot of every row, to prove that nothing was written."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db


@dataclass(frozen=True)
class Fault:
    at: int | None = None      # fail the n-th statement (1-based)
    commit: int | None = None  # fail the n-th COMMIT (1-based)
    down: bool = False         # and everything after it: the server is gone

    def __str__(self) -> str:
        where = f"COMMIT {self.commit}" if self.commit else f"statement {self.at}"
        return f"{where} ({'down from there' if self.down else 'once'})"


class FaultInjector:
    """Watches one engine: records every statement sent to the driver and how many had run before each
    COMMIT, and makes the driver fail as a `Fault` says."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.fault: Fault | None = None
        self.statements: list[str] = []
        self.commits: list[int] = []  # for each COMMIT, the number of statements run before it
        self.failed = False

    @property
    def commit_after(self) -> int | None:
        """Statements run before the first COMMIT (None: nothing was committed)."""
        return self.commits[0] if self.commits else None

    def _error(self) -> Exception:
        dbapi = self.engine.dialect.loaded_dbapi
        if self.engine.dialect.name == "postgresql":
            return dbapi.OperationalError("server closed the connection unexpectedly")
        return dbapi.OperationalError("disk I/O error")

    def _broken(self) -> bool:
        return self.failed and self.fault is not None and self.fault.down

    def _before_execute(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)
        if self._broken() or (self.fault is not None and self.fault.at == len(self.statements)):
            self.failed = True
            raise self._error()
        return statement, parameters

    @contextmanager
    def watching(self, fault: Fault | None = None):
        self.fault, self.statements, self.commits, self.failed = fault, [], [], False
        dialect = self.engine.dialect
        real_commit = dialect.do_commit

        def do_commit(dbapi_connection):
            self.commits.append(len(self.statements))
            if self._broken() or (self.fault is not None and self.fault.commit == len(self.commits)):
                self.failed = True
                raise self._error()
            real_commit(dbapi_connection)

        sa.event.listen(self.engine, "before_cursor_execute", self._before_execute, retval=True)
        dialect.do_commit = do_commit
        try:
            yield self
        finally:
            del dialect.do_commit  # back to the dialect class's own method
            sa.event.remove(self.engine, "before_cursor_execute", self._before_execute)
            self.fault = None


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order (read on a connection of its own, after ending the
    session's transaction)."""
    db.session.remove()
    with db.engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    sa.select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables}


def rows_added(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> dict[str, int]:
    """Tables whose row count changed, with the change."""
    return {name: len(after[name]) - len(rows) for name, rows in before.items() if len(after[name]) != len(rows)}
