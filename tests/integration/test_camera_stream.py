"""The camera stream route relays a real loopback MJPEG camera through the app, within scope."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards import create_app
from media import demo
from media.jpeg import encode
from settings import load_settings
from store import Store
from store.records import Asset
from store.reference_writes import FeedSpec
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import client_for
from tests.fixtures.http_server import Route, serve
from tests.fixtures.mjpeg_server import MjpegCamera, mjpeg_camera

pytestmark = pytest.mark.integration


LOOPBACK_CAMERAS = "cameras:\n  allowed_networks: [127.0.0.1/32]\n"


def _app(  # type: ignore[no-untyped-def]
    store: Store,
    tmp_path: Path,
    cameras: dict[str, str | None],
    camera_config: str = LOOPBACK_CAMERAS,
):
    store.writer.sync_feeds([FeedSpec("cams", "http_json", 60, True, False)])
    store.writer.write_records(
        "cams",
        [
            Asset(
                "cameras",
                "camera",
                camera,
                f"Camera {camera}",
                FIXED_NOW,
                area="31498",  # a commune of district 941
                status="online",
                attributes={"stream_url": url},
            )
            for camera, url in cameras.items()
        ],
        FIXED_NOW,
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\ngeography:\n  directory: null\n" + camera_config, encoding="utf-8"
    )
    return create_app(load_settings(config, env={}), store, clock=Clock())


@pytest.fixture
def camera() -> Iterator[MjpegCamera]:
    with mjpeg_camera() as running:
        yield running


def _read_until(response, needle: bytes, limit: int = 200_000) -> bytes:  # type: ignore[no-untyped-def]
    seen = b""
    for chunk in response.response:
        seen += chunk
        if needle in seen or len(seen) > limit:
            break
    return seen


def test_frames_arrive_through_the_proxy_and_the_camera_is_released(
    store: Store, tmp_path: Path, camera: MjpegCamera
) -> None:
    app = _app(store, tmp_path, {"CAM-LIVE": camera.url})
    client = client_for(app)
    response = client.get("/camera/CAM-LIVE/stream", buffered=False)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("multipart/x-mixed-replace; boundary=")
    assert response.headers["Cache-Control"] == "no-store"
    body = _read_until(response, b"frame-0004")
    for n in range(5):
        assert camera.frame(n) in body  # whole frames, byte for byte, in order
    assert body.index(b"frame-0000") < body.index(b"frame-0004")
    response.close()  # the browser goes away
    assert camera.client_left.wait(5), "the upstream connection stayed open"


def test_a_camera_outside_the_asked_area_or_without_a_stream_is_refused(
    store: Store, tmp_path: Path, camera: MjpegCamera
) -> None:
    app = _app(store, tmp_path, {"CAM-LIVE": camera.url, "CAM-STILL": None})
    client = client_for(app)
    assert client.get("/camera/CAM-LIVE/stream?area=942").status_code == 404  # other district
    assert client.get("/camera/CAM-LIVE/stream?area=NOWHERE").status_code == 400
    assert client.get("/camera/CAM-STILL/stream").status_code == 404
    assert client.get("/camera/CAM-NONE/stream").status_code == 404
    assert camera.sent == 0  # nothing refused ever reached the camera
    inside = client.get("/camera/CAM-LIVE/stream?area=941", buffered=False)
    assert inside.status_code == 200
    inside.close()


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again: nothing listens there


def test_a_dead_camera_gives_a_placeholder_saying_so(store: Store, tmp_path: Path) -> None:
    app = _app(store, tmp_path, {"CAM-DEAD": f"http://127.0.0.1:{_dead_port()}/video"})
    response = client_for(app).get("/camera/CAM-DEAD/stream")
    assert response.status_code == 502
    assert response.mimetype == "image/svg+xml"
    assert "camera unreachable" in response.headers["X-Stream-Error"]
    assert "Không kết nối được luồng video" in response.get_data(as_text=True)


def test_a_camera_answering_something_else_is_not_relayed(store: Store, tmp_path: Path) -> None:
    with serve({"/video": Route(200, b"<html/>", "text/html")}) as server:
        app = _app(store, tmp_path, {"CAM-WEB": server.url("/video")})
        response = client_for(app).get("/camera/CAM-WEB/stream")
    assert response.status_code == 502
    assert "200 text/html" in response.headers["X-Stream-Error"]


def test_the_demo_stream_is_served_by_the_app_as_real_jpeg_frames(
    sqlite_store: Store, tmp_path: Path
) -> None:
    app = _app(sqlite_store, tmp_path, {"CAM-DEMO": "/demo/mjpeg/CAM-DEMO"})
    response = client_for(app).get("/camera/CAM-DEMO/stream", buffered=False)
    assert response.headers["Content-Type"] == demo.CONTENT_TYPE
    first = next(iter(response.response))
    response.close()
    assert first.startswith(b"--iocframe\r\nContent-Type: image/jpeg\r\n")
    jpeg = first.split(b"\r\n\r\n", 1)[1]
    assert jpeg.startswith(b"\xff\xd8\xff\xe0") and jpeg.rstrip(b"\r\n").endswith(b"\xff\xd9")


def test_jpeg_frames_declare_their_size_and_are_deterministic() -> None:
    image = demo.frame("CAM-1", FIXED_NOW)
    assert image.shape == (demo.HEIGHT, demo.WIDTH, 3)
    data = encode(image)
    sof = data.index(b"\xff\xc0")
    height = int.from_bytes(data[sof + 5 : sof + 7], "big")
    width = int.from_bytes(data[sof + 7 : sof + 9], "big")
    assert (width, height) == (demo.WIDTH, demo.HEIGHT)
    assert encode(demo.frame("CAM-1", FIXED_NOW)) == data
