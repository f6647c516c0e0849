"""A district user's tiles carry the province's own value of public metrics as context, read
through the one scoped path; a non-public metric's province total never reaches them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dash import Dash

from dashboards import create_app, payloads
from feeds.runner import FeedRunner
from i18n.formatting import format_value
from i18n.names import metric_unit
from settings import FeedConfig, load_settings
from store import Store
from store.catalog import METRICS_BY_KEY
from store.scope import ScopeError, Window, scope_within
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import client_for

pytestmark = pytest.mark.integration
HOME = "941"
WINDOW = "7d"


@pytest.fixture
def app(store: Store, tmp_path: Path) -> Dash:
    simulator = {"id": "simulator", "type": "simulator", "interval": 60, "timeout": 600}
    config = FeedConfig.model_validate(simulator | {"options": {"backfill_days": 8}})
    assert FeedRunner(store, [config], clock=Clock()).run("simulator").status == "ok"
    path = tmp_path / "config.yaml"
    path.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    return create_app(load_settings(path, env={}), store, clock=Clock())


def _tiles(app: Dash, role: str, area: str, page: str) -> dict[str, str | None]:
    """Each tile's key and its "Toàn tỉnh: …" text (None when it has none), as served."""
    client = client_for(app, role, HOME if role == "district" else None)
    answer = client.post("/_dash-update-component", json=payloads.kpis(page, area, WINDOW))
    assert answer.status_code == 200, answer.data[:300]
    tiles = answer.get_json()["response"][next(iter(answer.get_json()["response"]))]["children"]
    found: dict[str, str | None] = {}
    for tile in tiles:
        props = tile["props"]
        lines = [c for c in props["children"] if c and "data-province" in c["props"]]
        found[props["data-kpi"]] = lines[0]["props"]["children"] if lines else None
    return found


def _province(store: Store, key: str) -> str:
    """The province's value of `key` over the window, read as a province user would, shown."""
    whole = scope_within(store.queries.areas.root, Window.parse(WINDOW, FIXED_NOW))
    value = store.queries.kpis(whole, [key])[key].value
    assert value is not None, key
    metric = METRICS_BY_KEY[key]
    return format_value(value, metric_unit(metric, "vi"), "vi", metric.decimals)


@pytest.mark.parametrize("page", ["public_services", "socio_economic", "feedback", "cameras"])
def test_public_tiles_show_the_province_value_and_private_ones_do_not(
    app: Dash, store: Store, page: str
) -> None:
    tiles = _tiles(app, "district", HOME, page)
    assert tiles
    for key, line in tiles.items():
        metric = METRICS_BY_KEY[key]
        if metric.public:
            assert line == f"Toàn tỉnh: {_province(store, key)}", key
        else:
            assert line is None, key


def test_no_private_province_total_appears_anywhere_in_the_answer(app: Dash, store: Store) -> None:
    """The feedback page's tiles for 941 hold none of the province's own totals (the district's
    own values differ from them), while a leader at the province is shown them."""
    keys = ["feedback.received", "feedback.resolved", "public_services.pending"]
    # a tile sends its number as a child string of its own: look for exactly that string
    shown = {k: json.dumps(_province(store, k).split(" ")[0]) for k in keys}
    for page in ("feedback", "public_services"):
        client = client_for(app, "district", HOME)
        body = client.post("/_dash-update-component", json=payloads.kpis(page, HOME, WINDOW))
        text = body.get_data(as_text=True)
        for key in keys:
            if key.startswith(page):
                assert shown[key] not in text, key
        leader = client_for(app, "leader")
        whole = leader.post("/_dash-update-component", json=payloads.kpis(page, "94", WINDOW))
        for key in keys:  # the control: the same text is what the province's tile shows
            if key.startswith(page):
                assert shown[key] in whole.get_data(as_text=True), key


def test_a_tile_at_the_province_has_no_context_line(app: Dash) -> None:
    assert set(_tiles(app, "leader", "94", "socio_economic").values()) == {None}
    leader_at_home = _tiles(app, "leader", HOME, "socio_economic")
    assert all(line and line.startswith("Toàn tỉnh: ") for line in leader_at_home.values())


def test_the_store_refuses_a_private_province_read(app: Dash) -> None:
    queries = app.server.extensions["ioc"].queries
    district = scope_within(HOME, Window.parse(WINDOW, FIXED_NOW))
    with pytest.raises(ScopeError, match="not public"):
        queries.province_kpis(district.province_context(["feedback.received"]))
    read = queries.province_kpis(district.province_context(["socio_economic.budget_revenue"]))
    assert set(read) == {"socio_economic.budget_revenue"}
    assert read["socio_economic.budget_revenue"].value is not None
    with pytest.raises(ScopeError, match="nothing is permitted"):
        scope_within(None, Window.parse(WINDOW, FIXED_NOW)).province_context([])
