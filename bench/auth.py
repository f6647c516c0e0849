"""The sign-in layer's added server time per callback: the guard alone (session, user re-check,
same-origin and permission checks), and each callback's whole request with the guard and with
a stand-in that only names the visitor, interleaved in the same run; for a user session and for
a wall display session.

Run: python -m bench.auth [--rounds 300] [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dash import Dash
from flask.testing import FlaskClient

from access.current import current_visitor, set_visitor
from access.tokens import issue
from access.web.guard import check_request
from bench.harness import bench_settings, open_store
from dashboards import create_app, payloads
from dashboards.specs import PAGES
from store.accounts import Accounts
from tests.fixtures.auth import TEST_ORIGIN, client_for

CALLBACK = "/_dash-update-component"
WALL_SPEC = {"playlist": "default", "screen": 1, "area": "94", "lang": "vi"}


def _stand_in(app: Dash, visitor: Any) -> Callable[[], None]:
    """Swap the guard for a before_request that only names the visitor; returns the undo."""
    funcs = app.server.before_request_funcs[None]
    guard = next(f for f in funcs if f.__name__ == "guard")
    index = funcs.index(guard)

    def named() -> None:
        set_visitor(visitor)

    funcs[index] = named

    def undo() -> None:
        funcs[index] = guard

    return undo


def _visitor_of(client: FlaskClient, body: dict[str, Any]) -> Any:
    """The visitor the guard sets for this client (read through one real request)."""
    app = client.application
    seen: list[Any] = []

    def spy(response: Any) -> Any:
        seen.append(current_visitor())
        return response

    app.after_request_funcs.setdefault(None, []).append(spy)
    client.post(CALLBACK, json=body)
    app.after_request_funcs[None].remove(spy)
    return seen[0]


def guard_seconds(app: Dash, client: FlaskClient, body: dict[str, Any], rounds: int) -> float:
    """Median time of the guard alone for this request (after a warm-up)."""
    cookie = client.get_cookie("ioc_session")
    assert cookie is not None
    headers = {"Origin": TEST_ORIGIN, "Cookie": f"ioc_session={cookie.value}"}
    times = []
    for _ in range(rounds):
        with app.server.test_request_context(CALLBACK, method="POST", json=body, headers=headers):
            started = time.perf_counter()
            refused = check_request(app)
            times.append(time.perf_counter() - started)
        assert refused is None
    return statistics.median(times[rounds // 10 :])


def request_seconds(
    app: Dash, client: FlaskClient, body: dict[str, Any], rounds: int
) -> tuple[float, float]:
    """Median whole-request time (with the guard, with the stand-in), interleaved."""
    visitor = _visitor_of(client, body)
    with_guard: list[float] = []
    without: list[float] = []
    for _ in range(rounds):
        for target in (with_guard, without):
            swap = None if target is with_guard else _stand_in(app, visitor)
            started = time.perf_counter()
            response = client.post(CALLBACK, json=body)
            target.append(time.perf_counter() - started)
            if swap:
                swap()
            assert response.status_code in (200, 204), response.data[:200]
    return statistics.median(with_guard), statistics.median(without)


def measure(database: str, rounds: int) -> None:
    settings = bench_settings()
    store = open_store(database)
    app = create_app(settings, store)
    user = client_for(app, "leader")
    spec = PAGES[0]
    bodies = {"router": payloads.router(f"/{spec.domain.slug}")}
    for n, body in enumerate(payloads.domain_page(app, spec, "94", "30d")):
        bodies[f"{spec.domain.slug} #{n + 1}"] = body
    issued = issue(
        Accounts(store.engine), playlist="default", area_code=None, created_by="bench",
        now=datetime.now(UTC), lifetime=None,
    )  # fmt: skip
    wall = app.server.test_client()
    wall.environ_base["HTTP_ORIGIN"] = TEST_ORIGIN
    assert wall.get(f"/wall/default?token={issued.secret}").status_code == 303
    items = list(range(len(settings.wall.playlists["default"].pages)))
    wall_body = payloads.wall_refresh(WALL_SPEC, items, [])
    print(f"\n== sign-in layer, {database}: median per callback ({rounds} rounds)")
    print(f"{'callback':28} {'guard µs':>9} {'with ms':>8} {'without ms':>10} {'added ms':>9}")
    rows = [(name, user, body) for name, body in bodies.items()] + [
        ("wall refresh (display)", wall, wall_body)
    ]
    added = []
    for name, client, body in rows:
        alone = guard_seconds(app, client, body, rounds)
        with_guard, without = request_seconds(app, client, body, max(20, rounds // 10))
        added.append(alone)
        print(
            f"{name:28} {alone * 1e6:9.0f} {with_guard * 1000:8.2f} {without * 1000:10.2f}"
            f" {(with_guard - without) * 1000:9.2f}"
        )
    print(f"guard alone, median over callbacks: {statistics.median(added) * 1e6:.0f} µs")
    store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    measure(args.database, args.rounds)


if __name__ == "__main__":
    main()
