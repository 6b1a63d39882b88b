"""Approved and published versions cannot be changed or deleted, even with raw SQL: the database's
triggers refuse it (run on SQLite, and on PostgreSQL in the PostgreSQL pass)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.minutes import services as ms
from app.minutes import triggers
from app.minutes.models import MinutesVersion
from tests.minutes import builders

TAMPERING = [
    "UPDATE minutes_versions SET content = '{}' WHERE id = :id",
    "UPDATE minutes_versions SET content_hash = 'x' WHERE id = :id",
    "UPDATE minutes_versions SET prev_hash = 'x' WHERE id = :id",
    "UPDATE minutes_versions SET status = 'draft' WHERE id = :id",
    "UPDATE minutes_versions SET approved_by_id = submitted_by_id + 0 WHERE id = :id",
    "UPDATE minutes_versions SET correction_reason = 'quietly' WHERE id = :id",
    "DELETE FROM minutes_versions WHERE id = :id",
]


def refused(sql: str, version_id: int, **params) -> bool:
    try:
        with db.session.begin_nested():
            db.session.execute(sa.text(sql), {"id": version_id, **params})
    except DBAPIError as error:
        assert "cannot be" in str(error.orig)
        return True
    return False


def stored(version_id: int) -> tuple:
    db.session.expire_all()
    return db.session.execute(sa.select(MinutesVersion.content, MinutesVersion.content_hash, MinutesVersion.status,
                                        MinutesVersion.prev_hash).where(MinutesVersion.id == version_id)).one()


@pytest.fixture
def setting(app):
    return builders.past_meeting()


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
    assert stored(version.id).status == "published"


def test_drafts_and_submitted_versions_can_still_change(setting):
    version = ms.open_minutes(setting.clerk, setting.meeting)
    assert not refused("UPDATE minutes_versions SET review_comment = 'x' WHERE id = :id", version.id)
    builders.submitted(setting)
    assert not refused("UPDATE minutes_versions SET review_comment = 'y' WHERE id = :id", version.id)


def test_the_trigger_covers_every_column_of_the_table():
    columns = {column.name for column in MinutesVersion.__table__.columns}
    assert columns == set(triggers.UNCHANGING_COLUMNS) | set(triggers.PUBLISH_COLUMNS)


def test_the_migration_creates_the_same_triggers():
    from pathlib import Path

    migration = next(p for p in (Path(__file__).parents[2] / "migrations" / "versions").glob("*_minutes.py"))
    text = migration.read_text(encoding="utf-8")
    namespace: dict = {}
    exec(compile(text.split("def upgrade")[0].split("from alembic import op")[1], str(migration), "exec"), namespace)
    assert namespace["SQLITE_CREATE"] == triggers.SQLITE_CREATE
    assert namespace["POSTGRESQL_CREATE"] == triggers.POSTGRESQL_CREATE
    assert namespace["SQLITE_DROP"] == triggers.SQLITE_DROP
    assert namespace["POSTGRESQL_DROP"] == triggers.POSTGRESQL_DROP
