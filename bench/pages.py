"""Every domain page's server time: all callbacks fired by loading it, and a scope change, against
the raw SQL of the same queries, on SQLite and PostgreSQL with the 365-day demo backfill.

Run: python -m bench.pages [--rounds 20] [--database sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
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
from dashboards.specs import PAGES, PageSpec
from tests.fixtures.auth import client_for


def load(client: Any, app: Any, spec: PageSpec, area: str) -> int:
    """The router and every callback the page fires; returns the bytes sent."""
    sent = 0
    for body in [
        payloads.router(f"/{spec.domain.slug}"),
        *payloads.domain_page(app, spec, area, "30d"),
    ]:
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, response.data[:200]
        sent += len(response.data)
    return sent


def scope_change(client: Any, app: Any, spec: PageSpec) -> int:
    sent = 0
    for body in payloads.domain_page(app, spec, "947", "30d"):
        sent += len(client.post("/_dash-update-component", json=body).data)
    return sent


def map_update_bytes(client: Any, app: Any, spec: PageSpec) -> int:
    body = payloads.domain_page(app, spec, "94", "30d")[4]  # the map values callback
    return len(client.post("/_dash-update-component", json=body).data)


def measure(database: str, rounds: int) -> list[dict[str, Any]]:
    settings = bench_settings()
    store = open_store(database)
    ensure_backfill(store, settings.feed("simulator"))
    app = create_app(settings, store)
    cache = app.server.extensions["ioc"].queries.cache
    client = client_for(app)
    results = []
    for spec in PAGES:
        load(client, app, spec, "94")
        cold, floor, change = [], [], []
        for _ in range(rounds):
            cache.clear()
            with captured_sql(store) as statements:
                seconds, sent = timed(lambda s=spec: load(client, app, s, "94"))
            cold.append(seconds)
            floor.append(replay_seconds(store, statements))
            cache.clear()
            change.append(timed(lambda s=spec: scope_change(client, app, s))[0])
        results.append(
            {
                "page": spec.domain.slug,
                "cold": summary(cold),
                "floor": summary(floor),
                "change": summary(change),
                "bytes": sent,
                "map_update": map_update_bytes(client, app, spec),
            }
        )
    store.engine.dispose()
    return results


def report(database: str, results: list[dict[str, Any]]) -> None:
    print(f"\n== domain pages, {database} (ms; load = all callbacks, cold cache)")
    print(
        f"{'page':24} {'load med':>8} {'p95':>7} {'SQL':>6} {'ratio':>6} {'scope med':>9}"
        f" {'KB':>6} {'map KB':>7}"
    )
    for r in results:
        print(
            f"{r['page']:24} {r['cold'][0] * 1000:8.1f} {r['cold'][1] * 1000:7.1f}"
            f" {r['floor'][0] * 1000:6.1f} {r['cold'][0] / r['floor'][0]:6.1f}"
            f" {r['change'][0] * 1000:9.1f} {r['bytes'] / 1024:6.1f}"
            f" {r['map_update'] / 1024:7.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    for database in ["sqlite", "postgresql"] if args.database == "both" else [args.database]:
        report(database, measure(database, args.rounds))


if __name__ == "__main__":
    main()
