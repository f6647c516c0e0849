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

from store import Store
from store.accounts import Accounts
from tests.fixtures.auth import add_account, http_session

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
    password = "mật khẩu quản trị thử nghiệm"
    config = str(small_config(tmp_path))
    process = start("app.py", "--config", config, "--port", str(port), IOC_ADMIN_PASSWORD=password)
    base = f"http://127.0.0.1:{port}"
    try:
        session = signed_in(base, "admin", password)
        health = wait_for_feed(session, f"{base}/healthz")
        assert health["database"]["reachable"] is True
        assert health["feeds"][0]["id"] == "simulator"
        assert health["feeds"][0]["last_success_at"]
        assert session.get(f"{base}/", timeout=5).status_code == 200
        assert requests.get(f"{base}/healthz", timeout=5).json().keys() == {"status"}
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "Traceback" not in output


def test_the_first_start_prints_a_one_time_admin_password_that_signs_in(tmp_path: Path) -> None:
    port = free_port()
    config = str(small_config(tmp_path))
    process = start("app.py", "--config", config, "--port", str(port), "--no-scheduler")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    line = next(row for row in output.splitlines() if "Mật khẩu / password" in row)
    password = line.split(":", 1)[1].strip(" ║")
    assert len(password) >= 20
    again = start("app.py", "--config", config, "--port", str(port), "--no-scheduler")
    try:
        session = signed_in(base, "admin", password)
        assert session.get(f"{base}/healthz", timeout=5).json()["database"]["reachable"]
    finally:
        again.send_signal(signal.SIGTERM)
        second_output, _ = again.communicate(timeout=30)
    assert "Mật khẩu / password" not in second_output  # printed once, never again


def _wait_until_up(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base}/healthz", timeout=5)
            return
        except requests.RequestException:  # not listening yet, or a worker still starting
            time.sleep(0.2)
    raise AssertionError(f"{base} never answered")


def signed_in(base: str, name: str, password: str) -> requests.Session:
    """A session signed in to the server at `base` once it answers."""
    _wait_until_up(base)
    return http_session(base, name, password)


def wait_for_feed(session: requests.Session, url: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            body = session.get(url, timeout=2).json()
            if body["feeds"] and body["feeds"][0]["last_status"] == "ok":
                return body
        except requests.ConnectionError:
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
    store = Store.open(f"sqlite:///{tmp_path / 'ioc.db'}")
    name, password = add_account(Accounts(store.engine), "operator")
    store.engine.dispose()
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
        session = signed_in(f"http://127.0.0.1:{port}", name, password)
        first = wait_for_feed(session, f"http://127.0.0.1:{port}/healthz")
        time.sleep(1.5)  # a scheduler, if one had started, would have run the feed again
        again = session.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
        assert again["feeds"][0]["last_run_at"] == first["feeds"][0]["last_run_at"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
