"""Overview page server time (all callbacks fired by loading it) vs the raw SQL of the same
queries, on SQLite and PostgreSQL with the 365-day demo backfill; map bytes on load and change.

Run: python -m bench.overview [--rounds 40]
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from bench.harness import (
    bench_settings,
    captured_sql,
    ensure_backfill,
    open_store,
    replay_seconds,
    summary,
    timed,
)
from dashboards import create_app, payloads
from dashboards.pages.overview import HEADLINES
from tests.fixtures.auth import client_for


def kpi_body(area: str, window: str) -> dict[str, Any]:
    return payloads.kpis("overview", HEADLINES, area, window)


def map_body(area: str, metric: str, window: str) -> dict[str, Any]:
    return {
        "output": "..overview-map.figure...overview-map-title.children..."
        "overview-map-legend.children..",
        "outputs": [
            {"id": "overview-map", "property": "figure"},
            {"id": "overview-map-title", "property": "children"},
            {"id": "overview-map-legend", "property": "children"},
        ],
        "inputs": [
            payloads.param("overview", "area", area),
            payloads.param("overview", "metric", metric),
            payloads.param("overview", "window", window),
            payloads.refresh("overview"),
        ],
        "changedPropIds": [],
    }


def post(client: Any, body: dict[str, Any]) -> int:
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:300]
    return len(response.data)


def page_load(client: Any, area: str = "94", window: str = "30d") -> int:
    """The requests a browser makes to render the overview, as one server-side total."""
    sent = len(client.get("/_dash-layout").data)
    sent += post(client, payloads.router("/"))
    sent += post(client, kpi_body(area, window))
    return sent + post(client, map_body(area, HEADLINES[0], window))


def scope_change(client: Any) -> int:
    return post(client, kpi_body("941", "30d")) + post(client, map_body("941", HEADLINES[0], "30d"))


def measure(database: str, rounds: int) -> dict[str, Any]:
    settings = bench_settings()
    store = open_store(database)
    backfill = ensure_backfill(store, settings.feed("simulator"))
    app = create_app(settings, store)
    cache = app.server.extensions["ioc"].queries.cache
    client = client_for(app)
    page_load(client)  # warm imports, plans and connections
    cold, warm, floor, change = [], [], [], []
    for _ in range(rounds):
        cache.clear()
        with captured_sql(store) as statements:
            seconds, _ = timed(lambda: page_load(client))
        cold.append(seconds)
        floor.append(replay_seconds(store, statements))
        warm.append(timed(lambda: page_load(client))[0])
        cache.clear()
        change.append(timed(lambda: scope_change(client))[0])
    geo = client.get(app.server.extensions["ioc"].boundaries and "/geo/district.geojson")
    first_map = post(client, map_body("94", HEADLINES[0], "30d"))
    metric_map = post(client, map_body("94", HEADLINES[2], "30d"))
    store.engine.dispose()
    return {
        "database": database,
        "backfill": backfill,
        "cold": summary(cold),
        "warm": summary(warm),
        "floor": summary(floor),
        "scope_change": summary(change),
        "sql_statements": len(statements),
        "geojson_bytes": len(geo.data),
        "map_first_bytes": first_map,
        "map_metric_change_bytes": metric_map,
    }


def report(result: dict[str, Any]) -> None:
    ms = lambda pair: f"median {pair[0] * 1000:6.1f} ms  p95 {pair[1] * 1000:6.1f} ms"  # noqa: E731
    print(f"\n== overview page, {result['database']}")
    if result["backfill"]:
        print(
            f"backfill: {result['backfill']['records']:,} records in "
            f"{result['backfill']['seconds']:.1f} s"
        )
    print(f"page load, cache cold : {ms(result['cold'])}")
    print(f"page load, cache warm : {ms(result['warm'])}")
    print(f"raw SQL floor         : {ms(result['floor'])}  ({result['sql_statements']} statements)")
    print(f"ratio cold / floor    : {result['cold'][0] / result['floor'][0]:.2f}x (median)")
    print(f"scope change (cold)   : {ms(result['scope_change'])}")
    print(f"map geometry, once    : {result['geojson_bytes']:,} B (districts)")
    print(f"map on first load     : {result['map_first_bytes']:,} B of values")
    print(f"map on metric change  : {result['map_metric_change_bytes']:,} B")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = [measure(db, args.rounds) for db in databases]
    for result in results:
        report(result)
    print("\n" + json.dumps(results, default=str))


if __name__ == "__main__":
    main()
