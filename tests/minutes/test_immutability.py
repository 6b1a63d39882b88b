"""Approved and published versions cannot be changed or deleted, even with raw SQL: the database's
triggers refuse it (run on SQLite, and on PostgreSQL in the PostgreSQL pass), in a database made by
create_all as in one made by the migrations. Their parent `minutes` row cannot be moved to another
meeting or deleted either."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.minutes import services as ms
from app.minutes import triggers
from app.minutes.models import Minutes, MinutesVersion
from tests import factories
from tests.minutes import builders
from tests.test_migrations import alembic_config, app_on, throwaway_postgres_database

MIGRATIONS = Path(__file__).parents[2] / "migrations" / "versions"
THE_MINUTES = "(SELECT minutes_id FROM minutes_versions WHERE id = :id)"

TAMPERING = [
    "UPDATE minutes_versions SET content = '{}' WHERE id = :id",
    "UPDATE minutes_versions SET content_hash = 'x' WHERE id = :id",
    "UPDATE minutes_versions SET prev_hash = 'x' WHERE id = :id",
    "UPDATE minutes_versions SET status = 'draft' WHERE id = :id",
    "UPDATE minutes_versions SET approved_by_id = submitted_by_id + 0 WHERE id = :id",
    "UPDATE minutes_versions SET correction_reason = 'quietly' WHERE id = :id",
    "DELETE FROM minutes_versions WHERE id = :id",
    # The parent row: moving published minutes to another meeting, renumbering or deleting them.
    f"UPDATE minutes SET meeting_id = :other_meeting WHERE id = {THE_MINUTES}",
    f"UPDATE minutes SET id = id + 1000 WHERE id = {THE_MINUTES}",
    f"UPDATE minutes SET created_by_id = :other_user WHERE id = {THE_MINUTES}",
    f"DELETE FROM minutes WHERE id = {THE_MINUTES}",
]


def refused(sql: str, version_id: int, *, on=None, **params) -> bool:
    """Run one statement in a savepoint (of the session, or of the connection `on`); True if the
    database refused it with a trigger's message. :other_meeting and :other_user name a meeting and a
    user that exist, so no foreign key objects first."""
    on = on if on is not None else db.session
    values = {"id": version_id, "other_meeting": _other_meeting_id(on), "other_user": _other_user_id(on), **params}
    try:
        with on.begin_nested():
            on.execute(sa.text(sql), {k: v for k, v in values.items() if f":{k}" in sql})
    except DBAPIError as error:
        assert "cannot be" in str(error.orig)
        return True
    return False


def _other_meeting_id(on) -> int:
    return on.execute(sa.text("SELECT max(id) FROM meetings")).scalar_one()


def _other_user_id(on) -> int:
    return on.execute(sa.text("SELECT max(id) FROM users")).scalar_one()


def stored(version_id: int) -> tuple:
    db.session.expire_all()
    version = db.session.execute(sa.select(MinutesVersion.content, MinutesVersion.content_hash, MinutesVersion.status,
                                           MinutesVersion.prev_hash, MinutesVersion.minutes_id)
                                 .where(MinutesVersion.id == version_id)).one()
    parent = db.session.execute(sa.select(Minutes.id, Minutes.meeting_id, Minutes.created_by_id)
                                .where(Minutes.id == version.minutes_id)).one_or_none()
    return tuple(version), parent


@pytest.fixture
def setting(app):
    setting = builders.past_meeting()
    factories.make_meeting()             # another meeting and another user to move the minutes to
    factories.make_user("official")
    return setting


@pytest.mark.parametrize("sql", TAMPERING)
def test_raw_sql_cannot_change_or_delete_an_approved_version(setting, sql):
    version = builders.submitted(setting)
    ms.approve_minutes(setting.official, version)
    before = stored(version.id)
    assert refused(sql, version.id)
    assert stored(version.id) == before


@pytest.mark.parametrize("sql", TAMPERING + [
    "UPDATE minutes_versions SET published_at = approved_at WHERE id = :id",
    "UPDATE minutes_versions SET status = 'approved' WHERE id = :id",
])
def test_raw_sql_cannot_change_or_delete_a_published_version(setting, sql):
    version = builders.published(setting)
    before = stored(version.id)
    assert refused(sql, version.id)
    assert stored(version.id) == before


def test_publishing_is_the_only_update_an_approved_version_accepts(setting):
    version = builders.submitted(setting)
    ms.approve_minutes(setting.official, version)
    publish = ("UPDATE minutes_versions SET status = 'published', published_at = approved_at, "
               "published_by_id = approved_by_id{extra} WHERE id = :id")
    assert refused(publish.format(extra=", content = '{}'"), version.id)
    assert refused(publish.format(extra=", content_hash = 'x'"), version.id)
    assert refused("UPDATE minutes_versions SET status = 'published' WHERE id = :id", version.id)  # no time/by
    assert not refused(publish.format(extra=""), version.id)
    assert stored(version.id)[0][2] == "published"


def test_drafts_and_submitted_versions_can_still_change(setting):
    version = ms.open_minutes(setting.clerk, setting.meeting)
    assert not refused("UPDATE minutes_versions SET review_comment = 'x' WHERE id = :id", version.id)
    builders.submitted(setting)
    assert not refused("UPDATE minutes_versions SET review_comment = 'y' WHERE id = :id", version.id)


def test_minutes_without_an_approved_version_can_still_move_and_an_unchanged_row_can_be_written(setting):
    version = builders.submitted(setting)
    assert not refused(f"UPDATE minutes SET meeting_id = :other_meeting WHERE id = {THE_MINUTES}", version.id)
    assert not refused(f"UPDATE minutes SET meeting_id = :back WHERE id = {THE_MINUTES}", version.id,
                       back=setting.meeting.id)
    ms.approve_minutes(setting.official, version)
    assert not refused(f"UPDATE minutes SET meeting_id = meeting_id, created_at = created_at WHERE id = {THE_MINUTES}",
                       version.id)


def test_the_triggers_cover_every_column_of_both_tables():
    columns = {column.name for column in MinutesVersion.__table__.columns}
    assert columns == set(triggers.UNCHANGING_COLUMNS) | set(triggers.PUBLISH_COLUMNS)
    assert {column.name for column in Minutes.__table__.columns} == set(triggers.MINUTES_COLUMNS)


def _migration_constants(pattern: str) -> dict:
    migration = next(MIGRATIONS.glob(pattern))
    text = migration.read_text(encoding="utf-8")
    namespace: dict = {}
    exec(compile(text.split("def upgrade")[0].split("from alembic import op")[1], str(migration), "exec"), namespace)
    return namespace


def test_the_migrations_create_the_same_triggers():
    versions = _migration_constants("*_minutes.py")
    assert versions["SQLITE_CREATE"] == triggers.SQLITE_CREATE
    assert versions["POSTGRESQL_CREATE"] == triggers.POSTGRESQL_CREATE
    assert versions["SQLITE_DROP"] == triggers.SQLITE_DROP
    assert versions["POSTGRESQL_DROP"] == triggers.POSTGRESQL_DROP
    parent = _migration_constants("*_minutes_identity_triggers.py")
    assert parent["MINUTES_SQLITE_CREATE"] == triggers.MINUTES_SQLITE_CREATE
    assert parent["MINUTES_POSTGRESQL_CREATE"] == triggers.MINUTES_POSTGRESQL_CREATE
    assert parent["MINUTES_SQLITE_DROP"] == triggers.MINUTES_SQLITE_DROP
    assert parent["MINUTES_POSTGRESQL_DROP"] == triggers.MINUTES_POSTGRESQL_DROP


# ---------------------------------------------------------------------------- a database made by the migrations

def _tamper_with_a_migrated_database(*, foreign_keys_off: bool = False) -> None:
    """Upgrade an empty database to head, publish minutes through the services, then try every statement."""
    command.upgrade(alembic_config(), "head")
    setting = builders.past_meeting()
    factories.make_meeting()
    factories.make_user("official")
    approved = builders.submitted(setting)
    ms.approve_minutes(setting.official, approved)
    published_id = ms.publish_minutes(setting.official, approved).id
    before = stored(published_id)
    db.session.close()
    with db.engine.connect() as connection:
        if foreign_keys_off:
            # Without foreign keys only the triggers stand in the way. The pragma works only outside a
            # transaction, so it goes straight to the driver before SQLAlchemy begins one.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
        for sql in TAMPERING:
            assert refused(sql, published_id, on=connection), sql
        connection.rollback()
    assert stored(published_id) == before
    from app.minutes.queries import verify_chains

    assert all(report.ok for report in verify_chains())
    db.session.remove()


def test_raw_sql_cannot_change_published_minutes_in_a_sqlite_database_made_by_the_migrations(app, tmp_path):
    with app_on(f"sqlite:///{tmp_path / 'migrated.sqlite3'}"):
        _tamper_with_a_migrated_database(foreign_keys_off=True)


@pytest.mark.postgres
def test_raw_sql_cannot_change_published_minutes_in_a_postgresql_database_made_by_the_migrations(app):
    with throwaway_postgres_database() as url, app_on(url):
        _tamper_with_a_migrated_database()
