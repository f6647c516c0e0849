"""Faults, timed: how long `/healthz` takes to say `degraded` once PostgreSQL stops answering
(behind a TCP forwarder that holds every byte), how long until it says `ok` once PostgreSQL
answers again, and how long `python app.py` / `python -m feeds` take to stop on SIGTERM in the
middle of the simulator's 730-day first load. `python -m bench.faults [--rounds 5]`"""

from __future__ import annotations

import argparse
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.harness import PG_URL, ROOT
from dashboards import create_app
from settings import load_settings
from store import Store
from store.guard import Timeouts
from store.startup import timeouts_of
from tests.fixtures.forwarder import Forwarder

SIGNAL_AFTER_DAYS = 30


def lost_and_back(rounds: int, outage_s: float) -> tuple[list[float], list[float], Timeouts]:
    """Seconds until /healthz answers degraded after the hold, and ok after the release
    (the hold lasts `outage_s`, so the app is probing for the database's return)."""
    schema = f"ioc_bench_faults_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    forwarder = Forwarder(("127.0.0.1", 5432))
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
        settings = load_settings(config, env={})
        timeouts = timeouts_of(settings.database)  # the shipped defaults
        url = f"postgresql+psycopg://postgres@127.0.0.1:{forwarder.port}/test"
        store = Store.open(url, timeouts, connect_args={"options": f"-csearch_path={schema}"})
        client = create_app(settings, store).server.test_client()
        degraded, recovered = [], []
        try:
            for _ in range(rounds):
                assert client.get("/healthz").status_code == 200
                time.sleep(1.0)  # no recent answer vouches for the database any more
                forwarder.hold()
                started = time.monotonic()
                while client.get("/healthz").status_code != 503:
                    pass
                degraded.append(time.monotonic() - started)
                time.sleep(outage_s)
                forwarder.release()
                started = time.monotonic()
                while client.get("/healthz").status_code != 200:
                    time.sleep(0.02)
                recovered.append(time.monotonic() - started)
        finally:
            forwarder.close()
            store.engine.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    return degraded, recovered, timeouts


def shutdown_during_backfill(command: list[str]) -> tuple[float, int, int]:
    """Seconds from SIGTERM to exit, the exit code, and the observation rows kept."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ioc.db"
        config = Path(tmp) / "config.yaml"
        config.write_text(
            "version: 1\n"
            f'database:\n  url: "sqlite:///{db}"\n'
            "geography:\n  directory: null\n"
            "feeds:\n  - {id: simulator, type: simulator, interval: 60, timeout: 3600,"
            " options: {backfill_days: 730}}\n",
            encoding="utf-8",
        )
        process = subprocess.Popen(
            [sys.executable, *command, "--config", str(config)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        while _load_done(db) < SIGNAL_AFTER_DAYS:
            if process.poll() is not None:
                raise SystemExit(f"{command} ended before its first load got going")
            time.sleep(0.1)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=120)
        seconds = time.monotonic() - signalled
        with sqlite3.connect(db) as conn:
            rows = int(conn.execute("SELECT count(*) FROM observations").fetchone()[0])
    return seconds, code, rows


def _load_done(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            row = conn.execute("SELECT load_done FROM feeds WHERE id = 'simulator'").fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0] or 0) if row else 0


def _summary(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s, max {max(values):.2f} s (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--outage", type=float, default=5.0, help="seconds PostgreSQL is held")
    args = parser.parse_args()
    degraded, recovered, timeouts = lost_and_back(args.rounds, args.outage)
    print(
        f"timeouts: connect {timeouts.connect_s} s, statement {timeouts.statement_s} s, "
        f"pool {timeouts.pool_s} s, probe {timeouts.probe_s:g} s"
    )
    print(f"/healthz degraded after PostgreSQL stops answering: {_summary(degraded)}")
    print(
        f"/healthz ok after PostgreSQL answers again ({args.outage:g} s outage): "
        f"{_summary(recovered)}"
    )
    for name, command in (
        ("python app.py", ["app.py", "--port", "0"]),
        ("python -m feeds", ["-m", "feeds"]),
    ):
        seconds, code, rows = shutdown_during_backfill(command)
        print(
            f"{name}: SIGTERM during the 730-day first load → exit {code} after {seconds:.2f} s, "
            f"{rows} observation rows committed"
        )


if __name__ == "__main__":
    main()
