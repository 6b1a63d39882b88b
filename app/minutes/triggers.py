"""Database triggers that make approved and published minutes versions immutable.

Defined once here for SQLite and PostgreSQL; attached with `after_create` (so `create_all` in tests
creates them), and copied verbatim into the migrations (which may not import app code):
- `minutes_versions` (the minutes migration): a row whose status is 'approved' or 'published' refuses
  every UPDATE and DELETE, except the single transition approved -> published that only sets
  `status`, `published_at` and `published_by_id` (both required). Content, hashes and every other
  column never change.
- `minutes` (the minutes identity migration): once any of its versions is approved or published, the
  parent row refuses DELETE and any UPDATE that changes a column, so published minutes can neither be
  moved to another meeting nor orphaned (SQLite with foreign keys off would otherwise allow it).
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

# The parent `minutes` row. Every column is an identity column; the test checks this list covers the table.
MINUTES_COLUMNS = ("id", "meeting_id", "created_at", "created_by_id")
_FROZEN_VERSION = ("SELECT 1 FROM minutes_versions WHERE minutes_versions.minutes_id = OLD.id "
                   "AND minutes_versions.status IN ('approved', 'published')")
_SQLITE_MINUTES_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in MINUTES_COLUMNS)
_PG_MINUTES_NEW = ", ".join(f"NEW.{c}" for c in MINUTES_COLUMNS)
_PG_MINUTES_OLD = ", ".join(f"OLD.{c}" for c in MINUTES_COLUMNS)

MINUTES_SQLITE_CREATE = (
    "CREATE TRIGGER minutes_frozen_update BEFORE UPDATE ON minutes "
    f"FOR EACH ROW WHEN EXISTS ({_FROZEN_VERSION}) AND NOT ({_SQLITE_MINUTES_SAME}) "
    "BEGIN SELECT RAISE(ABORT, 'minutes with an approved or published version cannot be changed'); END",
    "CREATE TRIGGER minutes_frozen_delete BEFORE DELETE ON minutes "
    f"FOR EACH ROW WHEN EXISTS ({_FROZEN_VERSION}) "
    "BEGIN SELECT RAISE(ABORT, 'minutes with an approved or published version cannot be deleted'); END",
)
MINUTES_SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS minutes_frozen_update",
    "DROP TRIGGER IF EXISTS minutes_frozen_delete",
)

MINUTES_POSTGRESQL_CREATE = (
    "CREATE OR REPLACE FUNCTION minutes_guard() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    f"  IF NOT EXISTS ({_FROZEN_VERSION}) THEN\n"
    "    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n"
    "    RETURN NEW;\n"
    "  END IF;\n"
    f"  IF TG_OP = 'UPDATE' AND ROW({_PG_MINUTES_NEW}) IS NOT DISTINCT FROM ROW({_PG_MINUTES_OLD}) THEN\n"
    "    RETURN NEW;\n"
    "  END IF;\n"
    "  RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',\n"
    "    MESSAGE = 'minutes ' || OLD.id || ' have an approved or published version and cannot be changed or deleted';\n"
    "END;\n"
    "$$",
    "CREATE TRIGGER minutes_frozen BEFORE UPDATE OR DELETE ON minutes "
    "FOR EACH ROW EXECUTE FUNCTION minutes_guard()",
)
MINUTES_POSTGRESQL_DROP = (
    "DROP TRIGGER IF EXISTS minutes_frozen ON minutes",
    "DROP FUNCTION IF EXISTS minutes_guard()",
)

CREATE = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}
MINUTES_CREATE = {"sqlite": MINUTES_SQLITE_CREATE, "postgresql": MINUTES_POSTGRESQL_CREATE}
MINUTES_DROP = {"sqlite": MINUTES_SQLITE_DROP, "postgresql": MINUTES_POSTGRESQL_DROP}
# Everything a test (or an operator with direct database access) would drop to lift the guard.
ALL_DROP = {dialect: DROP[dialect] + MINUTES_DROP[dialect] for dialect in DROP}


def attach(table: sa.Table) -> None:
    """Create the triggers whenever `minutes_versions` is created (create_all), per dialect. The
    triggers on `minutes` are created then too: they read `minutes_versions`, created after it."""
    for created in (CREATE, MINUTES_CREATE):
        for dialect, statements in created.items():
            for statement in statements:
                sa.event.listen(table, "after_create", sa.DDL(statement).execute_if(dialect=dialect))
