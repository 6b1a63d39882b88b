"""minutes identity triggers: the parent row of approved or published minutes can neither move nor go

Revision ID: eb3c18c18e5c
Revises: a120b27d734a
Create Date: 2026-12-01 14:12:55.224914+00:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'eb3c18c18e5c'
down_revision = 'a120b27d734a'
branch_labels = None
depends_on = None

# The triggers on `minutes`, copied from app/minutes/triggers.py (migrations may not import app code;
# tests/minutes/test_immutability.py checks that both stay identical). Once any version of the minutes is
# approved or published, the row refuses DELETE and every UPDATE that changes a column.
MINUTES_SQLITE_CREATE = (
    "CREATE TRIGGER minutes_frozen_update BEFORE UPDATE ON minutes FOR EACH ROW WHEN EXISTS (SELECT 1 FROM minutes_versions WHERE minutes_versions.minutes_id = OLD.id AND minutes_versions.status IN ('approved', 'published')) AND NOT (NEW.id IS OLD.id AND NEW.meeting_id IS OLD.meeting_id AND NEW.created_at IS OLD.created_at AND NEW.created_by_id IS OLD.created_by_id) BEGIN SELECT RAISE(ABORT, 'minutes with an approved or published version cannot be changed'); END",
    "CREATE TRIGGER minutes_frozen_delete BEFORE DELETE ON minutes FOR EACH ROW WHEN EXISTS (SELECT 1 FROM minutes_versions WHERE minutes_versions.minutes_id = OLD.id AND minutes_versions.status IN ('approved', 'published')) BEGIN SELECT RAISE(ABORT, 'minutes with an approved or published version cannot be deleted'); END",
)
MINUTES_SQLITE_DROP = (
    'DROP TRIGGER IF EXISTS minutes_frozen_update',
    'DROP TRIGGER IF EXISTS minutes_frozen_delete',
)
MINUTES_POSTGRESQL_CREATE = (
    "CREATE OR REPLACE FUNCTION minutes_guard() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM minutes_versions WHERE minutes_versions.minutes_id = OLD.id AND minutes_versions.status IN ('approved', 'published')) THEN\n    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n    RETURN NEW;\n  END IF;\n  IF TG_OP = 'UPDATE' AND ROW(NEW.id, NEW.meeting_id, NEW.created_at, NEW.created_by_id) IS NOT DISTINCT FROM ROW(OLD.id, OLD.meeting_id, OLD.created_at, OLD.created_by_id) THEN\n    RETURN NEW;\n  END IF;\n  RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',\n    MESSAGE = 'minutes ' || OLD.id || ' have an approved or published version and cannot be changed or deleted';\nEND;\n$$",
    'CREATE TRIGGER minutes_frozen BEFORE UPDATE OR DELETE ON minutes FOR EACH ROW EXECUTE FUNCTION minutes_guard()',
)
MINUTES_POSTGRESQL_DROP = (
    'DROP TRIGGER IF EXISTS minutes_frozen ON minutes',
    'DROP FUNCTION IF EXISTS minutes_guard()',
)
CREATE = {"sqlite": MINUTES_SQLITE_CREATE, "postgresql": MINUTES_POSTGRESQL_CREATE}
DROP = {"sqlite": MINUTES_SQLITE_DROP, "postgresql": MINUTES_POSTGRESQL_DROP}


def upgrade():
    for statement in CREATE.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def downgrade():
    for statement in DROP.get(op.get_bind().dialect.name, ()):
        op.execute(statement)
