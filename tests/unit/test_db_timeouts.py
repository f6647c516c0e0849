"""The database's bounded waits come from config.yaml, within bounds, and reach the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import exc as sa_exc

from settings import ConfigError, Settings, load_settings
from store.guard import DatabaseUnavailable, Timeouts, is_database_fault
from store.startup import describe_fault, redact, timeouts_of


def settings_with(tmp_path: Path, database: str) -> Settings:
    path = tmp_path / "config.yaml"
    path.write_text(f"version: 1\ndatabase:\n{database}", encoding="utf-8")
    return load_settings(path, env={})


def test_defaults_are_a_few_seconds(tmp_path: Path) -> None:
    timeouts = timeouts_of(settings_with(tmp_path, "  url: sqlite:///x.db\n").database)
    assert timeouts == Timeouts(connect_s=3, statement_s=15, pool_s=2, probe_s=1.0)


def test_durations_are_read_like_the_other_intervals(tmp_path: Path) -> None:
    text = (
        "  connect_timeout: 5s\n  statement_timeout: 1m\n  pool_timeout: 3\n  probe_timeout: 0.5\n"
    )
    timeouts = timeouts_of(settings_with(tmp_path, text).database)
    assert (timeouts.connect_s, timeouts.statement_s, timeouts.pool_s) == (5, 60, 3)
    assert timeouts.probe_s == 0.5


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("connect_timeout: 1", "database.connect_timeout: must be at least 2 s"),
        ("statement_timeout: 2h", "database.statement_timeout: must be at most 1 h"),
        ("pool_timeout: 0", "database.pool_timeout: must be at least 1 s"),
        ("probe_timeout: 30", "database.probe_timeout"),
    ],
)
def test_out_of_bounds_waits_are_config_errors(tmp_path: Path, line: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_with(tmp_path, f"  {line}\n")
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_a_url_is_shown_without_its_password() -> None:
    shown = redact("postgresql+psycopg://ioc:s3cr3t@db.example:5432/ioc")
    assert "s3cr3t" not in shown and "ioc:***@db.example" in shown


def test_faults_are_told_from_bugs() -> None:
    lost = sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection"))
    bug = sa_exc.ProgrammingError("SELEC 1", {}, Exception("syntax error"))
    assert is_database_fault(DatabaseUnavailable("lost")) and is_database_fault(lost)
    assert not is_database_fault(bug) and not is_database_fault(ValueError("x"))
    corrupt = sa_exc.DatabaseError("PRAGMA", {}, Exception("file is not a database"))
    assert describe_fault(corrupt).startswith("not a SQLite database")
