"""Configuration: production refuses to start without its secrets, development runs on a SQLite file in
instance/, and database URLs are normalised to the psycopg 3 driver."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import PROJECT_ROOT, create_app
from app.config import _normalise_db_url

# Config classes read the environment when app.config is imported, so the environment-driven cases run
# create_app in a fresh interpreter with exactly the variables under test.
PROBE = """
import json
try:
    from app import create_app  # the config classes read the environment on import
    app = create_app()
except (RuntimeError, ValueError) as error:
    print(json.dumps({"error": str(error)}))
else:
    print(json.dumps({"uri": app.config["SQLALCHEMY_DATABASE_URI"], "instance_path": app.instance_path,
                      "deadlines": {key: app.config[key] for key in ("QUESTION_DEADLINE_DAYS",
                                    "MINUTES_DEADLINE_WORKING_DAYS", "HOLIDAYS", "EXTRA_WORKING_DAYS")}}))
"""
DEADLINE_VARIABLES = {"QUESTION_DEADLINE_DAYS", "MINUTES_DEADLINE_WORKING_DAYS", "HOLIDAYS", "EXTRA_WORKING_DAYS"}


def start_app_with_env(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "DATABASE_URL", "TEST_DATABASE_URL", "TOWNHALL_CONFIG"} | DEADLINE_VARIABLES}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, env={**clean, **env},
                            capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_refuses_to_start_without_secret_key_and_database_url():
    outcome = start_app_with_env(TOWNHALL_CONFIG="production")
    assert "SECRET_KEY" in outcome["error"] and "DATABASE_URL" in outcome["error"]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_production_refuses_to_start_when_either_is_missing(missing):
    env = {"TOWNHALL_CONFIG": "production", "SECRET_KEY": "s3cret-from-env",
           "DATABASE_URL": "postgresql://townhall@db.example/townhall"}
    del env[missing]
    outcome = start_app_with_env(**env)
    assert missing in outcome["error"]
    assert "s3cret-from-env" not in outcome["error"]


def test_production_starts_with_both_and_normalises_a_postgres_url():
    outcome = start_app_with_env(TOWNHALL_CONFIG="production", SECRET_KEY="s3cret-from-env",
                                 DATABASE_URL="postgres://townhall:pw@db.example:5432/townhall")
    assert outcome["uri"] == "postgresql+psycopg://townhall:pw@db.example:5432/townhall"


def test_production_check_also_applies_to_overrides():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY=None, SQLALCHEMY_DATABASE_URI="sqlite://")
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production", SECRET_KEY="x" * 32, SQLALCHEMY_DATABASE_URI=None)


def test_development_defaults_to_a_sqlite_file_in_instance():
    outcome = start_app_with_env(TOWNHALL_CONFIG="development")
    expected = PROJECT_ROOT / "instance" / "townhall.sqlite3"
    assert Path(outcome["instance_path"]) == PROJECT_ROOT / "instance"
    assert outcome["uri"] == f"sqlite:///{expected}"


def test_development_uses_database_url_when_set():
    outcome = start_app_with_env(DATABASE_URL="postgres://townhall@127.0.0.1/townhall_dev")
    assert outcome["uri"] == "postgresql+psycopg://townhall@127.0.0.1/townhall_dev"


def test_deadlines_and_the_holiday_table_come_from_the_environment():
    outcome = start_app_with_env(QUESTION_DEADLINE_DAYS="10", MINUTES_DEADLINE_WORKING_DAYS="15",
                                 HOLIDAYS="2027-10-01, 2027-10-04 2027-10-01", EXTRA_WORKING_DAYS="2027-09-26")
    assert outcome["deadlines"] == {"QUESTION_DEADLINE_DAYS": 10, "MINUTES_DEADLINE_WORKING_DAYS": 15,
                                    "HOLIDAYS": ["2027-10-01", "2027-10-04"], "EXTRA_WORKING_DAYS": ["2027-09-26"]}


def test_unset_deadlines_follow_the_rules_profile_and_the_holiday_table_is_empty():
    outcome = start_app_with_env()
    assert outcome["deadlines"] == {"QUESTION_DEADLINE_DAYS": None, "MINUTES_DEADLINE_WORKING_DAYS": None,
                                    "HOLIDAYS": [], "EXTRA_WORKING_DAYS": []}


def test_a_malformed_holiday_stops_the_app_with_the_variable_named():
    outcome = start_app_with_env(HOLIDAYS="2027-10-01,2027-13-01")
    assert outcome["error"] == "HOLIDAYS: '2027-13-01' is not an ISO date (YYYY-MM-DD)"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@host:5432/db", "postgresql+psycopg://u:p@host:5432/db"),
        ("postgresql://u:p@host/db?sslmode=require", "postgresql+psycopg://u:p@host/db?sslmode=require"),
        ("postgresql+psycopg://u@host/db", "postgresql+psycopg://u@host/db"),
        ("sqlite:///relative.sqlite3", "sqlite:///relative.sqlite3"),
        (None, None),
    ],
)
def test_database_urls_are_normalised_to_psycopg(given, expected):
    assert _normalise_db_url(given) == expected
