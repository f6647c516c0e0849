"""The camera proxy reaches only the configured camera network, never leaks a camera URL, and
runs a bounded number of relays; feed images are served inert."""

from __future__ import annotations

import base64
import logging
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards.routes import LIMITER_KEY
from media.limits import StreamLimiter
from store import Store
from store.records import Snapshot
from tests.conftest import FIXED_NOW
from tests.fixtures.auth import client_for
from tests.fixtures.http_server import Route, serve
from tests.fixtures.mjpeg_server import MjpegCamera, mjpeg_camera
from tests.integration.test_camera_stream import _app

pytestmark = pytest.mark.integration
SECRETS = ("s3cret-pass", "tok-123456", "admin")


@pytest.fixture
def camera() -> Iterator[MjpegCamera]:
    with mjpeg_camera() as running:
        yield running


@pytest.fixture
def outside_listener() -> Iterator[socket.socket]:
    """A listener on 127.0.0.2, outside the allowed 127.0.0.1/32: it must never be contacted."""
    listener = socket.socket()
    listener.bind(("127.0.0.2", 0))
    listener.listen(8)
    yield listener
    listener.close()


def _contacted(listener: socket.socket, wait_s: float = 0.5) -> bool:
    readable, _, _ = select.select([listener], [], [], wait_s)
    return bool(readable)


def _assert_inert_placeholder(response, status: int) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    shown = response.get_data(as_text=True) + str(response.headers)
    for secret in SECRETS:
        assert secret not in shown


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def test_an_address_outside_the_allowed_networks_is_never_contacted(
    store: Store, tmp_path: Path, outside_listener: socket.socket, caplog: pytest.LogCaptureFixture
) -> None:
    port = outside_listener.getsockname()[1]
    url = f"http://admin:s3cret-pass@127.0.0.2:{port}/video?token=tok-123456"
    app = _app(store, tmp_path, {"CAM-OUT": url})
    with caplog.at_level(logging.DEBUG):
        response = client_for(app).get("/camera/CAM-OUT/stream")
    _assert_inert_placeholder(response, 403)
    assert "outside the allowed camera networks" in response.headers["X-Stream-Error"]
    assert not _contacted(outside_listener), "the proxy connected to a refused address"
    assert "CAM-OUT" in _logged(caplog)  # refused once in the log, without its secrets
    for secret in (*SECRETS, "127.0.0.2"):
        assert secret not in _logged(caplog)


def test_the_default_config_refuses_loopback_and_cloud_metadata(
    sqlite_store: Store, tmp_path: Path, camera: MjpegCamera
) -> None:
    cameras = {"CAM-LO": camera.url, "CAM-META": "http://169.254.169.254/latest/meta-data/"}
    app = _app(sqlite_store, tmp_path, cameras, camera_config="")
    client = client_for(app)
    for name in cameras:
        _assert_inert_placeholder(client.get(f"/camera/{name}/stream"), 403)
    assert camera.connections == 0


def test_a_host_name_is_resolved_and_checked_before_any_connection(
    sqlite_store: Store, tmp_path: Path, camera: MjpegCamera
) -> None:
    """`localhost` resolves to 127.0.0.1: refused when only 10.20.0.0/16 is the camera network,
    relayed when loopback is allowed; an unresolvable name is refused."""
    by_name = f"http://localhost:{camera.port}/video"
    cameras = {"CAM-NAME": by_name, "CAM-NONE": "http://no-such-camera.invalid/video"}
    only_lan = "cameras:\n  allowed_networks: [10.20.0.0/16]\n"
    client = client_for(_app(sqlite_store, tmp_path, cameras, camera_config=only_lan))
    _assert_inert_placeholder(client.get("/camera/CAM-NAME/stream"), 403)
    _assert_inert_placeholder(client.get("/camera/CAM-NONE/stream"), 403)
    assert camera.connections == 0
    allowed = client_for(_app(sqlite_store, tmp_path, cameras))
    relayed = allowed.get("/camera/CAM-NAME/stream", buffered=False)
    assert relayed.status_code == 200
    assert camera.headers[-1]["Host"] == f"localhost:{camera.port}"  # connected by IP, named
    relayed.close()


@pytest.mark.parametrize(
    "url", ["rtsp://127.0.0.1:554/live", "file:///etc/passwd", "gopher://127.0.0.1/x", "//x/y"]
)
def test_only_the_configured_schemes_are_fetched(
    sqlite_store: Store, tmp_path: Path, url: str
) -> None:
    app = _app(sqlite_store, tmp_path, {"CAM-X": url})
    response = client_for(app).get("/camera/CAM-X/stream")
    _assert_inert_placeholder(response, 403)
    assert "/etc/passwd" not in response.get_data(as_text=True)


def test_credentials_go_to_the_camera_only(
    sqlite_store: Store, tmp_path: Path, camera: MjpegCamera, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://admin:s3cret-pass@127.0.0.1:{camera.port}/video?token=tok-123456"
    dead = f"http://admin:s3cret-pass@127.0.0.1:{_dead_port()}/video?token=tok-123456"
    app = _app(sqlite_store, tmp_path, {"CAM-AUTH": url, "CAM-DEAD": dead})
    client = client_for(app)
    with caplog.at_level(logging.DEBUG):
        live = client.get("/camera/CAM-AUTH/stream", buffered=False)
        first = next(iter(live.response))
        live.close()
        failed = client.get("/camera/CAM-DEAD/stream")
    expected = "Basic " + base64.b64encode(b"admin:s3cret-pass").decode()
    assert camera.headers[-1]["Authorization"] == expected
    assert b"s3cret" not in first and "s3cret" not in str(live.headers)
    _assert_inert_placeholder(failed, 502)
    for secret in SECRETS:
        assert secret not in _logged(caplog)


def test_a_redirect_is_not_followed(sqlite_store: Store, tmp_path: Path) -> None:
    moved = Route(302, b"", "text/plain", headers={"Location": "http://169.254.169.254/"})
    with serve({"/video": moved}) as server:
        app = _app(sqlite_store, tmp_path, {"CAM-MOVED": server.url("/video")})
        response = client_for(app).get("/camera/CAM-MOVED/stream")
    _assert_inert_placeholder(response, 502)
    assert "camera answered 302" in response.headers["X-Stream-Error"]


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until(condition, timeout_s: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_streams_are_limited_per_client_and_in_total(
    sqlite_store: Store, tmp_path: Path, camera: MjpegCamera
) -> None:
    limits = LOOPBACK_LIMITS.format(per_client=2, total=3, idle="15s")
    app = _app(sqlite_store, tmp_path, {"CAM-LIVE": camera.url}, camera_config=limits)
    client = client_for(app)

    def open_from(ip: str):  # type: ignore[no-untyped-def]
        response = client.get(
            "/camera/CAM-LIVE/stream", buffered=False, environ_base={"REMOTE_ADDR": ip}
        )
        if response.status_code == 200:
            next(iter(response.response))  # a frame arrived: the relay runs
        return response

    first, second = open_from("10.0.0.1"), open_from("10.0.0.1")
    third = open_from("10.0.0.1")  # this viewer's third stream
    assert (first.status_code, second.status_code) == (200, 200)
    _assert_inert_placeholder(third, 503)
    assert third.headers["Retry-After"] == "30"
    other = open_from("10.0.0.2")
    assert other.status_code == 200
    _assert_inert_placeholder(open_from("10.0.0.3"), 503)  # three open: the total is reached
    assert camera.open_connections == 3
    first.close()
    again = open_from("10.0.0.3")
    assert again.status_code == 200
    for response in (second, other, again):
        response.close()
    assert _wait_until(lambda: camera.open_connections == 0), "an upstream stayed open"
    assert app.server.extensions[LIMITER_KEY].running == 0


def test_a_silent_camera_is_disconnected_after_the_idle_timeout(
    sqlite_store: Store, tmp_path: Path, camera: MjpegCamera
) -> None:
    silent = camera.url.replace("/video", "/silent")
    limits = LOOPBACK_LIMITS.format(per_client=4, total=64, idle="1s")
    app = _app(sqlite_store, tmp_path, {"CAM-SILENT": silent}, camera_config=limits)
    started = time.monotonic()
    response = client_for(app).get("/camera/CAM-SILENT/stream", buffered=False)
    assert response.status_code == 200
    assert b"".join(response.response) == b""  # the relay ends by itself
    assert time.monotonic() - started < 5
    assert camera.client_left.wait(5) and _wait_until(lambda: camera.open_connections == 0)
    limiter: StreamLimiter = app.server.extensions[LIMITER_KEY]
    assert limiter.running == 0


def test_demo_streams_count_against_the_same_limits(sqlite_store: Store, tmp_path: Path) -> None:
    limits = LOOPBACK_LIMITS.format(per_client=1, total=64, idle="15s")
    app = _app(sqlite_store, tmp_path, {"CAM-DEMO": "/demo/mjpeg/CAM-DEMO"}, camera_config=limits)
    client = client_for(app)
    first = client.get("/demo/mjpeg/CAM-DEMO", buffered=False)
    assert first.status_code == 200
    _assert_inert_placeholder(client.get("/camera/CAM-DEMO/stream"), 503)
    first.close()  # closed before a single frame was read: the place is given back
    assert app.server.extensions[LIMITER_KEY].running == 0


LOOPBACK_LIMITS = (
    "cameras:\n  allowed_networks: [127.0.0.1/32]\n  max_streams_per_client: {per_client}\n"
    "  max_streams: {total}\n  idle_timeout: {idle}\n"
)


SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
)


def test_feed_images_are_served_inert(sqlite_store: Store, tmp_path: Path) -> None:
    app = _app(sqlite_store, tmp_path, {"CAM-SVG": None, "CAM-HTML": None})
    sqlite_store.writer.write_records(
        "cams",
        [
            Snapshot("CAM-SVG", FIXED_NOW, "image/svg+xml", SVG_WITH_SCRIPT),
            Snapshot("CAM-HTML", FIXED_NOW, "text/html", b"<script>alert(1)</script>"),
        ],
        FIXED_NOW,
    )
    client = client_for(app)
    svg = client.get("/camera/CAM-SVG/snapshot")
    assert svg.status_code == 200
    assert svg.headers["X-Content-Type-Options"] == "nosniff"
    assert svg.headers["Content-Security-Policy"].split(";")[0] == "sandbox"
    assert "script-src" not in svg.headers["Content-Security-Policy"]  # default-src 'none'
    assert "default-src 'none'" in svg.headers["Content-Security-Policy"]
    assert client.get("/camera/CAM-HTML/snapshot").status_code == 404
