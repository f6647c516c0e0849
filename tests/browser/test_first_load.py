"""While the first backfill runs, a domain page says how far it has come on tiles and badges."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards import create_app
from feeds.base import FeedContext
from feeds.runner import FeedRunner
from feeds.simulator import SimulatorFeed, SimulatorOptions
from settings import load_settings
from store import Store
from store.records import Progress, Rejection
from tests.browser.conftest import APP_PORT, screenshot, write_config
from tests.browser.test_overview import wait_for
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import start_signed_in

pytestmark = pytest.mark.browser
LOADING = "đang nạp dữ liệu lần đầu: 212/731 ngày"


def test_domain_page_shows_first_load_progress(dash_duo, tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, None), env={})
    store = Store.open(settings.database.url)
    FeedRunner(store, settings.feeds, clock=Clock(FIXED_NOW))  # the feed, never run to the end
    context = FeedContext(areas=store.queries.areas.by_code, now=lambda: FIXED_NOW)
    feed = SimulatorFeed("simulator", SimulatorOptions(backfill_days=1), context)
    records = [i for i in feed.normalize(feed.fetch()) if not isinstance(i, Progress | Rejection)]
    store.writer.write_records("simulator", records, FIXED_NOW, load_progress=(212, 731))
    start_signed_in(dash_duo, create_app(settings, store, clock=Clock(FIXED_NOW)), port=APP_PORT)
    dash_duo.driver.set_window_size(1920, 1080)
    dash_duo.driver.get(f"{dash_duo.server_url}/y-te")

    def texts(selector: str) -> list[str]:
        return [e.text for e in dash_duo.find_elements(selector)]

    assert wait_for(lambda: LOADING in " ".join(texts(".source-badge")) or None)

    def every_tile_says_it() -> bool | None:
        lines = texts(".kpi-freshness")
        return (bool(lines) and all(line == LOADING for line in lines)) or None

    assert wait_for(every_tile_says_it)
    screenshot(dash_duo.driver, "health-first-load-progress")
    assert dash_duo.get_logs() == []
    store.engine.dispose()
