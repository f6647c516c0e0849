"""The leak test: every Dash callback of the app's own callback map and every Flask route of its
URL map, called as a `district` user for 941 with inputs naming another district, the
province, a commune or a camera of another district, and malformed values. No answer may hold
a code, name, asset or event of another district, and each refusal must be audited."""

from __future__ import annotations

import contextlib
import functools
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dash
import pytest
from dash import Dash
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from access.tokens import issue
from access.web.permissions import restrictions
from dashboards import create_app, payloads
from dashboards.wall_state import screen_pages
from feeds.runner import FeedRunner
from settings import FeedConfig, load_settings
from store import Store
from store.accounts import Accounts, AuditFilter
from store.catalog import DOMAINS
from store.scope import Window, scope_within
from tests.conftest import FIXED_NOW, PG_URL, Clock
from tests.fixtures.auth import TEST_ORIGIN, client_for

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
HOME = "941"
DENIED = "access.denied"
CASES = ("other_district", "province", "other_commune", "other_camera", "malformed")
MALFORMED: tuple[Any, ...] = (
    "<script>alert(1)</script>",
    {"__proto__": {"x": 1}, "area": ["94"]},
    -1,
    "9" * 3000,
    None,
    "2026-13-40..x",
    ["942", {"customdata": "942"}],
)
ROUTER = "_pages_content.children"
CALLBACK = "/_dash-update-component"
TICKS = ("n_intervals", "n_clicks")  # a refresh or a button: the callback reads the area anew
AREA_PARAM = '"param": "area", "type": "url-param"}.value'
SKIP_ROUTES = ("/static/", "/_dash-component-suites/", "/_reload-hash")


# -- the world: a simulated province, the app over it, what 941 must never see ------------------
@dataclass
class World:
    app: Dash
    store: Store
    forbidden: set[str]
    targets: dict[str, Any]
    calls: int = 0
    callbacks: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    schema = f"ioc_leak_{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('leak') / 'ioc.db'}")
    else:
        request.getfixturevalue("pg_server")
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        store = Store.open(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    simulator = {"id": "simulator", "type": "simulator", "interval": 60, "timeout": 600}
    config = FeedConfig.model_validate(simulator | {"options": {"backfill_days": 3}})
    assert FeedRunner(store, [config], clock=Clock()).run("simulator").status == "ok"
    path = tmp_path_factory.mktemp("cfg") / "config.yaml"
    geo = ROOT.parent / "shared" / "geo"
    path.write_text(f'version: 1\ngeography:\n  directory: "{geo}"\n', encoding="utf-8")
    app = create_app(load_settings(path, env={}), store, clock=Clock())
    yield World(app, store, *_forbidden(store))
    store.engine.dispose()
    if request.param == "postgresql":
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _forbidden(store: Store) -> tuple[set[str], dict[str, Any]]:
    """Every code, name, asset and event of an area outside 941 that 941's own areas (and the
    province's name) do not share, and the values the cases send."""
    areas = store.queries.areas
    inside = {areas.root, *areas.descendants(HOME)}
    outside = [c for c in areas.by_code if c not in inside]
    assert outside and len(inside) > 2

    def names(code: str) -> set[str]:
        unit = areas.get(code)
        found = {unit.name_vi, unit.name_en, unit.short_name_vi, unit.short_name_en}
        return {n for n in found if n}

    allowed = set().union(*(names(c) for c in inside))
    forbidden = {f'"{c}"' for c in outside}  # codes travel as strings; a page echoes its URL
    forbidden |= {n for c in outside for n in names(c) if n not in allowed and len(n) >= 4}
    whole = scope_within(areas.root, Window.last_days(30, FIXED_NOW))
    places = [p for d in DOMAINS for p in store.queries.assets(whole, d.key)]
    places += [p for d in DOMAINS for p in store.queries.events(whole, d.key, limit=10**6)]
    own = {p.name for p in places if p.area in inside} | {
        p.source_id for p in places if p.area in inside
    }
    for place in places:
        if place.area not in inside:
            forbidden |= {v for v in (place.source_id, place.name) if v not in own and len(v) >= 4}
    other = next(c for c in areas.children(areas.root) if c != HOME)
    cameras = [p for p in places if p.kind == "camera" and p.area not in inside]
    assert cameras, "the simulator places cameras in other districts"
    targets = {
        "other_district": other,
        "province": areas.root,
        "other_commune": areas.children(other)[0],
        "other_camera": cameras[0].source_id,
    }
    return forbidden, targets


# -- calling ---------------------------------------------------------------------------------
def denials(world: World) -> int:
    return Accounts(world.store.engine).audit_entries(AuditFilter(action=DENIED), limit=1).total


def leaked(world: World, body: bytes) -> list[str]:
    """The forbidden tokens in a response (JSON is read back so escapes do not hide names)."""
    raw = body.decode("utf-8", "replace")
    with contextlib.suppress(ValueError):
        raw = json.dumps(json.loads(raw), ensure_ascii=False)
    # whole tokens only: "… Phường 1" of another district is not inside 941's "… Phường 10"
    return sorted(t for t in world.forbidden if t in raw and _whole(t).search(raw))


@functools.cache
def _whole(token: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(token)}(?!\w)")


def _check(world: World, label: str, status: int, body: bytes, before: int, audited: bool) -> None:
    world.calls += 1
    found = leaked(world, body)
    if found:
        world.problems.append(f"{label}: leaks {found[:5]}")
    if status >= 500:
        world.problems.append(f"{label}: status {status}")
    if audited and denials(world) <= before:
        world.problems.append(f"{label}: refused without an audit entry")


# -- the component ids each page renders, read over HTTP as the district user ----------------
def _components(tree: Any) -> Iterator[dict[str, Any]]:
    if isinstance(tree, list):
        for item in tree:
            yield from _components(item)
    elif isinstance(tree, dict):
        if "props" in tree and "type" in tree:
            yield tree
        for value in (tree.get("props") or {}).values() if "props" in tree else tree.values():
            yield from _components(value)


# Views whose components exist only in one variant of a page: the feed form for a type whose
# options hold a choice (http_json's auth kinds), so its MATCH callback has ids to aim at.
VARIANT_VIEWS = (("/nguon-du-lieu/moi", "?type=http_json"),)


def _page_paths(app: Dash) -> list[str]:
    playlists = list(app.server.extensions["ioc"].settings.wall.playlists)
    paths = []
    for page in dash.page_registry.values():
        template = page.get("path_template")
        paths.append(template.replace("<playlist>", playlists[0]) if template else page["path"])
    return paths


def _router_call(path: str, search: str) -> dict[str, Any]:
    return {
        "output": f"..{ROUTER}..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def discovered_ids(world: World, client: FlaskClient) -> dict[str, dict[str, Any]]:
    """Every component id (as sorted JSON) of the shell and of every page, with its props."""
    found: dict[str, dict[str, Any]] = {}
    trees = [client.get("/_dash-layout").get_json()]
    for path in _page_paths(world.app):
        answer = client.post("/_dash-update-component", json=_router_call(path, f"?area={HOME}"))
        trees.append(answer.get_json())
    for path, search in VARIANT_VIEWS:
        answer = client.post("/_dash-update-component", json=_router_call(path, search))
        trees.append(answer.get_json())
    for tree in trees:
        for component in _components(tree):
            cid = component["props"].get("id")
            if cid is not None:
                found[_key(cid)] = component["props"]
    return found


def _key(cid: Any) -> str:
    return json.dumps(cid, sort_keys=True) if isinstance(cid, dict) else str(cid)


# -- building each callback's requests from the callback map ---------------------------------
def _pattern(raw: str) -> Any:
    return json.loads(raw) if raw.startswith("{") else raw


def _matches(pattern: Any, cid: Any, bound: dict[str, Any]) -> bool:
    if not isinstance(pattern, dict):
        return pattern == cid
    if not isinstance(cid, dict) or set(cid) != set(pattern):
        return False
    for name, want in pattern.items():
        if want == ["MATCH"] and name in bound and bound[name] != cid[name]:
            return False
        if not isinstance(want, list) and want != cid[name]:
            return False
    return True


def _bindings(specs: list[dict[str, Any]], ids: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each assignment of the MATCH wildcards under which every spec names a rendered id."""
    first = next((s for s in specs if "MATCH" in s["id"]), None)
    if first is None:
        return [{}]
    pattern = _pattern(first["id"])
    options = []
    for raw in ids:
        cid = _pattern(raw)
        if _matches(pattern, cid, {}):
            options.append({k: cid[k] for k, v in pattern.items() if v == ["MATCH"]})
    return [b for b in options if all(_resolve(s, ids, b) is not None for s in specs)]


def _resolve(spec: dict[str, Any], ids: dict[str, dict[str, Any]], bound: dict[str, Any]) -> Any:
    """The concrete id(s) a spec names under `bound`: one id, a list for ALL, or None."""
    pattern = _pattern(spec["id"])
    found = [_pattern(raw) for raw in ids if _matches(pattern, _pattern(raw), bound)]
    if isinstance(pattern, dict) and any(v == ["ALL"] for v in pattern.values()):
        return found
    if not found and not isinstance(pattern, dict):
        return pattern  # an id outside the pages (the router's location, the shell's own)
    return found[0] if found else None


def _carrier(cid: Any, prop: str) -> str | None:
    """What a value names, where it names an area or a camera the scope must check."""
    param = cid.get("param") if isinstance(cid, dict) else None
    if prop == "value" and param in ("area", "camera"):
        return str(param)
    if prop == "clickData":
        return "area"
    if prop == "search" or (cid == "wall-spec" and prop == "data"):
        return "area"
    if prop in ("cellClicked", "virtualRowData"):
        return "camera"
    return None


def _value(world: World, case: str, cid: Any, prop: str, base: Any, index: int) -> tuple[Any, bool]:
    """The value sent for one input in one case, and whether it asks for something refused."""
    if case == "malformed":
        return MALFORMED[index % len(MALFORMED)], False
    carrier = _carrier(cid, prop)
    target = world.targets[case]
    wants = "camera" if case == "other_camera" else "area"
    if carrier != wants:
        if prop in ("n_clicks", "n_intervals"):
            return 1, False
        return base, False
    if prop == "clickData":
        return {"points": [{"customdata": target, "location": target, "pointIndex": 0}]}, True
    if prop == "search":
        return f"?area={target}", True
    if prop == "data":
        return {**(base or {}), "area": target}, True
    if prop == "cellClicked":
        return {"rowIndex": 0, "colId": "name", "value": target}, True
    if prop == "virtualRowData":
        return [{"camera": target, "area": world.targets["other_district"]}], False
    return target, True


def callback_requests(
    world: World, ids: dict[str, dict[str, Any]], key: str, case: str
) -> Iterator[tuple[dict, bool]]:
    """The requests for one callback in one case: one per input that can trigger it."""
    spec = world.app.callback_map[key]
    inputs, states = spec["inputs"], spec.get("state", [])
    outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    out_specs = [
        {
            "id": o.component_id_str(),
            "property": o.component_property,
        }
        for o in outputs
    ]
    for bound in _bindings([*inputs, *states, *out_specs], ids):
        sent: list[list[Any]] = [[], []]
        asking: set[str] = set()  # the inputs that name something refused
        for group, specs in enumerate((inputs, states)):
            for index, item in enumerate(specs):
                resolved = _resolve(item, ids, bound)
                entries = resolved if isinstance(resolved, list) else [resolved]
                made = []
                for cid in entries:
                    base = ids.get(_key(cid), {}).get(item["property"])
                    value, wants = _value(world, case, cid, item["property"], base, index)
                    if wants:
                        asking.add(f"{_key(cid)}.{item['property']}")
                    made.append({"id": cid, "property": item["property"], "value": value})
                sent[group].append(made if isinstance(resolved, list) else made[0])
        out = []
        for item in out_specs:
            resolved = _resolve(item, ids, bound)
            out.append(
                [{"id": c, "property": item["property"]} for c in resolved]
                if isinstance(resolved, list)
                else {"id": resolved, "property": item["property"]}
            )
        for trigger in sent[0]:
            first = trigger[0] if isinstance(trigger, list) and trigger else trigger
            if not first:
                continue
            changed = f"{_key(first['id'])}.{first['property']}"
            body = {
                "output": key,
                "outputs": out if len(out) > 1 or key.startswith("..") else out[0],
                "inputs": sent[0],
                "state": sent[1],
                "changedPropIds": [changed],
            }
            ticks = first["property"] in TICKS and any(a.endswith(AREA_PARAM) for a in asking)
            yield body, changed in asking or ticks


def server_callbacks(app: Dash) -> list[str]:
    return [k for k, v in app.callback_map.items() if v.get("callback") is not None]


def run_callbacks(world: World, client: FlaskClient) -> None:
    ids = discovered_ids(world, client)
    assert len(ids) > 50, "the pages render for the district user"
    # Pages the user may not open (the operator console) render no ids for them; an attacker
    # can still name those ids: take them from an admin's view, the user's own come first.
    for key, props in discovered_ids(world, client_for(world.app, "admin")).items():
        ids.setdefault(key, props)
    keys = server_callbacks(world.app)
    assert any(k.startswith(f"..{ROUTER}") for k in keys)
    for key in keys:
        if key.startswith(f"..{ROUTER}"):
            run_router(world, client, ids)
            world.callbacks.add(key)
            continue
        for case in CASES:
            made = 0
            for body, audited in callback_requests(world, ids, key, case):
                before = denials(world)
                answer = client.post("/_dash-update-component", json=body)
                _check(
                    world, f"{key[:60]} [{case}]", answer.status_code, answer.data, before, audited
                )
                made += 1
            if made:
                world.callbacks.add(key)


def run_router(world: World, client: FlaskClient, ids: dict[str, dict[str, Any]]) -> None:
    """Dash's page router, for every registered page with each case in its query string."""
    for path in _page_paths(world.app):
        for case in CASES:
            target = MALFORMED[0] if case == "malformed" else world.targets[case]
            carried = "camera" if case == "other_camera" else "area"
            body = _router_call(path, f"?{carried}={target}")
            before = denials(world)
            answer = client.post("/_dash-update-component", json=body)
            # a page with an area picker (or a wall) reads the area; a camera opens in a callback
            reads_area = '"param": "area"' in json.dumps(answer.get_json()) or "/wall/" in path
            audited = case != "malformed" and carried == "area" and reads_area
            _check(world, f"page {path} [{case}]", answer.status_code, answer.data, before, audited)


# -- the routes ------------------------------------------------------------------------------
def route_urls(world: World, case: str) -> Iterator[tuple[str, bool]]:
    """Every rule of the URL map filled with this case's value, and whether it must be audited."""
    target = MALFORMED[0] if case == "malformed" else world.targets[case]
    for rule in world.app.server.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(SKIP_ROUTES):
            continue
        url, audited = rule.rule, False
        for arg in rule.arguments:
            if arg == "level":
                for level in ("district", "commune", "../etc"):
                    yield url.replace("<level>", level), False
                url = ""
                break
            value = "y-te" if arg == "path" else str(target)
            audited = case != "malformed" and (
                (arg == "camera" and case == "other_camera")
                or (arg == "code" and case in ("other_district",))
            )
            url = url.replace(f"<{arg}>", value).replace(f"<path:{arg}>", value)
        if url:
            query = "" if "?" in url or case == "other_camera" else f"?area={target}"
            yield url + query, audited or url == "/healthz"


def run_routes(world: World, client: FlaskClient, display: bool = False) -> None:
    """Every route in every case; a display session gets only the public liveness answer of
    /healthz (nothing to refuse, so nothing audited) and a refusal of every other page."""
    for case in CASES:
        for url, audited in route_urls(world, case):
            before = denials(world)
            answer = client.get(url)
            if display and url.startswith("/healthz"):
                if (answer.get_json(silent=True) or {}).keys() != {"status"}:
                    world.problems.append(f"GET {url} [{case}]: more than liveness")
                audited = False
            _check(
                world, f"GET {url[:80]} [{case}]", answer.status_code, answer.data, before, audited
            )


# -- the tests -------------------------------------------------------------------------------
def test_the_scan_sees_what_a_province_user_sees(world: World) -> None:
    """The control: as a leader the same store does show other districts, so the scan below
    can fail."""
    client = client_for(world.app, "leader")
    answer = client.post("/_dash-update-component", json=_router_call("/", "?area=94"))
    ids = discovered_ids(world, client)
    key = next(k for k in server_callbacks(world.app) if "overview-map.figure" in k)
    body = next(iter(callback_requests(world, ids, key, "province")))[0]
    shown = client.post("/_dash-update-component", json=body)
    assert answer.status_code == 200 and leaked(world, shown.data), "the scan finds nothing"


def test_no_callback_or_route_answers_a_district_user_with_another_district(world: World) -> None:
    client = client_for(world.app, "district", HOME)
    run_callbacks(world, client)
    run_routes(world, client)
    print(f"leak test: {len(world.callbacks)} callbacks x {len(CASES)} cases, {world.calls} calls")
    missing = sorted(set(server_callbacks(world.app)) - set(world.callbacks))
    assert missing == [], f"callbacks the scan could not aim at: {missing}"
    assert world.problems == [], "\n".join(world.problems)


# -- the wall with display tokens --------------------------------------------------------------
def display_client(world: World, area: str | None) -> tuple[FlaskClient, str]:
    """A wall screen's client after trading a display token bound to `area` for a session;
    returns it with the wall path of the token's playlist."""
    playlist = next(iter(world.app.server.extensions["ioc"].settings.wall.playlists))
    issued = issue(
        Accounts(world.store.engine),
        playlist=playlist,
        area_code=area,
        created_by="tests",
        now=datetime.now(UTC),
        lifetime=None,
    )
    client = world.app.server.test_client()
    client.environ_base["HTTP_ORIGIN"] = TEST_ORIGIN
    answer = client.get(f"/wall/{playlist}?token={issued.secret}")
    assert answer.status_code == 303, answer.data[:300]
    return client, f"/wall/{playlist}"


def wall_callbacks(world: World) -> list[str]:
    keys = restrictions(world.app).wall_callbacks
    return [k for k in server_callbacks(world.app) if k in keys]


def wall_ids(client: FlaskClient, wall: str, search: str) -> dict[str, dict[str, Any]]:
    """The component ids of the shell and of the wall page, as the display session gets them."""
    trees = [client.get("/_dash-layout").get_json()]
    trees.append(client.post(CALLBACK, json=_router_call(wall, search)).get_json())
    return {
        _key(c["props"]["id"]): c["props"]
        for tree in trees
        for c in _components(tree)
        if c["props"].get("id") is not None
    }


def run_wall(world: World, client: FlaskClient, wall: str, home: str) -> None:
    """Every wall callback in every case, and the wall page itself with each case in its URL."""
    ids = wall_ids(client, wall, f"?area={home}")
    assert any("wall-spec" in k for k in ids), "the wall renders for the display session"
    for key in wall_callbacks(world):
        for case in CASES:
            for body, audited in callback_requests(world, ids, key, case):
                before = denials(world)
                answer = client.post(CALLBACK, json=body)
                label = f"wall {key[:60]} [{case}]"
                _check(world, label, answer.status_code, answer.data, before, audited)
                world.callbacks.add(key)
    for case in CASES:
        target = MALFORMED[0] if case == "malformed" else world.targets[case]
        before = denials(world)
        answer = client.post(CALLBACK, json=_router_call(wall, f"?area={target}"))
        audited = case not in ("malformed", "other_camera")
        _check(world, f"{wall} [{case}]", answer.status_code, answer.data, before, audited)


def test_a_district_display_token_sees_only_its_district(world: World) -> None:
    client, wall = display_client(world, HOME)
    world.callbacks.clear()
    world.problems.clear()
    world.calls = 0
    run_wall(world, client, wall, HOME)
    run_routes(world, client, display=True)  # the rest: refused (audited) or inside 941
    covered = len(world.callbacks)
    print(
        f"leak test, display token: {covered} wall callbacks + the wall page x {len(CASES)}"
        f" cases, {world.calls} calls"
    )
    assert covered == len(wall_callbacks(world)) and covered >= 2
    assert world.problems == [], "\n".join(world.problems)
    # the control: this session's wall does show 941's own values and name
    playlist = wall.removeprefix("/wall/")
    pages = screen_pages(world.app.server.extensions["ioc"].settings.wall.playlists[playlist], 1)[0]
    slots = [i for i, p in enumerate(pages) if p.page != "map"]
    maps = [i for i, p in enumerate(pages) if p.page == "map"]
    spec = {"playlist": playlist, "screen": 1, "area": HOME, "lang": "vi"}
    shown = client.post(CALLBACK, json=payloads.wall_refresh(spec, slots, maps))
    assert shown.status_code == 200 and b"kpi-value" in shown.data
    home = world.store.queries.areas.get(HOME).name_vi
    assert home in json.dumps(shown.get_json(), ensure_ascii=False)


def test_a_display_token_bound_to_a_commune_sees_nothing(world: World) -> None:
    """A token's area must be a district (as a district user's is); a commune fails closed:
    the wall, its refresh (asked for any area) and its other callbacks show no area, value or
    asset of anywhere, say so plainly, and are audited."""
    areas = world.store.queries.areas
    commune = areas.children(HOME)[0]
    client, wall = display_client(world, commune)
    everything = {f'"{c}"' for c in areas.by_code if c != areas.root}
    everything |= {
        n
        for c in areas.by_code
        if c != areas.root
        for n in (areas.get(c).name_vi, areas.get(c).name_en)
        if n and len(n) >= 4
    }
    nothing = World(world.app, world.store, everything, world.targets)
    refused = "Phiên này không được phép xem dữ liệu của khu vực nào."
    for search in ("", f"?area={commune}", f"?area={HOME}", f"?area={areas.root}"):
        before = denials(world)
        answer = client.post(CALLBACK, json=_router_call(wall, search))
        _check(nothing, f"{wall}{search}", answer.status_code, answer.data, before, True)
        assert refused in json.dumps(answer.get_json(), ensure_ascii=False)
    playlist = wall.removeprefix("/wall/")
    chosen = world.app.server.extensions["ioc"].settings.wall.playlists[playlist]
    pages = screen_pages(chosen, 1)[0]  # what screen 1 shows, as its refresh names them
    slots = [i for i, p in enumerate(pages) if p.page != "map"]
    maps: list[int] = []  # a state that permits nothing has no map (asking for one is a 400)
    for area in (commune, HOME, areas.root, *MALFORMED[:2]):
        spec = {"playlist": playlist, "screen": 1, "area": area, "lang": "vi"}
        before = denials(world)
        answer = client.post(CALLBACK, json=payloads.wall_refresh(spec, slots, maps))
        asks = isinstance(area, str) and area in areas  # malformed ones are refused as input
        _check(nothing, f"refresh {area!r:.40}", answer.status_code, answer.data, before, asks)
        assert b"kpi-value" not in answer.data
        if asks:
            assert refused in json.dumps(answer.get_json(), ensure_ascii=False)
    ids = wall_ids(client, wall, "")
    for key in wall_callbacks(world):
        for case in CASES:
            for body, _ in callback_requests(nothing, ids, key, case):
                answer = client.post(CALLBACK, json=body)
                _check(nothing, f"{key[:60]} [{case}]", answer.status_code, answer.data, 0, False)
    assert nothing.calls > 8
    assert nothing.problems == [], "\n".join(nothing.problems)
