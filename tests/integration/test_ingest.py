"""The bulk ingest path on SQLite and PostgreSQL: it stores exactly the simulator's rows, stays
idempotent, still counts rejected records, and records and shows a first load's progress."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from dashboards import create_app, payloads
from dashboards.specs import PAGES_BY_DOMAIN
from feeds.base import FeedContext
from feeds.runner import FeedRunner, RunCancelled, RunTimeout
from feeds.simulator import SimulatorFeed, SimulatorOptions
from feeds.simulator.plan import SimulationPlan, local_date
from settings import FeedConfig, load_settings
from store import Store
from store.models import MetricRow, ObservationRow, RejectedRecordRow
from store.records import Item, Observation, ObservationBlock, Progress, Rejection
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import client_for

pytestmark = pytest.mark.integration

Key = tuple[str, str, str, str, datetime]  # metric, area, dim, period kind, period start
DAYS = 3


def simulator_config(days: int = DAYS, timeout: int = 120) -> FeedConfig:
    return FeedConfig.model_validate(
        {
            "id": "simulator",
            "type": "simulator",
            "interval": 60,
            "timeout": timeout,
            "options": {"backfill_days": days},
        }
    )


def runner_for(store: Store, clock: Clock, chunk_rows: int = 100_000) -> FeedRunner:
    return FeedRunner(store, [simulator_config()], clock=clock, chunk_rows=chunk_rows)


def expected_rows(store: Store, days: int = DAYS, now: datetime = FIXED_NOW) -> dict[Key, float]:
    """What the simulator yields, one observation at a time: what the store must hold."""
    context = FeedContext(areas=store.queries.areas.by_code, now=lambda: now)
    feed = SimulatorFeed("simulator", SimulatorOptions(backfill_days=days), context)
    found: dict[Key, float] = {}
    for item in feed.normalize(feed.fetch()):
        singles = item.observations() if isinstance(item, ObservationBlock) else [item]
        for o in singles:
            if isinstance(o, Observation):
                found[(o.metric, o.area, o.dim, o.period_kind, o.period_start)] = o.value
    return found


def stored_rows(store: Store) -> dict[Key, float]:
    query = select(
        MetricRow.key,
        ObservationRow.area_code,
        ObservationRow.dim,
        ObservationRow.period_kind,
        ObservationRow.period_start,
        ObservationRow.value,
    ).join(MetricRow, MetricRow.id == ObservationRow.metric_id)
    with store.engine.connect() as conn:
        return {tuple(row[:5]): row[5] for row in conn.execute(query)}  # type: ignore[misc]


def count(store: Store, model: Any, *where: Any) -> int:
    with store.engine.connect() as conn:
        query = select(func.count()).select_from(model).where(*where)
        return int(conn.execute(query).scalar_one())


def test_bulk_path_stores_exactly_the_simulators_observations(store: Store, clock: Clock) -> None:
    report = runner_for(store, clock, chunk_rows=5_000).run("simulator")
    expected, stored = expected_rows(store), stored_rows(store)
    assert report.status == "ok" and report.rejected == 0
    assert len(stored) == len(expected) > 10_000
    assert sum(stored.values()) == pytest.approx(sum(expected.values()), rel=1e-12)
    assert stored == expected
    # stored in the column's own format: a lookup bound by SQLAlchemy finds every day's rows
    for start in {k[4] for k in expected if k[3] == "day"}:
        n = count(store, ObservationRow, ObservationRow.period_start == start)
        assert n == sum(1 for k in expected if k[4] == start)


def test_second_run_changes_nothing_and_a_changed_value_is_one_change(
    store: Store, clock: Clock
) -> None:
    runner = runner_for(store, clock)
    first = runner.run("simulator")
    before = stored_rows(store)
    second = runner.run("simulator")  # a catch-up at the same instant: the same values
    assert first.changed == first.accepted and second.changed == 0
    assert stored_rows(store) == before
    key = next(k for k in before if k[3] == "day" and k[2] == "")
    changed = ObservationBlock(key[0], key[4], (key[1],), (before[key] + 1.0,), key[3])
    assert store.writer.write_records("simulator", [changed], FIXED_NOW) == 1
    assert store.writer.write_records("simulator", [changed], FIXED_NOW) == 0
    assert stored_rows(store)[key] == before[key] + 1.0


def test_the_later_of_two_rows_with_one_key_wins(store: Store, clock: Clock) -> None:
    runner_for(store, clock)  # registers the feed
    day = FIXED_NOW - timedelta(days=1)
    rows = [
        ObservationBlock("tourism.visitors", day, ("94", "941", "94"), (5.0, 1.0, 7.0)),
        Observation("tourism.visitors", "941", day, 3.0),
    ]
    store.writer.write_records("simulator", rows, FIXED_NOW)
    stored = {k[1]: v for k, v in stored_rows(store).items()}
    assert stored == {"94": 7.0, "941": 3.0}


def test_a_batch_of_many_statements_keeps_the_later_row_of_each_key(
    store: Store, clock: Clock
) -> None:
    """SQLite writes many rows per statement: copies of a key meet inside one statement and
    across two (sorted, they lie side by side, some over a boundary); the last one wins."""
    runner_for(store, clock)  # registers the feed
    day = FIXED_NOW - timedelta(days=1)
    codes = tuple(sorted(store.queries.areas.by_code))
    assert len(codes) > 100
    values = tuple(float(i) for i in range(3 * len(codes)))
    thrice = ObservationBlock("tourism.visitors", day, codes * 3, values)
    pairs = ObservationBlock(
        "tourism.visitors", day - timedelta(days=1), ("941", "942") * 60, values[:120]
    )
    assert store.writer.write_records("simulator", [thrice, pairs], FIXED_NOW) >= len(codes) + 2
    stored = {(k[1], k[4]): v for k, v in stored_rows(store).items()}
    assert len(stored) == len(codes) + 2
    for i, code in enumerate(codes):
        assert stored[(code, day)] == values[2 * len(codes) + i]
    assert stored[("941", day - timedelta(days=1))] == 118.0
    assert stored[("942", day - timedelta(days=1))] == 119.0
    before = stored_rows(store)
    store.writer.write_records("simulator", [thrice, pairs], FIXED_NOW)
    assert stored_rows(store) == before
    last = ObservationBlock("tourism.visitors", day, codes, values[2 * len(codes) :])
    assert store.writer.write_records("simulator", [last], FIXED_NOW) == 0


def test_rejected_rows_of_blocks_are_counted_and_stored_with_reasons(
    store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = FIXED_NOW - timedelta(days=1)

    def mixed(self: SimulatorFeed, raw: Any) -> Iterator[Item]:
        yield Progress(0, 1)
        yield ObservationBlock("tourism.visitors", day, ("94", "nowhere", "941"), (5.0, 1.0, 2.0))
        yield ObservationBlock("tourism.revenue", day, ("94", "941"), (float("nan"), 3.0))
        yield ObservationBlock("no.such_metric", day, ("94", "941"), (1.0, 2.0))
        yield Rejection("unreadable item", "{...}")
        yield Progress(1, 1)

    monkeypatch.setattr(SimulatorFeed, "normalize", mixed)
    report = runner_for(store, clock).run("simulator")
    assert (report.status, report.accepted, report.rejected) == ("partial", 3, 5)
    assert count(store, ObservationRow) == 3
    with store.engine.connect() as conn:
        reasons = conn.execute(select(RejectedRecordRow.reason)).scalars().all()
    joined = "\n".join(reasons)
    assert len(reasons) == 5
    for expected in ("unknown area code 'nowhere'", "nan", "unknown metric", "unreadable"):
        assert expected in joined


def test_first_load_progress_is_stored_at_each_commit_and_cleared_at_the_end(
    store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[tuple[int, int | None, int | None]] = []
    original = SimulatorFeed.normalize

    def watched(self: SimulatorFeed, raw: Any) -> Iterator[Item]:
        for item in original(self, raw):
            yield item
            if isinstance(item, Progress):  # resumed: the runner has handled the mark
                health = {h.id: h for h in store.queries.feed_health()}["simulator"]
                seen.append((item.done, health.load_done, health.load_total))

    monkeypatch.setattr(SimulatorFeed, "normalize", watched)
    caplog.set_level(logging.INFO, logger="feeds.runner")
    runner = runner_for(store, clock, chunk_rows=1_000)  # a day has more: every mark commits
    report = runner.run("simulator")
    total = DAYS + 1
    assert report.status == "ok"
    assert seen == [(n, n, total) for n in range(total + 1)]
    health = {h.id: h for h in store.queries.feed_health()}["simulator"]
    assert (health.load_done, health.load_total) == (None, None)
    messages = [r.getMessage() for r in caplog.records if r.name == "feeds.runner"]
    assert messages[0] == f"feed simulator: first load of {total} days started"
    assert any(f"first load 1/{total} days" in m for m in messages)
    assert "first load done" in messages[-1] and "rows/s" in messages[-1]
    seen.clear()
    clock.now += timedelta(minutes=1)
    runner.run("simulator")  # a later run is no first load: nothing stored, nothing logged
    assert all(done is None for _, done, _ in seen)


@pytest.mark.parametrize(
    ("stop", "status"),
    [(RunTimeout("the run's timeout"), "partial"), (RunCancelled("stopped by shutdown"), "failed")],
)
def test_a_first_load_that_did_not_finish_is_resumed_and_finished_by_the_next_run(
    store: Store,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    stop: Exception,
    status: str,
) -> None:
    original = SimulatorFeed.normalize

    def interrupted(self: SimulatorFeed, raw: Any) -> Iterator[Item]:
        for item in original(self, raw):
            yield item
            if isinstance(item, Progress) and item.done == 2:  # today and yesterday are stored
                raise stop

    monkeypatch.setattr(SimulatorFeed, "normalize", interrupted)
    runner = runner_for(store, clock, chunk_rows=1_000)  # a day has more: every mark commits
    assert runner.run("simulator").status == status
    health = {h.id: h for h in store.queries.feed_health()}["simulator"]
    assert (health.load_done, health.load_total) == (2, DAYS + 1)  # not cleared by the run
    assert health.last_success_at is None  # so the next run is a first load again
    config = tmp_path / "config.yaml"
    config.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    app = create_app(load_settings(config, env={}), store, clock=clock)
    assert f"đang nạp dữ liệu lần đầu: 2/{DAYS + 1} ngày" in page_text(app, "health", "vi")

    monkeypatch.setattr(SimulatorFeed, "normalize", original)
    planned: list[tuple[date, ...]] = []
    fetch = SimulatorFeed.fetch

    def watched(self: SimulatorFeed) -> SimulationPlan:
        plan = fetch(self)
        planned.append(plan.days)
        return plan

    monkeypatch.setattr(SimulatorFeed, "fetch", watched)
    today = local_date(clock.now)
    clock.now += timedelta(days=1)  # the next run comes a day later: it catches up as well
    caplog.clear()
    caplog.set_level(logging.INFO, logger="feeds.runner")
    report = runner.run("simulator")
    assert report.status == "ok"
    messages = [r.getMessage() for r in caplog.records if r.name == "feeds.runner"]
    assert messages[0] == f"feed simulator: first load resumed at 1/{DAYS + 1} days"
    health = {h.id: h for h in store.queries.feed_health()}["simulator"]
    assert (health.load_done, health.load_total) == (None, None)
    assert health.last_success_at == clock.now
    # the new day, the unfinished one again, then below what the first run stored (yesterday
    # is not planned again): the store holds the whole backfill of the later instant
    day = timedelta(days=1)
    assert planned == [(today + day, today, today - 2 * day)]
    assert stored_rows(store) == expected_rows(store, now=clock.now)


def test_a_turn_while_the_previous_run_goes_on_is_skipped_at_info(
    store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    entered, release = threading.Event(), threading.Event()
    original = SimulatorFeed.normalize

    def slow(self: SimulatorFeed, raw: Any) -> Iterator[Item]:
        for item in original(self, raw):
            yield item
            if isinstance(item, Progress) and item.done == 1:
                entered.set()
                release.wait(10)

    monkeypatch.setattr(SimulatorFeed, "normalize", slow)
    caplog.set_level(logging.DEBUG)
    runner = runner_for(store, clock)
    first = threading.Thread(target=runner.run_safely, args=("simulator",))
    first.start()
    assert entered.wait(30)
    runner.run_safely("simulator")  # the scheduler's next turn
    release.set()
    first.join(30)
    skipped = [r for r in caplog.records if "still in progress" in r.getMessage()]
    assert len(skipped) == 1 and skipped[0].levelno == logging.INFO
    assert f"(first load 1/{DAYS + 1} days)" in skipped[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [h.last_status for h in store.queries.feed_health()] == ["ok"]


def page_text(app: Any, domain: str, lang: str) -> str:
    client = client_for(app)
    client.set_cookie("ioc_lang", lang)
    spec = PAGES_BY_DOMAIN[domain]
    responses = [
        client.post("/_dash-update-component", json=body)
        for body in payloads.domain_page(app, spec, "94", "30d")
    ]
    assert [r.status_code for r in responses] == [200] * len(responses)
    return "\n".join(json.dumps(json.loads(r.data), ensure_ascii=False) for r in responses)


def test_pages_say_how_far_the_first_load_has_come(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    runner_for(store, clock)  # registers the feed; it has never succeeded
    context = FeedContext(areas=store.queries.areas.by_code, now=lambda: FIXED_NOW)
    feed = SimulatorFeed("simulator", SimulatorOptions(backfill_days=0), context)
    records = [i for i in feed.normalize(feed.fetch()) if not isinstance(i, Progress | Rejection)]
    store.writer.write_records("simulator", records, FIXED_NOW, load_progress=(212, 731))
    config = tmp_path / "config.yaml"
    config.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    app = create_app(load_settings(config, env={}), store, clock=clock)

    shown = page_text(app, "health", "vi")
    assert 'data-feed": "simulator"' in shown  # the source badge
    assert shown.count("đang nạp dữ liệu lần đầu: 212/731 ngày") >= 2  # badge and tiles
    assert "first load in progress: 212/731 days" in page_text(app, "health", "en")

    store.writer.write_records("simulator", [], FIXED_NOW, load_progress=(500, 731))
    app = create_app(load_settings(config, env={}), store, clock=clock)  # a fresh cache
    assert "đang nạp dữ liệu lần đầu: 500/731 ngày" in page_text(app, "health", "vi")
