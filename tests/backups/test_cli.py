"""flask backup / flask restore: the demo data makes a round trip into a fresh database (SQLite, and
PostgreSQL with pg_dump and pg_restore) with the same rows in every table and both hash chains intact;
and the refusals and failures leave everything as it was."""
from __future__ import annotations

import re
import stat
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from werkzeug.security import generate_password_hash

from app.accounts import models as account_models
from app.accounts import services as account_services
from app.backups import services as backup_services
from app.extensions import db
from app.security import Role
from tests.conftest import USES_POSTGRES
from tests.test_migrations import alembic_config, app_on, throwaway_postgres_database


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """The demo's twelve scrypt hashes would dominate the run time."""
    monkeypatch.setattr(account_models, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def counts() -> dict[str, int]:
    db.session.remove()  # the CLI commands ran in this app context: end their session's transaction
    with db.engine.connect() as connection:
        return dict(backup_services.count_rows(connection))


def invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


@contextmanager
def demo_database(url: str):
    """A database made by the migrations and filled by `flask demo load`."""
    with app_on(url) as app:
        command.upgrade(alembic_config(), "head")
        result = invoke(app, "demo", "load")
        assert result.exit_code == 0, result.output
        yield app


def check_round_trip(source_url: str, target_url: str, backup: Path) -> None:
    with demo_database(source_url) as source:
        result = invoke(source, "backup", str(backup))
        assert result.exit_code == 0, result.output
        saved = counts()
    assert saved["meetings"] >= 40 and saved["minutes_versions"] and saved["action_updates"]
    assert saved["audit_events"] and saved["alembic_version"] == 1
    summary = f"{len(saved)} tables, {sum(saved.values()):,} rows."
    assert summary in result.output and f"Backed up to {backup}" in result.output
    assert re.search(r"^  registrations +" + re.escape(f"{saved['registrations']:,}") + "$", result.output, re.M)
    assert not list(backup.parent.glob(".*partial"))
    assert re.search(r"dumping contents of table|copied \d+ of \d+ pages \(100%\)", result.output)

    with app_on(target_url) as target:
        assert counts() == {}
        result = invoke(target, "restore", str(backup))
        assert result.exit_code == 0, result.output
        assert summary in result.output and f"Restored from {backup}" in result.output
        assert re.search(r"processing data for table|restored \d+ of \d+ pages \(100%\)", result.output)
        assert counts() == saved
        for check, ok in ((("minutes", "verify"), r"[1-9]\d* minutes checked, 0 broken"),
                          (("accounts", "verify-audit"), r"Audit chain intact: [1-9]")):
            result = invoke(target, *check)
            assert result.exit_code == 0 and re.search(ok, result.output), result.output

        # The restored copy is a working database: pages open, and new rows continue every chain and id.
        client = target.test_client()
        meeting_id = db.session.execute(sa.text("SELECT min(id) FROM meetings WHERE status = 'published'")).scalar()
        for url in ("/meetings", f"/meetings/{meeting_id}", "/actions", "/meetings?when=past"):
            assert client.get(url).status_code == 200, url
        account_services.create_user(None, email="new.clerk@townhall.example", name="新职员", role=Role.CLERK,
                                     password="a long enough password")
        assert invoke(target, "accounts", "verify-audit").exit_code == 0

        again = invoke(target, "restore", str(backup))
        assert again.exit_code == 1 and "already has" in again.output and "--force" in again.output
        assert counts()["users"] == saved["users"] + 1
        forced = invoke(target, "restore", "--force", str(backup))
        assert forced.exit_code == 0, forced.output
        assert counts() == saved
        assert invoke(target, "minutes", "verify").exit_code == 0


@contextmanager
def empty_database(tmp_path: Path, name: str):
    """A new database on this pass's server: PostgreSQL (a throwaway database) or a SQLite file."""
    if USES_POSTGRES:
        with throwaway_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / name}.sqlite3"


def test_the_demo_data_round_trips_through_a_backup_into_a_fresh_database(tmp_path):
    """pg_dump and pg_restore in the PostgreSQL pass, the SQLite backup API in the SQLite pass (whose source
    database is in memory: the demo's three thousand commits would otherwise each wait for the disk)."""
    with empty_database(tmp_path, "city") as source, empty_database(tmp_path, "restored") as target:
        check_round_trip(source if USES_POSTGRES else "sqlite://", target, tmp_path / "city.backup")


# ---------------------------------------------------------------------------- refusals and failures

def test_backup_refuses_to_overwrite_a_file_unless_forced(app, tmp_path):
    existing = tmp_path / "old.backup"
    existing.write_bytes(b"keep me")
    result = invoke(app, "backup", str(existing))
    assert result.exit_code == 1 and "already exists" in result.output
    assert existing.read_bytes() == b"keep me"
    result = invoke(app, "backup", "--force", str(existing))
    assert result.exit_code == 0, result.output
    assert existing.read_bytes()[:5] in (b"PGDMP", b"SQLit")


@pytest.mark.parametrize("content", [b"not a backup at all", b"PGDMP\x01\x0e\x00", b"SQLite format 3\x00" + b"\x00" * 200])
def test_restore_refuses_a_file_that_is_not_a_good_backup_for_this_database(tmp_path, content):
    bad = tmp_path / "bad.backup"
    bad.write_bytes(content)
    with app_on(f"sqlite:///{tmp_path / 'empty.sqlite3'}") as app:
        result = invoke(app, "restore", str(bad))
        assert result.exit_code == 1, result.output
        assert re.search(r"is not a SQLite backup|cannot be read|is damaged", result.output), result.output
        assert counts() == {}


def test_a_missing_pg_tool_is_reported_with_what_to_do(app, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(backup_services.BackupError, match="pg_dump was not found on PATH.*PG_DUMP"):
        backup_services.tool_path("pg_dump", "PG_DUMP")
    app.config["PG_RESTORE"] = str(tmp_path / "nowhere" / "pg_restore")
    with pytest.raises(backup_services.BackupError, match="PG_RESTORE is set to .* not an executable"):
        backup_services.tool_path("pg_restore", "PG_RESTORE")


def wrapper(folder: Path, name: str, body: str) -> Path:
    """A stand-in for a PostgreSQL tool that records how it was called, then runs `body`."""
    script = folder / name
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{folder}/{name}.argv"\n'
                      f'printf "%s" "$PGPASSWORD" > "{folder}/{name}.password"\n{body}\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.postgres
def test_the_password_reaches_pg_dump_through_its_environment_never_its_command_line(app, tmp_path):
    password = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).password
    assert password
    app.config["PG_DUMP"] = str(wrapper(tmp_path, "pg_dump", 'exec pg_dump "$@"'))
    result = invoke(app, "backup", str(tmp_path / "empty.dump"))
    assert result.exit_code == 0, result.output
    argv = (tmp_path / "pg_dump.argv").read_text()
    assert "--format=custom" in argv and "--snapshot=" in argv
    assert f":{password}@" not in argv and f":{password}@" not in result.output
    assert (tmp_path / "pg_dump.password").read_text() == password


@pytest.mark.postgres
def test_a_failing_pg_dump_leaves_no_file_and_exits_non_zero(app, tmp_path):
    app.config["PG_DUMP"] = str(wrapper(tmp_path, "pg_dump", 'echo "pg_dump: error: connection lost" >&2; exit 3'))
    result = invoke(app, "backup", str(tmp_path / "city.dump"))
    assert result.exit_code == 1
    assert "pg_dump failed (exit status 3)" in result.output and "connection lost" in result.output
    assert list(tmp_path.glob("*.dump")) == [] and list(tmp_path.glob(".*partial")) == []


@pytest.mark.postgres
def test_a_restore_that_fails_half_way_changes_nothing(tmp_path):
    with throwaway_postgres_database() as source, throwaway_postgres_database() as target:
        with app_on(source) as app:
            command.upgrade(alembic_config(), "head")
            assert invoke(app, "backup", str(tmp_path / "full.dump")).exit_code == 0
        full = (tmp_path / "full.dump").read_bytes()
        (tmp_path / "cut.dump").write_bytes(full[: len(full) * 2 // 3])
        with app_on(target) as app:
            result = invoke(app, "restore", str(tmp_path / "cut.dump"))
            assert result.exit_code == 1 and "pg_restore failed" in result.output, result.output
            assert counts() == {}


@pytest.mark.postgres
def test_forcing_a_restore_over_tables_the_backup_lacks_is_refused(tmp_path):
    with throwaway_postgres_database() as source, throwaway_postgres_database() as target:
        with app_on(source) as app:
            command.upgrade(alembic_config(), "head")
            assert invoke(app, "backup", str(tmp_path / "full.dump")).exit_code == 0
        with app_on(target) as app:
            command.upgrade(alembic_config(), "head")
            db.session.execute(sa.text("CREATE TABLE local_notes (id integer PRIMARY KEY)"))
            db.session.commit()
            result = invoke(app, "restore", "--force", str(tmp_path / "full.dump"))
            assert result.exit_code == 1 and "local_notes" in result.output, result.output
