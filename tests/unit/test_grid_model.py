"""The grid's filter and sort applied on the server: AG Grid's own model, known columns only."""

from __future__ import annotations

import pytest

from dashboards.grid_model import apply_model
from dashboards.guard import Refused
from ui.table import GridColumn

pytestmark = pytest.mark.unit
COLUMNS = [
    GridColumn("name", "Tên"),
    GridColumn("count", "Số", "number"),
    GridColumn("time", "Thời gian", "datetime"),
]
ROWS = [
    {"name": "Phường 10", "count": 5, "time": "2026-11-19T18:00:00+00:00"},  # 20/11 local
    {"name": "Phường 2", "count": None, "time": "2026-11-18T01:00:00+00:00"},
    {"name": "Xã An Hiệp", "count": 12.5, "time": "2026-11-20T02:00:00+00:00"},
]


def names(rows: list[dict]) -> list[str]:
    return [r["name"] for r in rows]


def test_text_filters_ignore_case() -> None:
    model = {"name": {"filterType": "text", "type": "startsWith", "filter": "phường"}}
    assert names(apply_model(COLUMNS, ROWS, model, [])) == ["Phường 10", "Phường 2"]


def test_number_filters_and_ranges_exclude_their_ends() -> None:
    gt = {"count": {"filterType": "number", "type": "greaterThanOrEqual", "filter": 5}}
    assert names(apply_model(COLUMNS, ROWS, gt, [])) == ["Phường 10", "Xã An Hiệp"]
    rng = {"count": {"filterType": "number", "type": "inRange", "filter": 5, "filterTo": 13}}
    assert names(apply_model(COLUMNS, ROWS, rng, [])) == ["Xã An Hiệp"]
    blank = {"count": {"filterType": "number", "type": "blank"}}
    assert names(apply_model(COLUMNS, ROWS, blank, [])) == ["Phường 2"]


def test_date_filters_compare_local_days() -> None:
    model = {"time": {"filterType": "date", "type": "equals", "dateFrom": "2026-11-20 00:00:00"}}
    assert names(apply_model(COLUMNS, ROWS, model, [])) == ["Phường 10", "Xã An Hiệp"]


def test_combined_conditions() -> None:
    model = {
        "name": {
            "filterType": "text",
            "operator": "OR",
            "conditions": [
                {"filterType": "text", "type": "endsWith", "filter": "2"},
                {"filterType": "text", "type": "contains", "filter": "hiệp"},
            ],
        }
    }
    assert names(apply_model(COLUMNS, ROWS, model, [])) == ["Phường 2", "Xã An Hiệp"]


def test_sort_is_natural_multi_column_and_defaults_to_time_descending() -> None:
    state = [{"colId": "name", "sort": "asc", "sortIndex": 0}, {"colId": "count", "sort": None}]
    assert names(apply_model(COLUMNS, ROWS, None, state)) == ["Phường 2", "Phường 10", "Xã An Hiệp"]
    by_count = [{"colId": "count", "sort": "desc"}]
    assert names(apply_model(COLUMNS, ROWS, None, by_count))[-1] == "Phường 2"  # empty last
    assert names(apply_model(COLUMNS, ROWS, None, None)) == ["Xã An Hiệp", "Phường 10", "Phường 2"]


@pytest.mark.parametrize(
    "filters, state",
    [
        ({"secret": {"filterType": "text", "type": "contains", "filter": "x"}}, []),
        ({"name": {"filterType": "text", "type": "matches", "filter": "x"}}, []),
        ({"name": {"filterType": "number", "type": "equals", "filter": 1}}, []),
        ({"count": {"filterType": "number", "type": "equals", "filter": "lots"}}, []),
        ({"count": {"filterType": "number", "type": "inRange", "filter": 1}}, []),
        ({"time": {"filterType": "date", "type": "equals", "dateFrom": "soon"}}, []),
        ({"name": {"operator": "XOR", "conditions": [{}]}}, []),
        ({"name": {"operator": "OR", "conditions": [{}] * 50}}, []),
        (["not", "an", "object"], []),
        (None, [{"colId": "secret", "sort": "asc"}]),
        (None, [{"colId": "name", "sort": "up"}]),
        (None, {"colId": "name"}),
    ],
)
def test_anything_else_is_refused(filters: object, state: object) -> None:
    with pytest.raises(Refused):
        apply_model(COLUMNS, ROWS, filters, state)
