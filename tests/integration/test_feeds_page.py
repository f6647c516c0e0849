"""The operators' page on SQLite and PostgreSQL: one summary per feed from its stored health and
runs (on time, late, failing, disabled, first load), and the runs' rows in the first render."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboards import create_app
from dashboards.feed_summary import FeedStatus
from dashboards.pages import feeds_page
from settings import load_settings
from store import Store
from store.reference_writes import FeedSpec
from store.run_writes import RunOutcome
from tests.conftest import FIXED_NOW, Clock

pytestmark = pytest.mark.integration
NOW = FIXED_NOW


def _run(store: Store, feed: str, ago: timedelta, status: str, changed: int = 0) -> None:
    started = NOW - ago
    run = store.writer.start_run(feed, started)
    error = ("temporary", "HTTP 503") if status == "failed" else (None, None)
    outcome = RunOutcome(
        status, changed + 2, 1, changed, started + timedelta(seconds=3), 3000.0, *error
    )
    store.writer.finish_run(run, feed, outcome, [])


@pytest.fixture
def feeds(store: Store) -> Store:
    store.writer.sync_feeds(
        [
            FeedSpec("fresh", "http_json", 60, True, False),
            FeedSpec("late", "http_json", 60, True, False),
            FeedSpec("broken", "http_json", 300, True, False),
            FeedSpec("off", "http_json", 60, False, False),
            FeedSpec("loading", "simulator", 60, True, True),
        ]
    )
    _run(store, "fresh", timedelta(minutes=10), "ok", changed=5)
    _run(store, "fresh", timedelta(seconds=50), "ok", changed=7)
    _run(store, "late", timedelta(hours=2), "ok", changed=4)
    _run(store, "broken", timedelta(hours=1), "ok", changed=9)
    for minutes in (15, 10, 5):
        _run(store, "broken", timedelta(minutes=minutes), "failed")
    store.writer.start_run("loading", NOW - timedelta(seconds=20))  # its first run, still going
    return store


def test_each_feed_is_summarized_from_its_health_and_runs(feeds: Store, tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path), feeds, clock=Clock(NOW))
    with app.server.test_request_context("/nguon-du-lieu"):
        summaries = {s.feed_id: s for s in feeds_page.feed_summaries()}
    assert {k: s.status for k, s in summaries.items()} == {
        "broken": FeedStatus.FAILING,
        "fresh": FeedStatus.ON_TIME,
        "late": FeedStatus.LATE,
        "loading": FeedStatus.FIRST_LOAD,
        "off": FeedStatus.DISABLED,
    }
    fresh, broken, late = summaries["fresh"], summaries["broken"], summaries["late"]
    assert fresh.rows_changed == 7 and fresh.rows_accepted == 9 and fresh.rows_rejected == 1
    assert fresh.next_run == NOW - timedelta(seconds=47) + timedelta(minutes=1)
    assert broken.consecutive_failures == 3 and broken.error == "HTTP 503"
    assert broken.rows_changed == 0  # its last finished run failed and wrote nothing
    assert broken.last_success == NOW - timedelta(hours=1) + timedelta(seconds=3)
    assert late.lag == timedelta(hours=2) - timedelta(seconds=3)
    assert summaries["loading"].last_success is None and summaries["loading"].rows_changed is None
    assert summaries["off"].next_run is None


def test_the_first_render_holds_the_summary_and_the_runs(feeds: Store, tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path), feeds, clock=Clock(NOW))
    with app.server.test_request_context("/nguon-du-lieu"):
        page = feeds_page.layout(feed="fresh")
    cards = _find(page, lambda c: "feed-summary" in (getattr(c, "className", "") or "").split())
    assert [getattr(c, "data-status") for c in cards] == [
        "failing",
        "on_time",
        "late",
        "first_load",
        "disabled",
    ]
    runs = _find(page, lambda c: getattr(c, "id", None) == feeds_page.RUNS)[0]
    assert [r["accepted"] for r in runs.rowData] == [9, 7]  # newest first
    assert {r["status"] for r in runs.rowData} == {"Thành công"}  # a run's word, not a portal's
    assert [c["field"] for c in runs.columnDefs][:2] == ["started", "status"]
    text = " ".join(_texts(cards[1]))
    assert "7 thay đổi · 9 nhận · 1 loại" in text
    assert "Đúng hạn" in text


def _settings(directory: Path) -> Any:
    path = directory / "config.yaml"
    path.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    return load_settings(path, env={})


def _children(component: Any) -> list[Any]:
    kids = getattr(component, "children", None)
    if kids is None:
        return []
    return list(kids) if isinstance(kids, list | tuple) else [kids]


def _find(component: Any, wanted: Any) -> list[Any]:
    found = [component] if wanted(component) else []
    for child in _children(component):
        if not isinstance(child, str):
            found.extend(_find(child, wanted))
    return found


def _texts(component: Any) -> list[str]:
    if isinstance(component, str):
        return [component]
    return [text for child in _children(component) for text in _texts(child)]
