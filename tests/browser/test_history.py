"""Deep links and history: back restores the previous area and window, controls and values."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import WebDriverException

from i18n.formatting import format_value
from i18n.names import metric_unit
from store import Store
from store.catalog import METRICS_BY_KEY
from store.scope import Window, scope_within
from tests.browser.conftest import APP_PORT, screenshot
from tests.browser.test_overview import wait_for
from tests.browser.test_pages import click
from tests.conftest import FIXED_NOW
from tests.fixtures.auth import start_signed_in

pytestmark = pytest.mark.browser
KEY = "health.outpatient_visits"
TILE = f"[data-kpi='{KEY}'] .kpi-value"


def _expected(store: Store, area: str, window: str) -> str:
    value = store.queries.kpis(scope_within("94", Window.named(window, FIXED_NOW), area), [KEY])[
        KEY
    ].value
    metric = METRICS_BY_KEY[KEY]
    assert value is not None
    return format_value(value, metric_unit(metric, "vi"), "vi", metric.decimals)


def _state(dash_duo) -> tuple[str, str, str] | None:  # type: ignore[no-untyped-def]
    """What the page shows: the area picker's text, the active window button, the tile value."""
    try:
        area = dash_duo.find_element(".scope-select .dash-dropdown-value").text
        window = dash_duo.find_element(".window-select label.active").text
        return area, window, dash_duo.find_element(TILE).text
    except WebDriverException:  # the page is being drawn again
        return None


def test_back_restores_area_window_controls_and_values(dash_duo, demo_app, demo_store) -> None:  # type: ignore[no-untyped-def]
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    areas = demo_store.queries.areas
    district = areas.children(areas.root)[0]
    province_name, district_name = areas.name(areas.root, "vi"), areas.name(district, "vi")
    driver.get(f"{dash_duo.server_url}/y-te?window=30d")
    first = (province_name, "30 ngày", _expected(demo_store, areas.root, "30d"))
    assert wait_for(lambda: _state(dash_duo) == first or None)

    click(driver, dash_duo.find_element(".scope-select"))
    option = wait_for(
        lambda: next(
            (o for o in dash_duo.find_elements("[role=option]") if o.text == f"· {district_name}"),
            None,
        )
    )
    click(driver, option)
    wait_for(lambda: f"area={district}" in driver.current_url)
    second = (f"· {district_name}", "30 ngày", _expected(demo_store, district, "30d"))
    assert wait_for(lambda: _state(dash_duo) == second or None)

    week = next(e for e in dash_duo.find_elements(".window-select label") if e.text == "7 ngày")
    click(driver, week)
    wait_for(lambda: "window=7d" in driver.current_url)
    third = (f"· {district_name}", "7 ngày", _expected(demo_store, district, "7d"))
    assert wait_for(lambda: _state(dash_duo) == third or None)

    driver.back()
    wait_for(
        lambda: "window=30d" in driver.current_url and f"area={district}" in driver.current_url
    )
    assert wait_for(lambda: _state(dash_duo) == second or None)
    driver.back()
    wait_for(
        lambda: "area=" not in driver.current_url or f"area={areas.root}" in driver.current_url
    )
    assert wait_for(lambda: _state(dash_duo) == first or None)
    driver.forward()
    assert wait_for(lambda: _state(dash_duo) == second or None)
    assert dash_duo.get_logs() == []


def test_feedback_page_shows_the_median_and_the_status_legend(dash_duo, demo_app) -> None:  # type: ignore[no-untyped-def]
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.set_window_size(1920, 1080)
    driver.get(f"{dash_duo.server_url}/phan-anh-kien-nghi")
    tile = dash_duo.wait_for_element(
        "[data-kpi='feedback.median_resolution_days'] .kpi-value", timeout=15
    )
    assert wait_for(lambda: tile.text.endswith("ngày") or None)
    legend = [e.get_attribute("data-status") for e in dash_duo.find_elements(".legend-item")]
    assert legend == ["received", "in_progress", "overdue", "resolved"]
    assert "Quá hạn" in dash_duo.find_element(".point-legend").text
    map_card = dash_duo.find_element("[data-testid=area-map]")
    driver.execute_script(
        "window.scrollTo({top: arguments[0].getBoundingClientRect().top + window.scrollY - 150,"
        " behavior: 'instant'});",
        map_card,
    )
    screenshot(driver, "feedback-map-legend")
    assert dash_duo.get_logs() == []
