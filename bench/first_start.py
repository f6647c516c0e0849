"""Fresh start: seconds from `python app.py` on an empty database to numbers on screen,
seen by headless Chromium; then how long the (730-day) backfill takes to finish.

Run: python -m bench.first_start
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.common.by import By

from access.bootstrap import ADMIN_PASSWORD_ENV, ADMIN_USERNAME
from tests.fixtures.auth import http_session, sign_in_browser

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_config(directory: Path) -> Path:
    """The shipped config, with its database in an empty folder and an absolute geo path."""
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = text.replace('url: "sqlite:///var/ioc.db"', f'url: "sqlite:///{directory}/ioc.db"')
    text = text.replace('directory: "../shared/geo"', f'directory: "{ROOT.parent / "shared/geo"}"')
    path = directory / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def browser() -> webdriver.Chrome:
    options = Options()
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1920,1080",
        "--disable-background-networking",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


def numbers_on_screen(driver: webdriver.Chrome, url: str) -> bool:
    driver.get(url)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        values = driver.find_elements(By.CSS_SELECTOR, "[data-kpi] .kpi-value")
        if values and any(v.text and v.text[0].isdigit() for v in values):
            return True
        time.sleep(0.1)
    return False


def main() -> None:
    directory = Path(tempfile.mkdtemp(prefix="ioc-first-start-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    driver = browser()
    started = time.monotonic()
    password = secrets.token_urlsafe(18)  # the first admin's, as an automated deployment sets it
    process = subprocess.Popen(
        [sys.executable, "app.py", "--config", str(fresh_config(directory)), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, ADMIN_PASSWORD_ENV: password},
    )
    try:
        serving = first_data = None
        session: requests.Session | None = None
        while first_data is None and time.monotonic() - started < 120:
            try:
                requests.get(f"{url}healthz", timeout=1)
                serving = serving or time.monotonic() - started
                if session is None:
                    session = http_session(url.rstrip("/"), ADMIN_USERNAME, password)
                    sign_in_browser(driver, url.rstrip("/"), ADMIN_USERNAME, password)
                if numbers_on_screen(driver, url):
                    first_data = time.monotonic() - started
            except requests.ConnectionError:
                time.sleep(0.2)
        assert session is not None
        backfill = wait_backfill(session, url, started)
        print(f"server answering      : {serving:.1f} s after `python app.py`")
        print(f"numbers on screen     : {first_data:.1f} s (headless Chromium)")
        print(f"backfill done         : {backfill:.1f} s")
    finally:
        process.terminate()
        process.wait(timeout=30)
        driver.quit()
        shutil.rmtree(directory, ignore_errors=True)


def wait_backfill(session: requests.Session, url: str, started: float) -> float:
    while time.monotonic() - started < 600:
        feeds = session.get(f"{url}healthz", timeout=5).json()["feeds"]
        simulator = next((f for f in feeds if f["id"] == "simulator"), None)  # others may fail
        if simulator is not None and simulator["last_status"] == "ok":
            return time.monotonic() - started
        time.sleep(0.5)
    return float("nan")


if __name__ == "__main__":
    main()
