"""Migrations: a single head, an empty database upgraded to head matches the models (SQLite and PostgreSQL),
every revision downgrades, and downgrading to base leaves no tables."""
from __future__ import annotations

import re
import time
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from app import PROJECT_ROOT, create_app
from app.config import TestingConfig
from app.extensions import db

MIGRATIONS = PROJECT_ROOT / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config() -> Config:
    """The same Alembic config `flask db` uses, for the current app (inside an app context)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    config.attributes["configure_logger"] = False
    return config


@contextmanager
def app_on(url: str):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def schema_differences(engine: sa.Engine) -> list:
    """What autogenerate would write to turn the database into the models (env.py has imported every model)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def check_constraints(engine: sa.Engine) -> dict[str, set[tuple[str, str]]]:
    """Check constraints per table. Alembic does not compare them, so a migration that forgets a new enum value
    or check would otherwise pass unnoticed."""
    inspector = sa.inspect(engine)
    return {
        table: {(ck["name"], " ".join(ck["sqltext"].split()).lower()) for ck in inspector.get_check_constraints(table)}
        for table in inspector.get_table_names()
        if table != VERSION_TABLE
    }


def user_tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {VERSION_TABLE}


def assert_upgrade_matches_models(reference_url: str) -> None:
    """Upgrade the current app's (empty) database to head and compare it with the models, then go back to base."""
    command.upgrade(alembic_config(), "head")
    assert schema_differences(db.engine) == []
    reference = sa.create_engine(reference_url)
    try:
        db.metadata.create_all(reference)
        assert check_constraints(db.engine) == check_constraints(reference)
    finally:
        reference.dispose()
    command.downgrade(alembic_config(), "base")
    assert user_tables(db.engine) == set()


def test_there_is_exactly_one_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads {heads}: run `flask --app run db merge heads`"


def test_migration_files_have_dated_names_and_never_import_app_code():
    files = sorted((MIGRATIONS / "versions").glob("*.py"))
    assert files
    for path in files:
        assert re.fullmatch(r"\d{8}_\d{4}_[0-9a-f]+_\w+\.py", path.name), path.name
        assert not re.search(r"^\s*(from|import)\s+app\b", path.read_text(encoding="utf-8"), re.M), path.name


def test_upgrading_an_empty_sqlite_database_matches_the_models_and_downgrades_to_nothing(tmp_path):
    with app_on(f"sqlite:///{tmp_path / 'migrated.sqlite3'}"):
        assert user_tables(db.engine) == set()
        assert_upgrade_matches_models(f"sqlite:///{tmp_path / 'reference.sqlite3'}")


def test_every_revision_downgrades_and_upgrades_again_on_sqlite(tmp_path):
    with app_on(f"sqlite:///{tmp_path / 'stairs.sqlite3'}"):
        config = alembic_config()
        revisions = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
        for revision in revisions:
            command.upgrade(config, revision.revision)
            command.downgrade(config, "-1")
            command.upgrade(config, revision.revision)
        command.downgrade(config, "base")
        assert user_tables(db.engine) == set()


@contextmanager
def throwaway_postgres_database():
    """A new, empty database on TEST_DATABASE_URL's server (its role needs CREATEDB), dropped afterwards."""
    server_url = sa.make_url(TestingConfig.SQLALCHEMY_DATABASE_URI)
    name = f"townhall_migrations_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        try:
            yield server_url.set(database=name).render_as_string(hide_password=False)
        finally:
            _drop_database(admin, name)
    finally:
        admin.dispose()


def _drop_database(admin: sa.Engine, name: str) -> None:
    """Drop without FORCE: our own engines are disposed by now, and PostgreSQL itself cancels an autovacuum
    worker in the way (FORCE would try to terminate it and fail without superuser rights). A session that
    is still closing gets a few short retries."""
    for attempt in range(20):
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            return
        except sa.exc.OperationalError:
            if attempt == 19:
                raise
            time.sleep(0.25)


@pytest.mark.postgres
def test_upgrading_an_empty_postgresql_database_matches_the_models_and_downgrades_to_nothing():
    with throwaway_postgres_database() as url, throwaway_postgres_database() as reference_url:
        with app_on(url):
            assert user_tables(db.engine) == set()
            assert_upgrade_matches_models(reference_url)


def test_the_private_values_revision_removes_private_tokens_from_sent_messages_only(tmp_path):
    token = "JtjS9Ad_FVVEOy9QD-HHvOLUh-JCnxwNuRV3AvFjAm4"
    signed = "eyJmIjoxLCJhIjoyfQ.ZmFrZS1zaWduYXR1cmU"
    body = (f"Manage: https://t.example/registrations/{token}\nFollow: https://t.example/questions/t/{token}\n"
            f"Rate: https://t.example/actions/f/{signed}\nStop: https://t.example/actions/unsubscribe/{signed}\n"
            f"Confirm: https://t.example/actions/12/follow/{signed}\n"
            f"Reminders: https://t.example/notifications/unsubscribe/{signed}\n"
            "Public: https://t.example/meetings/3 and https://t.example/manage/meetings/3/registrations.csv\n")
    with app_on(f"sqlite:///{tmp_path / 'scrub.sqlite3'}"):
        config = alembic_config()
        command.upgrade(config, "90568320a22b")
        insert = sa.text(
            "INSERT INTO outbox_messages (dedupe_key, message_id, to_address, language, subject, body_text, body_html,"
            " status, attempts, next_attempt_at, created_at, sent_at) VALUES (:key, :key, 'a@example.cn', 'en', 's',"
            " :body, :html, :status, 1, '2030-01-01 00:00:00', '2030-01-01 00:00:00', :sent_at)")
        with db.engine.begin() as connection:
            for key, status in (("sent", "sent"), ("pending", "pending"), ("failed", "failed")):
                connection.execute(insert, {"key": key, "body": body, "html": f'<a href="{body}">x</a>',
                                            "status": status,
                                            "sent_at": "2030-01-01 00:00:00" if status == "sent" else None})
        command.upgrade(config, "a120b27d734a")
        with db.engine.connect() as connection:
            rows = dict(connection.execute(sa.text("SELECT dedupe_key, body_text || body_html FROM outbox_messages")).all())
        assert token not in rows["sent"] and signed not in rows["sent"]
        assert rows["sent"].count("[removed]") == 12
        assert "https://t.example/meetings/3" in rows["sent"] and "/registrations.csv" in rows["sent"]
        assert rows["pending"].count(token) == rows["failed"].count(token) == 4  # still to be delivered
        command.downgrade(config, "base")
