"""A database that is unreachable, missing, corrupt, read-only or hung at start-up: `python
app.py` and `python -m feeds` stop with one line naming the problem and exit code 2."""

from __future__ import annotations

import re
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from store.startup import EXIT_DATABASE, HEADLINE
from tests.fixtures.forwarder import Forwarder

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (INFO|WARNING|DEBUG) ")
PASSWORD = "hunter2-not-for-logs"
CONNECT_TIMEOUT_S = 2
COMMANDS = {"app": ["app.py", "--port", "0"], "scheduler": ["-m", "feeds"]}


def refused_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def garbage_file(tmp: Path) -> str:
    path = tmp / "garbage.db"
    path.write_bytes(b"this is not a database\n" * 200)
    return f"sqlite:///{path}"


def read_only_file(tmp: Path) -> str:
    path = tmp / "ro.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE kept (x)")
    return f"sqlite:///file:{path}?mode=ro&uri=true"


@pytest.fixture
def hung_postgres() -> Iterator[int]:
    forwarder = Forwarder(("127.0.0.1", 5432))
    forwarder.hold()
    yield forwarder.port
    forwarder.close()


CASES: dict[str, tuple[Callable[[Path, int], str], str]] = {
    "sqlite folder missing": (
        lambda tmp, _: f"sqlite:///{tmp}/no/such/folder/ioc.db",
        "missing: folder",
    ),
    "sqlite corrupt": (lambda tmp, _: garbage_file(tmp), "not a SQLite"),
    "sqlite read-only": (lambda tmp, _: read_only_file(tmp), "read-only"),
    "postgres unreachable": (
        lambda _, __: f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{refused_port()}/test",
        "unreachable",
    ),
    "postgres database missing": (
        lambda _, __: "postgresql+psycopg://postgres@127.0.0.1:5432/ioc_no_such_database",
        "missing",
    ),
    "postgres read-only": (
        lambda _, __: (
            "postgresql+psycopg://postgres@127.0.0.1:5432/test"
            "?options=-c%20default_transaction_read_only%3Don"
        ),
        "read-only",
    ),
    "postgres not answering": (
        lambda _, hung: f"postgresql+psycopg://postgres:{PASSWORD}@127.0.0.1:{hung}/test",
        "unreachable",
    ),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_database_stops_start_up_with_one_line(
    case: str, command: str, tmp_path: Path, pg_server: str, hung_postgres: int
) -> None:
    make_url, expected = CASES[case]
    url = make_url(tmp_path, hung_postgres)
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\n"
        f"database:\n  connect_timeout: {CONNECT_TIMEOUT_S}\n"
        "geography:\n  directory: null\n"
        "feeds: []\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, *COMMANDS[command], "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "IOC_DATABASE_URL": url},
        timeout=60,  # a hung database must not hang start-up (psycopg's own default: 130 s)
    )
    output = result.stdout + result.stderr
    assert result.returncode == EXIT_DATABASE, output
    assert "Traceback" not in output
    assert PASSWORD not in output
    problems = [line for line in result.stderr.splitlines() if not LOG_LINE.match(line)]
    assert len(problems) == 1, output
    assert problems[0].startswith(HEADLINE) and expected in problems[0], problems[0]
