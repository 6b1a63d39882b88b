"""Database triggers that make approved and published minutes versions immutable.

Defined once here for SQLite and PostgreSQL; attached to `minutes_versions` with `after_create`
(so `create_all` in tests creates them), and copied verbatim into the minutes migration (which may not
import app code). A row whose status is 'approved' or 'published' refuses every UPDATE and DELETE,
except the single transition approved -> published that only sets `status`, `published_at` and
`published_by_id` (both required). Content, hashes and every other column never change.
"""
from __future__ import annotations

import sqlalchemy as sa

# Every column except those the publish transition sets. tests/minutes/test_immutability.py checks
# that this list covers the table, so a new column cannot slip past the trigger.
UNCHANGING_COLUMNS = (
    "id", "minutes_id", "number", "content", "content_hash", "prev_hash", "supersedes_id",
    "correction_reason", "review_comment", "created_at", "created_by_id", "updated_at", "updated_by_id",
    "submitted_at", "submitted_by_id", "approved_at", "approved_by_id",
)
PUBLISH_COLUMNS = ("status", "published_at", "published_by_id")

_SQLITE_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in UNCHANGING_COLUMNS)
_PG_NEW = ", ".join(f"NEW.{c}" for c in UNCHANGING_COLUMNS)
_PG_OLD = ", ".join(f"OLD.{c}" for c in UNCHANGING_COLUMNS)

SQLITE_CREATE = (
    "CREATE TRIGGER minutes_versions_immutable_update BEFORE UPDATE ON minutes_versions "
    "FOR EACH ROW WHEN OLD.status IN ('approved', 'published') AND NOT ("
    "OLD.status = 'approved' AND NEW.status = 'published' AND NEW.published_at IS NOT NULL "
    f"AND NEW.published_by_id IS NOT NULL AND {_SQLITE_SAME}) "
    "BEGIN SELECT RAISE(ABORT, 'minutes version is approved or published and cannot be changed'); END",
    "CREATE TRIGGER minutes_versions_immutable_delete BEFORE DELETE ON minutes_versions "
    "FOR EACH ROW WHEN OLD.status IN ('approved', 'published') "
    "BEGIN SELECT RAISE(ABORT, 'minutes version is approved or published and cannot be deleted'); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS minutes_versions_immutable_update",
    "DROP TRIGGER IF EXISTS minutes_versions_immutable_delete",
)

POSTGRESQL_CREATE = (
    "CREATE OR REPLACE FUNCTION minutes_versions_guard() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  IF OLD.status NOT IN ('approved', 'published') THEN\n"
    "    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n"
    "    RETURN NEW;\n"
    "  END IF;\n"
    "  IF TG_OP = 'UPDATE' AND OLD.status = 'approved' AND NEW.status = 'published'\n"
    "     AND NEW.published_at IS NOT NULL AND NEW.published_by_id IS NOT NULL\n"
    f"     AND ROW({_PG_NEW}) IS NOT DISTINCT FROM ROW({_PG_OLD}) THEN\n"
    "    RETURN NEW;\n"
    "  END IF;\n"
    "  RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',\n"
    "    MESSAGE = 'minutes version ' || OLD.id || ' is ' || OLD.status || ' and cannot be changed or deleted';\n"
    "END;\n"
    "$$",
    "CREATE TRIGGER minutes_versions_immutable BEFORE UPDATE OR DELETE ON minutes_versions "
    "FOR EACH ROW EXECUTE FUNCTION minutes_versions_guard()",
)
POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS minutes_versions_immutable ON minutes_versions",
    "DROP FUNCTION IF EXISTS minutes_versions_guard()",
)

CREATE = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}


def attach(table: sa.Table) -> None:
    """Create the triggers whenever the table is created (create_all), per dialect."""
    for dialect, statements in CREATE.items():
        for statement in statements:
            sa.event.listen(table, "after_create", sa.DDL(statement).execute_if(dialect=dialect))
