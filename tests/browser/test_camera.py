"""The camera detail view: opened from a tile or a deep link, it plays the relayed MJPEG stream."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from store import Store
from store.scope import Window, scope_within
from tests.browser.conftest import APP_PORT, screenshot
from tests.browser.test_overview import wait_for
from tests.browser.test_pages import click
from tests.conftest import FIXED_NOW
from tests.fixtures.auth import start_signed_in

pytestmark = pytest.mark.browser
DRAWN = "const i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth"


def _cameras(store: Store) -> list:  # type: ignore[type-arg]
    scope = scope_within("94", Window.named("today", FIXED_NOW), store.queries.areas.root)
    return store.queries.assets(scope, "cameras", ("camera",))


def test_a_streaming_camera_plays_in_its_detail_view(dash_duo, demo_app, demo_store) -> None:  # type: ignore[no-untyped-def]
    live = next(
        c for c in _cameras(demo_store) if c.attributes.get("stream_url") and c.status == "online"
    )
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.set_window_size(1920, 1080)
    driver.get(f"{dash_duo.server_url}/camera?camera={live.source_id}")
    body = dash_duo.wait_for_element(f".camera-detail[data-camera='{live.source_id}']", timeout=15)
    assert dash_duo.find_element(".camera-modal .modal-title").text == live.name
    image = ".camera-detail img.camera-media[data-live=true]"
    src = dash_duo.find_element(image).get_attribute("src")
    assert src.startswith(f"{dash_duo.server_url}/camera/{live.source_id}/stream")
    assert wait_for(lambda: driver.execute_script(DRAWN, image) or None, timeout=15) == 320
    assert "Tỷ lệ trực tuyến 30 ngày" in body.text
    screenshot(driver, "camera-detail-live")
    dash_duo.find_element(".camera-modal .btn-close").click()
    wait_for(lambda: "camera=" not in driver.current_url)
    wait_for(lambda: not dash_duo.find_elements(".camera-detail"))
    assert dash_duo.get_logs() == []


def test_a_tile_opens_its_camera_and_back_closes_it(dash_duo, demo_app, demo_store) -> None:  # type: ignore[no-untyped-def]
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.get(f"{dash_duo.server_url}/camera")
    tile = wait_for(lambda: dash_duo.find_elements(".snapshot-card[data-camera]"))[0]
    camera = tile.get_attribute("data-camera")
    click(driver, tile)
    wait_for(lambda: f"camera={camera}" in driver.current_url)
    dash_duo.wait_for_element(f".camera-detail[data-camera='{camera}']", timeout=10)
    still = ".camera-detail img.camera-media[data-live=false]"
    assert wait_for(lambda: driver.execute_script(DRAWN, still) or None, timeout=10)
    assert "Mất kết nối" in dash_duo.find_element(".camera-facts").text  # offline first
    click(driver, dash_duo.find_element(".camera-modal .btn-close"))
    wait_for(lambda: "camera=" not in driver.current_url)
    driver.back()  # the camera was in the history: back opens it again
    wait_for(lambda: f"camera={camera}" in driver.current_url)
    dash_duo.wait_for_element(f".camera-detail[data-camera='{camera}']", timeout=10)
    assert dash_duo.get_logs() == []


def test_a_camera_point_on_the_map_opens_that_camera_without_drilling(  # type: ignore[no-untyped-def]
    dash_duo, demo_app, demo_store
) -> None:
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.set_window_size(1920, 1080)
    driver.get(f"{dash_duo.server_url}/camera")
    points = "[data-testid=area-map] g.trace.scattergeo path.point"
    found = wait_for(
        lambda: (shown := dash_duo.find_elements(points)) and len(shown) > 20 and shown
    )
    target = found[len(found) // 2]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
    ActionChains(driver).move_to_element(target).click().perform()
    wait_for(lambda: "camera=" in driver.current_url)
    camera = driver.current_url.split("camera=")[1].split("&")[0]
    assert camera in {c.source_id for c in _cameras(demo_store)}
    dash_duo.wait_for_element(f".camera-detail[data-camera='{camera}']", timeout=10)
    assert "area=" not in driver.current_url or "area=94" in driver.current_url  # no drill
    assert dash_duo.get_logs() == []
