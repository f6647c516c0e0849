"""`python -m feeds test` and `python -m feeds run` for feeds saved in the console (the
database), not only for config.yaml's: real processes, a real SQLite file, a loopback source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from access.audit import AuditLog
from feeds.console import save_feed
from store import Store
from store.accounts import Accounts
from store.models import ObservationRow
from tests.fixtures.http_server import Route, serve

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration
BODY = {
    "data": [
        {"ma": "941", "ngay": "19/11/2026", "khach": "1.250"},
        {"ma": "942", "ngay": "19/11/2026", "khach": "830"},
    ]
}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("IOC_DATABASE_URL", "IOC_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "feeds", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=clean,
        timeout=120,
        check=False,
    )


def entry(feed_id: str, url: str, metric: str = "tourism.visitors") -> dict[str, Any]:
    return {
        "id": feed_id,
        "type": "http_json",
        "interval": "1h",
        "options": {
            "url": url,
            "mapping": {
                "records": "data",
                "area": {"code": "ma"},
                "period": {"field": "ngay", "format": "dd/mm/yyyy"},
                "observations": [{"metric": metric, "field": "khach"}],
            },
        },
    }


def visitors(store: Store, feed_id: str) -> int:
    with store.engine.connect() as conn:
        query = select(func.count()).where(ObservationRow.feed_id == feed_id)
        return int(conn.execute(query).scalar_one())


def test_a_console_feed_is_tested_and_run_from_the_command_line(tmp_path: Path) -> None:
    database = tmp_path / "ioc.db"
    config = tmp_path / "config.yaml"
    config.write_text(f'version: 1\ndatabase: {{url: "sqlite:///{database}"}}\nfeeds: []\n')
    store = Store.open(f"sqlite:///{database}")
    audit = AuditLog(Accounts(store.engine))
    with serve({"/api": Route.json(BODY)}) as server:
        save_feed(
            store, audit, "lan", entry("dvc_console", server.url("/api")), expected_version=None
        )

        tested = run("test", "dvc_console", "--config", str(config), "--json")
        assert tested.returncode == 0, tested.stderr
        out = json.loads(tested.stdout)
        assert out["error"] is None
        assert sorted((r["area"], r["value"]) for r in out["records"]) == [
            ("941", 1250.0),
            ("942", 830.0),
        ]
        assert len(server.requests_to("/api")) == 1
        assert visitors(store, "dvc_console") == 0  # a dry run writes nothing

        ran = run("run", "dvc_console", "--config", str(config))
        assert ran.returncode == 0, ran.stderr
        assert "dvc_console: ok — 2 accepted, 0 rejected, 2 changed" in ran.stdout
        assert visitors(store, "dvc_console") == 2
        again = run("run", "dvc_console", "--config", str(config))
        assert again.returncode == 0 and "0 changed" in again.stdout, again.stdout

    unknown = run("test", "nope", "--config", str(config))
    assert unknown.returncode == 2 and "dvc_console" in unknown.stderr  # listed as known


def test_a_console_override_of_a_file_feed_is_what_test_runs(tmp_path: Path) -> None:
    database = tmp_path / "ioc.db"
    config = tmp_path / "config.yaml"
    with serve({"/file": Route.json(BODY), "/console": Route.json(BODY)}) as server:
        file_entry = entry("dvc", server.url("/file"))
        feeds = json.dumps([file_entry])  # YAML is a superset of JSON
        config.write_text(
            f'version: 1\ndatabase: {{url: "sqlite:///{database}"}}\nfeeds: {feeds}\n'
        )
        # before any database exists the file's entry is tested, and no database is made
        assert run("test", "dvc", "--config", str(config)).returncode == 0
        assert not database.exists() and len(server.requests_to("/file")) == 1

        assert run("run", "dvc", "--config", str(config)).returncode == 0  # provisions it
        store = Store.open(f"sqlite:///{database}")
        current = store.feed_defs.get("dvc")
        assert current is not None
        save_feed(
            store,
            AuditLog(Accounts(store.engine)),
            "lan",
            entry("dvc", server.url("/console")),
            expected_version=current.version,
        )
        tested = run("test", "dvc", "--config", str(config))
        assert tested.returncode == 0, tested.stderr
        assert len(server.requests_to("/console")) == 1
        assert len(server.requests_to("/file")) == 2  # the run only, not the test
