"""The review queue in Chromium: an operator opens a rejected record, sees the form prefilled
from its excerpt, corrects the value in Vietnamese number format, accepts it, and the domain
page then shows it; a leader is refused the page."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboards import create_app
from dashboards.pages import review_page
from i18n import t
from i18n.formatting import format_value
from i18n.names import metric_unit
from settings import Settings
from store import Store
from store.catalog import METRICS_BY_KEY
from store.records import Rejection
from store.reference_writes import FeedSpec
from store.review_models import QueueFilter
from store.run_writes import RunOutcome
from store.scope import Window, scope_within
from tests.browser.conftest import APP_PORT
from tests.browser.test_overview import wait_for
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import new_user, sign_in_browser, start_signed_in

pytestmark = pytest.mark.browser
METRIC = "health.outpatient_visits"
SHOTS = Path("/tmp")


@pytest.fixture
def review_store(demo_settings: Settings, tmp_path: Path) -> Iterator[Store]:
    """A copy of the demo database (the session's stays as it is) with one feed's run that
    rejected a record of a commune's outpatient visits."""
    source = Path(demo_settings.database.url.removeprefix("sqlite:///"))
    copy = tmp_path / "review.db"
    shutil.copy(source, copy)
    store = Store.open(f"sqlite:///{copy}")
    store.writer.sync_feeds([FeedSpec("so_y_te", "http_json", 3600, True, False)])
    started = FIXED_NOW - timedelta(minutes=20)
    run = store.writer.start_run("so_y_te", started)
    store.writer.finish_run(
        run,
        "so_y_te",
        RunOutcome("partial", 4, 1, 4, started + timedelta(seconds=2), 2000.0),
        [Rejection(_reason(), json.dumps(_raw(store), ensure_ascii=False))],
    )
    yield store
    store.engine.dispose()


def _commune(store: Store) -> str:
    areas = store.queries.areas
    return areas.children(areas.children(areas.root)[0])[0]


def _reason() -> str:
    return f"row 3: {METRIC} (field 'so_luot'): value '1.2x4' is not a number (locale vi)"


def _raw(store: Store) -> dict[str, str]:
    return {"ma_xa": _commune(store), "ngay": "20/11/2026", "so_luot": "1.2x4"}


def _tile_text(store: Store, area: str) -> str | None:
    scope = scope_within(store.queries.areas.root, Window.named("today", FIXED_NOW), area)
    value = store.queries.kpis(scope, [METRIC])[METRIC].value
    metric = METRICS_BY_KEY[METRIC]
    return None if value is None else format_value(value, metric_unit(metric, "vi"), "vi")


def _click(driver, element) -> None:  # type: ignore[no-untyped-def]
    """Scroll the element to the middle of the screen (at once, not smoothly), then click."""
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
    )
    inside = "const r = arguments[0].getBoundingClientRect(); return r.bottom <= innerHeight;"
    wait_for(lambda: driver.execute_script(inside, element))
    element.click()


def _shot(driver, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = SHOTS / f"review_{name}.png"
    driver.save_screenshot(str(path))
    return path


def test_an_operator_corrects_and_accepts_a_record_and_the_domain_page_shows_it(
    dash_duo, demo_settings: Settings, review_store: Store
) -> None:
    app = create_app(demo_settings, review_store, clock=Clock(FIXED_NOW))
    start_signed_in(dash_duo, app, role="operator", port=APP_PORT)
    driver = dash_duo.driver
    driver.set_window_size(1600, 1100)
    area = _commune(review_store)
    before = _tile_text(review_store, area)
    record = review_store.review.records(QueueFilter(feed="so_y_te"))[0]

    driver.get(f"{dash_duo.server_url}{review_page.PATH}")
    dash_duo.wait_for_element("[data-testid=review-queue]", timeout=15)
    group = wait_for(lambda: dash_duo.find_elements("#review-groups .ag-row"))
    assert "so_y_te" in group[0].text
    row = wait_for(
        lambda: dash_duo.find_elements(f"#review-records .ag-row[row-id='{record.id}'] .ag-cell")
    )
    _shot(driver, "queue")
    _click(driver, row[0])
    detail = f"[data-testid=review-detail] [data-record-id='{record.id}']"
    dash_duo.wait_for_element(detail, timeout=10)
    period = dash_duo.find_element("#review-period")
    value = dash_duo.find_element("#review-value")
    assert wait_for(lambda: period.get_attribute("value") == "20/11/2026")
    assert value.get_attribute("value") == "1.2x4"  # the source's bad value, to be corrected
    assert wait_for(lambda: METRIC in dash_duo.find_element("#review-metric").text)
    hint = wait_for(lambda: dash_duo.find_element("[data-testid=review-hint]").text)
    assert "Đang lưu" in hint  # the simulator's value for that key, about to be replaced
    value.send_keys(Keys.CONTROL, "a")
    value.send_keys(Keys.DELETE)
    value.send_keys("1.234")
    _click(driver, dash_duo.find_element("[data-testid=review-accept]"))
    message = wait_for(
        lambda: "Đã lưu" in dash_duo.find_element("[data-testid=review-message]").text
    )
    assert message
    wait_for(lambda: dash_duo.find_element(detail).get_attribute("data-status") == "accepted")
    time.sleep(0.3)
    _shot(driver, "accepted")
    expected = _tile_text(review_store, area)
    assert before is not None and expected == "1.234 lượt" and expected != before

    driver.get(f"{dash_duo.server_url}/y-te?area={area}&window=today")
    tile = f"[data-kpi='{METRIC}'] .kpi-value"
    assert wait_for(lambda: dash_duo.find_element(tile).text == expected, timeout=20)
    time.sleep(0.3)
    _shot(driver, "domain_page")

    # undo: the accepted record, linked by feed and status, is withdrawn; the value it
    # replaced is back on the domain page
    driver.get(f"{dash_duo.server_url}{review_page.PATH}?feed=so_y_te&status=accepted")
    row = wait_for(
        lambda: dash_duo.find_elements(f"#review-records .ag-row[row-id='{record.id}'] .ag-cell")
    )
    _click(driver, row[0])
    wait_for(lambda: dash_duo.find_element(detail).get_attribute("data-status") == "accepted")
    undo = dash_duo.find_element("[data-testid=review-undo]")
    assert wait_for(lambda: undo.is_enabled())
    _click(driver, undo)
    wait_for(lambda: "hoàn tác" in dash_duo.find_element("[data-testid=review-message]").text)
    wait_for(lambda: dash_duo.find_element(detail).get_attribute("data-status") == "open")
    time.sleep(0.3)
    _shot(driver, "undone")
    assert _tile_text(review_store, area) == before
    driver.get(f"{dash_duo.server_url}/y-te?area={area}&window=today")
    assert wait_for(lambda: dash_duo.find_element(tile).text == before, timeout=20)
    assert dash_duo.get_logs() == []


def test_a_leader_is_refused_the_review_queue(
    dash_duo, demo_settings: Settings, review_store: Store
) -> None:
    app = create_app(demo_settings, review_store, clock=Clock(FIXED_NOW))
    name, password = new_user(app, "leader")
    dash_duo.start_server(app, navigate=False, port=APP_PORT)
    sign_in_browser(dash_duo.driver, dash_duo.server.url, name, password)
    dash_duo.driver.get(f"{dash_duo.server.url}{review_page.PATH}")
    body = dash_duo.driver.find_element(By.TAG_NAME, "body").text
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, "[data-testid=review-queue]") == []
    assert t("auth.forbidden_title", "vi") in body
    _shot(dash_duo.driver, "leader_refused")
    dash_duo.driver.get(f"{dash_duo.server.url}/")
    dash_duo.wait_for_element(".side-nav", timeout=15)
    links = dash_duo.driver.find_elements(
        By.CSS_SELECTOR, f".side-nav a[href='{review_page.PATH}']"
    )
    assert links == []
