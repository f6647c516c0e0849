"""The mqtt feed against real brokers: the machine's Mosquitto and one the test restarts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from dashboards.alerts import current_alerts
from feeds.mqtt.session import running_session, stop_session
from feeds.runner import FeedRunner
from feeds.scheduler import build_scheduler
from settings import FeedConfig
from store import Store
from store.models import AssetRow, ObservationRow, RejectedRecordRow
from store.scope import LOCAL_TZ, Window, local_midnight_utc, scope_within
from tests.fixtures.mqtt_broker import SHARED_PORT, private_broker, publisher, wait_for

pytestmark = pytest.mark.integration

COMMUNE = "31498"
STATIONS = {
    "ST01": {"name": "Trạm Đại Ngãi", "area": COMMUNE, "river": "Hậu"},
    "ST02": {"name": "Trạm Trần Đề", "area": COMMUNE},
}


def feed_config(prefix: str, port: int = SHARED_PORT, **options: Any) -> FeedConfig:
    level = len(prefix.split("/")) + 1  # the station's level in {prefix}/{shape}/{station}
    topics = [
        {"filter": f"{prefix}/nested/+", "shape": "nested", "station_level": level},
        {
            "filter": f"{prefix}/flat/#",
            "shape": "flat",
            "station_field": "station",
            "time_format": "epoch_s",
            "units": {"temperature": "°F", "water_level": "m"},
        },
        {
            "filter": f"{prefix}/array/+",
            "shape": "array",
            "station_level": level,
            "time_format": "epoch_ms",
        },
    ]
    raw = {
        "host": "127.0.0.1",
        "port": port,
        "client_id": f"ioc-test-{prefix}",
        "reconnect_min_s": 1,
        "reconnect_max_s": 2,
        "keepalive_s": 5,
        "max_payload_bytes": 2048,
        "topics": topics,
        "stations": STATIONS,
        **options,
    }
    return FeedConfig.model_validate(
        {"id": "sensors", "type": "mqtt", "interval": 60, "timeout": 10, "options": raw}
    )


@pytest.fixture
def prefix() -> Iterator[str]:
    yield f"ioc-test/{uuid.uuid4().hex[:8]}"
    stop_session("sensors")


def now_iso(minutes_ago: float = 1) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def nested(salinity: float, unit: str = "‰", at: str | None = None, **extra: Any) -> str:
    doc = {"time": at or now_iso(), "salinity": {"value": salinity, "unit": unit}, **extra}
    return json.dumps(doc)


def started(store: Store, config: FeedConfig) -> FeedRunner:
    runner = FeedRunner(store, [config], sleep=lambda _s: None)
    runner.run(config.id)  # starts the session
    wait_for(lambda: _connected(config.id), 10, "the feed's broker connection")
    runner.run(config.id)  # reports the connected state
    return runner


def _connected(feed_id: str) -> bool:
    session = running_session(feed_id)
    return session is not None and session.state.connected


def run_until(runner: FeedRunner, condition: Callable[[], bool], what: str) -> None:
    def ran() -> bool:
        runner.run("sensors")
        return condition()

    wait_for(ran, 10, what)


def assets(store: Store) -> dict[str, AssetRow]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(AssetRow.__table__).where(AssetRow.feed_id == "sensors"))
        return {r.source_id: r for r in rows}


def salinity_max(store: Store) -> dict[str, float]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(ObservationRow.dim, ObservationRow.value).where(
                ObservationRow.feed_id == "sensors"
            )
        )
        return {r.dim: r.value for r in rows}


def reasons(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(RejectedRecordRow.reason)).scalars())


def observation_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ObservationRow)).scalar_one())


def test_three_shapes_convert_units_and_rerun_changes_nothing(store: Store, prefix: str) -> None:
    runner = started(store, feed_config(prefix))
    epoch = int(datetime.now(UTC).timestamp()) - 60
    with publisher() as pub:
        pub.publish(f"{prefix}/nested/ST01", nested(4200, "mg/L"))
        flat = {"station": "ST02", "time": epoch, "temperature": 86.0, "water_level": 1.2}
        pub.publish(f"{prefix}/flat/x", json.dumps(flat))
        array = [{"parameter": "ph", "value": 7.4, "time": epoch * 1000}]
        pub.publish(f"{prefix}/array/ST02", json.dumps(array))
    run_until(
        runner,
        lambda: len(assets(store)) == 2 and "ph" in assets(store)["ST02"].attributes,
        "stations",
    )
    st01, st02 = assets(store)["ST01"], assets(store)["ST02"]
    assert st01.attributes["salinity_permille"] == pytest.approx(4.2)
    assert st01.kind == "salinity_station" and st01.area_code == COMMUNE
    assert st02.attributes["temperature_c"] == pytest.approx(30.0)
    assert st02.attributes["water_level_cm"] == pytest.approx(120.0)
    assert st02.attributes["ph"] == pytest.approx(7.4)
    assert salinity_max(store)["ST01"] == pytest.approx(4.2)
    # the same messages again (a redelivery) change nothing
    before = (observation_count(store), {k: dict(v.attributes) for k, v in assets(store).items()})
    with publisher() as pub:
        pub.publish(
            f"{prefix}/nested/ST01",
            nested(4200, "mg/L", at=st01.attributes["measured_at"]["salinity"]),
        )
    run_until(runner, lambda: not running_session("sensors").pending(), "the redelivery")  # type: ignore[union-attr]
    report = runner.run("sensors")
    assert report.changed == 0
    assert (
        observation_count(store),
        {k: dict(v.attributes) for k, v in assets(store).items()},
    ) == before


def test_day_maximum_keeps_the_peak_and_latest_value_follows_time(
    store: Store, prefix: str
) -> None:
    runner = started(store, feed_config(prefix))
    sent = {30: 3.0, 10: 2.0, 20: 2.5}  # minutes ago → ‰; the last one arrives late
    with publisher() as pub:
        for minutes, value in sent.items():
            pub.publish(f"{prefix}/nested/ST01", nested(value, at=now_iso(minutes)))
    run_until(runner, lambda: "ST01" in assets(store), "the station")
    run_until(runner, lambda: not running_session("sensors").pending(), "all messages")  # type: ignore[union-attr]
    assert assets(store)["ST01"].attributes["salinity_permille"] == 2.0  # the newest reading
    expected: dict[datetime, float] = {}
    for minutes, value in sent.items():
        day = (datetime.now(UTC) - timedelta(minutes=minutes)).astimezone(LOCAL_TZ).date()
        start = local_midnight_utc(day)
        expected[start] = max(expected.get(start, value), value)
    assert day_maxima(store) == expected


def day_maxima(store: Store) -> dict[datetime, float]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(ObservationRow.period_start, ObservationRow.value).where(
                ObservationRow.feed_id == "sensors", ObservationRow.dim == "ST01"
            )
        )
        return {_utc(r.period_start): r.value for r in rows}


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


BAD_PAYLOADS = {
    b'{"time": "2026-01-01T00:00:00Z", "salinity": {"value": NaN}}': "NaN",
    b'{"salinity": {"value": Infinity}}': "Infinity",
    b"salinity=4.2": "not JSON",
    b"{'salinity': {'value': 4.2}}": "Python-style quotes",
    b"\xff\xd8\xff\xe0binary": "binary payload",
    b'{"salinity": {"value": 9000, "unit": "uS/cm"}}': "conductivity is not salinity",
    b'{"conductivity": {"value": 9000, "unit": "uS/cm"}}': "conductivity is not salinity",
    b'{"salinity": {"value": 5, "unit": "furlongs"}}': "cannot be converted",
    b'{"salinity": {"value": 3, "status": "calibrating"}}': "not a valid measurement",
    b'{"salinity": {"value": 99}}': "plausible range",
    b'{"time": "2099-01-01T00:00:00+07:00", "salinity": {"value": 2}}': "in the future",
    b'{"pressure": {"value": 2}}': "unknown parameter",
}


def test_bad_payloads_are_rejected_with_reasons_and_the_subscription_lives(
    store: Store, prefix: str
) -> None:
    runner = started(store, feed_config(prefix))
    with publisher() as pub:
        for payload in BAD_PAYLOADS:
            pub.publish(f"{prefix}/nested/ST01", payload)
        pub.publish(f"{prefix}/nested/ST09", nested(1.0))  # unknown station
        pub.publish(f"{prefix}/nested/ST01", "x" * 3000)  # above the 2048-byte limit
        pub.publish(f"{prefix}/nested/ST01", nested(1.5))  # a good one after all that
    run_until(runner, lambda: "ST01" in assets(store), "the good message")
    found = " | ".join(reasons(store))
    for expected in (*BAD_PAYLOADS.values(), "unknown station 'ST09'", "3000 bytes exceeds"):
        assert expected in found
    assert assets(store)["ST01"].attributes["salinity_permille"] == 1.5
    assert running_session("sensors").state.connected  # type: ignore[union-attr]


def test_empty_retained_message_is_ignored(store: Store, prefix: str) -> None:
    with publisher() as pub:
        pub.publish(f"{prefix}/nested/ST02", nested(2.0), retain=True)
    runner = started(store, feed_config(prefix))
    run_until(runner, lambda: "ST02" in assets(store), "the retained reading")
    with publisher() as pub:
        pub.publish(f"{prefix}/nested/ST02", b"", retain=True)  # clears the retained message
    run_until(runner, lambda: not running_session("sensors").pending(), "the empty message")  # type: ignore[union-attr]
    report = runner.run("sensors")
    assert report.status == "ok" and report.rejected == 0
    assert reasons(store) == []
    assert assets(store)["ST02"].attributes["salinity_permille"] == 2.0


def test_persistent_session_receives_what_was_published_while_away(
    store: Store, prefix: str
) -> None:
    config = feed_config(prefix)
    started(store, config)
    stop_session("sensors")  # the scheduler stops; the broker keeps the session
    with publisher() as pub:
        pub.publish(f"{prefix}/nested/ST01", nested(1.25))
    runner = started(store, config)
    run_until(runner, lambda: "ST01" in assets(store), "the queued message")
    assert assets(store)["ST01"].attributes["salinity_permille"] == 1.25


def test_broker_down_shows_in_health_and_reconnection_resumes(
    sqlite_store: Store, prefix: str
) -> None:
    store = sqlite_store
    with private_broker() as broker:
        runner = started(store, feed_config(prefix, port=broker.port))
        assert runner.run("sensors").status == "ok"
        broker.stop()
        wait_for(lambda: not _connected("sensors"), 10, "the lost connection")
        report = runner.run("sensors")
        assert report.status == "failed"
        assert "mất kết nối broker" in (report.error_text or "")
        health = {h.id: h for h in store.queries.feed_health()}["sensors"]
        assert health.last_status == "failed" and "mất kết nối broker" in (health.last_error or "")
        broker.start()
        wait_for(lambda: _connected("sensors"), 15, "the reconnection")
        with publisher(broker.port) as pub:
            pub.publish(f"{prefix}/nested/ST01", nested(4.5))
        run_until(runner, lambda: "ST01" in assets(store), "a reading after reconnection")
        health = {h.id: h for h in store.queries.feed_health()}["sensors"]
        assert health.last_status == "ok"


def test_scheduler_stores_a_reading_unprompted_and_it_is_a_critical_alert(
    store: Store, prefix: str
) -> None:
    config = feed_config(prefix, flush_s=0.2)
    scheduler = build_scheduler(FeedRunner(store, [config]), [config])
    job = scheduler.get_job("sensors")
    assert job.trigger.interval.total_seconds() == pytest.approx(0.2)
    scheduler.start()
    try:
        wait_for(lambda: _connected("sensors"), 10, "the scheduler's subscription")
        with publisher() as pub:
            pub.publish(f"{prefix}/nested/ST01", nested(4.3))
        wait_for(lambda: "ST01" in assets(store), 10, "the reading stored by the scheduler")
    finally:
        scheduler.shutdown(wait=True)
    assert running_session("sensors") is None  # the subscription ended with the scheduler
    scope = scope_within("94", Window.named("7d", datetime.now(UTC)))
    alerts = {a.key: a for a in current_alerts(store.queries, scope, {})}
    alert = alerts["salinity:ST01"]
    assert alert.severity == "critical" and dict(alert.params)["value"] == pytest.approx(4.3)


def test_a_dry_run_of_an_unsaved_subscription_shows_the_retained_readings(prefix: str) -> None:
    """Test before saving: a new session's first fetch waits for what the subscription brings
    at once (the broker sends retained messages right after acknowledging it)."""
    from feeds.dry_run import dry_run
    from geo.hierarchy import load_admin_units

    with publisher() as pub:
        pub.publish(f"{prefix}/nested/ST01", nested(2.5), retain=True)
        pub.publish(f"{prefix}/nested/ST02", nested(4.4), retain=True)
    try:
        config = feed_config(prefix)
        areas = {u.code: u for u in load_admin_units()}
        result = dry_run(config, areas=areas)
        assert result.error is None
        maxima = {
            r["dim"]: r["value"]
            for r in result.records
            if r["record"] == "observation" and r["metric"] == "environment.salinity_max"
        }
        assert maxima == {"ST01": 2.5, "ST02": 4.4}
    finally:
        stop_session("sensors")
        with publisher() as pub:  # clear the retained messages
            pub.publish(f"{prefix}/nested/ST01", b"", retain=True)
            pub.publish(f"{prefix}/nested/ST02", b"", retain=True)
