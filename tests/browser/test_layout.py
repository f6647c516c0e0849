"""Every page on a phone (390×844) and a laptop (1366×768): laid out at the device's width,
nothing wider than the screen, the header collapsed to a menu, the language switch reachable."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options

from dashboards.specs import PAGES
from i18n.formatting import format_number
from tests.browser.conftest import APP_PORT, screenshot
from tests.browser.test_overview import wait_for
from tests.fixtures.auth import sign_in_browser, start_signed_in

pytestmark = pytest.mark.browser
BASE = f"http://127.0.0.1:{APP_PORT}"
PATHS = ["/", *(f"/{spec.domain.slug}" for spec in PAGES), "/nguon-du-lieu"]
# The elements wider than the viewport (or reaching past its right edge), widest first, so
# that a failure names what to fix.
TOO_WIDE = """
const limit = document.documentElement.clientWidth;
return [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > limit + 0.5
        && getComputedStyle(e).visibility !== 'hidden';
}).filter(e => !e.parentElement.closest('.ag-root-wrapper'))  // a grid scrolls its own columns
  .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} ${Math.round(
      e.getBoundingClientRect().right)}`).slice(0, 8);
"""
OVERFLOW = "const d = document.documentElement; return [d.scrollWidth, innerWidth, d.clientWidth]"


def device(width: int, height: int, mobile: bool) -> webdriver.Chrome:
    """Chromium emulating a device of this size; a phone honours the viewport meta tag as a
    phone's browser does (without one it lays the page out 980 px wide and shrinks it)."""
    options = Options()
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--lang=vi-VN",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    return driver


@pytest.fixture
def phone(dash_duo, demo_app) -> Iterator[webdriver.Chrome]:  # type: ignore[no-untyped-def]
    user = start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = device(390, 844, mobile=True)
    sign_in_browser(driver, BASE, *user)
    yield driver
    driver.quit()


@pytest.fixture
def laptop(dash_duo, demo_app) -> Iterator[webdriver.Chrome]:  # type: ignore[no-untyped-def]
    user = start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = device(1366, 768, mobile=False)
    sign_in_browser(driver, BASE, *user)
    yield driver
    driver.quit()


def load(driver: webdriver.Chrome, path: str) -> None:
    driver.get(f"{BASE}{path}")
    wait_for(
        lambda: driver.execute_script("return document.querySelectorAll('.page-title').length")
    )
    wait_for(
        lambda: driver.execute_script(
            "return document.querySelectorAll('.kpi-value, .ag-row, .board-row').length"
        )
    )
    time.sleep(0.6)  # charts and grids settle their widths after the first paint


def severe(driver: webdriver.Chrome) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_every_page_fits_a_phone_and_keeps_the_language_switch(phone) -> None:
    driver = phone
    for path in PATHS:
        load(driver, path)
        width, inner, client = driver.execute_script(OVERFLOW)
        assert inner == 390, f"{path}: laid out {inner} px wide (viewport meta missing?)"
        assert width <= client, (path, width, driver.execute_script(TOO_WIDE))
        english = driver.find_element("css selector", "#lang-en")
        assert english.is_displayed() and english.is_enabled(), path
        assert driver.find_element("css selector", "#nav-toggle").is_displayed(), path
        assert not driver.find_element("css selector", ".side-nav").is_displayed(), path
        screenshot(driver, f"phone{path.replace('/', '-') if path != '/' else '-overview'}")
    # The menu opens over the page and a link in it navigates and closes it again.
    driver.find_element("css selector", "#nav-toggle").click()
    link = wait_for(lambda: _shown(driver, ".side-nav a[href='/y-te']"))
    screenshot(driver, "phone-menu-open")
    link.click()
    wait_for(lambda: driver.execute_script("return location.pathname") == "/y-te")
    wait_for(lambda: not driver.find_element("css selector", ".side-nav").is_displayed())
    # The language switch works from the phone's header.
    driver.find_element("css selector", "#lang-en").click()
    wait_for(
        lambda: driver.execute_script("return document.querySelector('.app-shell')?.lang") == "en"
    )
    wait_for(lambda: "Health" in driver.find_element("css selector", ".page-title").text)
    assert severe(driver) == []


def _shown(driver: webdriver.Chrome, selector: str):  # type: ignore[no-untyped-def]
    found = driver.find_elements("css selector", selector)
    return found[0] if found and found[0].is_displayed() else None


def test_every_page_is_usable_on_a_laptop(laptop) -> None:
    driver = laptop
    for path in PATHS:
        load(driver, path)
        width, _inner, client = driver.execute_script(OVERFLOW)
        assert width <= client, (path, width, driver.execute_script(TOO_WIDE))
        assert driver.find_element("css selector", ".side-nav").is_displayed(), path
        assert not driver.find_element("css selector", "#nav-toggle").is_displayed(), path
        assert driver.find_element("css selector", "#lang-en").is_displayed(), path
        assert driver.find_element("css selector", ".clock").is_displayed(), path
        screenshot(driver, f"laptop{path.replace('/', '-') if path != '/' else '-overview'}")
    assert severe(driver) == []


def test_operator_page_shows_its_rows_and_summary_on_first_render(
    dash_duo, demo_app, demo_store
) -> None:
    """The board's layout carries its data: no empty board waiting for the first interval
    (30 s here), and no callback is needed to fill it."""
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.get(f"{BASE}/nguon-du-lieu")
    started = time.monotonic()
    row = wait_for(
        lambda: driver.find_elements("css selector", "tr.board-row[data-feed-id=simulator]")
    )[0]
    assert time.monotonic() - started < 5
    newest = demo_store.queries.feed_runs("simulator", limit=1)[0]
    assert f"{format_number(newest.accepted, 'vi')} lưu" in row.text
    assert row.get_attribute("data-state") == "on_time"
    labels = [c.get_attribute("data-label") for c in row.find_elements("css selector", "td")]
    for label in ("Thành công gần nhất", "Lần chạy kế tiếp", "Độ trễ", "Lần chạy gần nhất"):
        assert label in labels
    calls = driver.execute_script(
        "return performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('_dash-update-component')).length"
    )
    assert calls <= 1, calls  # the page's content; the board needed no call
    screenshot(driver, "feeds-first-render")
    assert dash_duo.get_logs() == []
