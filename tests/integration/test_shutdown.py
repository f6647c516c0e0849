"""SIGTERM during the simulator's 730-day first load: `python app.py` and `python -m feeds`
stop within 10 s, and every block written before the signal is committed."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def load_done(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            row = conn.execute("SELECT load_done FROM feeds WHERE id = 'simulator'").fetchone()
    except sqlite3.OperationalError:  # not migrated yet
        return 0
    return int(row[0] or 0) if row else 0


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_sigterm_during_the_first_load_stops_promptly_and_keeps_what_was_written(
    command: str, tmp_path: Path
) -> None:
    db = tmp_path / "ioc.db"
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\n"
        f'database:\n  url: "sqlite:///{db}"\n'
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
        env={"PATH": "/usr/bin:/bin"},
    )
    try:
        deadline = time.monotonic() + 180
        while load_done(db) < DAYS_BEFORE_SIGNAL:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the first load never got going"
            time.sleep(0.1)
        committed_before = _observations(db)
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
    with sqlite3.connect(db) as conn:
        status, accepted, text = conn.execute(
            "SELECT status, accepted, error_text FROM feed_runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        days_left = conn.execute("SELECT load_done FROM feeds").fetchone()[0]
    stored = _observations(db)
    assert status == "failed" and "stopped by shutdown" in text, (status, text)
    assert stored >= committed_before > 0
    assert 0 < stored <= accepted  # every committed row was accepted by the stopped run
    assert days_left is None  # the run is over; the next start goes on with the first load


def _observations(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return int(conn.execute("SELECT count(*) FROM observations").fetchone()[0])
