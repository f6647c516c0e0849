"""Page loads and /healthz beside a full house of camera streams, under a real gunicorn.

Starts gunicorn (gthread, one worker, `--threads` = max_streams + 16) on a SQLite store with a
short simulator backfill and 64 cameras relaying a loopback MJPEG camera, opens 64 streams
from 16 client addresses (4 each, the per-client limit), then measures a domain page's load
(router + every callback it fires, each load for an area not asked before, so nothing comes
from the result cache) and /healthz, against the same without streams.

Run: python -m bench.streams [--streams 64] [--rounds 20] [--backfill-days 7]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from access.web.setup import SESSION_COOKIE
from bench.harness import ROOT, percentile
from dashboards import create_app, payloads
from dashboards.specs import PAGES
from geo.hierarchy import load_admin_units
from settings import load_settings
from store import Store
from store.accounts import Accounts
from store.records import Asset
from store.reference_writes import FeedSpec
from tests.fixtures.auth import add_account, client_for, http_session

PAGE_THREADS = 16  # threads left for pages and /healthz beside the streams
PER_CLIENT = 4


@dataclass(frozen=True, kw_only=True)
class StreamLoad:
    """What a full house of streams does to the rest of the server."""

    streams_open: int
    over_total_status: int  # the stream past the total limit
    over_client_status: int  # a client's stream past its own limit
    retry_after: str | None
    baseline_p95_s: float
    loaded_p95_s: float
    healthz_s: float
    healthz_status: int
    upstream_open_after_close: int
    least_bytes_relayed: int  # by the slowest of the open streams, while pages loaded


def camera_config(
    tmp: Path, max_streams: int, backfill_days: int | None, idle: str = "15s"
) -> Path:
    feeds = (
        "feeds:\n  - {id: simulator, type: simulator, interval: 1h,"
        f" options: {{backfill_days: {backfill_days}}}}}\n"
        if backfill_days is not None
        else ""
    )
    config = tmp / "config.yaml"
    config.write_text(
        f'version: 1\ndatabase:\n  url: "sqlite:///{tmp / "ioc.db"}"\n'
        "geography:\n  directory: null\nscheduler:\n  embedded: false\n"
        "cameras:\n  allowed_networks: [127.0.0.1/32]\n"
        f"  max_streams_per_client: {PER_CLIENT}\n  max_streams: {max_streams}\n"
        f"  idle_timeout: {idle}\n" + feeds,
        encoding="utf-8",
    )
    return config


def seed_store(config: Path, camera_url: str, cameras: int) -> tuple[str, str]:
    """Demo data (when the config has the simulator), `cameras` cameras on one upstream and an
    operator to sign in as; returns its (name, password)."""
    settings = load_settings(config, env={})
    store = Store.open(settings.database.url)
    if settings.feeds:
        from feeds.runner import FeedRunner

        FeedRunner(store, list(settings.feeds)).run(settings.feeds[0].id)
    store.writer.sync_feeds([FeedSpec("cams", "http_json", 60, True, False)])
    seen = datetime.now(UTC)
    assets = [
        Asset("cameras", "camera", f"CAM-{n:03d}", f"Camera {n}", seen, area="31498",
              status="online", attributes={"stream_url": camera_url})
        for n in range(cameras)
    ]  # fmt: skip
    store.writer.write_records("cams", assets, seen)
    user = add_account(Accounts(store.engine), "operator")
    store.engine.dispose()
    return user


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(config: Path, threads: int) -> Iterator[str]:
    """A real gunicorn (gthread, one worker) serving wsgi:server; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "1"]
    command += ["--threads", str(threads), "-b", f"127.0.0.1:{port}", "wsgi:server"]
    env = {**os.environ, "IOC_CONFIG": str(config)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/healthz", timeout=5).status_code in (200, 503):
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


class Viewer:
    """One browser <img> on a stream: a socket from its own client address, drained."""

    def __init__(self, port: int, client_ip: str, camera: str, cookie: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), 10, (client_ip, 0))
        request = (
            f"GET /camera/{camera}/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Cookie: {cookie}\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            data = self.sock.recv(4096)
            if not data:
                break
            head += data
        lines = head.split(b"\r\n")
        self.status = int(lines[0].split()[1]) if lines and lines[0] else 0
        self.headers = dict(
            line.decode("latin-1").split(": ", 1) for line in lines[1:] if b": " in line
        )
        self.bytes = len(head)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        try:
            while data := self.sock.recv(65536):
                self.bytes += len(data)
        except OSError:
            return

    def close(self) -> None:
        with suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


def client_ip(n: int) -> str:
    return f"127.0.0.{2 + n // PER_CLIENT}"


def page_load_seconds(session: requests.Session, base: str, bodies: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for body in bodies:
        response = session.post(base + "/_dash-update-component", json=body, timeout=30)
        assert response.status_code == 200, response.text[:200]
    return time.perf_counter() - started


Bodies = Callable[[str], list[dict[str, Any]]]


def page_bodies(config: Path) -> Bodies:
    """For an area: the router and every callback of the first domain page (built here)."""
    app = create_app(load_settings(config, env={}))
    client_for(app).get("/")
    spec = PAGES[0]
    router = payloads.router(f"/{spec.domain.slug}")
    return lambda area: [router, *payloads.domain_page(app, spec, area, "30d")]


def p95_of_loads(session: requests.Session, base: str, bodies: Bodies, areas: list[str]) -> float:
    """Each load asks for an area not asked before, so no load is served from the cache."""
    return percentile([page_load_seconds(session, base, bodies(a)) for a in areas], 0.95)


def session_cookie(session: requests.Session) -> str:
    """The signed-in session as a Cookie header value, for the raw-socket viewers."""
    return f"{SESSION_COOKIE}={session.cookies.get(SESSION_COOKIE)}"


def measure(
    tmp: Path, streams: int = 64, rounds: int = 20, backfill_days: int | None = 7
) -> StreamLoad:
    from tests.fixtures.mjpeg_server import mjpeg_camera

    config = camera_config(tmp, streams, backfill_days)
    with mjpeg_camera(frame_interval_s=0.1) as upstream:  # 10 frames/s, like a real camera
        name, password = seed_store(config, upstream.url, streams + 1)
        bodies = page_bodies(config)
        with gunicorn(config, threads=streams + PAGE_THREADS) as base:
            port = int(base.rsplit(":", 1)[1])
            session = http_session(base, name, password)
            cookie = session_cookie(session)
            areas = [unit.code for unit in load_admin_units()]
            rounds = min(rounds, (len(areas) - 1) // 2)  # two disjoint sets of areas
            page_load_seconds(session, base, bodies(areas[0]))  # warm the worker
            baseline = p95_of_loads(session, base, bodies, areas[1 : 1 + rounds])
            viewers = [Viewer(port, client_ip(n), f"CAM-{n:03d}", cookie) for n in range(streams)]
            try:
                over_total = Viewer(port, "127.0.0.250", f"CAM-{streams:03d}", cookie)
                over_client = Viewer(port, client_ip(0), "CAM-000", cookie)
                over_total.close()
                over_client.close()
                started = time.perf_counter()
                health = session.get(base + "/healthz", timeout=10)
                healthz_s = time.perf_counter() - started
                loaded = p95_of_loads(session, base, bodies, areas[1 + rounds : 1 + 2 * rounds])
                opened = sum(v.status == 200 for v in viewers)
                least = min(v.bytes for v in viewers)
            finally:
                for viewer in viewers:
                    viewer.close()
            deadline = time.monotonic() + 15
            while upstream.open_connections and time.monotonic() < deadline:
                time.sleep(0.05)
            return StreamLoad(
                streams_open=opened,
                over_total_status=over_total.status,
                over_client_status=over_client.status,
                retry_after=over_total.headers.get("Retry-After"),
                baseline_p95_s=baseline,
                loaded_p95_s=loaded,
                healthz_s=healthz_s,
                healthz_status=health.status_code,
                upstream_open_after_close=upstream.open_connections,
                least_bytes_relayed=least,
            )


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--backfill-days", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = measure(Path(tmp), args.streams, args.rounds, args.backfill_days)
    print(f"gunicorn gthread: 1 worker × {args.streams + PAGE_THREADS} threads")
    print(f"streams open:                  {result.streams_open} of {args.streams}")
    print(f"stream past the total limit:   HTTP {result.over_total_status}")
    print(f"stream past a client's limit:  HTTP {result.over_client_status}")
    print(f"page load p95, no streams:     {result.baseline_p95_s * 1000:.0f} ms")
    print(f"page load p95, {args.streams} streams:    {result.loaded_p95_s * 1000:.0f} ms")
    print(f"/healthz with streams open:    {result.healthz_s * 1000:.0f} ms "
          f"(HTTP {result.healthz_status})")  # fmt: skip
    print(f"least bytes relayed by one:    {result.least_bytes_relayed}")
    print(f"upstream connections left:     {result.upstream_open_after_close}")


if __name__ == "__main__":
    main()
