"""Database triggers that make progress updates and due date changes append-only.

Attached with `after_create` (so `create_all` in tests creates them) and copied verbatim into the
action items migration (which may not import app code). Every UPDATE and DELETE is refused.
"""
from __future__ import annotations

import sqlalchemy as sa

APPEND_ONLY_TABLES = ("action_updates", "action_due_changes")

SQLITE_CREATE = tuple(
    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} FOR EACH ROW "
    f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
    for table in APPEND_ONLY_TABLES for op in ("UPDATE", "DELETE"))
SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS {table}_no_{op.lower()}"
                    for table in APPEND_ONLY_TABLES for op in ("UPDATE", "DELETE"))

POSTGRESQL_CREATE = (
    "CREATE OR REPLACE FUNCTION action_append_only_guard() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',\n"
    "    MESSAGE = TG_TABLE_NAME || ' are append-only';\n"
    "END;\n"
    "$$",
) + tuple(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
          "FOR EACH ROW EXECUTE FUNCTION action_append_only_guard()" for table in APPEND_ONLY_TABLES)
POSTGRESQL_DROP = tuple(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in APPEND_ONLY_TABLES) \
    + ("DROP FUNCTION IF EXISTS action_append_only_guard()",)

CREATE = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}


def attach(table: sa.Table) -> None:
    """Create this table's triggers whenever it is created (create_all), per dialect."""
    for dialect, statements in CREATE.items():
        for statement in statements:
            if "FUNCTION action_append_only_guard() RETURNS" in statement or f" ON {table.name} " in statement:
                sa.event.listen(table, "after_create", sa.DDL(statement).execute_if(dialect=dialect))
