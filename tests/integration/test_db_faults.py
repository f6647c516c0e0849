"""A PostgreSQL that stops answering, behind a TCP forwarder started here: pages and /healthz
answer within bounds, say so, and recover without a restart; the runs it missed are recorded."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text

from dashboards import create_app, payloads
from dashboards.specs import PAGES
from feeds.runner import FeedRunner
from settings import FeedConfig, load_settings
from store import Store
from store.guard import Timeouts, is_database_fault
from tests.conftest import Clock
from tests.fixtures.auth import client_for
from tests.fixtures.forwarder import Forwarder

pytestmark = pytest.mark.integration
# The issue's bound: a lost database is reported within 2 s. It follows from the timeouts
# below (a probe waits PROBE_S), not from the machine's speed.
REPORTED_WITHIN_S = 2.0
PROBE_S = 1.0
TIMEOUTS = Timeouts(connect_s=2, statement_s=5, pool_s=2, probe_s=PROBE_S, retry_s=0.5)
RECOVERED_WITHIN_S = TIMEOUTS.connect_s + TIMEOUTS.retry_s + PROBE_S + 2.0
FEED = FeedConfig.model_validate(
    {"id": "simulator", "type": "simulator", "interval": 60, "options": {"backfill_days": 2}}
)
# A second demo source over the same keys: its higher priority lets it own them (the runner
# refuses a write to keys an equal-priority feed already holds).
BACKFILL = FeedConfig.model_validate(
    {
        "id": "backfill",
        "type": "simulator",
        "interval": 60,
        "priority": 1,
        "options": {"backfill_days": 40},
    }
)


@dataclass
class Rig:
    forwarder: Forwarder
    store: Store
    runner: FeedRunner
    client: FlaskClient
    direct: Engine  # straight to PostgreSQL, not through the forwarder
    schema: str


@pytest.fixture
def rig(pg_server: str, tmp_path: Path) -> Iterator[Rig]:
    schema = f"ioc_faults_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    forwarder = Forwarder(("127.0.0.1", 5432))
    url = f"postgresql+psycopg://postgres@127.0.0.1:{forwarder.port}/test"
    store = Store.open(url, TIMEOUTS, connect_args={"options": f"-csearch_path={schema}"})
    clock = Clock()
    runner = FeedRunner(store, [FEED, BACKFILL], clock=clock, chunk_rows=20_000)
    assert runner.run("simulator").status == "ok"
    config = tmp_path / "config.yaml"
    config.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    app = create_app(load_settings(config, env={}), store, clock=clock)
    direct = create_engine(pg_server, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield Rig(forwarder, store, runner, client_for(app, "admin"), direct, schema)
    finally:
        forwarder.close()
        store.engine.dispose()
        direct.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def page(client: FlaskClient, path: str = "/") -> Any:
    return client.post("/_dash-update-component", json=payloads.router(path))


def tiles(client: FlaskClient, window: str) -> Any:
    """The health page's KPI tiles: reads the store (unless the result cache has them)."""
    spec = next(p for p in PAGES if p.domain_key == "health")
    body = payloads.kpis(spec.domain_key, "94", window)
    return client.post("/_dash-update-component", json=body)


def banner(client: FlaskClient) -> Any:
    body = {
        "output": "..db-banner.hidden...db-state.data..",
        "outputs": [
            {"id": "db-banner", "property": "hidden"},
            {"id": "db-state", "property": "data"},
        ],
        "inputs": [{"id": "db-watch", "property": "n_intervals", "value": 1}],
        "changedPropIds": ["db-watch.n_intervals"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return response.get_json()["response"]


def test_a_database_that_stops_answering_is_reported_within_bounds_and_recovers(
    rig: Rig,
) -> None:
    client = rig.client
    assert client.get("/healthz").get_json()["status"] == "ok"
    assert page(client).status_code == 200
    assert banner(client)["db-banner"]["hidden"] is True
    time.sleep(0.6)  # past the moment a recent answer still vouches for the database

    in_flight: dict[str, Any] = {}
    statement = threading.Thread(target=_slow_statement, args=(rig.store, in_flight))
    statement.start()
    time.sleep(0.2)
    rig.forwarder.hold()
    health, waited = timed(lambda: client.get("/healthz"))
    assert health.status_code == 503
    assert health.get_json()["status"] == "degraded"
    assert waited < REPORTED_WITHIN_S
    statement.join(REPORTED_WITHIN_S)
    assert not statement.is_alive(), "a statement in flight when the database stopped still waits"
    assert in_flight["fault"] is True

    assert page(client, "/y-te").status_code == 200  # the page itself draws without the store
    # tiles the result cache has not seen (cached ones may still be served)
    read, read_s = timed(lambda: tiles(client, "7d"))
    assert read.status_code == 503 and read_s < REPORTED_WITHIN_S
    assert read.get_json()["error"] == "database_unavailable"
    shown = banner(client)
    assert shown["db-banner"]["hidden"] is False and shown["db-state"]["data"] == "lost"
    _, run_s = timed(lambda: rig.runner.run_safely("simulator"))
    assert run_s < REPORTED_WITHIN_S
    assert rig.runner.missed.pending("simulator")

    rig.forwarder.release()
    recovered_s = _until_ok(client)
    assert recovered_s < RECOVERED_WITHIN_S
    assert tiles(client, "7d").status_code == 200
    assert banner(client)["db-banner"]["hidden"] is True

    rig.runner.run_safely("simulator")
    runs = _runs(rig.direct)
    assert [r.status for r in runs] == ["ok", "failed", "ok"]
    assert "missed while the database was unavailable" in runs[1].error_text
    assert runs[1].error_kind == "unavailable"
    assert not rig.runner.missed.pending("simulator")


def test_a_run_the_database_left_unfinished_is_closed_when_it_returns(rig: Rig) -> None:
    """The database stops answering in the middle of a first load: the run is not left
    'running' forever, and the turn is recorded once the database is back."""
    load = threading.Thread(target=rig.runner.run_safely, args=("backfill",))
    load.start()
    _until(lambda: _load_done(rig.direct, "backfill") >= 1)
    rig.forwarder.hold()
    assert rig.client.get("/healthz").status_code == 503
    load.join(REPORTED_WITHIN_S)
    assert not load.is_alive(), "the run still waits on a database that does not answer"
    assert rig.runner.missed.pending("backfill")
    assert [r.status for r in _runs(rig.direct, "backfill")] == ["running"]

    rig.forwarder.release()
    _until_ok(rig.client)
    rig.runner.run_safely("backfill")
    runs = _runs(rig.direct, "backfill")
    assert [r.status for r in runs] == ["failed", "failed", "ok"]
    assert "database lost during the run" in runs[0].error_text
    assert "missed while the database was unavailable" in runs[1].error_text


def _slow_statement(store: Store, out: dict[str, Any]) -> None:
    try:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_sleep(0.5)")
        out["fault"] = False
    except Exception as exc:
        out["fault"] = is_database_fault(exc)


def _until_ok(client: FlaskClient) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 30:
        if client.get("/healthz").status_code == 200:
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError("the app did not see the database come back")


def _until(condition: Any, within_s: float = 60) -> None:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < within_s, "the condition never came true"
        time.sleep(0.05)


def _load_done(engine: Engine, feed_id: str) -> int:
    with engine.connect() as conn:
        done = conn.execute(text("SELECT load_done FROM feeds WHERE id = :f"), {"f": feed_id})
        return done.scalar() or 0


def _runs(engine: Engine, feed_id: str = "simulator") -> list[Any]:
    sql = "SELECT status, error_kind, error_text FROM feed_runs WHERE feed_id = :f ORDER BY id"
    with engine.connect() as conn:
        return list(conn.execute(text(sql), {"f": feed_id}))
