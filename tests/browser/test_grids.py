"""Pictures in the detail tables: response-time sparklines per portal, camera stills per event."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import APP_PORT, screenshot
from tests.browser.test_overview import wait_for
from tests.browser.test_pages import click, rows_shown
from tests.fixtures.auth import start_signed_in

pytestmark = pytest.mark.browser


def test_each_portal_row_draws_its_response_sparkline(dash_duo, demo_app) -> None:  # type: ignore[no-untyped-def]
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.set_window_size(1920, 1080)
    driver.get(f"{dash_duo.server_url}/cong-thong-tin?window=30d")
    rows = wait_for(lambda: (found := rows_shown(driver)) and len(found) == 20 and found)
    lines = wait_for(
        lambda: (s := dash_duo.find_elements(".ioc-sparkline polyline")) and len(s) >= 20 and s
    )
    points = [line.get_attribute("points").split() for line in lines]
    assert all(len(p) >= 20 for p in points)  # a point per day of the 30-day window
    assert len({tuple(p) for p in points}) > 10  # each portal its own line
    assert len(rows) == 20
    driver.execute_script(
        "window.scrollTo({top: arguments[0].getBoundingClientRect().top + window.scrollY - 200,"
        " behavior: 'instant'});",
        lines[0],
    )
    wait_for(lambda: driver.execute_script("return window.scrollY > 0") or None)
    screenshot(driver, "portal-sparklines")
    assert dash_duo.get_logs() == []


def test_analytics_events_show_their_camera_still(dash_duo, demo_app) -> None:  # type: ignore[no-untyped-def]
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.get(f"{dash_duo.server_url}/camera?window=7d&table=analytics")
    wait_for(lambda: len(rows_shown(driver)) == 20)
    thumbs = wait_for(lambda: dash_duo.find_elements("img.ioc-thumb"))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", thumbs[0])
    drawn = (
        "return Array.from(document.querySelectorAll('img.ioc-thumb'))"
        ".filter(i => i.complete && i.naturalWidth > 0).length"
    )
    assert wait_for(lambda: driver.execute_script(drawn) >= 5 or None)
    screenshot(driver, "camera-analytics-thumbnails")
    click(driver, thumbs[0])  # the row opens its camera
    wait_for(lambda: "camera=CAM-" in driver.current_url)
    dash_duo.wait_for_element(".camera-detail", timeout=10)
    assert dash_duo.get_logs() == []


def _scroll_to(driver, element) -> None:  # type: ignore[no-untyped-def]
    driver.execute_script(
        "window.scrollTo({top: arguments[0].getBoundingClientRect().top + window.scrollY - 120,"
        " behavior: 'instant'});",
        element,
    )


def test_tourism_seasonality_and_the_grdp_structure(dash_duo, demo_app) -> None:  # type: ignore[no-untyped-def]
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.set_window_size(1920, 1080)
    driver.get(f"{dash_duo.server_url}/du-lich")
    bars = "[id*='season'] g.barlayer g.trace"
    assert len(wait_for(lambda: (found := dash_duo.find_elements(bars)) and found)) == 2
    drawn = wait_for(lambda: dash_duo.find_elements(f"{bars} path") or None)
    assert len(drawn) >= 2  # October and November of the demo year
    ticks = [e.text for e in dash_duo.find_elements("[id*='season'] .xtick text")]
    assert ticks[:2] == ["Th1", "Th2"] and ticks[-1] == "Th12"
    _scroll_to(driver, dash_duo.find_element("[id*='season']"))
    screenshot(driver, "tourism-seasonality")

    driver.get(f"{dash_duo.server_url}/kinh-te-xa-hoi?table=sectors")
    wait_for(lambda: len(rows_shown(driver)) == 5)
    text = dash_duo.find_element(".ioc-grid").text
    assert "Thuế sản phẩm trừ trợ cấp sản phẩm" in text and "Cơ cấu GRDP" in text
    _scroll_to(driver, dash_duo.find_element(".ioc-grid"))
    screenshot(driver, "socio-economic-grdp-structure")
    assert dash_duo.get_logs() == []


NAMES_IN_VIEW_ORDER = """
const cells = Array.from(document.querySelectorAll(
  '.ag-center-cols-container .ag-row, .ag-pinned-left-cols-container .ag-row'));
return cells
  .map((row) => [Number(row.getAttribute('row-index')),
                 row.querySelector('[col-id=area_name]')])
  .filter(([, cell]) => cell)
  .sort((a, b) => a[0] - b[0])
  .map(([, cell]) => cell.textContent.trim());
"""


def test_area_tables_sort_naturally_and_colour_cells_by_the_status_rule(dash_duo, demo_app) -> None:  # type: ignore[no-untyped-def]
    """Phường 2 before Phường 10, as sent and after sorting in the grid; rate cells carry the
    same status classes as the tiles."""
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.set_window_size(1920, 1080)
    driver.get(f"{dash_duo.server_url}/hanh-chinh-cong?area=941&table=areas")
    wards = [f"Phường {n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 10)]  # the city has no Phường 9
    assert wait_for(lambda: driver.execute_script(NAMES_IN_VIEW_ORDER) == wards)
    header = dash_duo.find_element(".ag-header-cell[col-id=area_name] .ag-header-cell-label")
    click(driver, header)  # ascending, by the grid's own comparator
    wait_for(
        lambda: dash_duo.find_elements(
            ".ag-header-cell[col-id=area_name] .ag-sort-ascending-icon:not(.ag-hidden)"
        )
    )
    assert wait_for(lambda: driver.execute_script(NAMES_IN_VIEW_ORDER) == wards)
    click(driver, header)  # descending
    assert wait_for(lambda: driver.execute_script(NAMES_IN_VIEW_ORDER) == wards[::-1])
    rate = "[col-id=public_services__on_time_rate]"
    classes = [c.get_attribute("class") for c in dash_duo.find_elements(f".ag-row {rate}")]
    assert len(classes) == len(wards)
    assert all(re.search(r"\bioc-value-(good|warn|critical|nodata)\b", c) for c in classes)
    received = dash_duo.find_elements(".ag-row [col-id=public_services__received]")
    assert received and not any("ioc-value-" in c.get_attribute("class") for c in received)
    assert dash_duo.get_logs() == []
