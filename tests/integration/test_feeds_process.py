"""`python -m feeds` as its own process beside the web workers, on a SQLite file and on
PostgreSQL, and the scheduler embedded in `python app.py`: an edit, a pause and a run-now
made in the console (here: through the store, as a web worker does) reach it without a
restart."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from access.audit import AuditLog
from feeds.console import pause_feed, resume_feed, run_feed_now, save_feed
from feeds.scheduler import SYNC_INTERVAL_S
from store import Store
from store.accounts import Accounts
from tests.fixtures import payload_json
from tests.fixtures.http_server import Route, serve

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
START_S = 60.0  # migrating an empty database and the first run, on a loaded machine
BOUND_S = 10 * SYNC_INTERVAL_S  # a change is applied at the next sync turn
GOOD = Route.json(payload_json("good_nested.json"))
FEED = """\
feeds:
  - id: lgsp
    type: http_json
    interval: 1h
    timeout: 5
    retries: 0
    options:
      url: "{url}"
      timeout_s: 1
      mapping:
        records: data.items
        area: {{code: dia_ban.ma}}
        period: {{field: ngay, format: iso8601}}
        observations: [{{metric_field: chi_tieu, field: gia_tri}}]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


COMMANDS = {
    "scheduler": lambda: ["-m", "feeds"],
    "app": lambda: ["app.py", "--port", str(free_port())],
}
# The scheduler process on both databases; the embedded one (the same code) on SQLite.
CASES = [("scheduler", "sqlite"), ("scheduler", "postgresql"), ("app", "sqlite")]


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> Iterator[str]:
    """The URL of an empty database the process creates its schema in."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'ioc.db'}"
        return
    pg_server = request.getfixturevalue("pg_server")
    schema = f"ioc_proc_{uuid.uuid4().hex[:8]}"
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


def runs(url: str) -> int:
    """Finished runs (a run's row is written when it starts, before it fetches)."""
    sql = "SELECT count(*) FROM feed_runs WHERE feed_id = 'lgsp' AND finished_at IS NOT NULL"
    return int(scalar(url, sql) or 0)


def wait(
    process: subprocess.Popen[str], condition: Callable[[], bool], bound: float, what: str
) -> None:
    deadline = time.monotonic() + bound
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the process ended ({what}):\n{process.communicate()[0]}")
        if time.monotonic() > deadline:
            process.terminate()
            pytest.fail(f"{what}: not within {bound:g} s\n{process.communicate(timeout=30)[0]}")
        time.sleep(0.1)


@pytest.mark.parametrize(("command", "backend"), CASES)
def test_the_scheduler_process_picks_up_edits_pause_and_run_now(
    command: str, database: str, tmp_path: Path
) -> None:
    with serve({"/a": GOOD, "/b": GOOD}) as server:
        config = tmp_path / "config.yaml"
        config.write_text(
            "version: 1\ngeography:\n  directory: null\n" + FEED.format(url=server.url("/a")),
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
            wait(process, lambda: runs(database) == 1, START_S, "the provisioned feed's first run")
            store = Store.open(database)  # a web worker's store beside the scheduler
            audit = AuditLog(Accounts(store.engine))
            try:
                first = store.feed_defs.get("lgsp")
                assert first is not None and first.origin == "file"
                assert len(server.requests_to("/a")) == 1

                # an edit (URL and interval) and a run-now: the run uses the edit
                entry = dict(first.config, interval=600)
                entry["options"] = {**first.config["options"], "url": server.url("/b")}
                edited = save_feed(store, audit, "lan", entry, expected_version=first.version)
                assert edited.overridden
                wait(
                    process,
                    lambda: scalar(database, "SELECT interval_s FROM feeds") == 600,
                    BOUND_S,
                    "the new interval taken up",
                )
                run_feed_now(store, audit, "lan", "lgsp")
                wait(process, lambda: runs(database) == 2, BOUND_S, "the run-now")
                assert len(server.requests_to("/b")) == 1 and len(server.requests_to("/a")) == 1

                # paused: the process records it disabled and no longer schedules it
                paused = pause_feed(store, audit, "lan", "lgsp", expected_version=edited.version)
                wait(
                    process,
                    lambda: scalar(database, "SELECT enabled FROM feeds") in (False, 0),
                    BOUND_S,
                    "the pause taken up",
                )
                resume_feed(store, audit, "lan", "lgsp", expected_version=paused.version)
                wait(process, lambda: runs(database) == 3, BOUND_S, "the resumed feed's run")
                assert len(server.requests_to("/b")) == 2
            finally:
                store.engine.dispose()
        finally:
            process.terminate()
            output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert "Traceback" not in output
