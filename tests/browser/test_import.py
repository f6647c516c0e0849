"""Manual import in Chromium: an operator uploads the province's one-stop report (a cp1258 CSV
as Excel writes it), sees the test, imports it and watches the progress bar reach 100% and the
summary; a leader is refused the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from dashboards import create_app
from feeds.manual_import import ENVELOPE_BYTES
from settings import Settings, load_settings
from store import Store
from tests.browser.conftest import APP_PORT, SHARED_GEO
from tests.browser.test_overview import wait_for
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import new_user, sign_in_browser, start_signed_in
from tests.integration.test_manual_import import BAD_ROWS, REPORT, REPORT_ROWS
from tests.integration.test_tabular_feed import ONE_STOP, ONE_STOP_VALUES, stored

pytestmark = pytest.mark.browser
FEED = "bao_cao"
SHOTS = Path("/tmp")


def import_settings(directory: Path) -> Settings:
    feed = {
        "id": FEED,
        "type": "tabular_file",
        "interval": 86400,
        "options": {"path": str(directory / "hop-thu" / "bao-cao.csv"), "mapping": ONE_STOP},
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


def test_an_operator_uploads_tests_and_imports_a_report(dash_duo, tmp_path: Path) -> None:
    settings = import_settings(tmp_path)
    store = Store.open(settings.database.url)
    app = create_app(settings, store, clock=Clock(FIXED_NOW))
    start_signed_in(dash_duo, app, role="operator", port=APP_PORT)
    driver = dash_duo.driver
    driver.set_window_size(1600, 1500)
    driver.get(f"{dash_duo.server_url}/nguon-du-lieu/nhap/{FEED}")
    dash_duo.wait_for_element("[data-testid=feed-import]", timeout=15)
    limit = dash_duo.find_element("[data-testid=import-limit]").text
    allowed = (settings.web.max_request_bytes - ENVELOPE_BYTES) * 3 // 4
    assert f"tối đa {round(allowed / 1024)} KB" in limit  # what one request can carry

    report = tmp_path / "Báo cáo tháng 10.csv"
    report.write_bytes(REPORT)
    driver.find_element(By.CSS_SELECTOR, "#import-upload input[type=file]").send_keys(str(report))
    totals = dash_duo.wait_for_element("[data-testid=import-test-totals]", timeout=20)
    assert totals.get_attribute("data-records") == str(len(ONE_STOP_VALUES))
    assert totals.get_attribute("data-rejected") == str(len(BAD_ROWS))
    records = dash_duo.find_element("[data-testid=import-test-records]").text
    assert "Hồ sơ tiếp nhận" in records and "1.801" in records  # vi-VN numbers, metric names
    assert "Huyện Vĩnh Hằng" in dash_duo.find_element("[data-testid=import-test-rejected]").text
    assert stored(store) == {}  # the test wrote nothing
    driver.save_screenshot(str(SHOTS / "import_test.png"))

    dash_duo.find_element("[data-testid=import-start]").click()
    bar = dash_duo.wait_for_element("[data-testid=import-progress] .progress-bar", timeout=10)
    assert wait_for(lambda: bar.get_attribute("aria-valuenow") == "100", timeout=30)
    assert bar.text == "100%"
    track = dash_duo.find_element("[data-testid=import-progress] .progress")
    # Drawn full, not only labelled so (the bar's width eases in).
    assert wait_for(lambda: bar.size["width"] >= track.size["width"] - 1, timeout=10)
    summary = dash_duo.wait_for_element("[data-testid=import-summary] [data-status]", timeout=10)
    assert summary.get_attribute("data-status") == "partial"
    accepted = dash_duo.find_element("[data-testid=import-summary-accepted]").text
    assert accepted == str(len(ONE_STOP_VALUES))
    assert dash_duo.find_element("[data-testid=import-summary-rejected]").text == "2"
    assert dash_duo.find_element("[data-testid=import-rejects-download]").is_displayed()
    assert stored(store) == ONE_STOP_VALUES
    assert len(REPORT_ROWS) > len(ONE_STOP_VALUES)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    driver.save_screenshot(str(SHOTS / "import_done.png"))

    # Too large a file is stopped in the browser, named, and never sent.
    big = tmp_path / "qua-lon.csv"
    big.write_bytes(b"a;b\r\n" * (allowed // 5 + 100))
    driver.find_element(By.CSS_SELECTOR, "#import-upload input[type=file]").send_keys(str(big))
    error = dash_duo.find_element("[data-testid=import-upload-error]")
    shown_limit = f"{round(allowed / 1024)} KB"
    assert wait_for(lambda: "qua-lon.csv" in error.text and shown_limit in error.text, timeout=10)
    assert len(store.queries.feed_runs(FEED, limit=10)) == 1
    assert dash_duo.get_logs() == []

    # A leader, signed in in the same browser, is refused the page.
    name, password = new_user(app, "leader")
    driver.delete_all_cookies()
    sign_in_browser(driver, dash_duo.server_url, name, password)
    driver.get(f"{dash_duo.server_url}/nguon-du-lieu/nhap/{FEED}")
    assert wait_for(lambda: "feed-import" not in driver.page_source, timeout=10)
    assert not driver.find_elements(By.CSS_SELECTOR, "[data-testid=feed-import]")
    assert "Không có quyền truy cập" in driver.page_source
    driver.save_screenshot(str(SHOTS / "import_leader_refused.png"))
    store.engine.dispose()
