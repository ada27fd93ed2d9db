"""Migrations: `flask db upgrade` builds the schema from nothing, matches the models exactly,
and goes down and up again."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLASK = str(Path(sys.executable).parent / "flask")


def flask(database_url, *args):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FLASK_APP": "app:create_app",
        "SECRET_KEY": "migration-test-secret-0123456789abcdef",
    }
    result = subprocess.run(
        [FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'migrations.db'}"


def test_upgrade_from_nothing_on_sqlite_matches_the_models(sqlite_url):
    flask(sqlite_url, "db", "upgrade")
    assert "No new upgrade operations detected" in flask(sqlite_url, "db", "check")


def test_downgrade_and_upgrade_again_on_sqlite(sqlite_url):
    flask(sqlite_url, "db", "upgrade")
    flask(sqlite_url, "db", "downgrade", "base")
    flask(sqlite_url, "db", "upgrade")


def test_the_suites_database_matches_the_models(database_url, app):
    """The suite's own database (PostgreSQL in CI) was built by `upgrade`; nothing is missing."""
    assert "No new upgrade operations detected" in flask(database_url, "db", "check")
