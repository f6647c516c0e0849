"""Connect the sample REST source as an operator clicks it: open the form, pick http_json, fill
it in, test it (records and rejects shown, nothing written), save, run now, and the running
scheduler stores its first run. Prints the time from opening the form to that first run."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.keys import Keys

from dashboards import create_app
from feeds.runner import FeedRunner
from feeds.scheduler import build_scheduler
from settings import load_settings
from store import Store
from tests.browser.conftest import APP_PORT, screenshot
from tests.browser.test_overview import wait_for
from tests.browser.test_pages import click
from tests.fixtures import payload_json
from tests.fixtures.auth import start_signed_in
from tests.fixtures.http_server import Route, serve

pytestmark = pytest.mark.browser
MAPPING = (
    "records: ''\n"
    "area: {code: area}\n"
    "period: {field: ts, format: iso8601}\n"
    "observations: [{metric_field: metric, field: value}]\n"
)
TOKEN = "tok-8d0c55e1"


@pytest.fixture
def console_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Store]]:
    """An app on an empty store, with the scheduler running beside it as `python app.py` has."""
    monkeypatch.setenv("SAMPLE_TOKEN", TOKEN)
    path = tmp_path / "config.yaml"
    path.write_text(
        f'version: 1\ndatabase:\n  url: "sqlite:///{tmp_path / "ioc.db"}"\n'
        "geography:\n  directory: null\n",
        encoding="utf-8",
    )
    settings = load_settings(path, env={})
    store = Store.open(settings.database.url)
    runner = FeedRunner.from_store(store)
    scheduler = build_scheduler(runner)
    scheduler.start()
    yield create_app(settings, store), store
    scheduler.shutdown(wait=False)
    store.engine.dispose()


def _pick(driver: Any, dash_duo: Any, box: Any, code: str) -> None:
    """Choose the option whose label carries `code` as config.yaml writes it: "… (bearer)"."""
    click(driver, box)
    option = wait_for(
        lambda: next(
            (o for o in dash_duo.find_elements("[role=option]") if f"({code})" in o.text), None
        )
    )
    click(driver, option)


def _field(dash_duo: Any, path: str) -> Any:
    return wait_for(
        lambda: next(
            iter(
                dash_duo.find_elements(
                    f"[data-field='{path}'] input, [data-field='{path}'] textarea"
                )
            ),
            None,
        )
    )


def _type(element: Any, text: str) -> None:
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text)


def _save_shot(driver: Any, name: str) -> None:
    shot = screenshot(driver, name)
    shutil.copy(shot, Path("/tmp") / f"{name}.png")


def test_connect_test_save_and_run_the_sample_rest_source(dash_duo, console_app) -> None:  # type: ignore[no-untyped-def]
    app, store = console_app
    payload = payload_json("mixed_batch.json")
    with serve({"/api/chi-tieu": Route.json(payload)}) as source:
        start_signed_in(dash_duo, app, role="operator", port=APP_PORT)
        driver = dash_duo.driver
        started = time.perf_counter()
        driver.get(f"{dash_duo.server_url}/nguon-du-lieu/moi")
        _pick(
            driver,
            dash_duo,
            wait_for(lambda: dash_duo.find_element(".feed-type-select")),
            "http_json",
        )
        _type(_field(dash_duo, "id"), "lgsp_chi_tieu")
        _type(_field(dash_duo, "interval"), "1h")
        _type(_field(dash_duo, "options.url"), source.url("/api/chi-tieu"))
        _type(_field(dash_duo, "options.mapping"), MAPPING)
        union = dash_duo.find_element("[data-field='options.auth'] .feed-form-union")
        _pick(driver, dash_duo, union, "bearer")
        token = _field(dash_duo, "options.auth.token")
        _type(token, "my-literal-token")  # a secret written out is refused ...
        click(driver, dash_duo.find_element("[data-testid=feed-test]"))
        refused = wait_for(
            lambda: next(
                (
                    e
                    for e in dash_duo.find_elements(
                        "[data-field='options.auth.token'] .feed-form-message"
                    )
                    if "${" in e.text
                ),
                None,
            )
        )
        _save_shot(driver, "form_literal_secret")
        assert "${" in refused.text
        _type(token, "${SAMPLE_TOKEN}")  # ... a reference is taken
        click(driver, dash_duo.find_element("[data-testid=feed-test]"))
        wait_for(lambda: dash_duo.find_elements("[data-testid=feed-test-ok]"), timeout=20)
        tested = time.perf_counter() - started
        records = dash_duo.find_element("[data-testid=feed-test-records]").text
        rejected = dash_duo.find_element("[data-testid=feed-test-rejected]").text
        assert "health.outpatient_visits" in records and "Tỉnh Sóc Trăng" in records
        assert rejected and "Không có" not in rejected
        assert store.feed_defs.get("lgsp_chi_tieu") is None  # the test wrote nothing
        _save_shot(driver, "form_tested")
        click(driver, dash_duo.find_element("[data-testid=feed-save]"))
        wait_for(lambda: dash_duo.find_elements("[data-testid=feed-saved]"))
        saved = store.feed_defs.get("lgsp_chi_tieu")
        assert saved is not None and saved.config["options"]["auth"]["token"] == "${SAMPLE_TOKEN}"
        run_now = dash_duo.find_element("[data-testid=feed-run-now]")
        wait_for(lambda: run_now.is_enabled())
        click(driver, run_now)
        wait_for(lambda: dash_duo.find_elements("[data-testid=feed-run-requested]"))
        _save_shot(driver, "form_saved_run")
        first = wait_for(
            lambda: next(
                (
                    r
                    for r in store.queries.feed_runs("lgsp_chi_tieu", limit=5)
                    if r.status != "running"
                ),
                None,
            ),
            timeout=30,
        )
        elapsed = time.perf_counter() - started
        assert first.status in ("ok", "partial") and first.accepted > 0 and first.rejected > 0
        assert source.last_headers("/api/chi-tieu")["authorization"] == f"Bearer {TOKEN}"
        page = driver.page_source
        assert TOKEN not in page
        print(
            f"\nform → tested: {tested:.1f} s; form → tested, saved, first run stored: "
            f"{elapsed:.1f} s (run: {first.accepted} accepted, {first.rejected} rejected)"
        )


FILE_FEED = """\
feeds:
  - id: lgsp
    type: http_json
    interval: 10m
    options:
      url: "{url}"
      auth: {{type: bearer, token: "${{SAMPLE_TOKEN}}"}}
      mapping:
        records: ''
        area: {{code: area}}
        period: {{field: ts, format: iso8601}}
        observations: [{{metric_field: metric, field: value}}]
"""


def test_provisioned_feed_tests_edits_as_override_meets_a_stale_save_and_reverts(  # type: ignore[no-untyped-def]
    dash_duo, tmp_path, monkeypatch
) -> None:
    from access.audit import AuditLog
    from feeds.console import save_feed
    from feeds.definitions import provision
    from store.accounts import Accounts

    monkeypatch.setenv("SAMPLE_TOKEN", TOKEN)
    with serve({"/api": Route.json(payload_json("mixed_batch.json"))}) as source:
        path = tmp_path / "config.yaml"
        path.write_text(
            f'version: 1\ndatabase:\n  url: "sqlite:///{tmp_path / "ioc.db"}"\n'
            "geography:\n  directory: null\n" + FILE_FEED.format(url=source.url("/api")),
            encoding="utf-8",
        )
        settings = load_settings(path)
        store = Store.open(settings.database.url)
        provision(store, settings)
        app = create_app(settings, store)
        start_signed_in(dash_duo, app, role="operator", port=APP_PORT)
        driver = dash_duo.driver
        driver.get(f"{dash_duo.server_url}/nguon-du-lieu/sua/lgsp")
        origin = wait_for(lambda: dash_duo.find_elements("[data-testid=feed-origin]"))
        assert origin[0].text == "Từ tệp cấu hình"
        assert TOKEN not in driver.page_source
        click(driver, dash_duo.find_element("[data-testid=feed-test]"))
        wait_for(lambda: dash_duo.find_elements("[data-testid=feed-test-ok]"), timeout=20)
        _type(_field(dash_duo, "interval"), "15m")
        # another operator saves first
        current = store.feed_defs.get("lgsp")
        assert current is not None
        other = dict(current.config, interval=1800)
        save_feed(
            store, AuditLog(Accounts(store.engine)), "ops2", other, expected_version=current.version
        )
        click(driver, dash_duo.find_element("[data-testid=feed-save]"))
        stale = wait_for(lambda: dash_duo.find_elements("[data-testid=feed-stale]"))
        assert "ops2" in stale[0].text
        assert _field(dash_duo, "interval").get_attribute("value") == "15m"  # nothing lost
        _save_shot(driver, "form_stale")
        driver.get(f"{dash_duo.server_url}/nguon-du-lieu/sua/lgsp")
        wait_for(lambda: dash_duo.find_elements("[data-testid=feed-overridden]"))
        assert _field(dash_duo, "interval").get_attribute("value") == "1800"
        _type(_field(dash_duo, "interval"), "15m")
        click(driver, dash_duo.find_element("[data-testid=feed-save]"))
        wait_for(lambda: dash_duo.find_elements("[data-testid=feed-saved]"))
        edited = store.feed_defs.get("lgsp")
        assert edited is not None and edited.overridden and edited.config["interval"] == 900
        driver.get(f"{dash_duo.server_url}/nguon-du-lieu/sua/lgsp")
        revert = wait_for(lambda: dash_duo.find_elements("[data-testid=feed-revert]"))
        _save_shot(driver, "form_overridden")
        click(driver, revert[0])
        wait_for(lambda: not dash_duo.find_elements("[data-testid=feed-overridden]") or None)
        wait_for(lambda: dash_duo.find_elements("[data-testid=feed-origin]"))
        reverted = store.feed_defs.get("lgsp")
        assert reverted is not None and not reverted.overridden
        assert reverted.config["interval"] == 600
        store.engine.dispose()


LAYOUT = """
const page = document.querySelector('[data-testid=feed-form]');
const box = page.getBoundingClientRect();
const wide = [];
for (const el of page.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width && (r.right > box.right + 1 || r.left < box.left - 1)) {
    wide.push(el.tagName + '.' + el.className + ' ' + (el.textContent || '').slice(0, 40));
  }
}
const skewed = [];
for (const field of page.querySelectorAll('.feed-form-field')) {
  const label = field.querySelector('label').getBoundingClientRect();
  const control = field.querySelector('input:not([type=checkbox]), textarea, .feed-form-select');
  if (control && Math.abs(control.getBoundingClientRect().left - label.left) > 1) {
    skewed.push(field.dataset.field);
  }
}
const scroll = document.documentElement.scrollWidth > document.documentElement.clientWidth;
return {wide: wide.slice(0, 5), skewed: skewed, scroll: scroll,
        height: document.documentElement.scrollHeight};
"""
LABELS = {
    "vi": {
        "options.incremental.param": "Tham số mốc",
        "options.pagination.page_param": "Tham số số trang",
        "options.max_snapshot_bytes": "Dung lượng ảnh tối đa",
        "interval": "Chu kỳ chạy",
    },
    "en": {
        "options.incremental.param": "Checkpoint parameter",
        "options.pagination.page_param": "Page number parameter",
        "options.max_snapshot_bytes": "Maximum still size",
        "interval": "Run every",
    },
}


def _label(dash_duo: Any, path: str) -> tuple[str, str]:
    found = wait_for(lambda: dash_duo.find_elements(f"[data-field='{path}'] .feed-form-label"))
    name = found[0].find_element("css selector", ".feed-form-name").text
    return name, found[0].find_element("css selector", ".feed-form-key").text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_fields_carry_labels_in_the_language_beside_their_names(  # type: ignore[no-untyped-def]
    dash_duo, console_app, lang: str
) -> None:
    app, _ = console_app
    start_signed_in(dash_duo, app, role="operator", port=APP_PORT)
    driver = dash_duo.driver
    driver.set_window_size(1280, 900)
    driver.add_cookie({"name": "ioc_lang", "value": lang, "path": "/"})
    for feed_type in ("http_json", "camera"):
        driver.get(f"{dash_duo.server_url}/nguon-du-lieu/moi?type={feed_type}")
        wait_for(lambda: dash_duo.find_elements("[data-field='interval']"))
        assert _label(dash_duo, "interval") == (LABELS[lang]["interval"], "interval")
        if feed_type == "http_json":
            for path in ("options.incremental.param", "options.pagination.page_param"):
                assert _label(dash_duo, path) == (LABELS[lang][path], path.rsplit(".", 1)[1])
            union = dash_duo.find_element("[data-field='options.auth'] .feed-form-union")
            _pick(driver, dash_duo, union, "oauth2_client_credentials")
            wait_for(lambda: dash_duo.find_elements("[data-field='options.auth.token_url']"))
            picked = dash_duo.find_element("[data-field='options.auth'] .feed-form-union")
            assert "(oauth2_client_credentials)" in picked.text
        else:
            path = "options.max_snapshot_bytes"
            assert _label(dash_duo, path) == (LABELS[lang][path], "max_snapshot_bytes")
        for summary in dash_duo.find_elements(".feed-form-keys summary"):
            click(driver, summary)  # the YAML areas' key references, open
        layout = driver.execute_script(LAYOUT)
        assert layout["wide"] == [] and layout["skewed"] == [] and not layout["scroll"], layout
        driver.set_window_size(1280, min(int(layout["height"]) + 150, 16000))
        time.sleep(0.3)
        shutil.copy(screenshot(driver, f"formvi_{feed_type}_{lang}"), "/tmp")
        driver.set_window_size(1280, 900)
    assert [e for e in dash_duo.get_logs() if e.get("level") == "SEVERE"] == []
