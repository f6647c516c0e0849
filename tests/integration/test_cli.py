"""The stable command-line interfaces: feeds check/run and python app.py with /healthz."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


def small_config(tmp_path: Path, backfill_days: int = 3) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\n"
        'database:\n  url: "sqlite:///ioc.db"\n'
        "geography:\n  directory: null\n"
        "feeds:\n  - {id: simulator, type: simulator, interval: 60, timeout: 120,"
        f" options: {{backfill_days: {backfill_days}}}}}\n",
        encoding="utf-8",
    )
    return config


def hermetic_env() -> dict[str, str]:
    """The environment without the overrides a developer may have set."""
    return {k: v for k, v in os.environ.items() if k not in ("IOC_DATABASE_URL", "IOC_CONFIG")}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=hermetic_env(),
        timeout=120,
        check=False,
    )


def start(*args: str, **env: str) -> subprocess.Popen[str]:
    """A long-running command in the background, its output collected for the assertions."""
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**hermetic_env(), **env},
    )


def test_check_accepts_the_shipped_config() -> None:
    result = run("-m", "feeds", "check")
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_check_rejects_a_bad_config_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nfeeds:\n  - {id: a, type: simulator, interval: 5}\n")
    result = run("-m", "feeds", "check", "--config", str(bad))
    assert result.returncode == 2
    assert "feeds[0].interval: must be at least 10 s" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_migrates_an_empty_database_and_prints_counts(tmp_path: Path) -> None:
    result = run("-m", "feeds", "run", "simulator", "--config", str(small_config(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert "simulator: ok" in result.stdout and "accepted" in result.stdout
    assert (tmp_path / "ioc.db").exists()
    again = run("-m", "feeds", "run", "simulator", "--config", str(small_config(tmp_path)))
    assert " 0 rejected" in again.stdout


def test_run_of_an_unknown_feed_exits_2(tmp_path: Path) -> None:
    result = run("-m", "feeds", "run", "nope", "--config", str(small_config(tmp_path)))
    assert result.returncode == 2 and "unknown feed 'nope'" in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_app_serves_health_and_data_then_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    process = start("app.py", "--config", str(small_config(tmp_path)), "--port", str(port))
    try:
        feed = wait_for_feed(f"http://127.0.0.1:{port}/healthz", tmp_path / "ioc.db")
        assert feed["last_success_at"]
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert health.json() == {"status": "ok"}  # anonymous: liveness, nothing more
        page = requests.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200
        assert "Server" not in page.headers  # waitress, without its banner
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Traceback" not in output


def wait_for_feed(url: str, database: Path, timeout: float = 60.0) -> dict:
    """Once the app answers at `url`, the simulator feed's health row after its first good
    run (read from the database: anonymous /healthz tells only whether the app lives)."""
    import sqlite3

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                with sqlite3.connect(database) as db:
                    db.row_factory = sqlite3.Row
                    row = db.execute("SELECT * FROM feeds WHERE id='simulator'").fetchone()
                if row is not None and row["last_status"] == "ok":
                    return dict(row)
        except (requests.RequestException, sqlite3.OperationalError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never reported a successful feed run")


def test_scheduler_process_runs_feeds_and_stops_on_sigterm(tmp_path: Path) -> None:
    import sqlite3

    config = small_config(tmp_path)
    process = start("-m", "feeds", "--config", str(config))
    try:
        deadline = time.monotonic() + 60
        status = None
        while status != "ok" and time.monotonic() < deadline:
            time.sleep(0.3)
            try:
                with sqlite3.connect(tmp_path / "ioc.db") as db:
                    row = db.execute(
                        "SELECT last_status FROM feeds WHERE id='simulator'"
                    ).fetchone()
                status = row[0] if row else None
            except sqlite3.OperationalError:  # the schema is still being created
                continue
        assert status == "ok"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output


def test_gunicorn_workers_serve_without_scheduling(tmp_path: Path) -> None:
    """The production layout: several web workers, no scheduler among them."""
    config = small_config(tmp_path)
    assert run("-m", "feeds", "run", "simulator", "--config", str(config)).returncode == 0
    port = free_port()
    process = start(
        "-m",
        "gunicorn",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "wsgi:server",
        IOC_CONFIG=str(config),
    )
    try:
        first = wait_for_feed(f"http://127.0.0.1:{port}/healthz", tmp_path / "ioc.db")
        time.sleep(1.5)  # a scheduler, if one had started, would have run the feed again
        again = wait_for_feed(f"http://127.0.0.1:{port}/healthz", tmp_path / "ioc.db")
        assert again["last_run_at"] == first["last_run_at"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
