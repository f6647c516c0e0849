"""Callback requests are checked against the callback's declared shape and bounded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dash import MATCH, Output

from dashboards.guard import MAX_DEPTH, MAX_ITEMS, MAX_STRING, Refused, check_callback, shorten
from store.scope import ScopeError, Window
from ui.export import neutralised

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)
KEY = '{"page":["MATCH"],"type":"trend"}.figure'
CALLBACKS = {
    KEY: {
        "callback": object(),
        "output": None,
        "inputs": [
            {"id": '{"page":["MATCH"],"param":"area","type":"url-param"}', "property": "value"}
        ],
        "state": [{"id": "wall-spec", "property": "data"}],
    },
    "clock.children": {"output": Output("clock", "children"), "inputs": [], "state": []},
}
CALLBACKS[KEY]["output"] = Output({"type": "trend", "page": MATCH}, "figure")


def _deep(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def body(value: object = "94", **changes: object) -> dict:
    good = {
        "output": KEY,
        "outputs": {"id": {"page": "health", "type": "trend"}, "property": "figure"},
        "inputs": [
            {
                "id": {"page": "health", "param": "area", "type": "url-param"},
                "property": "value",
                "value": value,
            }
        ],
        "state": [{"id": "wall-spec", "property": "data", "value": {}}],
        "changedPropIds": [],
    }
    return {**good, **changes}


def test_window_dates_that_would_overflow_are_refused_not_crashed() -> None:
    for value in ("9999-12-30..9999-12-31", "0001-01-01..0001-01-02", "x" * 100):
        with pytest.raises(ScopeError):
            Window.parse(value, NOW)
    assert Window.parse("2026-11-01..2026-11-15", NOW).name == "2026-11-01..2026-11-15"


def test_formula_like_text_is_neutralised() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralised(text) == "'" + text
    assert neutralised("Phường 2") == "Phường 2"
    assert len(shorten("x" * 10_000)) < 200


def test_a_well_formed_request_passes() -> None:
    check_callback(body(), CALLBACKS)
    # what a browser names an allow_duplicate output
    duplicate = {"id": {"page": "health", "type": "trend"}, "property": "figure@ab12"}
    check_callback(body(outputs=duplicate), CALLBACKS)


@pytest.mark.parametrize(
    "bad",
    [
        body(output="nope.children"),
        body(output="clock.children"),  # a clientside callback: nothing to run on the server
        body(inputs=[]),
        body(state=[]),
        body(outputs=None),
        body(outputs={"id": {"page": "health", "type": "map"}, "property": "figure"}),
        body(outputs={"id": {"page": ["x"], "type": "trend"}, "property": "figure"}),
        body(changedPropIds="x"),
        body(value=["94"]),
        body(value={"a": 1}),
        body(value="x" * (MAX_STRING + 1)),
        body(inputs=[{"id": "other", "property": "value", "value": "94"}]),
        body(state=[{"id": "wall-spec", "property": "data", "value": list(range(MAX_ITEMS + 1))}]),
        body(state=[{"id": "wall-spec", "property": "data", "value": _deep(MAX_DEPTH + 2)}]),
        body(state=[{"id": "wall-spec", "property": "style", "value": {}}]),
        [body()],
    ],
)
def test_anything_off_its_declared_shape_is_refused(bad: object) -> None:
    with pytest.raises(Refused):
        check_callback(bad, CALLBACKS)
