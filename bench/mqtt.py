"""MQTT: publish → row stored latency through the scheduler's subscription, at set rates.

Runs the real scheduler (the mqtt feed's listening job, `flush_s` as given) on a fresh store,
publishes salinity readings at QoS 1 to the machine's Mosquitto at each rate for a few
seconds, spread over 50 stations, and times each reading from its publish to the commit of
the run that stored it (a station's stored `measured_at` covers every earlier reading of it).

Run: python -m bench.mqtt [--rates 100,1000] [--seconds 5] [--flush 0.2] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.harness import PG_URL, summary
from feeds.mqtt.session import running_session
from feeds.runner import FeedRunner, RunReport
from feeds.scheduler import build_scheduler
from settings import FeedConfig
from store import Store
from tests.fixtures.mqtt_broker import Publisher, wait_for

FEED = "bench_mqtt"
STATIONS = 50
COMMUNE = "31498"


class TimedRunner(FeedRunner):
    """The runner, noting after each run which readings the store now holds."""

    def __init__(self, store: Store, config: FeedConfig, sent: dict[str, list[float]]) -> None:
        super().__init__(store, [config])
        self.sent = sent  # station → publish times (epoch s), in order
        self.stored: list[float] = []  # latencies (s)
        self._done: dict[str, int] = {}
        self.lock = threading.Lock()

    def run(self, feed_id: str) -> RunReport:
        report = super().run(feed_id)
        committed = time.time()
        for station, attributes in self.store.queries.feed_assets(
            FEED, "environment", "salinity_station"
        ).items():
            newest = datetime.fromisoformat(attributes["measured_at"]["salinity"]).timestamp()
            with self.lock:
                times = self.sent.get(station, [])
                start = self._done.get(station, 0)
                end = start
                while end < len(times) and times[end] <= newest + 1e-6:
                    end += 1
                self.stored += [committed - t for t in times[start:end]]
                self._done[station] = end
        return report


def feed_config(prefix: str, flush_s: float) -> FeedConfig:
    options = {
        "host": "127.0.0.1",
        "client_id": f"bench-{uuid.uuid4().hex[:8]}",
        "flush_s": flush_s,
        "topics": [{"filter": f"{prefix}/+", "shape": "nested", "station_level": 2}],
        "stations": {f"B{i:02d}": {"name": f"Trạm {i}", "area": COMMUNE} for i in range(STATIONS)},
    }
    return FeedConfig.model_validate(
        {"id": FEED, "type": "mqtt", "interval": 60, "timeout": 60, "options": options}
    )


def open_store(database: str, folder: Path) -> tuple[Store, str | None]:
    """A fresh store: a SQLite file in `folder`, or a new PostgreSQL schema (and its name)."""
    if database == "sqlite":
        return Store.open(f"sqlite:///{folder / 'mqtt.db'}"), None
    schema = f"ioc_bench_mqtt_{uuid.uuid4().hex[:6]}"
    with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    options = {"options": f"-csearch_path={schema}"}
    return Store.open(PG_URL, connect_args=options), schema


def drop_schema(schema: str | None) -> None:
    if schema is None:
        return
    with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def measure(rate: int, seconds: float, flush_s: float, database: str) -> tuple[float, float, int]:
    prefix = f"ioc-bench/{uuid.uuid4().hex[:8]}"
    sent: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        store, schema = open_store(database, Path(folder))
        config = feed_config(prefix, flush_s)
        runner = TimedRunner(store, config, sent)
        scheduler = build_scheduler(runner, [config])
        scheduler.start()
        publisher = Publisher()
        try:
            wait_for(lambda: _connected(), 10, "the subscription")
            total = int(rate * seconds)
            started = time.monotonic()
            for i in range(total):
                due = started + i / rate
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                station = f"B{i % STATIONS:02d}"
                now = time.time()
                with runner.lock:
                    sent.setdefault(station, []).append(now)
                at = datetime.fromtimestamp(now, UTC).isoformat()
                body = {"time": at, "salinity": {"value": round(1 + (i % 300) / 100, 2)}}
                publisher.client.publish(f"{prefix}/{station}", json.dumps(body), qos=1)
            wait_for(lambda: len(runner.stored) >= total, 60, "every reading stored")
        finally:
            publisher.close()
            scheduler.shutdown(wait=True)
            store.engine.dispose()
            drop_schema(schema)
    median, p95 = summary(runner.stored)
    return median, p95, len(runner.stored)


def _connected() -> bool:
    session = running_session(FEED)
    return session is not None and session.state.connected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="100,1000")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--flush", type=float, default=0.2)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    for rate in (int(r) for r in args.rates.split(",")):
        median, p95, count = measure(rate, args.seconds, args.flush, args.db)
        print(
            f"{args.db} {rate:>5} msg/s, flush {args.flush:g} s: {count} readings, "
            f"publish → stored median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
