"""The wall in headless Chromium: fills 1080p and 4K screens, turns pages on the wall clock
(accelerated), keeps two screens of one wall in step, shows the store's alerts, says when data
are stale, shows new values within one interval, and survives a server restart without reload."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from sqlalchemy import text

from access.tokens import issue
from dashboards import create_app
from dashboards.context import LANG_COOKIE
from settings import Settings, WallConfig
from settings.wall import default_playlists
from store import Store
from store.accounts import Accounts
from store.catalog import METRICS
from store.comparison import is_slow
from store.records import Observation
from store.scope import local_midnight_utc
from tests.browser.conftest import APP_PORT, ARTIFACTS, screenshot
from tests.conftest import FIXED_NOW
from tests.fixtures.auth import add_account, sign_in_browser, start_signed_in

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
REFRESH_S = 2
VIDEOWALL = {
    "screens": 3,
    "pinned": {2: {"page": "map", "metric": "environment.salinity_max"}},
    "pages": [
        {"page": "overview", "dwell": 5},
        {"page": "health", "dwell": 5},
        {"page": "environment", "dwell": 10},
        {"page": "alerts", "dwell": 5},
    ],
}
BASE = f"http://127.0.0.1:{APP_PORT}"
NAMES = ["Tổng quan", "Y tế", "Tài nguyên và Môi trường", "Cảnh báo đang diễn ra"]


class RunningClock:
    """Real time passing from FIXED_NOW (the demo data's 'now'); tests may jump it ahead."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return FIXED_NOW + timedelta(seconds=time.monotonic() - self.started) + self.offset


def wall_settings(settings: Settings) -> Settings:
    playlists = {**default_playlists(), "videowall": VIDEOWALL}
    wall = WallConfig.model_validate({"refresh_interval": REFRESH_S, "playlists": playlists})
    return settings.model_copy(update={"wall": wall})


@pytest.fixture
def wall_app(demo_settings: Settings, demo_store: Store) -> tuple[Any, RunningClock]:
    clock = RunningClock()
    return create_app(wall_settings(demo_settings), demo_store, clock=clock), clock


def chromium(width: int, height: int) -> webdriver.Chrome:
    options = Options()
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    return driver


def signed_in(driver: webdriver.Chrome, base: str, user: tuple[str, str]) -> webdriver.Chrome:
    """`driver`, signed in as `user` (name, password) at `base`."""
    sign_in_browser(driver, base, *user)
    return driver


def wait_until(check: Callable[[], Any], timeout: float = 10, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(step)
    raise AssertionError(f"not true within {timeout} s: {check}")


def js(driver: webdriver.Chrome, script: str) -> Any:
    return driver.execute_script(script)


PAGE_NAME = "return document.querySelector('[data-testid=wall-page-name]')?.textContent || ''"
SHOWN = "return Number(document.querySelector('.wall-root')?.getAttribute('data-shown') ?? -1)"
FILLED = (
    "return document.querySelectorAll(['.kpi-value', '.wall-alert', '.wall-camera', '.main-svg']"
    ".map(s => '.wall-slot.active ' + s).join(',')).length"
)
SIZES = (
    "const d = document.documentElement;"
    " return [d.scrollWidth, d.scrollHeight, innerWidth, innerHeight]"
)
FONTS = (
    "return [...document.querySelectorAll('.wall-slot.active .kpi-value:not(.kpi-value-missing)')]"
    ".map(e => parseFloat(getComputedStyle(e).fontSize))"
)
VALUES = "return [...document.querySelectorAll('.wall-slot .kpi-value')].map(e => e.textContent)"


def shift_to(driver: webdriver.Chrome, dwells: list[int], index: int) -> float:
    """Seconds to add to this browser's clock so that the page `index` has just begun."""
    cycle = sum(dwells)
    now = js(driver, "return Date.now() + window.iocWall.skew") / 1000  # the server's clock
    return (sum(dwells[:index]) + 1 - now % cycle) % cycle


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)], ids=["1080p", "4k"])
def test_every_wall_page_fills_the_screen_with_big_numbers(dash_duo, wall_app, size) -> None:
    app, _clock = wall_app
    user = start_signed_in(dash_duo, app, port=APP_PORT)
    width, height = size
    driver = signed_in(chromium(width, height), BASE, user)
    try:
        driver.get(f"{BASE}/wall/default")
        wait_until(lambda: js(driver, "return window.iocWall && window.iocWall.skew"))
        dwells = js(
            driver, "return JSON.parse(document.querySelector('.wall-root').dataset.plan).dwells"
        )
        for index in range(len(dwells)):
            driver.get(f"{BASE}/wall/default?shift={shift_to(driver, dwells, index):.0f}")
            wait_until(lambda i=index: js(driver, SHOWN) == i and js(driver, FILLED) > 0)
            time.sleep(0.8)  # the fade-in
            sizes = js(driver, SIZES)
            assert sizes == [width, height, width, height], f"page {index} scrolls: {sizes}"
            fonts = js(driver, FONTS)
            assert all(f >= 64 * height / 1080 for f in fonts), (index, fonts)
            screenshot(driver, f"wall-{width}x{height}-{index:02d}")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
    finally:
        driver.quit()


# Every visible text of the page now showing (header, active slot, ticker), with its computed
# size; SVG text of the map included. The ticker's items scroll in, so they count too.
TEXTS = """
const root = document.querySelector('.wall-root');
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
const out = [];
while (walker.nextNode()) {
  const node = walker.currentNode, el = node.parentElement, text = node.textContent.trim();
  if (!text || (el.closest('.wall-slot') && !el.closest('.wall-slot.active'))) continue;
  if (!el.checkVisibility({visibilityProperty: true})) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  if (![...range.getClientRects()].some(r => r.width > 0 && r.height > 0)) continue;
  out.push([parseFloat(getComputedStyle(el).fontSize), text.slice(0, 40),
            el.closest('[class]').className.baseVal ?? el.closest('[class]').className]);
}
return out;
"""
# Layout faults of the page now showing: a unit on another line than its number, a value or
# a tile cut off, anything reaching out of the screen, a title another element covers.
FAULTS = """
const faults = [];
const slot = document.querySelector('.wall-slot.active');
const box = e => e.getBoundingClientRect();
for (const value of slot.querySelectorAll('.kpi-value:not(.kpi-value-missing)')) {
  const unit = value.querySelector('.kpi-unit');
  const range = document.createRange();
  range.selectNodeContents(value.firstChild);
  const number = range.getBoundingClientRect();
  if (unit && (box(unit).top >= number.bottom - 2 || box(unit).right > box(value).right + 1))
    faults.push(['unit wrapped or cut', value.textContent]);
  if (value.scrollWidth > value.clientWidth + 1) faults.push(['value cut', value.textContent]);
}
for (const tile of slot.querySelectorAll('.kpi-tile, .wall-ranking, .wall-alert.big, .wall-camera'))
  if (tile.scrollHeight > tile.clientHeight + 1 || tile.scrollWidth > tile.clientWidth + 1)
    faults.push(['content cut', tile.textContent.slice(0, 40)]);
for (const e of [...slot.querySelectorAll('*'), ...document.querySelectorAll('.wall-header *')]) {
  const r = box(e);
  if (r.width && (r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5 || r.left < -0.5))
    faults.push(['outside the screen', e.className.baseVal ?? e.className]);
}
const titles = '.wall-page-name, .wall-slot-title h1, .wall-slot-title span, .kpi-caption, '
  + '.kpi-name, .wall-ranking-title, .wall-alert-counts';
for (const title of [...slot.querySelectorAll(titles), document.querySelector('.wall-page-name')]) {
  const r = box(title);
  for (const [x, y] of [[r.left + 2, r.top + r.height / 2], [r.left + r.width / 2, r.top + 3]]) {
    const top = document.elementFromPoint(x, y);
    if (top && top !== title && !title.contains(top))
      faults.push(['title covered', title.textContent, top.className]);
  }
}
return faults;
"""
KINDS = "return [...document.querySelectorAll('.wall-slot')].map(s => s.className)"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_wall_page_type_reads_from_five_metres(dash_duo, wall_app, lang) -> None:
    """At 1920×1080 on every page of the default playlist (the overview, each domain page,
    the map, the camera grid, the alerts), in both languages: no text under 28 px, values at
    64 px or more, units beside their numbers, nothing cut, outside the screen or covering a
    title."""
    app, _clock = wall_app
    user = start_signed_in(dash_duo, app, port=APP_PORT)
    driver = signed_in(chromium(1920, 1080), BASE, user)
    smallest: dict[str, float] = {}
    try:
        driver.get(f"{BASE}/healthz")
        driver.add_cookie({"name": LANG_COOKIE, "value": lang})
        driver.get(f"{BASE}/wall/default")
        wait_until(lambda: js(driver, "return window.iocWall && window.iocWall.skew"))
        dwells = js(
            driver, "return JSON.parse(document.querySelector('.wall-root').dataset.plan).dwells"
        )
        kinds = [c.split("wall-slot-")[1].split()[0] for c in js(driver, KINDS)]
        assert set(kinds) == {"overview", "domain", "map", "camera_grid", "alerts"}
        for index, kind in enumerate(kinds):
            driver.get(f"{BASE}/wall/default?shift={shift_to(driver, dwells, index):.0f}")
            wait_until(lambda i=index: js(driver, SHOWN) == i and js(driver, FILLED) > 0)
            time.sleep(0.8)  # the fade-in
            screenshot(driver, f"wall-{lang}-{index:02d}-{kind}")
            texts = js(driver, TEXTS)
            small = [t for t in texts if t[0] < 28]
            assert small == [], (index, kind, small)
            smallest[kind] = min(smallest.get(kind, 999.0), min(t[0] for t in texts))
            fonts = js(driver, FONTS)
            assert all(f >= 64 for f in fonts), (index, fonts)
            faults = js(driver, FAULTS)
            assert faults == [], (index, kind, faults)
            if kind in ("domain", "alerts"):
                check_page_order(driver, kind)
    finally:
        driver.quit()
    measured = ARTIFACTS / f"wall-text-sizes-{lang}.json"
    measured.write_text(json.dumps(smallest, indent=1), encoding="utf-8")
    print(f"smallest wall text per page type ({lang}, px):", smallest)


def check_page_order(driver: webdriver.Chrome, kind: str) -> None:
    if kind == "domain":  # two columns, read down: ranks 1..k on the left, the rest on the right
        rows = js(
            driver,
            "return [...document.querySelectorAll('.wall-slot.active .wall-rank-row')]"
            ".map(r => [Number(r.dataset.rank), r.getBoundingClientRect().left,"
            " r.getBoundingClientRect().top])",
        )
        left = min(x for _r, x, _y in rows)
        ranks_left = [r for r, x, _y in sorted(rows, key=lambda r: r[2]) if x == left]
        assert ranks_left == list(range(1, len(ranks_left) + 1)), rows
        assert len(ranks_left) == -(-len(rows) // 2)
    else:  # counts by severity, then the rows, then how many more
        counts = js(
            driver,
            "return [...document.querySelectorAll('.wall-slot.active .wall-count')]"
            ".map(c => c.textContent)",
        )
        rows = js(
            driver, "return document.querySelectorAll('.wall-slot.active .wall-alert.big').length"
        )
        more = js(
            driver,
            "return document.querySelector('.wall-slot.active .wall-alert-more')?.dataset.more",
        )
        total = sum(int("".join(ch for ch in c if ch.isdigit())) for c in counts)
        assert total == rows + int(more or 0), (counts, rows, more)


RECORD_TURNS = """
window.__turns = [];
const name = document.querySelector('[data-testid=wall-page-name]');
new MutationObserver(() => window.__turns.push([name.textContent, performance.now() / 1000]))
    .observe(name, {childList: true, characterData: true, subtree: true});
"""


def test_rotation_follows_playlist_order_and_dwell_times(dash_duo, wall_app) -> None:
    app, _clock = wall_app
    start_signed_in(dash_duo, app, port=APP_PORT)
    driver = dash_duo.driver
    driver.get(f"{BASE}/wall/videowall/1?speed=5")  # a 25 s cycle in 5 s
    wait_until(lambda: js(driver, "return window.iocWall && window.iocWall.skew"))  # synced
    js(driver, RECORD_TURNS)
    time.sleep(11)
    turns = js(driver, "return window.__turns")
    names = [name for name, _at in turns]
    start = NAMES.index(names[0])
    assert names == [NAMES[(start + i) % 4] for i in range(len(names))]
    assert len(names) >= 8
    for (name, began), (_next, ended) in pairwise(turns):
        expected = 2.0 if name == "Tài nguyên và Môi trường" else 1.0  # 10 s or 5 s at ×5
        assert abs((ended - began) - expected) < 0.25, (name, ended - began)


def test_two_screens_of_one_wall_turn_in_step_and_a_reload_changes_nothing(
    dash_duo, wall_app
) -> None:
    app, _clock = wall_app
    user = start_signed_in(dash_duo, app, port=APP_PORT)
    centre = signed_in(chromium(1920, 1080), BASE, user)
    left, right = dash_duo.driver, signed_in(chromium(1920, 1080), BASE, user)
    try:
        left.get(f"{BASE}/wall/videowall/1")
        centre.get(f"{BASE}/wall/videowall/2")
        right.get(f"{BASE}/wall/videowall/3")
        for driver in (left, centre, right):
            wait_until(lambda d=driver: js(d, SHOWN) >= 0)
        assert js(centre, PAGE_NAME) == "Bản đồ: Độ mặn cao nhất"
        wait_until(
            lambda: js(
                centre, "return document.querySelectorAll('.wall-slot.active .main-svg').length"
            )
        )
        screenshot(centre, "wall-videowall-centre")
        in_step = 0
        for _ in range(6):
            a, b = js(left, SHOWN), js(right, SHOWN)
            in_step += b == (a + 1) % 4
            left.refresh()
            wait_until(lambda: js(left, SHOWN) >= 0)
            time.sleep(0.7)
        assert in_step >= 5, "the right screen shows the page after the left one's"
        assert js(centre, PAGE_NAME) == "Bản đồ: Độ mặn cao nhất"
    finally:
        centre.quit()
        right.quit()


def test_district_wall_ticker_shows_the_store_alerts_most_severe_first(
    dash_duo, wall_app, demo_store
) -> None:
    app, _clock = wall_app
    start_signed_in(dash_duo, app, port=APP_PORT)
    with demo_store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.parent_code, a.area_code, a.status FROM assets a"
                " JOIN areas c ON c.code = a.area_code WHERE a.domain = 'cameras'"
            )
        ).all()
    offline = Counter(district for district, _commune, status in rows if status == "offline")
    district = offline.most_common(1)[0][0]  # a district centre's wall: /wall/default?area=
    total = Counter(commune for d, commune, _s in rows if d == district)
    down = Counter(commune for d, commune, s in rows if d == district and s == "offline")
    dash_duo.driver.get(f"{BASE}/wall/default?area={district}")
    items = "[data-testid=alert-ticker] [data-alert]"
    wait_until(lambda: js(dash_duo.driver, f"return document.querySelectorAll('{items}').length"))
    shown = js(
        dash_duo.driver,
        f"return [...document.querySelectorAll('{items}')]"
        ".map(e => [e.dataset.alert, e.dataset.severity, e.textContent])",
    )
    cameras = {key: txt for key, _sev, txt in shown if key.startswith("cameras:")}
    assert set(cameras) == {f"cameras:{commune}" for commune in down}
    for commune, count in down.items():
        assert f"{count}/{total[commune]} camera mất tín hiệu" in cameras[f"cameras:{commune}"]
    severities = [sev for _key, sev, _text in shown]
    assert severities == sorted(severities, key=lambda s: s != "critical")
    scope = js(dash_duo.driver, "return document.querySelector('.wall-scope').textContent")
    assert scope == app.server.extensions["ioc"].queries.areas.name(district, "vi")


def test_stale_data_are_said_plainly_within_one_interval(dash_duo, wall_app) -> None:
    app, clock = wall_app
    # A wall screen runs on a display session: six hours later it is still signed in (a
    # person's session would have passed its idle timeout on the app's clock).
    issued = issue(
        Accounts(app.server.extensions["ioc"].store.engine),
        playlist="default",
        area_code=None,
        created_by="tests",
        now=clock(),
        lifetime=None,
    )
    dash_duo.start_server(app, navigate=False, port=APP_PORT)
    dash_duo.driver.get(f"{BASE}/wall/default?token={issued.secret}")
    tiles = "document.querySelectorAll('.wall-slot [data-kpi]')"
    wait_until(lambda: js(dash_duo.driver, f"return {tiles}.length") >= 10)
    assert (
        js(dash_duo.driver, f"return [...{tiles}].filter(t => t.dataset.status === 'stale').length")
        == 0
    )
    clock.offset = timedelta(hours=6)  # the simulator has not run for six hours
    started = time.monotonic()
    # A yearly or school-year figure is as fresh as its latest period, not as its feed's run.
    slow = json.dumps(sorted(m.key for m in METRICS if is_slow(m)))
    wait_until(
        lambda: js(
            dash_duo.driver,
            f"return [...{tiles}].every(t => {slow}.includes(t.dataset.kpi)"
            " ? t.dataset.status !== 'stale'"
            " : ['stale', 'nodata'].includes(t.dataset.status))",
        ),
        timeout=REFRESH_S + 3,
    )
    assert time.monotonic() - started < REFRESH_S + 1.5
    ticker = js(
        dash_duo.driver, "return document.querySelector('[data-testid=alert-ticker]').textContent"
    )
    assert "Nguồn dữ liệu simulator quá hạn cập nhật" in ticker
    assert (
        "dữ liệu cũ"
        in js(
            dash_duo.driver, "return document.querySelector('.wall-slot .kpi-stale').textContent"
        ).lower()
    )


def test_a_value_written_to_the_store_shows_within_one_interval(
    dash_duo, wall_app, demo_store
) -> None:
    app, clock = wall_app
    start_signed_in(dash_duo, app, port=APP_PORT)
    dash_duo.driver.get(f"{BASE}/wall/default")
    tile = "document.querySelector(\"[data-kpi='health.outpatient_visits'] .kpi-value\")"
    before = wait_until(lambda: js(dash_duo.driver, f"return {tile}?.textContent"))
    day = local_midnight_utc(FIXED_NOW.date())
    with demo_store.engine.connect() as conn:
        current = conn.execute(
            text(
                "SELECT o.value FROM observations o JOIN metrics m ON m.id = o.metric_id"
                " WHERE m.key = 'health.outpatient_visits' AND o.area_code = '94'"
                " AND o.dim = '' ORDER BY o.period_start DESC LIMIT 1"
            )
        ).scalar_one()
    try:
        written = time.monotonic()
        changed = Observation("health.outpatient_visits", "94", day, current + 5_000)
        demo_store.writer.write_records("simulator", [changed], clock())
        wait_until(lambda: js(dash_duo.driver, f"return {tile}.textContent") != before, timeout=6)
        assert (
            time.monotonic() - written <= REFRESH_S + 1.5
        )  # one interval (+ the 1 s version cache)
    finally:
        demo_store.writer.write_records(
            "simulator", [Observation("health.outpatient_visits", "94", day, current)], clock()
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(config: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "app.py", "--config", str(config), "--port", str(port), "--no-scheduler"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    wait_until(lambda: _answers(port), timeout=30, step=0.2)
    return process


def _answers(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code in (200, 503)
    except requests.RequestException:
        return False


@pytest.fixture
def served(demo_settings: Settings, tmp_path: Path) -> Iterator[tuple[Path, int, tuple[str, str]]]:
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\n"
        f'database:\n  url: "{demo_settings.database.url}"\n'
        "geography:\n  directory: null\n"
        f"wall:\n  refresh_interval: {REFRESH_S}\n",
        encoding="utf-8",
    )
    store = Store.open(demo_settings.database.url)
    user = add_account(Accounts(store.engine), "leader")
    store.engine.dispose()
    yield config, _free_port(), user


def test_wall_survives_a_server_restart_without_reloading(served) -> None:
    config, port, user = served
    process = _serve(config, port)
    driver = signed_in(chromium(1920, 1080), f"http://127.0.0.1:{port}", user)
    status = "[data-testid=connection-status]"
    try:
        driver.get(f"http://127.0.0.1:{port}/wall/default")
        wait_until(
            lambda: (
                js(driver, "return document.querySelectorAll('.wall-slot .kpi-value').length") >= 10
            ),
            timeout=20,
        )
        js(driver, "window.__notReloaded = true")
        values = js(driver, VALUES)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        wait_until(
            lambda: (
                js(driver, f"return document.querySelector('{status}').dataset.state") == "lost"
            ),
            timeout=REFRESH_S * 3 + 2,
        )
        shown = driver.find_element("css selector", status)
        assert shown.is_displayed() and shown.text == "Mất kết nối — đang thử lại"
        screenshot(driver, "wall-connection-lost")
        assert js(driver, VALUES) == values
        process = _serve(config, port)
        wait_until(
            lambda: js(driver, f"return document.querySelector('{status}').dataset.state") == "ok",
            timeout=REFRESH_S * 3 + 2,
        )
        assert not driver.find_element("css selector", status).is_displayed()
        assert js(driver, "return window.__notReloaded === true")
    finally:
        driver.quit()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
