"""The camera feed against real loopback cameras: JPEG snapshots, MJPEG, HLS and RTSP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from feeds.runner import FeedRunner
from settings import FeedConfig
from store import Store
from store.asset_reads import flat_attributes
from store.models import AssetRow, SnapshotRow, StillRow
from tests.conftest import Clock
from tests.fixtures.http_server import LoopbackServer, Route, free_port, serve
from tests.fixtures.mjpeg_server import MjpegCamera, mjpeg_camera
from tests.fixtures.rtsp_server import rtsp_listener

pytestmark = pytest.mark.integration
PLAYLIST = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg0.ts\n"


def picture(fmt: str, size: tuple[int, int] = (1280, 720)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (30, 136, 229)).save(buffer, fmt)
    return buffer.getvalue()


@dataclass
class Cameras:
    http: LoopbackServer
    mjpeg: MjpegCamera
    rtsp_port: int


@pytest.fixture(scope="module")
def cameras() -> Iterator[Cameras]:
    jpeg = picture("JPEG")
    routes = {
        "/snap.jpg": Route(200, jpeg, "image/jpeg"),
        "/snap.png": Route(200, picture("PNG"), "image/png"),
        "/cut.jpg": Route(200, jpeg[: len(jpeg) // 2], "image/jpeg"),
        "/slow.jpg": Route(200, jpeg, "image/jpeg", delay=2.0),
        "/live.m3u8": Route(200, PLAYLIST, "application/vnd.apple.mpegurl"),
        "/not-hls.m3u8": Route(200, "<html>login</html>", "text/html"),
    }
    with serve(routes) as http, mjpeg_camera() as mjpeg, rtsp_listener() as rtsp_port:
        yield Cameras(http, mjpeg, rtsp_port)


def camera(camera_id: str, **urls: str) -> dict[str, Any]:
    return {"id": camera_id, "name": f"Camera {camera_id}", "area": "31498", **urls}


def config(c: Cameras, snap: str = "/snap.jpg") -> FeedConfig:
    refused = free_port()
    cams = [
        camera("snap", snapshot_url=c.http.url(snap)),
        camera("png", snapshot_url=c.http.url("/snap.png")),
        camera("cut", snapshot_url=c.http.url("/cut.jpg")),
        camera("slow", snapshot_url=c.http.url("/slow.jpg")),
        camera("gone", snapshot_url=c.http.url("/missing.jpg")),
        camera("refused", snapshot_url=f"http://127.0.0.1:{refused}/a.jpg"),
        camera("mjpeg", mjpeg_url=c.mjpeg.url),
        camera("hls", hls_url=c.http.url("/live.m3u8")),
        camera("bad-hls", hls_url=c.http.url("/not-hls.m3u8")),
        camera("rtsp", rtsp_url=f"rtsp://127.0.0.1:{c.rtsp_port}/stream1"),
        camera("rtsp-down", rtsp_url=f"rtsp://127.0.0.1:{refused}/stream1"),
    ]
    options = {"cameras": cams, "timeout_s": 0.8, "thumbnail_px": 320}
    return FeedConfig.model_validate(
        {"id": "cams", "type": "camera", "interval": 60, "timeout": 30, "options": options}
    )


def assets(store: Store) -> dict[str, AssetRow]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(AssetRow.__table__).where(AssetRow.feed_id == "cams"))
        return {r.source_id: r for r in rows}


def snapshots(store: Store) -> dict[str, tuple[Any, bytes]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(SnapshotRow.__table__).where(SnapshotRow.feed_id == "cams"))
        return {r.camera: (r.taken_at, r.content) for r in rows}


def test_each_camera_kind_is_seen_or_refused_with_its_reason(
    store: Store, cameras: Cameras, clock: Clock
) -> None:
    runner = FeedRunner(store, [config(cameras)], clock=clock)
    assert runner.run("cams").status == "ok"
    found = assets(store)
    status = {k: v.status for k, v in found.items()}
    assert status == {
        "snap": "online",
        "png": "offline",
        "cut": "offline",
        "slow": "offline",
        "gone": "offline",
        "refused": "offline",
        "mjpeg": "online",
        "hls": "online",
        "bad-hls": "offline",
        "rtsp": "online",
        "rtsp-down": "offline",
    }
    reasons = {k: v.attributes["reason"] for k, v in found.items()}
    assert "not a JPEG (PNG)" in reasons["png"]
    assert "not a valid image" in reasons["cut"]
    assert "no answer within" in reasons["slow"]
    assert reasons["gone"] == "HTTP 404"
    assert "cannot connect" in reasons["refused"]
    assert "#EXTM3U" in reasons["bad-hls"]
    assert "RTSP" in reasons["rtsp-down"]
    assert "snapshot or HLS URL" in found["rtsp"].attributes["note"]
    assert found["mjpeg"].attributes["stream"] == "mjpeg"
    assert found["mjpeg"].attributes["stream_url"] == cameras.mjpeg.url
    assert found["hls"].attributes["stream"] == "hls"
    assert found["hls"].attributes["stream_url"] is None  # the pages relay MJPEG only
    assert found["hls"].attributes["hls_url"] == cameras.http.url("/live.m3u8")
    assert flat_attributes(found["snap"].attributes)["latency_ms"] > 0
    assert found["png"].attributes["offline_since"] == clock.now.isoformat()
    stills = snapshots(store)
    assert set(stills) == {"snap"}  # only a validated JPEG is kept
    with Image.open(BytesIO(stills["snap"][1])) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320


def test_a_second_look_at_unchanged_cameras_changes_nothing(
    store: Store, cameras: Cameras, clock: Clock
) -> None:
    runner = FeedRunner(store, [config(cameras)], clock=clock)
    assert runner.run("cams").changed > 0
    first_still, went_offline = snapshots(store)["snap"], assets(store)
    clock.now += timedelta(minutes=1)
    again_report = runner.run("cams")
    # the same pictures, states and reasons: the latency and the time of the look are kept
    # (below) but are not a change of data
    assert (again_report.status, again_report.changed) == ("ok", 0)
    again = assets(store)
    assert snapshots(store)["snap"] == first_still  # the same picture is not stored again
    assert (
        again["png"].attributes["offline_since"] == went_offline["png"].attributes["offline_since"]
    )
    snap = flat_attributes(again["snap"].attributes)
    assert snap["last_online_at"] == clock.now.isoformat()
    assert snap["latency_ms"] > 0
    assert again["snap"].last_seen == clock.now
    assert flat_attributes(again["png"].attributes)["last_online_at"] is None  # never online
    assert {k: v.status for k, v in again.items()} == {k: v.status for k, v in went_offline.items()}
    seen = store.queries.feed_assets("cams", "cameras", "camera")
    assert seen["snap"]["last_online_at"] == clock.now.isoformat()
    # a camera that goes offline is a change, and it keeps when it was last online
    last_online = clock.now.isoformat()
    cfg = config(cameras, snap="/missing.jpg")
    clock.now += timedelta(minutes=1)
    third = FeedRunner(store, [cfg], clock=clock).run("cams")
    assert third.changed == 1
    snap_now = store.queries.feed_assets("cams", "cameras", "camera")["snap"]
    assert (snap_now["online"], snap_now["reason"]) == (False, "HTTP 404")
    assert snap_now["last_online_at"] == last_online
    assert snap_now["offline_since"] == clock.now.isoformat()


def test_options_refuse_a_camera_without_an_address() -> None:
    with pytest.raises(ValueError, match="at least one of"):
        FeedConfig.model_validate(
            {
                "id": "cams",
                "type": "camera",
                "interval": 60,
                "options": {"cameras": [camera("x")]},
            }
        )
    with pytest.raises(ValueError, match="rtsp://"):
        FeedConfig.model_validate(
            {
                "id": "cams",
                "type": "camera",
                "interval": 60,
                "options": {"cameras": [camera("x", rtsp_url="http://127.0.0.1/x")]},
            }
        )


def test_only_the_last_k_stills_are_kept(store: Store, clock: Clock) -> None:
    frames = [
        Route(200, picture("JPEG", (64 + 8 * i, 48)), "image/jpeg") for i in range(5)
    ]  # a changing picture
    with serve({"/snap.jpg": frames}) as http:
        options = {
            "cameras": [camera("cam", snapshot_url=http.url("/snap.jpg"))],
            "keep_stills": 3,
        }
        cfg = FeedConfig.model_validate(
            {"id": "cams", "type": "camera", "interval": 60, "options": options}
        )
        runner = FeedRunner(store, [cfg], clock=clock)
        times = []
        for _ in range(5):
            runner.run("cams")
            times.append(clock.now)
            clock.now += timedelta(minutes=1)
    with store.engine.connect() as conn:
        kept = conn.execute(
            select(StillRow.taken_at).where(StillRow.camera == "cam").order_by(StillRow.taken_at)
        ).scalars()
        kept_times = [_utc(t) for t in kept]
    assert kept_times == times[-3:]
    assert _utc(snapshots(store)["cam"][0]) == times[-1]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
