"""The Content-Security-Policy holds in a real browser: every page (and the wall and the
not-found page) renders, filters and exports with no violation reported."""

from __future__ import annotations

import time

import dash
import pytest

from tests.browser.conftest import APP_PORT
from tests.fixtures.auth import start_signed_in

pytestmark = pytest.mark.browser
WATCH = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation', function (e) {"
    "  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' '"
    "    + (e.sourceFile || '') + ':' + (e.lineNumber || ''));"
    "});"
)


def _paths() -> list[str]:
    found = [p["path"] for p in dash.page_registry.values() if "<" not in p["path"]]
    return [*found, "/wall/default", "/khong-co-trang-nay"]


def test_no_page_violates_the_content_security_policy(dash_duo, demo_app) -> None:  # type: ignore[no-untyped-def]
    start_signed_in(dash_duo, demo_app, port=APP_PORT)
    driver = dash_duo.driver
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
    violations: dict[str, list[str]] = {}
    for path in _paths():
        driver.get(f"{dash_duo.server_url}{path}")
        dash_duo.wait_for_element("#_pages_content", timeout=10)
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:  # the callbacks, charts and grids draw
            if driver.execute_script("return !document.querySelector('._dash-loading')"):
                break
            time.sleep(0.2)
        time.sleep(1.5)
        found = driver.execute_script("return window.__csp || []")
        if found:
            violations[path] = found
    assert violations == {}
    assert [e for e in dash_duo.get_logs() if "Content Security Policy" in e["message"]] == []
    # The watcher itself works: an image from elsewhere is refused and reported.
    driver.execute_script(
        "const i = document.createElement('img'); i.src = 'http://192.0.2.1/x.png';"
        "document.body.appendChild(i);"
    )
    time.sleep(0.5)
    assert any("img-src" in v for v in driver.execute_script("return window.__csp"))
