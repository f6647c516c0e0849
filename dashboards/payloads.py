"""The callback requests a browser sends to render a page, for replaying a page load in
benchmarks and tests without a browser (same routes, same JSON, same server work)."""

from __future__ import annotations

from typing import Any

from dash import Dash

from dashboards.specs import PageSpec


def router(path: str, search: str = "") -> dict[str, Any]:
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
    }


def param(page: str, name: str, value: Any) -> dict[str, Any]:
    return {
        "id": {"page": page, "param": name, "type": "url-param"},
        "property": "value",
        "value": value,
    }


def refresh(page: str) -> dict[str, Any]:
    return {"id": {"page": page, "type": "refresh"}, "property": "n_intervals"}


def matched(
    kind: str,
    page: str,
    prop: str,
    inputs: list[dict[str, Any]],
    state: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "output": f'{{"page":["MATCH"],"type":"{kind}"}}.{prop}',
        "outputs": {"id": {"page": page, "type": kind}, "property": prop},
        "inputs": inputs,
        "changedPropIds": [],
    }
    if state:
        body["state"] = state
    return body


def kpis(page: str, area: str, window: str) -> dict[str, Any]:
    """The KPI tiles' request: the page names which tiles (its spec's), never the browser."""
    return matched(
        "kpi-grid",
        page,
        "children",
        [param(page, "area", area), param(page, "window", window), refresh(page)],
    )


def domain_page(app: Dash, spec: PageSpec, area: str, window: str) -> list[dict[str, Any]]:
    """Every callback a domain page fires when it loads (after the router)."""
    page = spec.domain_key
    scope = [param(page, "area", area), param(page, "window", window)]
    table = spec.tables[0].key
    grid = {
        "output": '..{"page":["MATCH"],"type":"grid"}.columnDefs...'
        '{"page":["MATCH"],"type":"grid"}.rowData..',
        "outputs": [
            {"id": {"page": page, "type": "grid"}, "property": "columnDefs"},
            {"id": {"page": page, "type": "grid"}, "property": "rowData"},
        ],
        "inputs": [*scope, param(page, "table", table), refresh(page)],
        "changedPropIds": [],
    }
    points = {
        "output": _duplicate_output(app, '{"page":["MATCH"],"type":"map"}.figure'),
        "outputs": {"id": {"page": page, "type": "map"}, "property": "figure"},
        "inputs": scope,
        "changedPropIds": [],
    }
    extra = []  # the optional parts a spec declares
    if spec.medians:
        extra.append(matched("medians", page, "children", [*scope, refresh(page)]))
    if spec.seasonality:
        extra.append(matched("season", page, "figure", [*scope, refresh(page)]))
    return [
        kpis(page, area, window),
        matched("sources", page, "children", [*scope, refresh(page)]),
        matched(
            "trend",
            page,
            "figure",
            [
                *scope,
                param(page, "trend", spec.trend[0]),
                param(page, "grain", "day"),
                refresh(page),
            ],
        ),
        matched("breakdown", page, "figure", [*scope, refresh(page)]),
        {
            "output": '..{"page":["MATCH"],"type":"map"}.figure...'
            '{"page":["MATCH"],"type":"map-legend"}.children..',
            "outputs": [
                {"id": {"page": page, "type": "map"}, "property": "figure"},
                {"id": {"page": page, "type": "map-legend"}, "property": "children"},
            ],
            "inputs": [*scope, refresh(page)],
            "changedPropIds": [],
        },
        points,
        grid,
        *extra,  # last: bench.pages finds the map values callback by its position
    ]


def _duplicate_output(app: Dash, output: str) -> str:
    """Dash names an allow_duplicate output with a hash of its inputs: look it up."""
    return next(key for key in app.callback_map if key.startswith(output + "@"))


WALL_OUTPUT = (
    '..{"slot":["ALL"],"type":"wall-items"}.children...'
    '{"slot":["ALL"],"type":"wall-map"}.figure...'
    "wall-ticker-track.children...wall-digests.data...wall-sync.data.."
)


def wall_refresh(
    spec: dict[str, Any],
    item_slots: list[int],
    map_slots: list[int],
    digests: dict[str, Any] | None = None,
    tick: int = 0,
) -> dict[str, Any]:
    """The wall's refresh request: what a screen sends every interval (spec and digests are
    the wall-spec and wall-digests stores; the slots are the screen's pages by kind)."""
    return {
        "output": WALL_OUTPUT,
        "outputs": [
            [{"id": {"slot": s, "type": "wall-items"}, "property": "children"} for s in item_slots],
            [{"id": {"slot": s, "type": "wall-map"}, "property": "figure"} for s in map_slots],
            {"id": "wall-ticker-track", "property": "children"},
            {"id": "wall-digests", "property": "data"},
            {"id": "wall-sync", "property": "data"},
        ],
        "inputs": [{"id": "wall-refresh", "property": "n_intervals", "value": tick}],
        "state": [
            {"id": "wall-spec", "property": "data", "value": spec},
            {"id": "wall-digests", "property": "data", "value": digests or {}},
        ],
        "changedPropIds": ["wall-refresh.n_intervals"],
    }
