"""bench/bigcity.py keeps working as the schema changes: a tiny city is generated from the migrations and
passes the generator's own checks (seats, waitlists, vote counts, merges, minutes chains, triggers), on
SQLite through executemany and, in the PostgreSQL pass, through COPY into a throwaway database."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

from app import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "bench" / "bigcity.py"


def run_bigcity(url: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TOWNHALL_CONFIG")}
    result = subprocess.run([sys.executable, str(SCRIPT), "--database-url", url, "--scale", "tiny"],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_a_tiny_city_loads_from_the_migrations_and_passes_every_check(tmp_path):
    output = run_bigcity(f"sqlite:///{tmp_path / 'city.sqlite3'}")
    assert "All checks passed." in output
    assert re.search(r"^  meetings +60 ", output, re.M) and re.search(r"^  question_votes +40,000 ", output, re.M)


@pytest.mark.postgres
def test_the_postgresql_loader_rebuilds_the_migrations_constraints_and_indexes():
    base = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
    url = base.set(database=f"townhall_bigcity_{uuid.uuid4().hex[:12]}")
    try:
        output = run_bigcity(url.render_as_string(hide_password=False))
        assert "identical to the migrations'" in output and "All checks passed." in output
    finally:
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}"')
        admin.dispose()
