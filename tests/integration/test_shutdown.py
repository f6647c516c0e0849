"""SIGTERM during the simulator's 730-day first load: `python app.py` and `python -m feeds`
stop within 10 s on SQLite and PostgreSQL, and every block written before the signal is
committed."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
STOPS_WITHIN_S = 10.0  # the bound
DAYS_BEFORE_SIGNAL = 30  # well into the load, far from its end (731 days)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


COMMANDS = {
    "app": lambda: ["app.py", "--port", str(free_port())],
    "scheduler": lambda: ["-m", "feeds"],
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database the command creates its schema in."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ioc.db'}"
        return
    pg_server = request.getfixturevalue("pg_server")
    schema = f"ioc_stop_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{pg_server}?options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def scalar(url: str, sql: str) -> Any:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    except DBAPIError:  # not migrated yet
        return None
    finally:
        engine.dispose()


def load_done(url: str) -> int:
    return int(scalar(url, "SELECT load_done FROM feeds WHERE id = 'simulator'") or 0)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_sigterm_during_the_first_load_stops_promptly_and_keeps_what_was_written(
    command: str, database: str, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\n"
        "geography:\n  directory: null\n"
        "feeds:\n  - {id: simulator, type: simulator, interval: 60, timeout: 3600,"
        " options: {backfill_days: 730}}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, *COMMANDS[command](), "--config", str(config)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={"PATH": "/usr/bin:/bin", "IOC_DATABASE_URL": database},
    )
    try:
        deadline = time.monotonic() + 180
        while load_done(database) < DAYS_BEFORE_SIGNAL:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the first load never got going"
            time.sleep(0.1)
        committed_before = _observations(database)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        stopped_s = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert stopped_s < STOPS_WITHIN_S, f"stopped after {stopped_s:.1f} s\n{output}"
    assert "Traceback" not in output
    engine = create_engine(database)
    with engine.connect() as conn:
        status, accepted, error = conn.execute(
            text("SELECT status, accepted, error_text FROM feed_runs ORDER BY id DESC LIMIT 1")
        ).one()
        days_done, days_planned, cursor = conn.execute(
            text("SELECT load_done, load_total, checkpoint FROM feeds")
        ).one()
    engine.dispose()
    stored = _observations(database)
    assert status == "failed" and "stopped by shutdown" in error, (status, error)
    assert stored >= committed_before > 0
    assert 0 < stored <= accepted  # every committed row was accepted by the stopped run
    # the first load did not finish: its progress stays, and the next start resumes it from
    # the cursor of the days it stored
    assert DAYS_BEFORE_SIGNAL <= days_done < days_planned == 731, (days_done, days_planned)
    assert cursor is not None and len(cursor.split("/")) == 2, cursor


def _observations(url: str) -> int:
    return int(scalar(url, "SELECT count(*) FROM observations") or 0)
