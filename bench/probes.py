"""Portal probes: the wall time of one http_health cycle over 32 loopback portals, 3 of them
slow, at the configured concurrency, against the floor of one probe of a slow portal alone.

Run: python -m bench.probes [--slow-s 1.5] [--concurrency 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from feeds.runner import FeedRunner
from settings import FeedConfig
from store import Store
from tests.fixtures.http_server import Route, serve

PORTALS = 32
SLOW = 3
PAGE = "<html><title>Cổng thông tin điện tử tỉnh Sóc Trăng</title></html>"


def feed_config(base: str, concurrency: int) -> FeedConfig:
    portals = [
        {
            "id": f"portal-{i:02d}",
            "name": f"Cổng {i}",
            "url": f"{base}/{'slow' if i < SLOW else 'fast'}/{i}",
            "area": "94",
            "expect": "Sóc Trăng",
        }
        for i in range(PORTALS)
    ]
    options = {"portals": portals, "concurrency": concurrency, "timeout_s": 10, "slot_s": 60}
    return FeedConfig.model_validate(
        {
            "id": "portals",
            "type": "http_health",
            "interval": 300,
            "timeout": 120,
            "options": options,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--slow-s", type=float, default=1.5)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    routes = {f"/fast/{i}": Route(200, PAGE, "text/html") for i in range(PORTALS)}
    routes |= {f"/slow/{i}": Route(200, PAGE, "text/html", delay=args.slow_s) for i in range(SLOW)}
    with serve(routes) as server, tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'probes.db'}")
        config = feed_config(server.base_url, args.concurrency)
        now = datetime.now(UTC)
        cycles = []
        for round_ in range(args.rounds):
            moment = now + timedelta(minutes=round_)  # each round is a new slot
            runner = FeedRunner(store, [config], clock=lambda m=moment: m)
            started = time.perf_counter()
            report = runner.run("portals")
            cycles.append(time.perf_counter() - started)
            assert report.status == "ok", report
        store.engine.dispose()
    cycle = statistics.median(cycles)
    print(
        f"{PORTALS} portals ({SLOW} answering after {args.slow_s:g} s), concurrency "
        f"{args.concurrency}: cycle median {cycle:.2f} s over {args.rounds} rounds "
        f"(floor: one slow portal {args.slow_s:g} s; all in sequence would take "
        f"≥ {SLOW * args.slow_s:.1f} s)"
    )


if __name__ == "__main__":
    main()
