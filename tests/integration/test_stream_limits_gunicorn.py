"""Under the documented gunicorn layout, a full house of streams leaves pages and /healthz fast."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.streams import (
    PAGE_THREADS,
    camera_config,
    gunicorn,
    measure,
    seed_store,
    session_cookie,
)
from tests.fixtures.auth import http_session
from tests.fixtures.mjpeg_server import mjpeg_camera

pytestmark = pytest.mark.integration


def test_64_open_streams_leave_pages_and_healthz_responsive(tmp_path: Path) -> None:
    result = measure(tmp_path, streams=64, rounds=8, backfill_days=None)
    assert result.streams_open == 64
    assert result.least_bytes_relayed > 2 * 2_000  # every stream carried whole frames meanwhile
    assert result.over_total_status == 503  # the 65th stream
    assert result.over_client_status == 503  # a viewer's 5th stream
    assert result.retry_after == "30"
    assert result.healthz_status == 200 and result.healthz_s < 1.0
    # Generous: a page must not queue behind the streams (it would wait for a free thread).
    assert result.loaded_p95_s < max(2.0, 3 * result.baseline_p95_s)
    assert result.upstream_open_after_close == 0  # every viewer gone: every upstream closed


def test_a_viewer_that_stops_reading_releases_its_thread_and_camera(tmp_path: Path) -> None:
    """The viewer's socket takes almost nothing: once the buffers are full the server's writes
    time out after the idle timeout and the relay (and its upstream connection) is closed."""
    with mjpeg_camera(frame_interval_s=0.005) as upstream:
        config = camera_config(tmp_path, 4, None, idle="1s")
        name, password = seed_store(config, upstream.url, 1)
        with gunicorn(config, threads=4 + PAGE_THREADS) as base:
            port = int(base.rsplit(":", 1)[1])
            session = http_session(base, name, password)
            stalled = socket.socket()
            stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stalled.connect(("127.0.0.1", port))
            stalled.sendall(
                f"GET /camera/CAM-000/stream HTTP/1.1\r\nHost: x:{port}\r\n"
                f"Cookie: {session_cookie(session)}\r\n\r\n".encode()
            )
            try:
                assert _wait_until(lambda: upstream.connections == 1, 10)
                assert _wait_until(lambda: upstream.open_connections == 0, 60), (
                    "the relay kept writing to a viewer that never reads"
                )
                health = session.get(base + "/healthz", timeout=5)
                assert health.status_code == 200
            finally:
                stalled.close()


def _wait_until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
