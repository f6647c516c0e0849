"""A station file dropped in the FTP folder: its values and its state on /tai-nguyen-moi-truong."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from dashboards import create_app
from feeds.runner import FeedRunner
from settings import load_settings
from store import Store
from store.scope import local_midnight_utc
from tests.browser.conftest import APP_PORT, SHARED_GEO, screenshot
from tests.browser.test_overview import wait_for
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import start_signed_in
from tests.fixtures.station_files import (
    STATIONS,
    WATER,
    body,
    drop,
    file_name,
    hourly_air_files,
    stamp,
)

pytestmark = pytest.mark.browser


def station_settings(directory: Path, folder: Path):  # type: ignore[no-untyped-def]
    feed = {
        "id": "stations",
        "type": "station_files",
        "interval": 300,
        "options": {"folder": str(folder), "stations": STATIONS, "stability_seconds": 10},
    }
    config = directory / "config.yaml"
    config.write_text(
        "version: 1\n"
        f'database:\n  url: "sqlite:///{directory / "ioc.db"}"\n'
        f'geography:\n  directory: "{SHARED_GEO}"\n'
        "ui:\n  refresh_interval: 30\n"
        f"feeds:\n  - {json.dumps(feed, ensure_ascii=False)}\n",
        encoding="utf-8",
    )
    return load_settings(config, env={})


def test_a_dropped_station_file_shows_its_values_and_state(dash_duo, tmp_path: Path) -> None:
    folder = tmp_path / "ftp"
    folder.mkdir()
    yesterday = local_midnight_utc((FIXED_NOW - timedelta(days=1)).date())
    hourly_air_files(folder, yesterday, 24, pm25=62.5)
    at = FIXED_NOW - timedelta(hours=1)
    lines = [["Salinity", "4,35", "‰", stamp(at), "00"], ["DO", "3.9", "mg/l", stamp(at), "02"]]
    drop(folder, file_name(WATER, at), body(lines), at + timedelta(minutes=1))
    settings = station_settings(tmp_path, folder)
    store = Store.open(settings.database.url)
    report = FeedRunner(store, settings.feeds, clock=Clock(FIXED_NOW)).run("stations")
    assert report.rejected == 1  # the DO line of a device in error
    app = create_app(settings, store, clock=Clock(FIXED_NOW))
    start_signed_in(dash_duo, app, port=APP_PORT)
    dash_duo.driver.set_window_size(1920, 1080)
    dash_duo.driver.get(f"{dash_duo.server_url}/tai-nguyen-moi-truong")

    def grid_text() -> str:
        return "\n".join(g.text for g in dash_duo.find_elements(".ag-root-wrapper"))

    air, water = STATIONS[0]["name"], STATIONS[1]["name"]
    # PM2.5 62.5 µg/m³ → 100 + 50·12.5/30 = 120.8 → 121 (poor): the NowCast of a steady value.
    expected = (air, water, "121", "62,5", "4,35", "Lỗi thiết bị", "Hoạt động")
    assert wait_for(lambda: all(text in grid_text() for text in expected), timeout=20)
    tile = dash_duo.find_element("[data-kpi='environment.salinity_max']")
    assert wait_for(lambda: "4,35" in tile.text)
    assert tile.get_attribute("data-status") == "critical"  # at or above 4 ‰
    screenshot(dash_duo.driver, "station-files-environment")
    assert dash_duo.get_logs() == []
    store.engine.dispose()
