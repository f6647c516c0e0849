"""The http_health feed against real HTTP and HTTPS servers on loopback, with a CA made here."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from feeds.runner import FeedRunner
from settings import FeedConfig
from store import Store
from store.models import AssetRow, MetricRow, ObservationRow
from tests.conftest import Clock
from tests.fixtures.http_server import LoopbackServer, Route, free_port, serve
from tests.fixtures.tls import Authority, make_authority, serve_https, server_certificate

pytestmark = pytest.mark.integration
PAGE = "<html><title>Cổng thông tin điện tử tỉnh Sóc Trăng</title></html>"
EXPECT = "Sóc Trăng"
TIMEOUT_S = 1.0


@dataclass
class Portals:
    plain: LoopbackServer
    secure: dict[int, LoopbackServer]  # days to expiry → server
    untrusted: LoopbackServer
    authority: Authority


@pytest.fixture(scope="module")
def portals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portals]:
    folder = tmp_path_factory.mktemp("tls")
    authority = make_authority(folder)
    stranger = make_authority(tmp_path_factory.mktemp("other"))  # a CA nobody trusts
    routes = {
        "/": Route(200, PAGE, "text/html; charset=utf-8"),
        "/moved": Route(302, "", headers={"Location": "/moved-again"}),
        "/moved-again": Route(301, "", headers={"Location": "/"}),
        "/loop": Route(302, "", headers={"Location": "/loop"}),
        "/slow": Route(200, PAGE, "text/html", delay=TIMEOUT_S * 3),
        "/broken": Route(500, "Internal Server Error", "text/plain"),
        "/defaced": Route(200, "<html>hacked</html>", "text/html"),
        "/gentle": Route(200, PAGE, "text/html", delay=0.3),
    }
    with serve(routes) as plain:
        secure: dict[int, LoopbackServer] = {}
        contexts = []
        for days in (400, 20, 5):
            cert, key = server_certificate(authority, folder, days, f"portal-{days}d")
            contexts.append(serve_https(routes, cert, key))
            secure[days] = contexts[-1].__enter__()
        cert, key = server_certificate(stranger, folder, 400, "stranger")
        with serve_https(routes, cert, key) as untrusted:
            try:
                yield Portals(plain, secure, untrusted, authority)
            finally:
                for context in contexts:
                    context.__exit__(None, None, None)


def portal(portal_id: str, url: str, area: str = "94", expect: str | None = EXPECT) -> dict:
    return {
        "id": portal_id,
        "name": f"Cổng {portal_id}",
        "url": url,
        "area": area,
        "expect": expect,
    }


def config(portal_list: list[dict], **options: Any) -> FeedConfig:
    raw = {"portals": portal_list, "timeout_s": TIMEOUT_S, "slot_s": 300, **options}
    return FeedConfig.model_validate(
        {"id": "portals", "type": "http_health", "interval": 300, "timeout": 60, "options": raw}
    )


def every_kind(p: Portals) -> list[dict]:
    return [
        portal("ok-http", p.plain.url("/")),
        portal("redirected", p.plain.url("/moved"), "941"),
        portal("looping", p.plain.url("/loop"), "941"),
        portal("slow", p.plain.url("/slow"), "942"),
        portal("broken", p.plain.url("/broken"), "942"),
        portal("defaced", p.plain.url("/defaced")),
        portal("refused", f"http://127.0.0.1:{free_port()}/"),
        portal("tls-400", p.secure[400].url("/")),
        portal("tls-20", p.secure[20].url("/")),
        portal("tls-5", p.secure[5].url("/")),
        portal("untrusted", p.untrusted.url("/")),
    ]


def assets(store: Store) -> dict[str, AssetRow]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(AssetRow.__table__).where(AssetRow.feed_id == "portals"))
        return {r.source_id: r for r in rows}


def observations(store: Store) -> dict[tuple[str, str, str], float]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                MetricRow.key, ObservationRow.area_code, ObservationRow.dim, ObservationRow.value
            )
            .join(MetricRow, MetricRow.id == ObservationRow.metric_id)
            .where(ObservationRow.feed_id == "portals")
        )
        return {(r.key, r.area_code, r.dim): r.value for r in rows}


def real_clock() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0))


def test_every_result_kind_is_told_apart(store: Store, portals: Portals) -> None:
    clock = real_clock()
    cfg = config(every_kind(portals), ca_file=str(portals.authority.pem_path), max_redirects=3)
    report = FeedRunner(store, [cfg], clock=clock).run("portals")
    assert report.status == "ok", report.error_text
    found = {k: (v.status, v.attributes) for k, v in assets(store).items()}
    kinds = {k: a["result"] for k, (_s, a) in found.items()}
    assert kinds == {
        "ok-http": "ok",
        "redirected": "ok",
        "looping": "too_many_redirects",
        "slow": "timeout",
        "broken": "http_error",
        "defaced": "content_mismatch",
        "refused": "connection_failed",
        "tls-400": "ok",
        "tls-20": "ok",
        "tls-5": "ok",
        "untrusted": "tls_error",
    }
    assert found["redirected"][1]["redirects"] == 2
    assert found["broken"][1]["http_status"] == 500
    assert "certificate" in found["untrusted"][1]["reason"]
    assert "connection refused" in found["refused"][1]["reason"]
    assert {k: a["tls_state"] for k, (_s, a) in found.items() if k.startswith("tls-")} == {
        "tls-400": "ok",
        "tls-20": "warn",
        "tls-5": "critical",
    }
    assert 4 <= found["tls-5"][1]["tls_days_left"] <= 5
    assert found["tls-20"][1]["tls_expiring"] and not found["tls-400"][1]["tls_expiring"]
    assert found["ok-http"][0] == "up" and found["slow"][0] == "down"
    assert found["ok-http"][1]["response_ms"] >= 0 and found["slow"][1]["response_ms"] is None
    rows = observations(store)
    assert rows[("portals.checks", "94", "ok-http")] == 1
    assert rows[("portals.checks_up", "94", "defaced")] == 0
    assert rows[("portals.total", "94", "")] == 11  # the province counts every portal
    assert rows[("portals.total", "941", "")] == 2
    assert rows[("portals.up", "94", "")] == 5  # ok, redirected and the three trusted TLS
    assert rows[("portals.up", "941", "")] == 1
    assert rows[("portals.tls_expiring", "94", "")] == 2
    assert rows[("portals.checks", "942", "")] == 2


def test_rerun_in_the_same_slot_changes_nothing_and_the_next_slot_counts(
    store: Store, portals: Portals
) -> None:
    clock = real_clock()
    cfg = config(
        [portal("a", portals.plain.url("/")), portal("b", portals.plain.url("/broken"), "941")]
    )
    runner = FeedRunner(store, [cfg], clock=clock)
    runner.run("portals")
    before, requests_before = observations(store), len(portals.plain.requests)
    again = runner.run("portals")
    assert again.changed == 0 and observations(store) == before
    assert len(portals.plain.requests) == requests_before  # nobody was probed twice
    clock.now += timedelta(seconds=300)
    runner.run("portals")
    rows = observations(store)
    assert rows[("portals.checks", "94", "")] == 4  # two portals, two slots
    assert rows[("portals.checks_up", "94", "")] == 2
    assert (rows[("portals.checks_up", "94", "a")], rows[("portals.checks", "94", "a")]) == (2, 2)
    assert (rows[("portals.checks_up", "941", "b")], rows[("portals.checks", "941", "b")]) == (0, 2)
    assert assets(store)["b"].attributes["checks"] == 2


def test_concurrency_is_bounded(sqlite_store: Store, portals: Portals) -> None:
    one = config([portal("g0", portals.plain.url("/gentle"))])
    started = time.monotonic()
    FeedRunner(sqlite_store, [one], clock=real_clock()).run("portals")
    floor = time.monotonic() - started
    six = config([portal(f"g{i}", portals.plain.url("/gentle")) for i in range(6)], concurrency=2)
    clock = real_clock()
    clock.now += timedelta(seconds=300)  # a new slot: every portal is due
    started = time.monotonic()
    FeedRunner(sqlite_store, [six], clock=clock).run("portals")
    cycle = time.monotonic() - started
    # six probes two at a time take three probe times, never one (all at once)
    assert cycle >= 2.5 * floor * 0.9


def test_bad_options_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="portal ids must be unique"):
        config([portal("x", "http://a.example/"), portal("x", "http://b.example/")])
    with pytest.raises(ValueError, match="absolute http"):
        config([portal("x", "ftp://a.example/")])
