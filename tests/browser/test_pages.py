"""Every domain page opens with its headline KPIs from the store; the map works with no polygons."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from dashboards import create_app
from dashboards.specs import PAGES
from i18n.names import domain_name
from settings import load_settings
from store import Store
from tests.browser.conftest import APP_PORT, screenshot, write_config
from tests.browser.test_overview import TILES, expected_tile_text, wait_for
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import start_signed_in

pytestmark = pytest.mark.browser


def test_every_domain_page_shows_its_kpis(dash_duo, demo_app, demo_store: Store) -> None:
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    dash_duo.driver.set_window_size(1920, 1080)
    for spec in PAGES:
        dash_duo.driver.get(f"{dash_duo.server_url}/{spec.domain.slug}")
        dash_duo.wait_for_text_to_equal(".page-title", domain_name(spec.domain, "vi"), timeout=10)
        keys = list(spec.kpis)
        tiles = keys + [m.key for m in spec.medians]  # medians: checked in integration tests
        assert wait_for(
            lambda k=tiles: (
                [t.get_attribute("data-kpi") for t in dash_duo.find_elements(TILES)] == k
            )
        )
        for key in keys:
            expected = expected_tile_text(demo_store, key)
            shown = dash_duo.find_element(f"[data-kpi='{key}'] .kpi-value").text
            status = dash_duo.find_element(f"[data-kpi='{key}']").get_attribute("data-status")
            assert (shown == expected) if expected else status == "nodata", key
        wait_for(
            lambda: (
                dash_duo.find_elements(".ag-center-cols-container .ag-row")
                or dash_duo.find_elements(".ag-overlay-no-rows-center")
            )
        )
        wait_for(lambda: dash_duo.find_elements(".source-badge"))
        link = dash_duo.find_element(f".side-nav a[href='/{spec.domain.slug}']")
        assert link.text == domain_name(spec.domain, "vi")
        time.sleep(0.5)  # let the charts finish drawing before the picture
        screenshot(dash_duo.driver, f"page-{spec.domain.slug}")
        if spec.snapshots:
            check_gallery(dash_duo)
    assert dash_duo.get_logs() == []


def check_gallery(dash_duo) -> None:  # type: ignore[no-untyped-def]
    """Stills are served by the app and drawn; offline cameras come first, greyed."""
    cards = wait_for(lambda: dash_duo.find_elements(".snapshot-card"))
    loaded = (
        "return Array.from(document.querySelectorAll('.snapshot-img')).filter("
        "i => i.complete && i.naturalWidth > 0).length"
    )
    dash_duo.driver.execute_script("document.querySelector('.gallery').scrollIntoView();")
    assert wait_for(lambda: dash_duo.driver.execute_script(loaded) >= min(6, len(cards)))
    assert cards[0].get_attribute("data-online") == "false"
    assert "Mất kết nối từ" in cards[0].text
    gallery = dash_duo.find_element(".gallery")
    gallery.screenshot(str(screenshot(dash_duo.driver, "camera-gallery")))


def test_drill_down_updates_the_page_and_exports_read_back(
    dash_duo, demo_app, demo_store: Store
) -> None:
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.get(f"{dash_duo.server_url}/y-te")
    paths = "[data-testid=area-map] g.trace.choropleth path.choroplethlocation"
    path = wait_for(
        lambda: (found := dash_duo.find_elements(paths)) and len(found) >= 11 and found[0]
    )
    code = driver.execute_script(
        "const gd = document.querySelector('[data-testid=area-map] .js-plotly-plot');"
        "return gd._fullData[0].locations[0];"
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", path)
    ActionChains(driver).move_to_element(path).click().perform()
    wait_for(lambda: f"area={code}" in driver.current_url)
    key = "health.outpatient_visits"
    expected = expected_tile_text(demo_store, key, code)
    wait_for(lambda: dash_duo.find_element(f"[data-kpi='{key}'] .kpi-value").text == expected)
    communes = demo_store.queries.areas.children(code)
    wait_for(lambda: len(rows_shown(driver)) == min(len(communes), 20))
    click(driver, dash_duo.find_element("#" + _css_id({"page": "health", "type": "export-csv"})))
    csv_file = wait_for(lambda: _downloaded(dash_duo.download_path, ".csv"))
    lines = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Địa bàn;Lượt khám ngoại trú (lượt)")
    assert len(lines) == len(communes) + 1
    names = {demo_store.queries.areas.name(c, "vi") for c in communes}
    assert {line.split(";")[0] for line in lines[1:]} == names
    click(driver, dash_duo.find_element("#" + _css_id({"page": "health", "type": "export-xlsx"})))
    book = load_workbook(wait_for(lambda: _downloaded(dash_duo.download_path, ".xlsx")))
    sheet = book.active
    assert sheet.max_row == len(communes) + 1 and sheet.cell(1, 1).value == "Địa bàn"
    assert isinstance(sheet.cell(2, 2).value, float | int)
    assert dash_duo.get_logs() == []


def click(driver, element) -> None:  # type: ignore[no-untyped-def]
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element
    )


def rows_shown(driver) -> list:  # type: ignore[no-untyped-def]
    return driver.find_elements(By.CSS_SELECTOR, ".ag-center-cols-container .ag-row")


def _css_id(component_id: dict[str, str]) -> str:
    """Dash writes a dict id as its sorted JSON; CSS needs its punctuation escaped."""
    raw = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return "".join(f"\\{c}" if not c.isalnum() and c not in "-_" else c for c in raw)


def _downloaded(directory: str, suffix: str) -> Path | None:
    found = [p for p in Path(directory).glob(f"*{suffix}") if p.stat().st_size > 0]
    return found[0] if found else None


def test_map_without_boundaries_draws_circles_with_a_note(
    dash_duo, demo_settings, tmp_path: Path
) -> None:
    settings = load_settings(write_config(tmp_path, None), env={})
    settings = settings.model_copy(update={"database": demo_settings.database})
    store = Store.open(settings.database.url)
    app = create_app(settings, store, clock=Clock(FIXED_NOW))
    start_signed_in(dash_duo, app, port=APP_PORT)
    note = dash_duo.wait_for_element("#map-no-boundaries", timeout=10)
    assert "Chưa nạp ranh giới hành chính" in note.text
    count = (
        "const g = document.querySelectorAll('[data-testid=area-map] g.trace.scattergeo')[0];"
        "return g ? g.querySelectorAll('path.point').length : 0;"
    )
    assert wait_for(lambda: dash_duo.driver.execute_script(count) == 11 or None)
    card = dash_duo.find_element(".map-card")
    card.screenshot(str(screenshot(dash_duo.driver, "overview-no-boundaries")))
    assert dash_duo.get_logs() == []
    store.engine.dispose()
