"""In Chromium, per role: the menu lists only the pages the role may open; a district user's
map is framed on their district, their area picker lists only it and its communes, their
tables and tiles hold only their areas (with the province's public figures as context); and a
person signs in through the provider's own login form (a real OIDC server on 127.0.0.1)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from dashboards import create_app
from i18n import t
from settings import load_settings
from store import Store
from store.accounts import Accounts
from store.catalog import METRICS_BY_KEY
from tests.browser.conftest import APP_PORT, SHARED_GEO, screenshot
from tests.browser.test_overview import wait_for
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import start_signed_in
from tests.fixtures.oidc_provider import (
    OidcProvider,
    ProviderClient,
    ProviderUser,
    running_provider,
)

pytestmark = pytest.mark.browser
HOME = "941"
FEEDS, AUDIT = "/nguon-du-lieu", "/quan-tri/nhat-ky"
DOMAIN_PAGES = 10
# the menu's operator and admin pages, by role
EXTRA_PAGES = {
    "admin": {FEEDS, AUDIT},
    "operator": {FEEDS},
    "leader": set(),
    "district": set(),
}
PICKER = {"page": "health", "param": "area", "type": "url-param"}
# The props of the component with this id, read from Dash's own store of the layout.
PROPS_JS = """
const want = JSON.stringify(arguments[0]);
const sorted = (o) => JSON.stringify(Object.keys(o).sort().reduce((a, k) => (a[k] = o[k], a), {}));
function walk(node) {
    if (!node || typeof node !== 'object') { return null; }
    if (Array.isArray(node)) {
        for (const child of node) { const f = walk(child); if (f) { return f; } }
        return null;
    }
    const props = node.props;
    if (props && props.id && typeof props.id === 'object' && sorted(props.id) === want) {
        return props;
    }
    for (const value of Object.values(props || node)) {
        const f = walk(value); if (f) { return f; }
    }
    return null;
}
return walk(window.store.getState().layout);
"""
MAP_JS = """
const gd = document.querySelector('[data-testid=area-map] .js-plotly-plot');
if (!gd || !gd._fullLayout || !gd._fullLayout.geo || !gd._fullData.length) { return null; }
const subplot = gd._fullLayout.geo._subplot;  // none yet while Plotly redraws the map
if (!subplot || !subplot.projection) { return null; }
const size = gd._fullLayout._size, proj = subplot.projection;
// what the frame shows: its south-west and north-east corners, back in degrees
const sw = proj.invert([size.l, size.t + size.h]), ne = proj.invert([size.l + size.w, size.t]);
return {west: sw[0], south: sw[1], east: ne[0], north: ne[1],
        locations: gd._fullData.flatMap(t => t.locations || [])};
"""


def _shot(driver: Any, name: str) -> None:
    screenshot(driver, f"access10_{name}")
    driver.save_screenshot(f"/tmp/access10_{name}.png")


def _menu(dash_duo: Any) -> set[str]:
    wait_for(lambda: dash_duo.find_elements(".side-link"))
    return {e.get_attribute("href").split("//", 1)[1].split("/", 1)[1] for e in
            dash_duo.find_elements("a.side-link")}  # fmt: skip


@pytest.mark.parametrize("role", ["admin", "operator", "leader", "district"])
def test_the_menu_lists_only_the_roles_pages(dash_duo, demo_app, role: str) -> None:  # type: ignore[no-untyped-def]
    start_signed_in(dash_duo, demo_app, role, HOME if role == "district" else None, port=APP_PORT)
    driver, base = dash_duo.driver, dash_duo.server_url
    driver.set_window_size(1920, 1080)
    driver.get(f"{base}/")
    dash_duo.wait_for_element(".page-title", timeout=15)
    links = {f"/{path}" for path in _menu(dash_duo)}
    extra = {FEEDS, AUDIT} & links
    assert extra == EXTRA_PAGES[role], links
    assert len(links - extra) >= DOMAIN_PAGES + 1  # the overview and the ten domains
    _shot(driver, f"menu_{role}")
    for path in {FEEDS, AUDIT} - EXTRA_PAGES[role]:  # typed by hand: refused, not shown
        driver.get(f"{base}{path}")  # the server's refusal page, before any Dash
        notice = wait_for(_found(driver, ".signin-card .alert-warning"))
        assert notice[0].text == t("auth.forbidden", "vi")
        assert not driver.find_elements(By.CSS_SELECTOR, ".side-link")
        _shot(driver, f"refused_{role}_{path.strip('/').replace('/', '_')}")
    assert [e for e in dash_duo.get_logs() if "403" not in e["message"]] == []


def _bounds(code: str) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a district's outline in the shared GIS layer."""
    layer = json.loads((SHARED_GEO / "districts_from_communes.geojson").read_text("utf-8"))
    points: list[tuple[float, float]] = []

    def collect(coords: Any) -> None:
        if isinstance(coords[0], int | float):
            points.append((coords[0], coords[1]))
        else:
            for item in coords:
                collect(item)

    for feature in layer["features"]:
        if feature["properties"]["code"] == code:
            collect(feature["geometry"]["coordinates"])
    assert points, code
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def test_a_district_user_sees_their_district_only(dash_duo, demo_app, demo_store: Store) -> None:  # type: ignore[no-untyped-def]
    areas = demo_store.queries.areas
    own = set(areas.descendants(HOME)) | {HOME}
    others = {c for c in areas.by_code if c not in own and c != areas.root}
    start_signed_in(dash_duo, demo_app, "district", HOME, port=APP_PORT)
    driver, base = dash_duo.driver, dash_duo.server_url
    driver.set_window_size(1920, 1080)
    other = next(c for c in areas.children(areas.root) if c != HOME)
    driver.get(f"{base}/y-te?area={other}")  # another district asked for by URL
    found = wait_for(
        lambda: (
            driver.execute_script(
                MAP_JS,
            )
            or None
        )
    )
    # the map: only the district's communes, framed on the district
    found = wait_for(
        lambda: (m := driver.execute_script(MAP_JS)) and set(m["locations"]) <= own and m
    )
    assert set(found["locations"]) & set(areas.children(HOME))
    west, south, east, north = _bounds(HOME)
    view = (found["west"], found["south"], found["east"], found["north"])
    assert view[0] <= west and view[1] <= south and east <= view[2] and north <= view[3], view
    # framed on the district: its height fills the frame, and the province does not fit in it
    assert (north - south) > 0.8 * (view[3] - view[1]), view
    wp, sp, ep, np_ = _bounds_of_province()
    assert wp < view[0] or sp < view[1] or ep > view[2] or np_ > view[3], view
    # the area picker: the district, then its communes; nothing else
    picker = driver.execute_script(PROPS_JS, PICKER)
    values = [o["value"] for o in picker["options"]]
    assert values[0] == HOME and set(values) == own and picker["value"] in (HOME, None)
    # the table of the district's communes, and the page text: no other district's names
    rows = wait_for(lambda: dash_duo.find_elements(".ag-center-cols-container .ag-row"))
    assert rows
    text = driver.execute_script("return document.body.innerText")
    other_names = {areas.get(c).name_vi for c in others} - {areas.get(c).name_vi for c in own}
    shown = [n for n in other_names if _word_in(n, text)]
    assert shown == [], shown
    assert areas.get(HOME).name_vi in text
    # tiles: the province's value beside the district's, for public metrics only
    tiles = dash_duo.find_elements("[data-kpi]")
    for tile in tiles:
        key = tile.get_attribute("data-kpi")
        context = tile.find_elements(By.CSS_SELECTOR, "[data-province]")
        public = key in METRICS_BY_KEY and METRICS_BY_KEY[key].public
        assert bool(context) == public, key
        if context:
            assert context[0].text.startswith("Toàn tỉnh: ")
    _shot(driver, "district_health")
    driver.execute_script(
        "document.querySelector('[data-testid=area-map]').scrollIntoView({block: 'center'});"
    )
    _shot(driver, "district_map")
    driver.get(f"{base}/phan-anh-kien-nghi")
    wait_for(lambda: dash_duo.find_elements("[data-kpi]"))
    assert dash_duo.find_elements("[data-province]") == []  # feedback: never public
    _shot(driver, "district_feedback")
    assert [e for e in dash_duo.get_logs() if "204" not in e["message"]] == []


def _bounds_of_province() -> tuple[float, float, float, float]:
    layer = json.loads((SHARED_GEO / "districts_from_communes.geojson").read_text("utf-8"))
    codes = [f["properties"]["code"] for f in layer["features"]]
    boxes = [_bounds(c) for c in codes]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _word_in(name: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


# -- SSO ------------------------------------------------------------------------------------
CLIENT_ID, SECRET = "ioc-dashboard", "browser-test-client-secret"
PERSON = ProviderUser(
    sub="p-941",
    password="pw-district-centre",
    claims={"preferred_username": "huyen941", "name": "Trung tâm huyện 941"},
)


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    base = f"http://localhost:{APP_PORT}"
    client = ProviderClient(
        client_id=CLIENT_ID, client_secret=SECRET, redirect_uris=(f"{base}/dang-nhap/sso",)
    )
    with running_provider({"huyen941": PERSON}, {CLIENT_ID: client}) as running:
        yield running


def _sso_app(demo_settings: Any, store: Store, provider: OidcProvider, tmp_path: Path) -> Any:
    config = tmp_path / "config.yaml"
    config.write_text(
        "version: 1\n"
        f'database:\n  url: "{demo_settings.database.url}"\n'
        f'geography:\n  directory: "{SHARED_GEO}"\n'
        "sso:\n  enabled: true\n"
        f"  issuer: {provider.issuer}\n  base_url: http://localhost:{APP_PORT}\n"
        f"  client_id: {CLIENT_ID}\n  client_secret: ${{SSO_SECRET}}\n"
        "  allow_jit_users: false\n  role_claim: null\n",
        encoding="utf-8",
    )
    settings = load_settings(config, env={"SSO_SECRET": SECRET})
    return create_app(settings, store, clock=Clock(FIXED_NOW))


def test_an_sso_sign_in_in_the_browser(  # type: ignore[no-untyped-def]
    dash_duo, demo_settings, demo_store: Store, provider: OidcProvider, tmp_path: Path
) -> None:
    accounts = Accounts(demo_store.engine)
    if accounts.user("huyen941") is None:
        accounts.create_user(
            username="huyen941", role="district", area_code=HOME, now=datetime.now(UTC)
        )
    app = _sso_app(demo_settings, demo_store, provider, tmp_path)
    dash_duo.start_server(app, navigate=False, port=APP_PORT)
    driver, base = dash_duo.driver, dash_duo.server.url
    driver.set_window_size(1920, 1080)
    driver.get(f"{base}/y-te")
    wait_for(lambda: "/dang-nhap" in driver.current_url)
    _shot(driver, "sso_signin_page")
    driver.find_element(By.CSS_SELECTOR, "[data-testid=signin-sso]").click()
    form = wait_for(_found(driver, "[data-testid=provider-login]"))[0]
    assert driver.current_url.startswith(provider.issuer)  # the provider's own page
    form.find_element(By.NAME, "username").send_keys("huyen941")
    form.find_element(By.NAME, "password").send_keys(PERSON.password)
    _shot(driver, "sso_provider_login")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(lambda: driver.current_url == f"{base}/y-te")
    dash_duo.wait_for_element(".page-title", timeout=15)
    picker = wait_for(lambda: driver.execute_script(PROPS_JS, PICKER))
    assert picker["options"][0]["value"] == HOME  # the session is the district user's
    assert {FEEDS, AUDIT}.isdisjoint({f"/{p}" for p in _menu(dash_duo)})
    _shot(driver, "sso_signed_in")


def _found(driver: Any, css: str) -> Callable[[], list[Any]]:
    return lambda: driver.find_elements(By.CSS_SELECTOR, css)
