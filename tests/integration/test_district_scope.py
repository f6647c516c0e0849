"""A district centre's own view over HTTP, signed in for real: its entry URL, its area picker,
its map's boundaries, and the refusals (audited) of anything outside it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dash import Dash

from dashboards import create_app
from dashboards.context import scope_for
from settings import load_settings
from store import Store
from store.accounts import Accounts, AuditFilter
from store.scope import ScopeError
from tests.conftest import Clock
from tests.fixtures.auth import client_for

pytestmark = pytest.mark.integration
GEO = Path(__file__).resolve().parents[3] / "shared" / "geo"
HOME, OTHER = "941", "942"


@pytest.fixture
def app(sqlite_store: Store, tmp_path: Path) -> Iterator[Dash]:
    config = tmp_path / "config.yaml"
    config.write_text(f'version: 1\ngeography:\n  directory: "{GEO}"\n', encoding="utf-8")
    yield create_app(load_settings(config, env={}), sqlite_store, clock=Clock())


def _denials(app: Dash) -> list[Any]:
    accounts = Accounts(app.server.extensions["ioc"].store.engine)
    return list(accounts.audit_entries(AuditFilter(action="access.denied")).entries)


def test_the_entry_url_opens_the_own_district_and_refuses_another(app: Dash) -> None:
    district = client_for(app, "district", HOME)
    assert district.get(f"/huyen/{HOME}").headers["Location"].endswith(f"/?area={HOME}")
    assert _denials(app) == []
    refused = district.get(f"/huyen/{OTHER}")
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/?area={HOME}")
    (entry,) = _denials(app)
    assert entry.outcome == "denied" and OTHER in entry.target and entry.actor
    assert district.get("/huyen/31498").status_code == 404  # a commune is no district's entry
    leader = client_for(app, "leader")
    assert leader.get(f"/huyen/{OTHER}").headers["Location"].endswith(f"/?area={OTHER}")


def test_the_district_sees_only_its_boundaries(app: Dash) -> None:
    areas = app.server.extensions["ioc"].queries.areas
    district = client_for(app, "district", HOME)
    layer = json.loads(district.get("/geo/commune.geojson").data)
    codes = {f["properties"]["code"] for f in layer["features"]}
    assert codes and codes <= set(areas.descendants(HOME))
    whole = json.loads(client_for(app, "leader").get("/geo/commune.geojson").data)
    assert len(whole["features"]) > len(codes)
    districts = json.loads(district.get("/geo/district.geojson").data)
    assert [f["properties"]["code"] for f in districts["features"]] == [HOME]


def test_the_area_picker_lists_only_the_district_and_its_communes(app: Dash) -> None:
    areas = app.server.extensions["ioc"].queries.areas
    district = client_for(app, "district", HOME)
    route = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/y-te"},
            {"id": "_pages_location", "property": "search", "value": f"?area={OTHER}"},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    page = district.post("/_dash-update-component", json=route)
    text = page.get_data(as_text=True)
    picker = json.loads(text)["response"]["_pages_content"]["children"]
    options = _picker_options(picker)
    assert {o["value"] for o in options} == {HOME, *areas.children(HOME)}
    assert any(OTHER in e.target for e in _denials(app))  # the page asked for another district
    shown = json.dumps(picker, ensure_ascii=False)
    assert "Về toàn Thành phố Sóc Trăng" in shown and "Về toàn tỉnh" not in shown  # map's top
    leader = client_for(app, "leader").post("/_dash-update-component", json=route).get_json()
    assert "Về toàn tỉnh" in json.dumps(leader, ensure_ascii=False)


def _picker_options(tree: Any) -> list[dict[str, Any]]:
    if isinstance(tree, list):
        return next((found for item in tree if (found := _picker_options(item))), [])
    if not isinstance(tree, dict):
        return []
    props = tree.get("props") or {}
    if isinstance(props.get("id"), dict) and props["id"].get("param") == "area":
        return list(props.get("options") or [])
    return next((found for v in props.values() if (found := _picker_options(v))), [])


def test_healthz_details_are_for_province_roles(app: Dash) -> None:
    district = client_for(app, "district", HOME).get("/healthz").get_json()
    assert set(district) == {"status"}
    assert any("healthz" in e.target for e in _denials(app))
    assert "feeds" in client_for(app, "operator").get("/healthz").get_json()


def test_a_request_with_nobody_signed_in_is_scoped_to_nothing(app: Dash) -> None:
    """Behind the sign-in guard too: a request without a visitor folds in no area at all."""
    with app.server.test_request_context(f"/?area={HOME}"):
        scope = scope_for(HOME, "30d")
        assert scope.permits_nothing and scope.area == ""
        with pytest.raises(ScopeError, match="nothing is permitted"):
            app.server.extensions["ioc"].queries.kpis(scope, ["tourism.visitors"])
    assert any(HOME in e.target for e in _denials(app))
