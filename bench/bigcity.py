"""Fill a database with a large city, for the load benchmark (bench/load.py). Not a test.

    .venv/bin/python bench/bigcity.py --database-url postgresql+psycopg://townhall:townhall@127.0.0.1:5432/townhall_bench_large --scale large
    .venv/bin/python bench/bigcity.py --database-url sqlite:///instance/bigcity.sqlite3 --scale small

large: 20,000 meetings (every type and state, three years past and six months ahead, across Wuhan's 13
districts and 9 departments, with agendas and hosts), 1,000,000 registrations, 300,000 questions,
3,000,000 votes, 50,000 action items with their updates, and minutes for past meetings. small: a tenth.
Both scales hold the same two benchmark meetings: meeting 1 has 2,000 published questions (the
meeting-page benchmark), meeting 2 takes registrations (the registration POST benchmark).

The schema comes from the migrations (`flask db upgrade`), never from create_all. A PostgreSQL database is
created when missing; a database that already has tables is refused unless --reset is given (which drops
them). Rows go in with COPY on PostgreSQL (its foreign keys, unique constraints and indexes are taken off
first and put back afterwards from their definitions in the catalog, then compared with those definitions),
and with executemany in large batches on SQLite. Every row respects the schema's constraints and the app's
invariants (bench/citygen.py); a final check proves the main ones on the loaded data. Staff accounts share
the password `bigcity-2026` (admin@bigcity.example, official1.housing@bigcity.example, ...).
"""
from __future__ import annotations

import argparse
import os
import re
import sqlite3
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

import citygen  # noqa: E402
from app import create_app  # noqa: E402
from app.config import _normalise_db_url  # noqa: E402
from app.extensions import db  # noqa: E402

SQLITE_BATCH = 20_000
PROGRESS_EVERY = 250_000


def say(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------- the empty database

def prepare_database(url: sa.engine.URL, *, reset: bool) -> None:
    """A database without tables: create it (PostgreSQL), or empty it with --reset, or refuse."""
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if not url.database or url.database == ":memory:":
            sys.exit("Give a SQLite file: sqlite:///path/to/bigcity.sqlite3")
        if path.exists():
            with sqlite3.connect(path) as conn:
                tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            if tables and not reset:
                sys.exit(f"{path} already has tables: pass --reset to delete the file and start again.")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    name = url.database or ""
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        sys.exit(f"Database name {name!r}: use letters, digits and underscores only.")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"))
            say(f"created database {name}")
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = sa.inspect(conn).get_table_names()
        if tables and not reset:
            sys.exit(f"Database {name} already has tables: pass --reset to drop them and start again.")
        if tables:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
            say(f"dropped every table of {name}")
    engine.dispose()


# ---------------------------------------------------------------------------- loaders

class PostgresLoader:
    """COPY into tables whose foreign keys, unique constraints and secondary indexes are put back after
    the load, exactly as the migrations made them (read from the catalog before, compared after)."""

    CONSTRAINTS = """
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = current_schema() AND c.contype IN ('u', 'f') ORDER BY 1, 2"""
    INDEXES = """
        SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass)
        ORDER BY 1, 2"""

    def __init__(self, engine: sa.Engine):
        self.raw = engine.raw_connection()
        self.conn = self.raw.driver_connection
        self.conn.execute("SET synchronous_commit = off")
        self.conn.execute("SET maintenance_work_mem = '512MB'")
        self.definitions = self._definitions()

    def _definitions(self) -> tuple[list, list]:
        return (self.conn.execute(self.CONSTRAINTS).fetchall(), self.conn.execute(self.INDEXES).fetchall())

    def begin(self) -> None:
        constraints, indexes = self.definitions
        for table, name, kind, _definition in sorted(constraints, key=lambda c: c[2] != "f"):
            self.conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for _table, name, _definition in indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        self.conn.commit()
        say(f"  deferred {len(constraints)} foreign key and unique constraints and {len(indexes)} indexes")

    def load(self, table: str, columns: tuple[str, ...], rows) -> int:
        count = 0
        with self.conn.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        self.conn.commit()
        return count

    def finish(self, timings: dict) -> None:
        constraints, indexes = self.definitions
        began = time.perf_counter()
        for table, name, kind, definition in sorted(constraints, key=lambda c: c[2] == "f"):
            self.conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            self.conn.commit()
        for _table, _name, definition in indexes:
            self.conn.execute(definition)
            self.conn.commit()
        if self._definitions() != self.definitions:
            raise RuntimeError("the constraints and indexes after the load differ from the migrations' ones")
        timings["constraints and indexes"] = time.perf_counter() - began
        say(f"  {len(constraints)} constraints and {len(indexes)} indexes rebuilt, identical to the migrations' "
            f"({timings['constraints and indexes']:.1f} s)")
        for table, columns in citygen.COLUMNS.items():
            if columns[0] == "id":
                self.conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table}")
        self.conn.commit()
        began = time.perf_counter()
        self.conn.autocommit = True
        self.conn.execute("VACUUM (ANALYZE)")
        self.conn.autocommit = False
        timings["vacuum analyze"] = time.perf_counter() - began
        say(f"  VACUUM ANALYZE ({timings['vacuum analyze']:.1f} s)")
        self.raw.close()


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's own SQLite format
    if isinstance(value, date):
        return value.isoformat()
    return value


class SqliteLoader:
    """executemany in batches of SQLITE_BATCH rows, one transaction per table, foreign keys enforced."""

    def __init__(self, engine: sa.Engine):
        self.raw = engine.raw_connection()
        self.conn = self.raw.driver_connection
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute("PRAGMA foreign_keys = ON")

    def begin(self) -> None:
        pass

    def load(self, table: str, columns: tuple[str, ...], rows) -> int:
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        count = 0
        batch: list[tuple] = []
        self.conn.execute("BEGIN")
        for row in rows:
            batch.append(tuple(map(_sqlite_value, row)))
            if len(batch) == SQLITE_BATCH:
                self.conn.executemany(statement, batch)
                count += len(batch)
                batch = []
        if batch:
            self.conn.executemany(statement, batch)
            count += len(batch)
        self.conn.execute("COMMIT")
        return count

    def finish(self, timings: dict) -> None:
        began = time.perf_counter()
        self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        timings["analyze"] = time.perf_counter() - began
        self.raw.close()


def with_progress(table: str, rows):
    began = time.perf_counter()
    for n, row in enumerate(rows, start=1):
        yield row
        if n % PROGRESS_EVERY == 0:
            say(f"    {table}: {n:,} rows ({n / (time.perf_counter() - began):,.0f} rows/s)")


# ---------------------------------------------------------------------------- checks on the loaded data

CHECKS = (
    ("seats_taken equals the confirmed registrations of every meeting",
     "SELECT count(*) FROM meetings m WHERE m.seats_taken <> (SELECT count(*) FROM registrations r "
     "WHERE r.meeting_id = m.id AND r.status = 'confirmed')"),
    ("no waitlist where a seat is free",
     "SELECT count(*) FROM meetings m WHERE (m.capacity IS NULL OR m.seats_taken < m.capacity) AND EXISTS "
     "(SELECT 1 FROM registrations r WHERE r.meeting_id = m.id AND r.status = 'waitlisted')"),
    ("queue_counter is the last queue number of every meeting",
     "SELECT count(*) FROM meetings m WHERE m.queue_counter <> (SELECT coalesce(max(r.queue_number), 0) "
     "FROM registrations r WHERE r.meeting_id = m.id)"),
    ("vote_count equals the votes of every question",
     "SELECT count(*) FROM questions q LEFT JOIN (SELECT question_id, count(*) AS n FROM question_votes "
     "GROUP BY question_id) v ON v.question_id = q.id WHERE q.vote_count <> coalesce(v.n, 0)"),
    ("merged questions point at a published question of their meeting",
     "SELECT count(*) FROM questions q JOIN questions t ON t.id = q.merged_into_id WHERE q.status = 'merged' "
     "AND (t.status <> 'approved' OR t.meeting_id <> q.meeting_id)"),
    ("every question turned into follow-up work has its action item",
     "SELECT count(*) FROM questions q WHERE q.outcome = 'action' AND NOT EXISTS "
     "(SELECT 1 FROM action_items a WHERE a.question_id = q.id)"),
    ("last_update_at is the newest update of every action item",
     "SELECT count(*) FROM action_items a WHERE a.last_update_at IS NOT NULL AND a.last_update_at <> "
     "(SELECT max(u.created_at) FROM action_updates u WHERE u.action_item_id = a.id)"),
)


def check(app, sizes: citygen.Sizes) -> list[str]:
    from app.minutes.queries import verify_chains

    problems = []
    expected = {"meetings": sizes.meetings, "registrations": sizes.registrations, "questions": sizes.questions,
                "question_votes": sizes.votes, "action_items": sizes.actions}
    for table, want in expected.items():
        got = db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
        if got != want:
            problems.append(f"{table}: {got:,} rows, expected {want:,}")
    for label, statement in CHECKS:
        bad = db.session.execute(sa.text(statement)).scalar_one()
        say(f"  {'ok ' if not bad else 'BAD'} {label}" + (f" ({bad:,} rows break it)" if bad else ""))
        if bad:
            problems.append(label)
    big = db.session.execute(sa.text("SELECT count(*) FROM questions WHERE meeting_id = :m AND status = 'approved'"),
                             {"m": citygen.BIG_MEETING_ID}).scalar_one()
    say(f"  {'ok ' if big == citygen.BIG_APPROVED else 'BAD'} meeting {citygen.BIG_MEETING_ID} has {big:,} "
        "published questions")
    if big != citygen.BIG_APPROVED:
        problems.append("the big meeting's questions")
    broken = [r for r in verify_chains() if not r.ok]
    say(f"  {'ok ' if not broken else 'BAD'} every minutes version's SHA-256 and correction chain verify "
        "(flask minutes verify)")
    if broken:
        problems.append(f"{len(broken)} broken minutes chains")
    db.session.rollback()
    try:
        with db.session.begin_nested():
            db.session.execute(sa.text("UPDATE minutes_versions SET content = content WHERE id = "
                                       "(SELECT min(id) FROM minutes_versions WHERE status = 'published')"))
        problems.append("a published minutes version could be updated: the immutability trigger is missing")
        say("  BAD the immutability trigger let a published minutes version change")
    except sa.exc.DatabaseError:
        say("  ok  the immutability trigger refuses to change a published minutes version")
    db.session.rollback()
    return problems


# ---------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="the database to fill (default: $DATABASE_URL)")
    parser.add_argument("--scale", choices=sorted(citygen.SCALES),
                        help="large (default on PostgreSQL), small (a tenth; default on SQLite) or tiny (for tests)")
    parser.add_argument("--reset", action="store_true", help="drop the database's tables first")
    parser.add_argument("--seed", type=int, default=20261201, help="random seed (the same seed, the same city)")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url (or set DATABASE_URL)")
    uri = _normalise_db_url(args.database_url)
    url = sa.engine.make_url(uri)
    is_sqlite = url.get_backend_name() == "sqlite"
    scale = args.scale or ("small" if is_sqlite else "large")
    sizes = citygen.SCALES[scale]
    say(f"Filling {url.render_as_string(hide_password=True)} with a {scale} city: {sizes.meetings:,} meetings, "
        f"{sizes.registrations:,} registrations, {sizes.questions:,} questions, {sizes.votes:,} votes, "
        f"{sizes.actions:,} action items")
    began = time.perf_counter()
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}
    prepare_database(url, reset=args.reset)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=uri)
    with app.app_context():
        import flask_migrate

        step = time.perf_counter()
        say("Schema: flask db upgrade")
        flask_migrate.upgrade()
        timings["migrations"] = time.perf_counter() - step
        loader = (SqliteLoader if is_sqlite else PostgresLoader)(db.engine)
        loader.begin()
        city = citygen.City(sizes, seed=args.seed, now=datetime.now(timezone.utc),
                            password_hash=generate_password_hash(citygen.STAFF_PASSWORD))
        say("Rows:")
        for table, rows in city.tables():
            step = time.perf_counter()
            counts[table] = loader.load(table, citygen.COLUMNS[table], with_progress(table, rows))
            timings[table] = time.perf_counter() - step
            say(f"  {table:<22} {counts[table]:>10,} rows  {timings[table]:7.1f} s  "
                f"({counts[table] / max(timings[table], 1e-9):>9,.0f} rows/s)")
        say("Finishing:")
        loader.finish(timings)
        db.session.remove()
        say("Checks:")
        problems = check(app, sizes)
        db.session.remove()
        db.engine.dispose()
    total = time.perf_counter() - began
    say("")
    say(f"Summary ({scale}, {'SQLite' if is_sqlite else 'PostgreSQL'}): {sum(counts.values()):,} rows in "
        f"{total:.1f} s")
    for table, count in counts.items():
        if count:
            say(f"  {table:<22} {count:>10,}  {timings[table]:7.1f} s")
    for phase in ("migrations", "constraints and indexes", "vacuum analyze", "analyze"):
        if phase in timings:
            say(f"  {phase:<22} {'':>10}  {timings[phase]:7.1f} s")
    say(f"  benchmark meetings: /meetings/{citygen.BIG_MEETING_ID} ({citygen.BIG_APPROVED:,} published questions), "
        f"/meetings/{citygen.REGISTRATION_MEETING_ID}/register (registration open)")
    if problems:
        say("FAILED checks: " + "; ".join(problems))
        sys.exit(1)
    say("All checks passed.")


if __name__ == "__main__":
    main()
