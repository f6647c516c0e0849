"""One value, one colour: the overview map, a domain page's map, a district drill-down and the
wall's map, each driven over HTTP on SQLite and PostgreSQL, class the same area value alike;
sequential breaks come from the whole level; the selected area is outlined."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboards import create_app, payloads
from dashboards.context import services
from dashboards.map_view import build_map_view, class_breaks
from dashboards.specs import PAGES_BY_DOMAIN
from settings import load_settings
from store import Store
from store.catalog import METRICS_BY_KEY
from store.records import Observation
from store.reference_writes import FeedSpec
from store.scope import Window, local_midnight_utc, scope_within
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import client_for
from ui.palette import INK, SEQUENTIAL_BLUES, STATUS_COLOURS

pytestmark = pytest.mark.integration
GEO = Path(__file__).resolve().parents[3] / "shared" / "geo"
SALINITY, VISITS = "environment.salinity_max", "health.outpatient_visits"
DISTRICT = "941"  # Thành phố Sóc Trăng
WALL = {"playlist": "maps", "screen": 1, "area": "94", "lang": "vi"}
CONFIG = f"""version: 1
geography:
  directory: "{GEO}"
wall:
  playlists:
    maps:
      pages:
        - {{page: map, metric: {SALINITY}}}
        - {{page: map, metric: {SALINITY}, area: "{DISTRICT}"}}
        - {{page: map, metric: {VISITS}}}
        - {{page: map, metric: {VISITS}, area: "{DISTRICT}"}}
"""


def _salinity(code: str, index: int) -> float:
    """0,40 ‰ — far below the 1 ‰ watch level — in most areas, some above 1 and above 4."""
    return (0.40, 0.40, 1.5, 4.8)[index % 4] if code != DISTRICT else 0.40


@pytest.fixture
def filled(store: Store, tmp_path: Path) -> Iterator[tuple[Any, Store]]:
    """Two days of salinity and outpatient visits in every district and commune."""
    store.writer.sync_feeds([FeedSpec("sim", "simulator", 60, True, True)])
    areas = store.queries.areas
    units = [*areas.at_level("district"), *areas.at_level("commune")]
    today = FIXED_NOW.astimezone().date()
    records = []
    for index, code in enumerate(units):
        for back in (0, 1):
            day = local_midnight_utc(today - timedelta(days=back))
            records.append(Observation(SALINITY, code, day, _salinity(code, index)))
            visits = 10.0 * (index % 17) + 3 * back  # ties and a spread over the whole level
            records.append(Observation(VISITS, code, day, visits))
    store.writer.write_records("sim", records, FIXED_NOW)
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    yield create_app(load_settings(path, env={}), store, clock=Clock()), store


def _post(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]


def _areas_trace(patch: dict[str, Any]) -> dict[str, Any]:
    assert patch["__dash_patch_update"] == "__dash_patch_update"
    return next(
        op["params"]["value"]
        for op in patch["operations"]
        if op["operation"] == "Merge" and op["location"] == ["data", 0]
    )


def _fills(patch: dict[str, Any]) -> dict[str, str]:
    """Area code → the colour the choropleth paints it (z indexes the stepped scale)."""
    trace = _areas_trace(patch)
    scale = trace["colorscale"]
    return {code: scale[2 * z][1] for code, z in zip(trace["locations"], trace["z"], strict=True)}


def _outlined(patch: dict[str, Any]) -> list[str]:
    trace = _areas_trace(patch)
    line = trace["marker"]["line"]
    return [
        c
        for c, w, k in zip(trace["locations"], line["width"], line["color"], strict=True)
        if w > 1 and k == INK
    ]


def _legend(children: list[dict[str, Any]]) -> list[str]:
    return [item["props"]["children"][1]["props"]["children"] for item in children]


def _overview(client: Any, area: str, metric: str) -> tuple[dict[str, Any], list[str]]:
    body = {
        "output": "..overview-map.figure...overview-map-title.children..."
        "overview-map-legend.children..",
        "outputs": [
            {"id": "overview-map", "property": "figure"},
            {"id": "overview-map-title", "property": "children"},
            {"id": "overview-map-legend", "property": "children"},
        ],
        "inputs": [
            payloads.param("overview", "area", area),
            payloads.param("overview", "metric", metric),
            payloads.param("overview", "window", "7d"),
            payloads.refresh("overview"),
        ],
        "changedPropIds": [],
    }
    response = _post(client, body)
    return response["overview-map"]["figure"], _legend(response["overview-map-legend"]["children"])


def _domain(app: Any, client: Any, domain: str, area: str) -> tuple[dict[str, Any], list[str]]:
    spec = PAGES_BY_DOMAIN[domain]
    body = next(b for b in payloads.domain_page(app, spec, area, "7d") if "map-legend" in str(b))
    response = _post(client, body)
    page = f'{{"page":"{domain}","type":'
    return (
        response[page + '"map"}']["figure"],
        _legend(response[page + '"map-legend"}']["children"]),
    )


def _wall(client: Any) -> dict[int, tuple[dict[str, Any], list[str]]]:
    slots = [0, 1, 2, 3]
    response = _post(client, payloads.wall_refresh(WALL, slots, slots))
    return {
        s: (
            response[f'{{"slot":{s},"type":"wall-map"}}']["figure"],
            _legend(response[f'{{"slot":{s},"type":"wall-items"}}']["children"]),
        )
        for s in slots
    }


def test_one_salinity_value_has_one_class_on_every_map(filled) -> None:  # type: ignore[no-untyped-def]
    app, store = filled
    client = client_for(app)
    client.post("/_dash-update-component", json=payloads.router("/tai-nguyen-moi-truong"))
    province, legend = _overview(client, "94", SALINITY)
    page, page_legend = _domain(app, client, "environment", "94")
    drill, drill_legend = _domain(app, client, "environment", DISTRICT)
    over_drill, _ = _overview(client, DISTRICT, SALINITY)
    wall = _wall(client)
    assert (
        legend
        == page_legend
        == wall[0][1]
        == [
            "< 1 ‰ bình thường",
            "≥ 1 ‰ theo dõi",
            "≥ 4 ‰ xâm nhập mặn",
            "không có dữ liệu",
        ]
    )
    assert drill_legend == wall[1][1] == legend  # salinity has the same limits at every level
    expected = {"good": STATUS_COLOURS["good"], "warn": STATUS_COLOURS["warn"]}
    week = Window.named("7d", FIXED_NOW)
    for fills in (_fills(province), _fills(page), _fills(wall[0][0])):
        values = store.queries.area_values(scope_within("94", week), SALINITY)
        assert len(fills) == 11
        for code, colour in fills.items():
            status = "good" if values[code] < 1 else "warn" if values[code] < 4 else "critical"
            assert colour == expected.get(status, STATUS_COLOURS["critical"]), code
    assert _fills(province)[DISTRICT] == STATUS_COLOURS["good"]  # 0,40 ‰ is never red
    for fills in (_fills(drill), _fills(over_drill), _fills(wall[1][0])):
        values = store.queries.area_values(scope_within("94", week, DISTRICT), SALINITY)
        assert set(fills) == set(store.queries.areas.children(DISTRICT))
        for code, colour in fills.items():
            if values[code] == 0.40:
                assert colour == STATUS_COLOURS["good"], code
    assert _fills(page) == _fills(province) == _fills(wall[0][0])
    assert _fills(drill) == _fills(over_drill) == _fills(wall[1][0])


def test_sequential_breaks_come_from_the_whole_level(filled) -> None:  # type: ignore[no-untyped-def]
    app, store = filled
    client = client_for(app)
    client.post("/_dash-update-component", json=payloads.router("/y-te"))
    week = Window.named("7d", FIXED_NOW)
    communes = store.queries.level_values(scope_within("94", week), VISITS, "commune")
    assert len(communes) == 108
    breaks = class_breaks(communes.values(), 5, METRICS_BY_KEY[VISITS].decimals)
    assert len(breaks) == 4
    drill, drill_legend = _domain(app, client, "health", DISTRICT)
    over_drill, over_legend = _overview(client, DISTRICT, VISITS)
    wall = _wall(client)
    with app.server.app_context():
        direct = build_map_view(
            services().queries, scope_within("94", week, DISTRICT), VISITS, "vi", None
        )
    # The legend of a district's communes is the province-wide commune legend ...
    assert drill_legend == over_legend == wall[3][1] == [e.text for e in direct.legend]
    assert drill_legend[0] == f"< {_number(breaks[0])} lượt"
    # ... so one value has one colour whichever district is on screen.
    other = "947"
    elsewhere, _ = _domain(app, client, "health", other)
    colour_of = {}
    for code, colour in [*_fills(drill).items(), *_fills(elsewhere).items()]:
        value = communes[code]
        assert colour_of.setdefault(value, colour) == colour, (code, value)
        assert colour in SEQUENTIAL_BLUES
    assert _fills(drill) == _fills(over_drill) == _fills(wall[3][0])
    # The districts have their own breaks, from all 11 of them.
    districts = store.queries.level_values(scope_within("94", week), VISITS, "district")
    province_legend = _overview(client, "94", VISITS)[1]
    district_breaks = class_breaks(districts.values(), 5, 0)
    assert province_legend[-2] == f"≥ {_number(district_breaks[-1])} lượt"
    assert province_legend == wall[2][1]


def test_the_selected_area_is_outlined(filled) -> None:  # type: ignore[no-untyped-def]
    app, store = filled
    client = client_for(app)
    client.post("/_dash-update-component", json=payloads.router("/"))
    commune = store.queries.areas.children(DISTRICT)[2]
    patch, _ = _overview(client, commune, SALINITY)
    assert _outlined(patch) == [commune]
    trace = _areas_trace(patch)
    assert trace["locations"][-1] == commune  # drawn last: neighbours do not cover its line
    assert set(trace["locations"]) == set(store.queries.areas.children(DISTRICT))
    page, _ = _domain(app, client, "environment", DISTRICT)
    assert _outlined(page) == []  # the district itself is the frame, no area selected
    assert _outlined(_overview(client, "94", SALINITY)[0]) == []


def test_map_update_stays_small(filled) -> None:  # type: ignore[no-untyped-def]
    app, _store = filled
    client = client_for(app)
    client.post("/_dash-update-component", json=payloads.router("/y-te"))
    spec = PAGES_BY_DOMAIN["health"]
    body = next(b for b in payloads.domain_page(app, spec, "94", "7d") if "map-legend" in str(b))
    response = client.post("/_dash-update-component", json=body)
    assert len(response.data) < 20_000
    assert "geometry" not in response.get_data(as_text=True)


def _number(value: float) -> str:
    from i18n.formatting import format_number

    return format_number(value, "vi", 0)
