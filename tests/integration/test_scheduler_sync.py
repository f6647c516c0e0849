"""A running scheduler follows the console on SQLite and PostgreSQL: edits, interval
changes, pause / resume, deletion, new feeds and run-now requests, without a restart; a
listening (MQTT) feed's subscription ends when it is paused and comes back when resumed."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from access.audit import AuditLog
from feeds.console import delete_feed, pause_feed, resume_feed, run_feed_now, save_feed
from feeds.mqtt.session import running_session, stop_session
from feeds.runner import FeedRunner
from feeds.scheduler import SYNC_INTERVAL_S, SYNC_JOB, build_scheduler, stop_scheduler
from store import Store
from store.accounts import Accounts
from store.guard import DatabaseUnavailable
from tests.fixtures import payload_json
from tests.fixtures.http_server import Route, serve
from tests.fixtures.mqtt_broker import SHARED_PORT, wait_for

pytestmark = pytest.mark.integration

# A change is applied at the next sync turn; a run then starts at once. Ten turns leave room
# for a loaded machine while still failing a scheduler that never looks again.
BOUND_S = 10 * SYNC_INTERVAL_S
HOUR = 3600  # an interval long enough that no scheduled turn comes during a test
MAPPING = {
    "records": "data.items",
    "area": {"code": "dia_ban.ma"},
    "period": {"field": "ngay", "format": "iso8601"},
    "observations": [{"metric_field": "chi_tieu", "field": "gia_tri"}],
}
GOOD = Route.json(payload_json("good_nested.json"))


def http_entry(feed_id: str, url: str, **top: Any) -> dict[str, Any]:
    return {
        "id": feed_id,
        "type": "http_json",
        "interval": HOUR,
        "timeout": 5,
        "retries": 0,
        "options": {"url": url, "mapping": MAPPING, "timeout_s": 1},
        **top,
    }


@pytest.fixture
def audit(store: Store) -> AuditLog:
    return AuditLog(Accounts(store.engine))


def until(condition: Callable[[], bool], what: str) -> None:
    wait_for(condition, BOUND_S, what)


def test_edits_pause_resume_delete_and_run_now_reach_a_running_scheduler(
    store: Store, audit: AuditLog
) -> None:
    with serve({"/a": GOOD, "/b": GOOD}) as server:
        hits = {path: (lambda p=path: len(server.requests_to(p))) for path in ("/a", "/b")}
        first = save_feed(
            store, audit, "lan", http_entry("lgsp", server.url("/a")), expected_version=None
        )
        runner = FeedRunner.from_store(store, sleep=lambda _s: None)
        scheduler = build_scheduler(runner)
        assert scheduler.get_job(SYNC_JOB) is not None
        scheduler.start()
        try:
            until(lambda: hits["/a"]() == 1, "the first run, due at start")

            run_feed_now(store, audit, "lan", "lgsp")
            until(lambda: hits["/a"]() == 2, "the run asked for in the console")

            # a new URL: the next run uses it, whatever the runner was built with
            edited = save_feed(
                store,
                audit,
                "lan",
                http_entry("lgsp", server.url("/b")),
                expected_version=first.version,
            )
            run_feed_now(store, audit, "lan", "lgsp")
            until(lambda: hits["/b"]() == 1, "a run with the edited URL")
            assert hits["/a"]() == 2

            # a new interval: the job is rescheduled, not duplicated
            edited = save_feed(
                store,
                audit,
                "lan",
                http_entry("lgsp", server.url("/b"), interval=600),
                expected_version=edited.version,
            )
            until(lambda: _interval(scheduler, "lgsp") == 600, "the new interval")
            assert [job.id for job in scheduler.get_jobs() if job.id == "lgsp"] == ["lgsp"]

            # paused: unscheduled; run-now still runs it once (the operator asked)
            paused = pause_feed(store, audit, "lan", "lgsp", expected_version=edited.version)
            until(lambda: scheduler.get_job("lgsp") is None, "the paused feed unscheduled")
            until(lambda: not _health(store, "lgsp").enabled, "the paused feed recorded so")
            run_feed_now(store, audit, "lan", "lgsp")
            until(lambda: hits["/b"]() == 2, "a run-now of the paused feed")

            # resumed: scheduled again and due at once
            resume_feed(store, audit, "lan", "lgsp", expected_version=paused.version)
            until(lambda: hits["/b"]() == 3, "the resumed feed's first run")
            assert _interval(scheduler, "lgsp") == 600

            # a feed created while the scheduler runs; then deleted
            other = save_feed(
                store, audit, "minh", http_entry("other", server.url("/a")), expected_version=None
            )
            until(lambda: hits["/a"]() == 3, "the new feed's first run")
            delete_feed(store, audit, "minh", "other", expected_version=other.version)
            until(lambda: scheduler.get_job("other") is None, "the deleted feed unscheduled")
            until(lambda: not _health(store, "other").enabled, "the deleted feed disabled")
        finally:
            stop_scheduler(scheduler, runner)
    runs = {h.id: h for h in store.queries.feed_health()}
    assert runs["lgsp"].last_status is not None and runs["other"].last_run_at is not None


def test_a_scheduler_without_definitions_keeps_its_list(store: Store) -> None:
    """The runner built from a list (tests, benchmarks) schedules it and has no sync job."""
    with serve({"/a": GOOD}) as server:
        runner = FeedRunner(store, [], sleep=lambda _s: None)
        assert not runner.reads_store
        scheduler = build_scheduler(runner)
        assert scheduler.get_job(SYNC_JOB) is None
        assert runner.refresh() == []
        assert server.requests_to("/a") == []


def _interval(scheduler: Any, feed_id: str) -> float | None:
    job = scheduler.get_job(feed_id)
    return None if job is None else job.trigger.interval.total_seconds()


def _health(store: Store, feed_id: str) -> Any:
    return {h.id: h for h in store.queries.feed_health()}[feed_id]


# -- a listening feed --------------------------------------------------------------------------


@pytest.fixture
def prefix() -> Iterator[str]:
    yield f"ioc-test/{uuid.uuid4().hex[:8]}"
    stop_session("sensors")


def mqtt_entry(prefix: str) -> dict[str, Any]:
    return {
        "id": "sensors",
        "type": "mqtt",
        "interval": 60,
        "timeout": 10,
        "retries": 0,
        "options": {
            "host": "127.0.0.1",
            "port": SHARED_PORT,
            "client_id": f"ioc-test-{prefix}",
            "flush_s": 0.2,
            "reconnect_min_s": 1,
            "reconnect_max_s": 2,
            "topics": [{"filter": f"{prefix}/nested/+", "shape": "nested", "station_level": 3}],
            "stations": {"ST01": {"name": "Trạm Đại Ngãi", "area": "31498"}},
        },
    }


def _connected() -> bool:
    session = running_session("sensors")
    return session is not None and session.state.connected


def test_a_listening_feed_is_stopped_when_paused_and_started_when_resumed(
    store: Store, audit: AuditLog, prefix: str
) -> None:
    created = save_feed(store, audit, "lan", mqtt_entry(prefix), expected_version=None)
    runner = FeedRunner.from_store(store, sleep=lambda _s: None)
    scheduler = build_scheduler(runner)
    scheduler.start()
    try:
        until(_connected, "the subscription")
        paused = pause_feed(store, audit, "lan", "sensors", expected_version=created.version)
        until(lambda: running_session("sensors") is None, "the subscription ended on pause")
        assert scheduler.get_job("sensors") is None
        resumed = resume_feed(store, audit, "lan", "sensors", expected_version=paused.version)
        until(_connected, "the subscription back after resume")
        faster = dict(mqtt_entry(prefix), options={**mqtt_entry(prefix)["options"], "flush_s": 0.5})
        save_feed(store, audit, "lan", faster, expected_version=resumed.version)
        until(
            lambda: _interval(scheduler, "sensors") == pytest.approx(0.5),
            "the listener woken at its new pace",
        )
        delete_feed(store, audit, "lan", "sensors", expected_version=resumed.version + 1)
        until(lambda: running_session("sensors") is None, "the subscription ended on delete")
    finally:
        stop_scheduler(scheduler, runner)
    assert running_session("sensors") is None


def test_the_sync_job_logs_a_lost_database_once_each_way(
    sqlite_store: Store, audit_sqlite: AuditLog, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    runner = FeedRunner.from_store(sqlite_store, sleep=lambda _s: None)
    scheduler = build_scheduler(runner)
    sync = scheduler.get_job(SYNC_JOB).func
    definitions = sqlite_store.feed_defs
    revision = definitions.revision

    def lost() -> int:
        raise DatabaseUnavailable("the database is lost")

    caplog.set_level(logging.INFO, logger="feeds.scheduler")
    monkeypatch.setattr(definitions, "revision", lost)
    for _ in range(3):
        sync()
    monkeypatch.setattr(definitions, "revision", revision)
    save_feed(
        sqlite_store,
        audit_sqlite,
        "lan",
        http_entry("late", "http://127.0.0.1:9/x"),
        expected_version=None,
    )
    sync()
    sync()
    messages = [r.getMessage() for r in caplog.records if r.name == "feeds.scheduler"]
    assert sum("database is unavailable" in m for m in messages) == 1
    assert sum("read again" in m for m in messages) == 1
    assert scheduler.get_job("late") is not None  # the change made meanwhile is applied


@pytest.fixture
def audit_sqlite(sqlite_store: Store) -> AuditLog:
    return AuditLog(Accounts(sqlite_store.engine))


def test_the_definition_sync_does_not_fill_the_log(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """APScheduler's own INFO lines for each job run (every 2 s) are not logged."""
    runner = FeedRunner.from_store(store, sleep=lambda _s: None)
    scheduler = build_scheduler(runner)
    syncs: list[int] = []
    job = scheduler.get_job(SYNC_JOB)
    assert job is not None
    sync = job.func
    job.modify(func=lambda: (syncs.append(1), sync()))
    with caplog.at_level(logging.INFO):
        scheduler.start()
        try:
            wait_for(lambda: len(syncs) >= 2, BOUND_S, "two sync turns")
        finally:
            stop_scheduler(scheduler, runner)
    executor_lines = [r for r in caplog.records if r.name.startswith("apscheduler.executors")]
    assert executor_lines == []
