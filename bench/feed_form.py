"""Test before saving, per connector type: the console's whole path (read the form, validate,
bounded dry run, the result's view) against the connector's own dry run of the same feed
(`python -m feeds test`, the floor), both in one run on the same source.

Sources: the simulator (one day), http_json on a loopback API, sql_query on a PostgreSQL table,
tabular_file on a CSV file (`--records` rows each), http_health on a loopback portal,
station_files on a drop folder of 24 hourly air-station files, camera on 10 loopback cameras
answering JPEG snapshots, mqtt on the machine's Mosquitto (two stations' retained readings,
a new session each time, as an unsaved subscription's test connects anew).

Run: python -m bench.feed_form [--records 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image

from bench.connectors import (
    MAPPING,
    PAGE,
    TABLE_MAPPING,
    csv_file,
    paged_api,
    pg_source,
    source_rows,
)
from bench.ingest import fresh_store
from dashboards.feed_form import initial_values
from dashboards.feed_form_view import trial_view
from dashboards.feed_trial import SHOWN_RECORDS, check, form_spec, trial
from feeds.dry_run import dry_run
from feeds.mqtt.session import stop_session
from geo.hierarchy import load_admin_units
from settings import FeedConfig
from store.scope import LOCAL_TZ
from tests.fixtures.http_server import Route, serve
from tests.fixtures.mqtt_broker import SHARED_PORT, publisher
from tests.fixtures.station_files import STATIONS, hourly_air_files


@contextmanager
def cameras(count: int) -> Iterator[list[dict[str, Any]]]:
    """`count` loopback cameras, each answering a 1280×720 JPEG snapshot."""
    still = io.BytesIO()
    Image.new("RGB", (1280, 720), (40, 90, 140)).save(still, "JPEG", quality=85)
    routes = {f"/cam{n}.jpg": Route(200, still.getvalue(), "image/jpeg") for n in range(count)}
    with serve(routes) as server:
        yield [
            {
                "id": f"cam-{n}",
                "name": f"Camera {n}",
                "area": "31498",
                "snapshot_url": server.url(f"/cam{n}.jpg"),
            }
            for n in range(count)
        ]


def sensors() -> dict[str, Any]:
    """Two salinity stations on the machine's Mosquitto, each with a retained reading: what a
    new subscription receives at once."""
    prefix = f"ioc-bench/{uuid.uuid4().hex[:8]}"
    stations = {code: {"name": f"Trạm {code}", "area": "31498"} for code in ("ST01", "ST02")}
    with publisher() as pub:
        for code in stations:
            reading = {"time": datetime.now(UTC).isoformat(), "salinity": {"value": 2.5}}
            pub.publish(f"{prefix}/{code}", json.dumps(reading), retain=True)
    return {
        "host": "127.0.0.1",
        "port": SHARED_PORT,
        "client_id": f"ioc-bench-{prefix[-8:]}",
        "topics": [{"filter": f"{prefix}/+", "shape": "nested", "station_level": 2}],
        "stations": stations,
    }


def fresh_session(feed_id: str, fn: Callable[[], Any]) -> Callable[[], Any]:
    """A test of an unsaved subscription connects anew each time: end the session after."""

    def once() -> Any:
        try:
            return fn()
        finally:
            stop_session(feed_id)

    return once


def station_folder(folder: Path) -> Path:
    """A drop folder with a day of hourly air-station files (the 24 before this hour)."""
    drop = folder / "stations"
    drop.mkdir()
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hourly_air_files(drop, hour - timedelta(hours=25), 24)
    return drop


@contextmanager
def portal() -> Iterator[str]:
    page = "<html><head><title>Cổng</title></head><body>Tin mới</body></html>"
    with serve({"/": Route(200, page, content_type="text/html; charset=utf-8")}) as server:
        yield server.url("/")


def entries(stack: ExitStack, records: int, folder: Path) -> dict[str, dict[str, Any]]:
    """One feed entry per connector type, on its source."""
    with fresh_store("sqlite") as store:
        rows = source_rows(store, records, datetime.now(UTC).astimezone(LOCAL_TZ).date())
    api = stack.enter_context(paged_api(rows))
    query = stack.enter_context(pg_source(rows))
    from bench.harness import PG_URL

    site = stack.enter_context(portal())
    pagination = {"type": "page", "size": PAGE, "max_pages": 1000}
    return {
        "simulator": {"options": {"backfill_days": 1}},
        "http_json": {"options": {"url": api, "mapping": MAPPING, "pagination": pagination}},
        "sql_query": {
            "options": {"url": PG_URL, "query": query, "mapping": {**MAPPING, "records": ""}}
        },
        "tabular_file": {
            "options": {"path": str(csv_file(folder, rows)), "mapping": TABLE_MAPPING}
        },
        "http_health": {
            "options": {
                "portals": [{"id": "cong-tinh", "name": "Cổng tỉnh", "url": site, "area": "94"}]
            }
        },
        "station_files": {
            "options": {
                "folder": str(station_folder(folder)),
                "stations": STATIONS,
                "stability_seconds": 10,
            }
        },
        "camera": {"options": {"cameras": stack.enter_context(cameras(10))}},
        "mqtt": {"options": sensors()},
    }


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    areas = {u.code: u for u in load_admin_units()}
    with ExitStack() as stack, tempfile.TemporaryDirectory() as folder:
        for feed_type, entry in entries(stack, args.records, Path(folder)).items():
            config = {"id": f"bench_{feed_type}", "type": feed_type, "interval": 300, **entry}
            spec = form_spec(feed_type)
            assert spec is not None
            values = initial_values(spec.fields, config)
            feed = FeedConfig.model_validate(config)
            first = fresh_session(feed.id, lambda feed=feed: dry_run(feed, areas=areas))()
            assert first.error is None, (feed_type, first.error)

            def console(values: dict[str, Any] = values, spec: Any = spec) -> None:
                checked = check(spec, values, "vi")
                assert checked.ok and checked.feed is not None, checked.messages
                trial_view(trial(checked.feed, checked.config, areas, "vi"), "vi")

            def floor_run(feed: FeedConfig = feed) -> Any:
                return dry_run(feed, limit=SHOWN_RECORDS, areas=areas)

            floor = best(fresh_session(feed.id, floor_run), args.repeat)
            measured = best(fresh_session(feed.id, console), args.repeat)
            print(
                f"{feed_type:13} {first.total_records:>7} records  floor (dry run) "
                f"{floor * 1000:8.1f} ms  console test {measured * 1000:8.1f} ms  "
                f"ratio {measured / floor:5.2f}"
            )


if __name__ == "__main__":
    main()
