"""An HLS camera plays in its detail view: hls.js loaded on demand from the app, the playlist
and segments through the app's relay, a clean console."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards import create_app
from settings import load_settings
from store import Store
from store.records import Asset
from store.reference_writes import FeedSpec
from tests.browser.conftest import APP_PORT, SHARED_GEO, screenshot
from tests.browser.test_overview import wait_for
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import start_signed_in
from tests.fixtures.http_server import Route, serve
from tests.integration.test_camera_hls import MPEGURL, media_playlist, segment

pytestmark = pytest.mark.browser
PLAYED = "const v = document.querySelector(arguments[0]); return v && v.currentTime"


def _app(tmp_path: Path, playlist: str):  # type: ignore[no-untyped-def]
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\n"
        f'database:\n  url: "sqlite:///{tmp_path / "ioc.db"}"\n'
        f'geography:\n  directory: "{SHARED_GEO}"\n'
        "cameras:\n  allowed_networks: [127.0.0.1/32]\n",
        encoding="utf-8",
    )
    settings = load_settings(config, env={})
    store = Store.open(settings.database.url)
    store.writer.sync_feeds([FeedSpec("cams", "camera", 60, True, False)])
    attributes = {"stream": "hls", "hls_url": playlist, "stream_url": None}
    camera = Asset(
        "cameras", "camera", "CAM-HLS", "Cầu Quay — HLS", FIXED_NOW, area="31498",
        status="online", attributes=attributes,
    )  # fmt: skip
    store.writer.write_records("cams", [camera], FIXED_NOW)
    return create_app(settings, store, clock=Clock(FIXED_NOW))


def test_an_hls_camera_plays_through_the_relay(dash_duo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    routes = {"/live/index.m3u8": Route(200, media_playlist(), MPEGURL)}
    routes |= {f"/live/seg{n}.ts": Route(200, segment(n), "video/mp2t") for n in range(4)}
    with serve(routes) as camera:
        app = _app(tmp_path, camera.url("/live/index.m3u8"))
        start_signed_in(dash_duo, app, port=APP_PORT)
        driver = dash_duo.driver
        driver.set_window_size(1920, 1080)
        driver.get(f"{dash_duo.server_url}/camera?camera=CAM-HLS")
        dash_duo.wait_for_element(".camera-detail[data-camera='CAM-HLS']", timeout=15)
        video = ".camera-detail video.hls-player"
        assert wait_for(lambda: driver.execute_script(PLAYED, video) or None, timeout=20) > 0
        assert dash_duo.find_element(video).get_attribute("data-hls-state") == "playing"
        assert dash_duo.find_element(".camera-live-badge").text == "TRỰC TIẾP"
        screenshot(driver, "camera-detail-hls")
        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert any(name.endswith("/assets/lazy/hls.light.min.js") for name in loaded)
        fetched = [name for name in loaded if "/hls" in name and "lazy" not in name]
        assert fetched and all("/camera/CAM-HLS/hls" in name for name in fetched)
        assert all(name.startswith(dash_duo.server_url) for name in loaded)
        assert len(camera.requests_to("/live/seg0.ts")) == 1  # the relay, not the browser
        assert dash_duo.get_logs() == []


def test_pages_without_an_hls_camera_never_load_hls_js(dash_duo, demo_app) -> None:  # type: ignore[no-untyped-def]
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    dash_duo.wait_for_element(".kpi-tile", timeout=20)
    loaded = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert not any("hls" in name for name in loaded)
