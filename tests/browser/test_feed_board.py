"""The feed board in Chromium: a broken http_json feed (a loopback server answering 500) shows
as failing, first, with its error; its dry run opens in a dialog; its history filters."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from dashboards import create_app
from feeds.definitions import provision
from feeds.runner import FeedRunner
from settings import load_settings
from store import Store
from tests.browser.conftest import APP_PORT, screenshot
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import start_signed_in
from tests.fixtures.http_server import Route, serve

pytestmark = pytest.mark.browser
MAPPING = (
    '{records: "", area: {code: "area"}, period: {field: "ts", format: iso8601},'
    ' observations: [{metric_field: "metric", field: "value"}]}'
)
GOOD = (
    b'[{"metric": "tourism.visitors", "area": "94", "ts": "2026-11-19", "value": 5},'
    b' {"metric": "tourism.visitors", "area": "99999", "ts": "2026-11-19", "value": 6}]'
)


def _config(directory: Path, url: str) -> Path:
    path = directory / "config.yaml"
    path.write_text(
        "version: 1\n"
        f'database:\n  url: "sqlite:///{directory / "ioc.db"}"\n'
        "geography:\n  directory: null\n"
        "ui:\n  refresh_interval: 30\n"
        "feeds:\n"
        f"  - {{id: cong-du-lich, type: http_json, interval: 300, retries: 0,"
        f" options: {{url: '{url}/bad', mapping: {MAPPING}}}}}\n"
        f"  - {{id: luot-khach, type: http_json, interval: 600, retries: 0,"
        f" options: {{url: '{url}/good', mapping: {MAPPING}}}}}\n",
        encoding="utf-8",
    )
    return path


def test_board_shows_a_broken_feed_its_test_and_its_history(dash_duo, tmp_path: Path) -> None:
    routes = {
        "/bad": Route.json({"error": "upstream exploded"}, status=500),
        "/good": Route(body=GOOD),
    }
    with serve(routes) as server:
        settings = load_settings(_config(tmp_path, server.url("").rstrip("/")), env={})
        store = Store.open(settings.database.url)
        clock = Clock(FIXED_NOW - timedelta(hours=2))
        runner = FeedRunner(store, settings.feeds, clock=clock)
        for _ in range(3):
            assert runner.run("luot-khach").status == "partial"
            clock.now += timedelta(minutes=10)
        for _ in range(4):
            assert runner.run("cong-du-lich").status == "failed"
            clock.now += timedelta(minutes=5)
        provision(store, settings)
        app = create_app(settings, store, clock=Clock(FIXED_NOW))
        start_signed_in(dash_duo, app, "operator", port=APP_PORT)
        driver = dash_duo.driver
        driver.set_window_size(1920, 1080)
        driver.get(f"{dash_duo.server_url}/nguon-du-lieu")
        dash_duo.wait_for_element("[data-testid=feed-board]", timeout=15)
        rows = driver.find_elements(By.CSS_SELECTOR, "[data-testid=feed-board] tr[data-feed-id]")
        assert [(r.get_attribute("data-feed-id"), r.get_attribute("data-state")) for r in rows] == [
            ("cong-du-lich", "failing"),
            ("luot-khach", "late"),  # its last success is 1 h 40 min old: 10 intervals
        ]
        error = rows[0].find_element(By.CSS_SELECTOR, ".board-error-text").text
        assert "500" in error
        assert "4" in rows[0].find_element(By.CSS_SELECTOR, ".board-error .board-sub").text
        today = rows[0].find_elements(By.CSS_SELECTOR, ".board-day")[-1]
        assert today.get_attribute("data-tone") == "failed"
        assert "4 thất bại" in today.get_attribute("title")
        assert rows[1].find_element(By.CSS_SELECTOR, ".board-quality").get_attribute("title")
        assert (
            driver.find_element(By.CSS_SELECTOR, "[data-testid=feed-new]")
            .get_attribute("href")
            .endswith("/nguon-du-lieu/moi")
        )
        _save(driver, "board_board")

        rows[1].find_element(By.CSS_SELECTOR, "[data-testid=feed-test]").click()
        dash_duo.wait_for_element("[data-testid=feed-test-result]", timeout=25)
        dash_duo.wait_for_text_to_equal(
            "[data-testid=feed-test-totals]", "Sẽ lưu 1 bản ghi · sẽ loại 1 bản ghi", timeout=10
        )
        assert "99999" in driver.find_element(By.CSS_SELECTOR, ".modal-body").text
        _save(driver, "board_test")

        driver.find_element(By.CSS_SELECTOR, ".modal .btn-close").click()
        dash_duo.wait_for_no_elements(".modal.show", timeout=10)
        _row(driver, "luot-khach").find_element(By.CSS_SELECTOR, "[data-testid=feed-pause]").click()
        notice = dash_duo.wait_for_element("[data-testid=board-notice]", timeout=10)
        assert notice.text == "Đã tạm dừng luot-khach."
        dash_duo.wait_for_element("tr[data-feed-id=luot-khach][data-state=disabled]", timeout=10)
        assert store.feed_defs.get("luot-khach").paused
        _row(driver, "luot-khach").find_element(
            By.CSS_SELECTOR, "[data-testid=feed-run-now]"
        ).click()
        dash_duo.wait_for_contains_text("[data-testid=board-notice]", "chạy ngay", timeout=10)
        assert store.feed_defs.pending_runs() == {"luot-khach"}
        _save(driver, "board_paused")
        _row(driver, "cong-du-lich").find_element(
            By.CSS_SELECTOR, "[data-testid=feed-delete]"
        ).click()
        dash_duo.wait_for_element("[data-testid=feed-delete-confirm]", timeout=10).click()
        dash_duo.wait_for_contains_text("[data-testid=board-notice]", "Đã xóa", timeout=10)
        dash_duo.wait_for_no_elements("tr[data-feed-id=cong-du-lich]", timeout=10)
        assert store.feed_defs.get("cong-du-lich").deleted

        driver.get(f"{dash_duo.server_url}/nguon-du-lieu/lich-su/luot-khach")
        dash_duo.wait_for_element("[data-testid=run-history]", timeout=15)
        history = driver.find_element(By.CSS_SELECTOR, "[data-testid=run-history]")
        assert history.get_attribute("data-total") == "3"
        run = history.find_elements(By.CSS_SELECTOR, ".history-run")[0]
        run.find_element(By.CSS_SELECTOR, "summary").click()
        assert "99999" in run.find_element(By.CSS_SELECTOR, ".history-body").text
        _save(driver, "board_history")

        form = driver.find_element(By.CSS_SELECTOR, "[data-testid=history-filters]")
        form.find_element(By.CSS_SELECTOR, "select[name=status] option[value=failed]").click()
        form.find_element(By.CSS_SELECTOR, "[data-testid=history-apply]").click()
        dash_duo.wait_for_element("[data-testid=run-history][data-total='0']", timeout=15)
        assert "status=failed" in driver.current_url
        driver.get(f"{dash_duo.server_url}/nguon-du-lieu/lich-su/cong-du-lich?status=failed")
        dash_duo.wait_for_element("[data-testid=run-history][data-total='4']", timeout=15)
        statuses = {
            r.get_attribute("data-status")
            for r in driver.find_elements(By.CSS_SELECTOR, ".history-run")
        }
        assert statuses == {"failed"}
        _save(driver, "board_history_failed")
        driver.get(f"{dash_duo.server_url}/nguon-du-lieu/lich-su/cong-du-lich?from=hôm-qua")
        problem = dash_duo.wait_for_element("[data-testid=history-problem]", timeout=15)
        assert "hôm-qua" in problem.text
        assert dash_duo.get_logs() == []
        store.engine.dispose()


def _row(driver, feed_id: str):  # type: ignore[no-untyped-def]
    return driver.find_element(By.CSS_SELECTOR, f"tr[data-feed-id={feed_id}]")


def _save(driver, name: str) -> None:  # type: ignore[no-untyped-def]
    path = screenshot(driver, name)
    shutil.copy(path, f"/tmp/{name}.png")
