"""The HLS relay against a real loopback camera: playlists rewritten to the relay, segments
byte for byte, nothing outside the camera's origin or the visitor's area ever fetched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboards import create_app
from dashboards.rows import table_rows
from dashboards.specs import PAGES_BY_DOMAIN
from settings import load_settings
from store import Store
from store.records import Asset
from store.reference_writes import FeedSpec
from store.scope import Window, scope_within
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import client_for
from tests.fixtures.http_server import LoopbackServer, Route, serve

pytestmark = pytest.mark.integration
SEGMENTS = Path(__file__).parents[1] / "fixtures" / "media" / "hls"
LOOPBACK_CAMERAS = "cameras:\n  allowed_networks: [127.0.0.1/32]\n"
MPEGURL = "application/vnd.apple.mpegurl"


def segment(n: int) -> bytes:
    return (SEGMENTS / f"seg{n}.ts").read_bytes()


def media_playlist(*, extra: str = "") -> str:
    items = "".join(f"#EXTINF:1.0,\nseg{n}.ts\n" for n in range(4))
    return f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n{extra}{items}#EXT-X-ENDLIST\n"


@pytest.fixture
def hls_camera() -> Iterator[LoopbackServer]:
    routes = {
        "/live/master.m3u8": Route(
            200,
            "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=160x90\nlow/index.m3u8\n",
            "text/plain",  # many cameras say text/plain: the body decides
        ),
        "/live/low/index.m3u8": Route(200, media_playlist(), MPEGURL),
        **{f"/live/low/seg{n}.ts": Route(200, segment(n), "video/mp2t") for n in range(4)},
        "/live/login.m3u8": Route(200, "<html>login</html>", MPEGURL),
        "/live/huge.m3u8": Route(200, "#EXTM3U\n" + "#EXT-X-X:" + "a" * 600_000, MPEGURL),
    }
    with serve(routes) as server:
        yield server


def _app(store: Store, tmp_path: Path, cameras: dict[str, str]):  # type: ignore[no-untyped-def]
    store.writer.sync_feeds([FeedSpec("cams", "camera", 60, True, False)])
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
                attributes={"stream": "hls", "hls_url": url, "stream_url": None},
            )
            for camera, url in cameras.items()
        ],
        FIXED_NOW,
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\ngeography:\n  directory: null\n" + LOOPBACK_CAMERAS, encoding="utf-8"
    )
    return create_app(load_settings(config, env={}), store, clock=Clock())


def test_master_variant_and_segments_come_through_the_relay(
    store: Store, tmp_path: Path, hls_camera: LoopbackServer
) -> None:
    app = _app(store, tmp_path, {"CAM-HLS": hls_camera.url("/live/master.m3u8")})
    client = client_for(app)
    master = client.get("/camera/CAM-HLS/hls?area=941")
    assert master.status_code == 200
    assert master.headers["Content-Type"].startswith(MPEGURL)
    assert master.headers["Cache-Control"] == "no-store"
    assert master.headers["X-Content-Type-Options"] == "nosniff"
    variant_path = master.get_data(as_text=True).splitlines()[-1]
    assert variant_path == "/camera/CAM-HLS/hls/live/low/index.m3u8?area=941"
    variant = client.get(variant_path).get_data(as_text=True)
    assert str(hls_camera.port) not in variant  # the browser never learns the camera address
    segments = [line for line in variant.splitlines() if not line.startswith("#")]
    assert segments[0] == "/camera/CAM-HLS/hls/live/low/seg0.ts?area=941"
    for n, path in enumerate(segments):
        got = client.get(path)
        assert got.status_code == 200
        assert got.headers["Content-Type"] == "video/mp2t"
        assert got.get_data() == segment(n)  # byte for byte


def test_a_playlist_naming_another_host_is_refused_and_that_host_never_asked(
    store: Store, tmp_path: Path, hls_camera: LoopbackServer
) -> None:
    with serve({"/seg.ts": Route(200, b"x" * 10, "video/mp2t")}) as elsewhere:
        hls_camera.routes["/live/steer.m3u8"] = Route(
            200, f"#EXTM3U\n#EXTINF:1,\n{elsewhere.url('/seg.ts')}\n", MPEGURL
        )
        app = _app(store, tmp_path, {"CAM-HLS": hls_camera.url("/live/steer.m3u8")})
        answer = client_for(app).get("/camera/CAM-HLS/hls")
        assert answer.status_code == 403
        assert "outside the camera" in answer.get_data(as_text=True)
        assert elsewhere.requests == []


def test_not_a_playlist_too_large_or_unreachable_is_a_clear_refusal(
    store: Store, tmp_path: Path, hls_camera: LoopbackServer
) -> None:
    app = _app(
        store,
        tmp_path,
        {
            "LOGIN": hls_camera.url("/live/login.m3u8"),
            "HUGE": hls_camera.url("/live/huge.m3u8"),
            "GONE": hls_camera.url("/live/missing.m3u8"),
        },
    )
    client = client_for(app)
    login = client.get("/camera/LOGIN/hls")
    assert (login.status_code, login.get_data(as_text=True)) == (
        502,
        "camera answered a playlist type without #EXTM3U",
    )
    huge = client.get("/camera/HUGE/hls")
    assert huge.status_code == 502 and "larger than 512 KiB" in huge.get_data(as_text=True)
    gone = client.get("/camera/GONE/hls")
    assert (gone.status_code, gone.get_data(as_text=True)) == (502, "camera answered 404")


def test_outside_the_area_or_without_hls_nothing_reaches_the_camera(
    store: Store, tmp_path: Path, hls_camera: LoopbackServer
) -> None:
    app = _app(store, tmp_path, {"CAM-HLS": hls_camera.url("/live/master.m3u8")})
    client = client_for(app)
    assert client.get("/camera/CAM-HLS/hls?area=942").status_code == 404  # another district
    assert client.get("/camera/CAM-HLS/hls/live/low/seg0.ts?area=942").status_code == 404
    assert client.get("/camera/NOPE/hls").status_code == 404
    district = client_for(app, role="district", area="942")
    assert district.get("/camera/CAM-HLS/hls").status_code == 404
    assert hls_camera.requests == []


def test_the_camera_grid_never_carries_stream_addresses(
    store: Store, tmp_path: Path, hls_camera: LoopbackServer
) -> None:
    url = "http://viewer:s3cret@127.0.0.1:9/live/master.m3u8"
    app = _app(store, tmp_path, {"CAM-HLS": url})
    spec = PAGES_BY_DOMAIN["cameras"]
    table = next(t for t in spec.tables if "camera" in t.kinds)
    scope = scope_within("94", Window.named("today", FIXED_NOW), "94")
    with app.server.test_request_context("/camera"):
        _columns, rows = table_rows(table, "cameras", scope, "vi")
    assert rows and all("hls_url" not in row and "s3cret" not in str(row) for row in rows)
