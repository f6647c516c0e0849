"""The KPI tile as data: hooks, vi-VN value, change, target, freshness colour by feed state."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store.catalog import METRICS_BY_KEY
from store.comparison import Reading
from store.read_models import KpiValue
from store.scope import Window
from tests.conftest import FIXED_NOW
from ui.kpi import kpi_tile
from ui.status import feed_state

pytestmark = pytest.mark.unit
RATE = METRICS_BY_KEY["documents.work_online_rate"]


def texts(component) -> list[str]:  # type: ignore[no-untyped-def]
    children = getattr(component, "children", component)
    if isinstance(children, str):
        return [children]
    if isinstance(children, list):
        return [t for child in children if child is not None for t in texts(child)]
    return texts(children) if children is not None else []


def classes(component) -> list[str]:  # type: ignore[no-untyped-def]
    found = [getattr(component, "className", "") or ""]
    children = getattr(component, "children", None)
    if isinstance(children, list):
        found += [c for child in children if child is not None for c in classes(child)]
    return found


def test_tile_hooks_value_change_and_target() -> None:
    state = feed_state(FIXED_NOW - timedelta(minutes=3), "ok", 60, FIXED_NOW)
    window = Window.last_days(7, FIXED_NOW - timedelta(days=7))
    kpi = KpiValue(RATE.key, 61.5, 60.0, "sim", Reading(61.5, 7), Reading(60.0, 7), window)
    tile = kpi_tile(RATE, kpi, state, "commune", "vi", now=FIXED_NOW)
    props = tile.to_plotly_json()["props"]
    assert props["data-kpi"] == RATE.key and props["data-status"] == "good"
    shown = " ".join(texts(tile))
    assert "61,5%" in shown and "+1,5 điểm %" in shown and "Đạt mục tiêu 60%" in shown
    assert "cập nhật 3 phút trước" in shown


@pytest.mark.parametrize(
    ("status", "age", "css", "word"),
    [
        ("ok", timedelta(hours=1), "kpi-freshness stale", "dữ liệu cũ"),
        ("failed", timedelta(minutes=2), "kpi-freshness failing", "nguồn lỗi"),
    ],
)
def test_freshness_turns_amber_when_stale_and_red_when_failing(status, age, css, word) -> None:
    state = feed_state(FIXED_NOW - age, status, 60, FIXED_NOW, error="HTTP 500")
    tile = kpi_tile(RATE, KpiValue(RATE.key, 61.5, None, "sim"), state, "province", "vi")
    assert css in classes(tile)
    assert word in " ".join(texts(tile))


def test_missing_value_says_so_and_is_nodata() -> None:
    tile = kpi_tile(RATE, KpiValue(RATE.key, None, None, None), None, "province", "en")
    assert tile.to_plotly_json()["props"]["data-status"] == "nodata"
    assert "No data" in texts(tile)
