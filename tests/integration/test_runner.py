"""The feed runner end to end: real loopback HTTP sources into SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from feeds.http_json import HttpJsonFeed
from feeds.runner import FeedRunner
from feeds.scheduler import FEED_MAX_INSTANCES, JOB_DEFAULTS, build_scheduler
from settings import FeedConfig
from store import Store
from store.models import FeedRunRow, ObservationRow, RejectedRecordRow
from tests.conftest import Clock
from tests.fixtures import payload_json
from tests.fixtures.http_server import Route, free_port, serve

pytestmark = pytest.mark.integration

MAPPING = {
    "records": "data.items",
    "area": {"code": "dia_ban.ma"},
    "period": {"field": "ngay", "format": "iso8601"},
    "observations": [{"metric_field": "chi_tieu", "field": "gia_tri"}],
}


def feed_config(url: str, feed_id: str = "lgsp", **extra: Any) -> FeedConfig:
    options = {
        "url": url,
        "mapping": MAPPING,
        "timeout_s": 0.5,
        **extra.pop("options", {}),
    }
    return FeedConfig.model_validate(
        {
            "id": feed_id,
            "type": "http_json",
            "interval": 60,
            "timeout": 5,
            "retries": 1,
            "options": options,
            **extra,
        }
    )


def runner_for(store: Store, clock: Clock, *configs: FeedConfig) -> FeedRunner:
    return FeedRunner(store, configs, clock=clock, sleep=lambda _s: None, backoff_s=0.01)


def count(store: Store, model: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def snapshot(store: Store) -> list[tuple]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(ObservationRow.__table__).order_by(
                ObservationRow.metric_id, ObservationRow.area_code, ObservationRow.period_start
            )
        )
        return [tuple(r) for r in rows]


GOOD = Route.json(payload_json("good_nested.json"))


def test_good_payload_is_stored_and_rerun_changes_nothing(store: Store, clock: Clock) -> None:
    with serve({"/data": GOOD}) as server:
        runner = runner_for(store, clock, feed_config(server.url("/data")))
        first = runner.run("lgsp")
        before = snapshot(store)
        second = runner.run("lgsp")
    assert (first.status, first.accepted, first.rejected, first.changed) == ("ok", 5, 0, 5)
    assert (second.status, second.changed) == ("ok", 0)
    assert snapshot(store) == before


def test_mixed_batch_keeps_good_records_and_stores_reasons(store: Store, clock: Clock) -> None:
    flat = {
        "mapping": {
            "records": "",
            "area": {"code": "area"},
            "period": {"field": "ts", "format": "iso8601"},
            "observations": [{"metric_field": "metric", "field": "value"}],
        }
    }
    with serve({"/data": Route.json(payload_json("mixed_batch.json"))}) as server:
        config = feed_config(server.url("/data"), options=flat)
        report = runner_for(store, clock, config).run("lgsp")
    assert report.status == "partial"
    assert report.accepted == 3 and report.rejected == 10
    assert count(store, ObservationRow) == 3
    with store.engine.connect() as conn:
        reasons = conn.execute(select(RejectedRecordRow.reason)).scalars().all()
    joined = "\n".join(reasons)
    for expected in (
        "unknown area code",
        "is not a number",
        "field 'ts' is missing",
        "in the future",
        "is a ratio",
        "duplicate",
    ):
        assert expected in joined


@pytest.mark.parametrize(
    ("route", "kind"),
    [
        (Route(500, b"oops"), "unavailable"),
        (Route(401, b"{}"), "auth"),
        (Route(404, b"{}"), "misconfigured"),
        (Route(200, b"{not json"), "bad_data"),
        (Route.json({"data": {"items": {"a": 1}}}), "bad_data"),
        (Route(200, b"[]", delay=2.0), "unavailable"),
    ],
    ids=["http-500", "http-401", "http-404", "invalid-json", "wrong-shape", "timeout"],
)
def test_failures_are_classified_and_keep_earlier_data(
    store: Store, clock: Clock, route: Route, kind: str
) -> None:
    with serve({"/data": [GOOD, route]}) as server:
        runner = runner_for(store, clock, feed_config(server.url("/data")))
        assert runner.run("lgsp").status == "ok"
        before = snapshot(store)
        report = runner.run("lgsp")
    assert (report.status, report.error_kind) == ("failed", kind)
    assert snapshot(store) == before
    feed = {h.id: h for h in store.queries.feed_health()}["lgsp"]
    assert feed.last_status == "failed" and feed.last_error_kind == kind
    assert feed.last_success_at is not None


def test_transient_failures_are_retried(store: Store, clock: Clock) -> None:
    with serve({"/data": [Route(503, b""), GOOD]}) as server:
        report = runner_for(store, clock, feed_config(server.url("/data"))).run("lgsp")
        assert len(server.requests_to("/data")) == 2
    assert report.status == "ok"


def test_auth_failures_are_not_retried(store: Store, clock: Clock) -> None:
    with serve({"/data": Route(403, b"")}) as server:
        runner_for(store, clock, feed_config(server.url("/data"))).run("lgsp")
        assert len(server.requests_to("/data")) == 1


def test_connection_refused_is_unavailable(store: Store, clock: Clock) -> None:
    config = feed_config(f"http://127.0.0.1:{free_port()}/data")
    report = runner_for(store, clock, config).run("lgsp")
    assert (report.status, report.error_kind) == ("failed", "unavailable")
    assert count(store, FeedRunRow) == 1


def test_logs_once_on_failure_and_once_on_recovery(
    store: Store, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="feeds.runner")
    with serve(
        {"/data": [Route(500, b""), Route(500, b""), Route(500, b""), Route(500, b""), GOOD]}
    ) as server:
        runner = runner_for(store, clock, feed_config(server.url("/data")))
        statuses = [runner.run("lgsp").status for _ in range(3)]
    assert statuses == ["failed", "failed", "ok"]
    messages = [r.getMessage() for r in caplog.records if r.name == "feeds.runner"]
    assert sum("failing" in m for m in messages) == 1
    assert sum("recovered" in m for m in messages) == 1


def test_unexpected_exception_is_recorded_and_other_feeds_still_run(
    store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(self: HttpJsonFeed, raw: Any) -> Any:
        if self.feed_id == "broken":
            raise RuntimeError("bug in a mapping")
        return original(self, raw)

    original = HttpJsonFeed.normalize
    monkeypatch.setattr(HttpJsonFeed, "normalize", explode)
    with serve({"/data": GOOD}) as server:
        runner = runner_for(
            store,
            clock,
            feed_config(server.url("/data"), "broken"),
            feed_config(server.url("/data"), "healthy"),
        )
        runner.run_safely("broken")
        runner.run_safely("healthy")
    health = {h.id: h for h in store.queries.feed_health()}
    assert health["broken"].last_status == "failed"
    assert "bug in a mapping" in (health["broken"].last_error or "")
    assert health["healthy"].last_status == "ok"


def test_scheduler_has_one_coalesced_job_per_enabled_feed(store: Store, clock: Clock) -> None:
    configs = [
        feed_config("http://127.0.0.1:9/a", "a"),
        feed_config("http://127.0.0.1:9/b", "b", enabled=False),
    ]
    scheduler = build_scheduler(runner_for(store, clock, *configs), configs)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert "a" in jobs and "b" not in jobs
    assert JOB_DEFAULTS == {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    assert jobs["a"].trigger.jitter == 6
    # a turn during a long run reaches the runner, which skips it at INFO (no APScheduler
    # "maximum number of running instances reached" warning); runs still never overlap
    assert jobs["a"].max_instances == FEED_MAX_INSTANCES == 2


def test_simulator_rerun_over_the_same_data_changes_nothing(store: Store, clock: Clock) -> None:
    config = FeedConfig.model_validate(
        {
            "id": "simulator",
            "type": "simulator",
            "interval": 60,
            "timeout": 120,
            "options": {"backfill_days": 3},
        }
    )
    runner = runner_for(store, clock, config)
    first = runner.run("simulator")
    before = snapshot(store)
    second = runner.run("simulator")  # a catch-up run at the same instant: same values
    assert first.status == second.status == "ok"
    assert first.accepted > 10_000 and second.changed == 0
    assert snapshot(store) == before
