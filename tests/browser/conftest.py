"""Browser-test fixtures: a demo database filled once by the real simulator, and the app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options

from dashboards import create_app
from feeds.runner import FeedRunner
from settings import Settings, load_settings
from store import Store
from tests.conftest import FIXED_NOW, Clock

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
SHARED_GEO = Path(__file__).resolve().parents[3] / "shared" / "geo"
# The app under test listens here; another checkout running its browser tests at the same
# time sets IOC_TEST_PORT to a different port.
APP_PORT = int(os.environ.get("IOC_TEST_PORT", "8050"))


def write_config(directory: Path, geo_dir: Path | None) -> Path:
    geo = f'"{geo_dir}"' if geo_dir else "null"
    path = directory / "config.yaml"
    path.write_text(
        "version: 1\n"
        f'database:\n  url: "sqlite:///{directory / "ioc.db"}"\n'
        f"geography:\n  directory: {geo}\n"
        "ui:\n  refresh_interval: 30\n"
        "feeds:\n  - {id: simulator, type: simulator, interval: 60, timeout: 600,"
        " options: {seed: 94, backfill_days: 35}}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A SQLite store holding 35 days of simulated data, written by the real runner."""
    directory = tmp_path_factory.mktemp("demo")
    settings = load_settings(write_config(directory, SHARED_GEO), env={})
    store = Store.open(settings.database.url)
    report = FeedRunner(store, settings.feeds, clock=Clock(FIXED_NOW)).run("simulator")
    assert report.status == "ok", report
    store.engine.dispose()
    return settings


@pytest.fixture
def demo_store(demo_settings: Settings) -> Iterator[Store]:
    store = Store.open(demo_settings.database.url)
    yield store
    store.engine.dispose()


@pytest.fixture
def demo_app(demo_settings: Settings, demo_store: Store):  # type: ignore[no-untyped-def]
    return create_app(demo_settings, demo_store, clock=Clock(FIXED_NOW))


def screenshot(driver: webdriver.Chrome, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


@pytest.fixture
def network_driver() -> Iterator[webdriver.Chrome]:
    """Chromium that logs every request and cannot resolve any host but 127.0.0.1."""
    options = Options()
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1920,1080",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-extensions",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options)
    yield driver
    driver.quit()
