"""In Chromium: a person signs in (after one wrong password), sees the menu of their role, and
signs out; a wall screen opened with a display token runs, then stops showing data and says so
after `python -m access tokens revoke`."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By

from access.tokens import issue
from store.accounts import Accounts
from tests.browser.conftest import APP_PORT, screenshot
from tests.fixtures.auth import new_user

ROOT = Path(__file__).resolve().parents[2]


def wait_for(check: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def _submit(driver: Any, name: str, password: str) -> None:
    form = driver.find_element(By.CSS_SELECTOR, "[data-testid=signin-form]")
    form.find_element(By.NAME, "username").clear()
    form.find_element(By.NAME, "username").send_keys(name)
    form.find_element(By.NAME, "password").send_keys(password)
    form.find_element(By.CSS_SELECTOR, "[data-testid=signin-submit]").click()


def test_sign_in_shows_the_roles_menu_and_sign_out_ends_it(dash_duo, demo_app) -> None:  # type: ignore[no-untyped-def]
    name, password = new_user(demo_app, "leader")
    dash_duo.start_server(demo_app, navigate=False, port=APP_PORT)
    driver, base = dash_duo.driver, dash_duo.server.url
    driver.get(f"{base}/y-te?window=7d")
    wait_for(lambda: "/dang-nhap?next=%2Fy-te%3Fwindow%3D7d" in driver.current_url)
    assert "IOC Sóc Trăng" in driver.find_element(By.CSS_SELECTOR, ".signin-card").text
    _submit(driver, name, "not the password at all")
    error = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "[data-testid=signin-error]"))
    assert error[0].text == "Tên đăng nhập hoặc mật khẩu không đúng."
    screenshot(driver, "signin-failed")
    _submit(driver, name, password)
    wait_for(lambda: driver.current_url == f"{base}/y-te?window=7d")
    dash_duo.wait_for_element(".page-title", timeout=15)
    labels = [e.text for e in dash_duo.find_elements(".side-link .nav-label")]
    assert "Y tế" in labels and "Nguồn dữ liệu" not in labels  # a leader has no feeds page
    screenshot(driver, "signed-in-leader")
    dash_duo.find_element("#signout-button").click()
    notice = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "[data-testid=signin-notice]"))
    assert notice[0].text == "Bạn đã đăng xuất."
    driver.get(f"{base}/y-te")
    wait_for(lambda: "/dang-nhap" in driver.current_url)
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert [e for e in severe if "401" not in e["message"]] == []


def test_a_token_wall_runs_then_stops_after_revocation(
    dash_duo, demo_app, demo_store, demo_settings
) -> None:  # type: ignore[no-untyped-def]
    issued = issue(
        Accounts(demo_store.engine),
        playlist="default",
        area_code=None,
        created_by="tests",
        now=datetime.now(UTC),
        lifetime=None,
    )
    dash_duo.start_server(demo_app, navigate=False, port=APP_PORT)
    driver, base = dash_duo.driver, dash_duo.server.url
    driver.set_window_size(1920, 1080)
    driver.get(f"{base}/wall/default?token={issued.secret}")
    wait_for(lambda: driver.current_url == f"{base}/wall/default")  # the token left the URL
    values = ".wall-slot .kpi-value"
    wait_for(lambda: len(driver.find_elements(By.CSS_SELECTOR, values)) >= 10, timeout=30)
    ended = driver.find_element(By.CSS_SELECTOR, "[data-testid=access-ended]")
    assert not ended.is_displayed()
    revoked = subprocess.run(
        [
            sys.executable,
            "-m",
            "access",
            "tokens",
            "revoke",
            str(issued.token.id),
            "--config",
            str(demo_settings.config_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert revoked.returncode == 0, revoked.stderr
    refresh_s = demo_settings.wall.refresh_interval
    wait_for(ended.is_displayed, timeout=2 * refresh_s + 5)  # cache ≤ 1 interval, then 1 refresh
    assert "đã kết thúc" in ended.text
    assert not driver.find_element(By.CSS_SELECTOR, ".wall-stage").is_displayed()
    assert [e.text for e in driver.find_elements(By.CSS_SELECTOR, values) if e.is_displayed()] == []
    screenshot(driver, "wall-token-revoked")
