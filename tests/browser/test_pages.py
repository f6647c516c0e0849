"""Every domain page opens with its headline KPIs from the store; the map works with no polygons."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards import create_app
from settings import load_settings
from store import Store
from store.catalog import DOMAINS, tile_metrics
from tests.browser.conftest import screenshot, write_config
from tests.browser.test_overview import TILES, expected_tile_text, wait_for
from tests.conftest import FIXED_NOW, Clock

pytestmark = pytest.mark.browser


def test_every_domain_page_shows_its_kpis(dash_duo, demo_app, demo_store: Store) -> None:
    dash_duo.start_server(demo_app)
    for domain in DOMAINS:
        dash_duo.driver.get(f"{dash_duo.server_url}/{domain.slug}")
        keys = [m.key for m in tile_metrics(domain.key)]
        dash_duo.wait_for_text_to_equal(".page-title", domain.name_vi, timeout=10)
        tiles = wait_for(
            lambda k=keys: [t.get_attribute("data-kpi") for t in dash_duo.find_elements(TILES)] == k
        )
        assert tiles
        for key in keys:
            expected = expected_tile_text(demo_store, key)
            shown = dash_duo.find_element(f"[data-kpi='{key}'] .kpi-value").text
            status = dash_duo.find_element(f"[data-kpi='{key}']").get_attribute("data-status")
            assert (shown == expected) if expected else status == "nodata", key
        link = dash_duo.find_element(f".side-nav a[href='/{domain.slug}']")
        assert link.text == domain.name_vi
    screenshot(dash_duo.driver, "domain-camera")
    assert dash_duo.get_logs() == []


def test_map_without_boundaries_draws_circles_with_a_note(
    dash_duo, demo_settings, tmp_path: Path
) -> None:
    settings = load_settings(write_config(tmp_path, None), env={})
    settings = settings.model_copy(update={"database": demo_settings.database})
    store = Store.open(settings.database.url)
    app = create_app(settings, store, clock=Clock(FIXED_NOW))
    dash_duo.start_server(app)
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
