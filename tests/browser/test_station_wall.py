"""A monitoring station in device error reaches the wall's alert ticker as a warning naming it
and the parameter, and leaves it once the station reports valid data again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from feeds.runner import FeedRunner
from settings import FeedConfig
from store import Store
from tests.browser.conftest import APP_PORT
from tests.browser.test_wall import js, wait_until, wall_app  # noqa: F401
from tests.fixtures.auth import start_signed_in
from tests.fixtures.station_files import WATER, body, drop, feed_config, file_name, stamp

pytestmark = pytest.mark.browser
FEED = "wall_stations"
TICKER = f"[data-testid=alert-ticker] [data-alert='station:{WATER}:device_error']"
SHOWN = f'return document.querySelector("{TICKER}")'


@pytest.fixture
def station_feed(demo_store: Store, tmp_path: Path) -> Iterator[tuple[FeedConfig, Path]]:
    folder = tmp_path / "ftp"
    folder.mkdir()
    yield feed_config(folder, FEED), folder
    with demo_store.engine.begin() as conn:  # leave the shared demo store as it was
        for table in ("observations", "assets"):
            conn.execute(text(f"DELETE FROM {table} WHERE feed_id = :f"), {"f": FEED})
        conn.execute(
            text("DELETE FROM rejected_records WHERE run_id IN"
                 " (SELECT id FROM feed_runs WHERE feed_id = :f)"),
            {"f": FEED},
        )  # fmt: skip
        conn.execute(text("DELETE FROM feed_runs WHERE feed_id = :f"), {"f": FEED})
        conn.execute(text("DELETE FROM feeds WHERE id = :f"), {"f": FEED})


def test_a_station_in_device_error_is_on_the_ticker_until_it_measures_again(
    dash_duo,
    wall_app,  # noqa: F811
    demo_store,
    station_feed,
) -> None:
    app, clock = wall_app
    config, folder = station_feed
    start_signed_in(dash_duo, app, port=APP_PORT)
    dash_duo.driver.get(f"{dash_duo.server_url}/wall/default")
    live = "return document.querySelectorAll('[data-testid=alert-ticker] [data-alert]').length"
    wait_until(lambda: js(dash_duo.driver, live), timeout=20)  # the wall is up and refreshing
    assert js(dash_duo.driver, SHOWN) is None
    runner = FeedRunner(demo_store, [config], clock=clock, sleep=lambda _s: None)
    # The ticker shows the newest 40 of the demo's many alerts; a state that began after the
    # wall started watching is among them. Time moves on so the file is both newer than that
    # and older than the feed's stability wait.
    clock.offset += timedelta(minutes=20)
    at = clock() - timedelta(minutes=5)
    lines = [["Salinity", "0,4", "‰", stamp(at), "00"], ["DO", "3.9", "mg/l", stamp(at), "02"]]
    drop(folder, file_name(WATER, at), body(lines), at + timedelta(minutes=1))
    assert runner.run(FEED).rejected == 1
    shown = wait_until(lambda: js(dash_duo.driver, SHOWN), timeout=60)
    assert shown.get_attribute("data-severity") == "warn"
    words = shown.get_attribute("textContent")  # the ticker scrolls: not all of it is in view
    assert "Trạm quan trắc nước Cổ Cò" in words and "lỗi thiết bị" in words and "DO" in words

    clock.offset += timedelta(minutes=10)
    later = clock() - timedelta(minutes=5)
    fixed = [
        ["Salinity", "0,4", "‰", stamp(later), "00"],
        ["DO", "4.4", "mg/L", stamp(later), "00"],
    ]
    drop(folder, file_name(WATER, later), body(fixed), later + timedelta(minutes=1))
    assert runner.run(FEED).rejected == 0
    wait_until(lambda: js(dash_duo.driver, SHOWN) is None, timeout=60)
