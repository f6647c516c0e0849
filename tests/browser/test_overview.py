"""The overview as a person sees it: ten tiles equal to the store, the map, drill-down."""

from __future__ import annotations

import json
import time
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from dashboards.context import LANG_COOKIE
from dashboards.specs import PAGES
from i18n.formatting import format_value
from i18n.names import metric_unit
from store import Store
from store.catalog import DOMAINS, METRICS_BY_KEY
from store.scope import Window, scope_within
from tests.browser.conftest import APP_PORT, screenshot
from tests.conftest import FIXED_NOW
from tests.fixtures.auth import new_user, sign_in_browser, start_signed_in
from ui.changes import period_label

pytestmark = pytest.mark.browser
TILES = "[data-kpi]"
MAP_TRACE_PATHS = (
    "return Array.from(document.querySelectorAll("
    "'[data-testid=area-map] g.trace.choropleth')).map("
    "g => g.querySelectorAll('path.choroplethlocation').length);"
)


def wait_for(predicate, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def expected_tile_text(store: Store, key: str, area: str = "94") -> str | None:
    scope = scope_within("94", Window.named("30d", FIXED_NOW), area)
    kpi = store.queries.kpis(scope, [key])[key]
    metric = METRICS_BY_KEY[key]
    if kpi.value is None:
        return None
    text = format_value(kpi.value, metric_unit(metric, "vi"), "vi", metric.decimals)
    if kpi.period is not None:  # a slow metric names its period under the value
        text += "\n" + period_label(kpi.period, metric.cadence, "vi")
    return text


def test_overview_tiles_match_the_store(dash_duo, demo_app, demo_store: Store) -> None:
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    dash_duo.wait_for_element(f"{TILES} .kpi-value", timeout=15)
    tiles = wait_for(
        lambda: len(dash_duo.find_elements(TILES)) == 10 and dash_duo.find_elements(TILES)
    )
    seen = {}
    for tile in tiles:
        key = tile.get_attribute("data-kpi")
        seen[key] = (
            tile.get_attribute("data-status"),
            tile.find_element(By.CSS_SELECTOR, ".kpi-value").text,
        )
    assert list(seen) == [d.headline for d in DOMAINS]
    for key, (status, text) in seen.items():
        expected = expected_tile_text(demo_store, key)
        assert status in {"good", "warn", "critical", "stale", "nodata"}
        if expected is None:
            assert status == "nodata"
        else:
            assert text == expected, key
    assert "Dữ liệu mô phỏng" in dash_duo.find_element("#demo-badge").text
    assert "cập nhật" in dash_duo.find_element(f"{TILES} .kpi-freshness").text
    assert dash_duo.get_logs() == []


def test_map_drills_down_from_districts_to_communes(dash_duo, demo_app, demo_store: Store) -> None:
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    assert wait_for(lambda: driver.execute_script(MAP_TRACE_PATHS) == [11] or None)
    screenshot(driver, "overview-province")
    paths = "[data-testid=area-map] g.trace.choropleth path.choroplethlocation"
    path = wait_for(
        lambda: (found := dash_duo.find_elements(paths)) and len(found) >= 11 and found[0]
    )
    code = driver.execute_script(
        "const gd = document.querySelector('[data-testid=area-map] .js-plotly-plot');"
        "return gd._fullData[0].locations[0];"
    )
    communes = len(demo_store.queries.areas.children(code))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", path)
    ActionChains(driver).move_to_element(path).click().perform()  # plotly hit-tests by position
    wait_for(lambda: f"area={code}" in driver.current_url)
    wait_for(lambda: (drawn := driver.execute_script(MAP_TRACE_PATHS)) and drawn[0] == communes)
    assert communes < 108
    screenshot(driver, "overview-district")
    assert dash_duo.get_logs() == []


def test_deep_link_restores_area_and_metric(dash_duo, demo_app, demo_store: Store) -> None:
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    dash_duo.driver.get(f"{dash_duo.server_url}/?area=941&metric=tourism.visitors")
    key = "tourism.visitors"
    expected = expected_tile_text(demo_store, key, "941")
    wait_for(lambda: dash_duo.find_element(f"[data-kpi='{key}'] .kpi-value").text == expected)
    assert wait_for(
        lambda: (drawn := dash_duo.driver.execute_script(MAP_TRACE_PATHS)) and drawn[0] == 9
    )
    assert "lượt khách du lịch" in dash_duo.find_element("#overview-map-title").text.lower()


def test_language_switch_to_english_and_back(dash_duo, demo_app) -> None:
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    dash_duo.wait_for_text_to_equal(".page-title", "Tổng quan điều hành", timeout=10)
    dash_duo.find_element("#lang-en").click()
    dash_duo.wait_for_text_to_equal(".page-title", "Operations overview", timeout=10)
    assert dash_duo.driver.get_cookie(LANG_COOKIE)["value"] == "en"
    dash_duo.wait_for_element(f"{TILES} .kpi-value", timeout=10)
    assert "Simulated data" in dash_duo.find_element("#demo-badge").text
    dash_duo.find_element("#lang-vi").click()
    dash_duo.wait_for_text_to_equal(".page-title", "Tổng quan điều hành", timeout=10)


@pytest.mark.parametrize("path", ["/", "/nguon-du-lieu", *(f"/{p.domain.slug}" for p in PAGES)])
def test_no_request_leaves_loopback(dash_thread_server, demo_app, network_driver, path) -> None:
    user = new_user(demo_app, "operator")
    dash_thread_server(demo_app)
    base = f"http://127.0.0.1:{dash_thread_server.port}"
    sign_in_browser(network_driver, base, *user)
    network_driver.get(f"{base}{path}")
    ready = f"{TILES} .kpi-value, .ag-row, .ag-overlay-no-rows-center, .board-row"
    wait_for(lambda: network_driver.find_elements(By.CSS_SELECTOR, ready))
    if path == "/":  # the map draws only once its boundary layer has arrived
        wait_for(lambda: network_driver.execute_script(MAP_TRACE_PATHS) == [11] or None)
    urls = []
    for entry in network_driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    hosts = {urlparse(u).hostname for u in urls if u.startswith("http")}
    assert urls and hosts == {"127.0.0.1"}, hosts
    severe = [e for e in network_driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    if path == "/":
        assert any("/geo/district.geojson" in u for u in urls)
        screenshot(network_driver, "overview-1920")


LEGEND = "[data-testid=map-legend] .map-legend-item"
PAINTED = (  # every area's fill and every legend swatch, as the browser computed them
    "const fills = [...document.querySelectorAll("
    "'[data-testid=area-map] g.trace.choropleth path.choroplethlocation')]"
    ".map(p => getComputedStyle(p).fill);"
    "const swatches = [...document.querySelectorAll('[data-testid=map-legend] .map-legend-swatch')]"
    ".map(s => getComputedStyle(s).backgroundColor);"
    "return [fills, swatches];"
)


def test_map_legend_names_the_classes_on_the_overview_and_a_domain_page(dash_duo, demo_app) -> None:  # type: ignore[no-untyped-def]
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.set_window_size(1600, 1100)
    wait_for(lambda: driver.execute_script(MAP_TRACE_PATHS) == [11] or None)
    items = wait_for(lambda: dash_duo.find_elements(LEGEND))
    texts = [i.text for i in items]
    assert texts[0].startswith("< ") and texts[-2].startswith("≥ ") and "lượt" in texts[0]
    assert texts[-1] == "không có dữ liệu"
    assert all(i.is_displayed() for i in items)
    fills, swatches = driver.execute_script(PAINTED)
    assert len(fills) == 11 and set(fills) <= set(swatches)  # the map paints legend colours
    _show(driver, "[data-testid=area-map]")
    screenshot(driver, "overview-map-legend")

    driver.get(f"{dash_duo.server_url}/tai-nguyen-moi-truong")
    expected = ["< 1 ‰ bình thường", "≥ 1 ‰ theo dõi", "≥ 4 ‰ xâm nhập mặn", "không có dữ liệu"]
    wait_for(lambda: [i.text for i in dash_duo.find_elements(LEGEND)] == expected or None)
    wait_for(lambda: len(driver.execute_script(PAINTED)[0]) == 11 or None)
    fills, swatches = driver.execute_script(PAINTED)
    assert set(fills) <= set(swatches)
    _show(driver, "[data-testid=area-map]")
    assert all(i.is_displayed() for i in dash_duo.find_elements(LEGEND))
    screenshot(driver, "environment-map-legend")
    assert dash_duo.get_logs() == []


def _show(driver, selector: str) -> None:  # type: ignore[no-untyped-def]
    driver.execute_script(
        "const e = document.querySelector(arguments[0]);"
        "window.scrollTo({top: e.getBoundingClientRect().top + window.scrollY - 80,"
        " behavior: 'instant'});",
        selector,
    )
