"""The wall display: /wall/<playlist>[/<screen>], rotating pages for screens nobody touches.

The browser decides which page shows from the wall clock and the playlist (wall.js), so
every screen of a wall agrees and a reload changes nothing. The server sends data only:
one refresh callback per interval returns just the items whose content changed, computed
once per scope and data version for all the clients that share them.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Dash, Input, Output, State, dcc, html, no_update

from dashboards.context import current_lang, demo_active, narrowed, permitted_scope, services
from dashboards.denials import record_denial
from dashboards.guard import Refused
from dashboards.pages.overview import graph_config
from dashboards.specs import PAGES_BY_DOMAIN
from dashboards.wall_state import (
    Entry,
    ScreenState,
    WallRequest,
    page_name,
    screen_pages,
    screen_state,
)
from i18n import t
from settings import Playlist, WallPage
from store.scope import Window
from ui.wall import SlotFrame, slot_title, wall_frame, wall_map_figure

ITEMS = "wall-items"
MAP = "wall-map"


def register(app: Dash) -> None:
    dash.register_page(
        "wall",
        path_template="/wall/<playlist>",  # also /wall/<playlist>/<screen>: Dash's variable
        name="Wall",  # takes the rest of the path, split in the layout
        title="IOC Sóc Trăng · Wall",
        layout=layout,
        nav=False,
        order=900,
    )
    _register_callbacks(app)


def layout(playlist: str | None = None, area: str | None = None, **_: Any) -> html.Div:
    svc, lang = services(), current_lang()
    name, _sep, screen = (playlist or "").partition("/")
    playlists = svc.settings.wall.playlists
    chosen = playlists.get(name)
    if chosen is None:
        return _problem(t("wall.unknown_playlist", lang, name=name, known=", ".join(playlists)))
    number = _screen_number(screen or None, chosen)
    if number is None:
        text = t("wall.unknown_screen", lang, screen=screen, name=name, count=chosen.screens)
        return _problem(text)
    base = _base_area(area, chosen)
    if base is None:  # a session that may see nothing, e.g. a token bound to a commune
        record_denial("wall", name, "nothing is permitted")
        return _problem(t("scope.nothing_permitted", lang))
    return _frame(WallRequest(name, number, base, lang), chosen)


def _frame(request: WallRequest, chosen: Playlist) -> html.Div:
    svc = services()
    pages, offset, pinned = screen_pages(chosen, request.screen)
    slots = [
        SlotFrame(i, _kind(p), page_name(p, request.lang), p.dwell, _skeleton(i, p, request))
        for i, p in enumerate(pages)
    ]
    plan = {
        "spec": request.as_dict(),
        "rotation": {
            "dwells": [p.dwell for p in pages],
            "offset": offset,
            "pinned": pinned,
        },
    }
    scope_name = svc.queries.areas.name(request.area, request.lang)
    refresh_ms = svc.settings.wall.refresh_interval * 1000
    return wall_frame(scope_name, slots, plan, demo_active(), refresh_ms, request.lang)


def _skeleton(index: int, page: WallPage, request: WallRequest) -> list[Any]:
    areas = services().queries.areas
    area = page.area or request.area
    subtitle = areas.name(area, request.lang)
    head = slot_title(page_name(page, request.lang), subtitle)
    if page.page == "map":
        graph = dcc.Graph(
            id={"type": MAP, "slot": index},
            figure=wall_map_figure(not services().boundaries.available),
            config={**graph_config(), "staticPlot": True},
            className="wall-map",
        )
        legend = html.Div(  # filled like the items: the refresh sends its entries
            id={"type": ITEMS, "slot": index},
            className="map-legend wall-map-legend",
            **{"data-testid": "map-legend"},
        )
        return [head, graph, legend]
    body = html.Div(
        id={"type": ITEMS, "slot": index},
        className=f"wall-items wall-items-{_kind(page)}",
        style=_columns(page),
    )
    return [head, body]


def _columns(page: WallPage) -> dict[str, str] | None:
    """A domain page's tiles in one row when there are three or fewer, else in two rows (a
    tile needs ≈ 450 px for "116.493 triệu đồng" at 70 px); the ranking below them takes the
    height its rows need."""
    spec = PAGES_BY_DOMAIN.get(page.page)
    if spec is None:
        return None
    count = len(spec.kpis)
    columns = count if count <= 3 else -(-count // 2)
    rows = -(-count // columns)
    return {
        "gridTemplateColumns": f"repeat({columns}, minmax(0, 1fr))",
        "gridTemplateRows": f"repeat({rows}, minmax(0, 1fr)) auto",
    }


def _kind(page: WallPage) -> str:
    return page.page if page.page in ("overview", "map", "camera_grid", "alerts") else "domain"


def _screen_number(screen: str | None, chosen: Playlist) -> int | None:
    if screen is None:
        return 1
    if not screen.isdigit() or not 1 <= int(screen) <= chosen.screens:
        return None
    return int(screen)


def _base_area(area: str | None, chosen: Playlist) -> str | None:
    """The area the screen asks for (else its playlist's), if the session may see it; else
    the top of what it may see (the refusal audited); None when it may see nothing."""
    scope = permitted_scope(Window.named(chosen.window, services().clock()))
    if scope.permits_nothing:
        return None
    return narrowed(scope, area or chosen.area).area


def _problem(text: str) -> html.Div:
    return html.Div(
        html.Div(
            [html.I(className="bi bi-exclamation-triangle"), " ", text], className="wall-problem"
        ),
        className="wall-root wall-root-problem",
    )


# -- the refresh callback -------------------------------------------------------------------
def _register_callbacks(app: Dash) -> None:
    @app.callback(
        Output({"type": ITEMS, "slot": ALL}, "children"),
        Output({"type": MAP, "slot": ALL}, "figure"),
        Output("wall-ticker-track", "children"),
        Output("wall-digests", "data"),
        Output("wall-sync", "data"),
        Input("wall-refresh", "n_intervals"),
        State("wall-spec", "data"),
        State("wall-digests", "data"),
    )
    def refresh(_tick: int, spec: dict[str, Any], known: dict[str, Any] | None) -> tuple:
        state = screen_state(WallRequest.from_dict(spec))
        known = known if isinstance(known, dict) else {}
        item_slots = [o["id"]["slot"] for o in dash.ctx.outputs_list[0]]
        map_slots = [o["id"]["slot"] for o in dash.ctx.outputs_list[1]]
        items, item_digests = _items_changes(state, item_slots, _texts(known.get("i")))
        maps, map_digests = _map_changes(state, map_slots, _texts(known.get("m")))
        ticker_known = known.get("t") if isinstance(known.get("t"), str) else None
        ticker, ticker_digests = _changes(state.ticker, ticker_known)
        digests = {"i": item_digests, "m": map_digests, "t": ticker_digests}
        return (
            items,
            maps,
            ticker,
            digests if digests != known else no_update,
            {"now": state.now_ms, "hold": state.hold},
        )

    app.clientside_callback(
        "function(data) { if (window.iocWall) { window.iocWall.sync(data); } return null; }",
        Output("wall-sync-sink", "data"),
        Input("wall-sync", "data"),
        prevent_initial_call=True,
    )


def _texts(value: Any) -> dict[str, str]:
    """The digests a client says it holds, as sent back by it: only text entries count."""
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def _items_changes(
    state: ScreenState, slots: list[int], known: dict[str, str]
) -> tuple[list[Any], dict[str, str]]:
    out: list[Any] = []
    digests: dict[str, str] = {}
    for slot in slots:
        change, digests[str(slot)] = _changes(state.items.get(slot, []), known.get(str(slot)))
        out.append(change)
    return out, digests


def _changes(entries: list[Entry], before: str | None) -> tuple[Any, str]:
    """no_update, a Patch of the changed items, or the whole list when it reshaped; and the
    digests the client will hold afterwards."""
    now = ",".join(d for d, _ in entries)
    if before == now:
        return no_update, now
    old = before.split(",") if before else []
    if len(old) != len(entries):
        return [component for _, component in entries], now
    patch = dash.Patch()
    for index, (digest, component) in enumerate(entries):
        if old[index] != digest:
            patch[index] = component
    return patch, now


def _map_changes(
    state: ScreenState, slots: list[int], known: dict[str, str]
) -> tuple[list[Any], dict[str, str]]:
    out: list[Any] = []
    digests: dict[str, str] = {}
    for slot in slots:
        if slot not in state.maps:
            raise Refused("no map on that wall slot", slot)
        digest, patch = state.maps[slot]
        digests[str(slot)] = digest
        out.append(no_update if known.get(str(slot)) == digest else patch)
    return out, digests
