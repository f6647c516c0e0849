"""Wall display figures over the 365-day demo store, served by gunicorn as in production.

- scale: simultaneous wall clients at the refresh interval (each sends the refresh request a
  real screen sends, with the digests of what it already shows) and their p95 latency;
- bytes: what one client receives per refresh, steady and after a change in the store;
- freshness: from a store write to the new value visible in headless Chromium (20 changes);
- memory: the page's JS heap after 10 and after 1,000 accelerated rotations.

Run: python -m bench.wall [--only scale|bytes|freshness|memory] [--clients 100,250,500,1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from sqlalchemy import text

from access.tokens import issue
from access.web.setup import SESSION_COOKIE
from bench.harness import ROOT, bench_settings, ensure_backfill, open_store, percentile
from dashboards import payloads
from store import Store
from store.accounts import Accounts
from store.records import Observation

SPEC = {"playlist": "default", "screen": 1, "area": "94", "lang": "vi"}
TILE = "document.querySelector(\"[data-kpi='health.outpatient_visits'] .kpi-value\")"
P95_LIMIT_S = 0.300


# The display session of each served bench server, and the token it was traded for.
_SIGNED_IN: dict[str, tuple[requests.Session, str]] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_store() -> Store:
    store = open_store("sqlite")
    simulator = bench_settings().feed("simulator")
    ran = ensure_backfill(store, simulator)
    if ran:
        print(f"backfill: {ran['records']:,.0f} records in {ran['seconds']:.1f} s")
    return store


@contextmanager
def served(store: Store, workers: int = 2, threads: int = 16) -> Iterator[str]:
    """gunicorn (gthread) over the bench store; yields the base URL."""
    directory = Path(tempfile.mkdtemp(prefix="ioc-wall-"))
    config = directory / "config.yaml"
    config.write_text(
        "version: 1\n"
        f'database:\n  url: "{store.engine.url.render_as_string(hide_password=False)}"\n'
        f'geography:\n  directory: "{ROOT.parent / "shared" / "geo"}"\n'
        "scheduler:\n  embedded: false\n",
        encoding="utf-8",
    )
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", str(workers),
        "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--backlog", "4096",
        "--log-level", "warning", "wsgi:server",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "IOC_CONFIG": str(config)})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        _SIGNED_IN[url] = display_session(store, url)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def display_session(store: Store, url: str) -> tuple[requests.Session, str]:
    """A wall screen's display session (a token for the default playlist, traded once), as
    every screen of a wall has; returns it with the token for the browsers."""
    issued = issue(
        Accounts(store.engine), playlist="default", area_code=None, created_by="bench",
        now=datetime.now(UTC), lifetime=None,
    )  # fmt: skip
    session = requests.Session()
    answer = session.get(
        f"{url}/wall/default?token={issued.secret}", allow_redirects=False, timeout=20
    )
    assert answer.status_code == 303, answer.text[:200]
    session.headers["Origin"] = url
    return session, issued.secret


def session_for(url: str) -> requests.Session:
    """The display session of the bench's wall screens on the server at `url`."""
    return _SIGNED_IN[url][0]


def browser_signed_in(driver: webdriver.Chrome, url: str) -> None:
    driver.get(f"{url}/wall/default?token={_SIGNED_IN[url][1]}")


def wall_slots(url: str) -> tuple[list[int], list[int]]:
    body = session_for(url).post(
        f"{url}/_dash-update-component", json=payloads.router("/wall/default")
    )
    plan = json.loads(body.json()["response"]["_pages_content"]["children"]["props"]["data-plan"])
    pages = bench_settings().wall.playlists["default"].pages
    assert len(pages) == len(plan["dwells"])
    items = [i for i, p in enumerate(pages) if p.page != "map"]
    return items, [i for i, p in enumerate(pages) if p.page == "map"]


def refresh(url: str, slots: tuple[list[int], list[int]], digests: dict | None) -> Any:
    body = payloads.wall_refresh(SPEC, slots[0], slots[1], digests)
    return session_for(url).post(f"{url}/_dash-update-component", json=body, timeout=30)


# -- scale ----------------------------------------------------------------------------------
async def _post(host: str, port: int, body: bytes, cookie: str) -> tuple[float, int]:
    """One wall refresh, as a screen sends it; its latency and status."""
    return await _send(host, port, "POST /_dash-update-component", body, cookie)


async def _floor(host: str, port: int, _body: bytes, cookie: str) -> tuple[float, int]:
    """The floor of a refresh: the same display session's /healthz on the same server (the
    sign-in layer, the token check, one small read), with none of the wall's own work."""
    return await _send(host, port, "GET /healthz", b"", cookie)


async def _send(host: str, port: int, line: str, body: bytes, cookie: str) -> tuple[float, int]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    head = (
        f"{line} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Origin: http://{host}:{port}\r\nCookie: {cookie}\r\n"
        "Content-Type: application/json\r\nConnection: close\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    writer.write(head + body)
    await writer.drain()
    received = await reader.read()
    writer.close()
    status = int(received.split(b" ", 2)[1]) if received else 0
    return time.perf_counter() - started, status


async def _client(
    host: str,
    port: int,
    body: bytes,
    cookie: str,
    interval: float,
    rounds: int,
    out: list[float],
    send: Callable[[str, int, bytes, str], Awaitable[tuple[float, int]]] = _post,
) -> None:
    await asyncio.sleep(random.uniform(0, interval))  # screens start at random moments
    for _ in range(rounds):
        began = time.perf_counter()
        latency, status = await send(host, port, body, cookie)
        # the floor's /healthz says 503 when its database probe (1 s) times out under load:
        # still a round trip to time; a refresh must succeed
        if status != 200 and send is _post:
            raise RuntimeError(f"refresh failed with HTTP {status}")
        out.append(latency)
        await asyncio.sleep(max(0.0, interval - (time.perf_counter() - began)))


def _load(
    host: str,
    port: int,
    body: bytes,
    cookie: str,
    interval: float,
    count: int,
    send: Callable[[str, int, bytes, str], Awaitable[tuple[float, int]]],
) -> tuple[list[float], float]:
    """`count` screens sending `send` every `interval` for 3 rounds: latencies and seconds."""
    latencies: list[float] = []

    async def run() -> None:
        tasks = [
            _client(host, port, body, cookie, interval, 3, latencies, send) for _ in range(count)
        ]
        await asyncio.gather(*tasks)

    started = time.perf_counter()
    asyncio.run(run())
    return latencies, time.perf_counter() - started


def scale(url: str, counts: list[int]) -> None:
    interval = bench_settings().wall.refresh_interval
    slots = wall_slots(url)
    digests = refresh(url, slots, None).json()["response"]["wall-digests"]["data"]
    body = json.dumps(payloads.wall_refresh(SPEC, slots[0], slots[1], digests)).encode()
    host, port = url.removeprefix("http://").split(":")
    cookie = f"{SESSION_COOKIE}={session_for(url).cookies.get(SESSION_COOKIE)}"
    print(f"\nscale: refresh every {interval} s, steady state, gunicorn 2 workers × 16 threads,")
    print("each client on the display session of a wall screen (a display token traded once);")
    print("floor: the same clients asking the same session's /healthz, measured just before")
    print(
        f"{'clients':>8} {'req/s':>7} {'median':>9} {'p95':>9} {'max':>9}"
        f" {'floor p95':>10} {'p95/floor':>10}"
    )
    best = 0
    for count in counts:
        floor, _ = _load(host, int(port), b"", cookie, interval, count, _floor)
        latencies, elapsed = _load(host, int(port), body, cookie, interval, count, _post)
        p95, median = percentile(latencies, 0.95), statistics.median(latencies)
        floor_p95 = percentile(floor, 0.95)
        rate = len(latencies) / elapsed
        print(
            f"{count:>8} {rate:>7.1f} {median * 1000:>7.1f}ms"
            f" {p95 * 1000:>7.1f}ms {max(latencies) * 1000:>7.1f}ms"
            f" {floor_p95 * 1000:>8.1f}ms {p95 / floor_p95:>9.2f}x"
        )
        if p95 < P95_LIMIT_S:
            best = count
    print(f"most clients with p95 < {P95_LIMIT_S * 1000:.0f} ms: {best}")


# -- bytes ----------------------------------------------------------------------------------
def bytes_per_refresh(url: str, store: Store) -> None:
    slots = wall_slots(url)
    first = refresh(url, slots, None)
    digests = first.json()["response"]["wall-digests"]["data"]
    steady = refresh(url, slots, digests)
    with changed_visits(store, 1):
        time.sleep(1.5)  # the data version is re-read at most every second
        after = refresh(url, slots, digests)
    print("\nbytes per client per refresh (response body; gzip not enabled):")
    print(f"  first refresh (everything)       : {len(first.content):>7,} B")
    print(f"  steady (nothing changed)         : {len(steady.content):>7,} B")
    print(f"  one value changed in the store   : {len(after.content):>7,} B")
    sent = len(json.dumps(payloads.wall_refresh(SPEC, *slots, digests)))
    print(f"  request body the client sends    : {sent:>7,} B")


@contextmanager
def changed_visits(store: Store, delta: float) -> Iterator[float]:
    """Raise the province's latest outpatient visits by `delta`; put it back afterwards."""
    with store.engine.connect() as conn:
        start, value = conn.execute(
            text(
                "SELECT o.period_start, o.value FROM observations o JOIN metrics m"
                " ON m.id = o.metric_id WHERE m.key = 'health.outpatient_visits'"
                " AND o.area_code = '94' AND o.dim = '' ORDER BY o.period_start DESC LIMIT 1"
            )
        ).one()
    start = datetime.fromisoformat(str(start)).replace(tzinfo=UTC)
    write = store.writer.write_records
    write(
        "simulator",
        [Observation("health.outpatient_visits", "94", start, value + delta)],
        datetime.now(UTC),
    )
    try:
        yield value + delta
    finally:
        write(
            "simulator",
            [Observation("health.outpatient_visits", "94", start, value)],
            datetime.now(UTC),
        )


# -- freshness and memory (headless Chromium) -------------------------------------------------
def chromium() -> webdriver.Chrome:
    options = Options()
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1920,1080", "--enable-precise-memory-info",
    ):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


def wait_for(driver: webdriver.Chrome, script: str, timeout: float = 180) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = driver.execute_script(script)
        if found:
            return found
        time.sleep(0.02)
    raise TimeoutError(script)


def freshness(url: str, store: Store, changes: int = 20) -> None:
    interval = bench_settings().wall.refresh_interval
    driver = chromium()
    try:
        browser_signed_in(driver, url)
        driver.get(f"{url}/wall/default")
        before = wait_for(driver, f"return {TILE}?.textContent")
        delays = []
        for n in range(1, changes + 1):
            time.sleep(random.uniform(0, interval))
            with changed_visits(store, 1000 * n):
                written = time.perf_counter()
                wait_for(driver, f"return {TILE}.textContent !== {json.dumps(before)}")
                delays.append(time.perf_counter() - written)
                before = driver.execute_script(f"return {TILE}.textContent")
    finally:
        driver.quit()
    print(f"\nfreshness over {changes} store writes (refresh interval {interval} s):")
    median, p95 = statistics.median(delays), percentile(delays, 0.95)
    print(f"  median {median:.2f} s, p95 {p95:.2f} s, max {max(delays):.2f} s")


def memory(url: str, rotations: int = 1000) -> None:
    driver = chromium()
    try:
        browser_signed_in(driver, url)
        driver.get(f"{url}/wall/default?speed=300")
        wait_for(driver, f"return {TILE}?.textContent")
        heap = {}
        for mark in (10, rotations):
            wait_for(driver, f"return window.iocWall.rotations >= {mark}", timeout=rotations)
            driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
            time.sleep(0.5)
            heap[mark] = driver.execute_script("return performance.memory.usedJSHeapSize")
            nodes = driver.execute_script("return document.getElementsByTagName('*').length")
            print(
                f"  after {mark:>5} rotations: JS heap {heap[mark] / 1e6:.2f} MB, {nodes} DOM nodes"
            )
    finally:
        driver.quit()
    print(f"  growth: {(heap[rotations] / heap[10] - 1) * 100:+.1f}%")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["scale", "bytes", "freshness", "memory"])
    parser.add_argument("--clients", default="100,250,500,750,1000,1500")
    args = parser.parse_args()
    store = bench_store()
    with served(store) as url:
        chosen = [args.only] if args.only else ["bytes", "scale", "freshness", "memory"]
        for part in chosen:
            if part == "scale":
                scale(url, [int(c) for c in args.clients.split(",")])
            elif part == "bytes":
                bytes_per_refresh(url, store)
            elif part == "freshness":
                freshness(url, store)
            else:
                print(f"\nbrowser memory, {'accelerated'} rotations of /wall/default:")
                memory(url)


if __name__ == "__main__":
    main()
