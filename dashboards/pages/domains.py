"""The ten domain pages, each built from its PageSpec by the same layout and callbacks."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import MATCH, Dash, Input, Output, State, dcc, html, no_update

from dashboards.context import current_lang, feed_states, scope_for, services
from dashboards.map_view import map_view
from dashboards.pages.overview import graph_config
from dashboards.rows import map_parent, table_rows
from dashboards.specs import PAGES, PAGES_BY_DOMAIN, EventMedian, PageSpec, PointLayer
from i18n import label, t
from i18n.collation import natural_key
from i18n.formatting import format_relative
from i18n.names import domain_name, domain_system, metric_name
from store.catalog import METRICS_BY_KEY, Aggregation, Direction, Metric
from store.comparison import Reading, season_bars
from store.queries import KpiValue
from store.scope import LOCAL_TZ, Scope, Window, local_midnight_utc
from ui.camera import camera_detail
from ui.charts import breakdown_figure, empty_message, seasonality_figure, trend_figure
from ui.export import to_csv, to_xlsx
from ui.gallery import Tile, gallery
from ui.kpi import first_load_text, kpi_tile
from ui.maps import (
    POINT_COLOURS,
    POINTS,
    MapPoint,
    empty_figure,
    legend_box,
    map_legend,
    map_patch,
    points_patch,
)
from ui.page import kpi_section, page_header, param_id, scope_controls
from ui.status import FeedState, Freshness
from ui.table import grid

GRAINS = ("day", "week", "month")
GALLERY_SIZE = 24
MAX_POINTS = 400  # the newest events first: enough to see a pattern, light to send
POINT_STATUS = {
    "online": "good",
    "ok": "good",
    "up": "good",
    "resolved": "good",
    "offline": "critical",
    "down": "critical",
    "overdue": "critical",
    "warning": "warn",
    "in_progress": "warn",
    "received": "info",
}


def _id(kind: str, page: str) -> dict[str, str]:
    return {"type": kind, "page": page}


def register(app: Dash) -> None:
    for order, spec in enumerate(PAGES, start=1):
        domain = spec.domain
        dash.register_page(
            f"domain.{domain.key}",
            path=f"/{domain.slug}",
            name=domain_name(domain, "vi"),
            name_vi=domain_name(domain, "vi"),
            name_en=domain_name(domain, "en"),
            order=order,
            icon=domain.icon,
            title=f"{domain_name(domain, 'vi')} · IOC Sóc Trăng",
            layout=_layout_for(spec),
        )
    _register_callbacks(app)


def _layout_for(spec: PageSpec) -> Callable[..., html.Div]:
    def layout(
        area: str | None = None,
        window: str | None = None,
        trend: str | None = None,
        grain: str | None = None,
        table: str | None = None,
        camera: str | None = None,
        **_: Any,
    ) -> html.Div:
        svc, lang = services(), current_lang()
        scope = scope_for(area, window)
        page = spec.domain_key
        title = domain_name(spec.domain, lang)
        controls = scope_controls(page, svc.queries.areas, scope.area, scope.window.name, lang)
        return html.Div(
            [
                page_header(title, domain_system(spec.domain, lang), controls, lang),
                html.Div(id=_id("sources", page), className="source-badges"),
                html.Div(  # the median tiles flow on in the same grid as the KPI tiles
                    [
                        kpi_section(page, spec.kpis, svc.settings.ui.refresh_interval),
                        html.Div(id=_id("medians", page), className="kpi-grid"),
                    ],
                    className="kpi-flow",
                )
                if spec.medians
                else kpi_section(page, spec.kpis, svc.settings.ui.refresh_interval),
                dbc.Row(
                    [
                        dbc.Col(_trend_card(spec, trend, grain, lang), lg=7),
                        dbc.Col(_breakdown_card(spec, lang), lg=5),
                    ],
                    className="g-3 mt-1",
                ),
                _seasonality_card(spec, lang) if spec.seasonality else None,
                _map_card(spec, lang),
                _gallery_card(spec, lang) if spec.snapshots else None,
                _camera_modal(spec, camera) if spec.snapshots else None,
                _tables_card(spec, table, lang),
                dcc.Download(id=_id("download", page)),
            ],
            className=f"domain-page domain-{page}",
        )

    return layout


def _card(
    title: Any, body: list[Any], tools: list[Any] | None = None, class_name: str = ""
) -> dbc.Card:
    head = html.Div(
        [
            html.H2(title, className="card-title h6 mb-0"),
            html.Div(tools or [], className="d-flex gap-2 align-items-center"),
        ],
        className="map-head",
    )
    return dbc.Card(dbc.CardBody([head, *body]), className=f"panel-card {class_name}")


def _trend_card(spec: PageSpec, trend: str | None, grain: str | None, lang: str) -> dbc.Card:
    page = spec.domain_key
    options = [{"label": _metric_name(k, lang), "value": k} for k in spec.trend]
    tools = [
        dcc.Dropdown(
            id=param_id(page, "trend"),
            options=options,
            clearable=False,
            value=trend if trend in spec.trend else spec.trend[0],
            className="metric-select",
        ),
        dbc.RadioItems(
            id=param_id(page, "grain"),
            value=grain if grain in GRAINS else "day",
            options=[{"label": t(f"grain.{g}", lang), "value": g} for g in GRAINS],
            inline=True,
            inputClassName="btn-check",
            labelClassName="btn btn-sm btn-outline-secondary",
            labelCheckedClassName="active",
        ),
    ]
    graph = dcc.Graph(
        id=_id("trend", page), config={"displayModeBar": False}, figure=empty_message("")
    )
    return _card(t("trend.title", lang), [graph], tools)


def _breakdown_card(spec: PageSpec, lang: str) -> dbc.Card:
    graph = dcc.Graph(
        id=_id("breakdown", spec.domain_key),
        config={"displayModeBar": False},
        figure=empty_message(""),
    )
    title = t("breakdown.title", lang, metric=_metric_name(spec.map_metric, lang).lower())
    return _card(title, [html.Div(graph, className="breakdown-scroll")])


def _seasonality_card(spec: PageSpec, lang: str) -> dbc.Card:
    assert spec.seasonality
    graph = dcc.Graph(
        id=_id("season", spec.domain_key),
        config={"displayModeBar": False},
        figure=empty_message(""),
    )
    title = t("season.title", lang, metric=_metric_name(spec.seasonality, lang).lower())
    return _card(title, [graph], class_name="mt-3")


def _map_card(spec: PageSpec, lang: str) -> dbc.Card:
    boundaries = services().boundaries
    note = (
        None
        if boundaries.available
        else dbc.Alert(
            t("map.no_boundaries", lang), color="secondary", className="map-note py-2 mb-2"
        )
    )
    legend = _point_legend(spec.points, lang) if spec.points else None
    graph = dcc.Graph(
        id=_id("map", spec.domain_key),
        config=graph_config(),
        figure=empty_figure(not boundaries.available),
    )
    title = t("map.title", lang, metric=_metric_name(spec.map_metric, lang).lower())
    return _card(
        title,
        [
            note,
            legend,
            html.Div(graph, **{"data-testid": "area-map"}, className="area-map"),
            legend_box(_id("map-legend", spec.domain_key)),
        ],
        [
            dbc.Button(
                t("map.back", lang),
                id=_id("map-up", spec.domain_key),
                size="sm",
                color="secondary",
                outline=True,
            )
        ],
        "mt-3",
    )


def _point_legend(points: PointLayer, lang: str) -> html.Div:
    name = points.name_en if lang == "en" else points.name_vi
    if not points.statuses:
        return html.Div([html.Span(className="legend-dot"), name], className="point-legend")
    items = [
        html.Span(
            [
                html.Span(
                    className="legend-dot",
                    style={"background": POINT_COLOURS[POINT_STATUS.get(s, "nodata")]},
                ),
                label("status", s, lang),
            ],
            className="legend-item",
            **{"data-status": s},
        )
        for s in points.statuses
    ]
    return html.Div([html.B(f"{name}:"), *items], className="point-legend")


def _gallery_card(spec: PageSpec, lang: str) -> dbc.Card:
    body = html.Div(id=_id("gallery", spec.domain_key), className="gallery")
    return _card(t("gallery.title", lang), [body], class_name="mt-3")


def _camera_modal(spec: PageSpec, camera: str | None) -> html.Div:
    """The camera detail view; the chosen camera sits in the URL (`?camera=`)."""
    page = spec.domain_key
    return html.Div(
        [
            dcc.Input(id=param_id(page, "camera"), type="hidden", value=camera or ""),
            dbc.Modal(
                [
                    dbc.ModalHeader(dbc.ModalTitle(id=_id("camera-title", page))),
                    dbc.ModalBody(id=_id("camera-body", page)),
                ],
                id=_id("camera-modal", page),
                size="xl",
                is_open=False,
                className="camera-modal",
            ),
        ]
    )


def _tables_card(spec: PageSpec, table: str | None, lang: str) -> dbc.Card:
    page = spec.domain_key
    keys = [tb.key for tb in spec.tables]
    tabs = dbc.RadioItems(
        id=param_id(page, "table"),
        value=table if table in keys else keys[0],
        options=[
            {"label": tb.title_en if lang == "en" else tb.title_vi, "value": tb.key}
            for tb in spec.tables
        ],
        inline=True,
        inputClassName="btn-check",
        labelClassName="btn btn-sm btn-outline-primary",
        labelCheckedClassName="active",
        className="table-tabs",
    )
    tools = [
        dbc.Button(
            [html.I(className="bi bi-filetype-csv me-1"), "CSV"],
            id=_id("export-csv", page),
            size="sm",
            color="secondary",
            outline=True,
        ),
        dbc.Button(
            [html.I(className="bi bi-file-earmark-excel me-1"), "Excel"],
            id=_id("export-xlsx", page),
            size="sm",
            color="success",
            outline=True,
        ),
    ]
    return _card(t("table.title", lang), [tabs, grid(_id("grid", page), lang)], tools, "mt-3")


def _metric_name(key: str, lang: str) -> str:
    return metric_name(key, lang)


# -- callbacks (one set for all ten pages, matched by page key) ------------------------------
def _inputs(*extra: str) -> list[Input]:
    params = [Input(param_id(MATCH, p), "value") for p in ("area", "window", *extra)]  # type: ignore[arg-type]
    return [*params, Input(_id("refresh", MATCH), "n_intervals")]  # type: ignore[arg-type]


def _register_callbacks(app: Dash) -> None:
    @app.callback(Output(_id("trend", MATCH), "figure"), *_inputs("trend", "grain"))  # type: ignore[arg-type]
    def update_trend(area: str, window: str, key: str, grain: str, _tick: Any) -> Any:
        spec, lang, scope = _context(area, window)
        key = key if key in spec.trend else spec.trend[0]
        trend = services().queries.trend(scope, key, grain if grain in GRAINS else "day")
        if all(p.value is None for p in trend.current):
            return empty_message(t("kpi.no_data", lang))
        level = services().queries.areas.get(scope.area).level
        metric, now = METRICS_BY_KEY[key], services().clock()
        first_day = scope.window.start.astimezone(LOCAL_TZ).date()
        epidemic = key in spec.epidemic_line
        return trend_figure(trend, metric, lang, grain, epidemic, level, now, first_day)

    @app.callback(Output(_id("breakdown", MATCH), "figure"), *_inputs())  # type: ignore[arg-type]
    def update_breakdown(area: str, window: str, _tick: Any) -> Any:
        spec, lang, scope = _context(area, window)
        parent = Scope(map_parent(scope), scope.window, scope.allowed)
        values = services().queries.area_values(parent, spec.map_metric)
        if not values:
            return empty_message(t("kpi.no_data", lang))
        areas = services().queries.areas
        names = {c: areas.name(c, lang) for c in values}
        level = areas.get(next(iter(values))).level  # the level of the areas compared
        return breakdown_figure(values, names, METRICS_BY_KEY[spec.map_metric], lang, level)

    @app.callback(
        Output(_id("map", MATCH), "figure"),
        Output(_id("map-legend", MATCH), "children"),  # type: ignore[arg-type]
        *_inputs(),
    )
    def update_map(area: str, window: str, _tick: Any) -> tuple[Any, Any]:
        spec, lang, scope = _context(area, window)
        view = map_view(scope, spec.map_metric, lang)
        return map_patch(view), map_legend(view)

    @app.callback(
        Output(_id("map", MATCH), "figure", allow_duplicate=True),  # type: ignore[arg-type]
        Input(param_id(MATCH, "area"), "value"),
        Input(param_id(MATCH, "window"), "value"),  # type: ignore[arg-type]
        prevent_initial_call="initial_duplicate",
    )
    def update_points(area: str, window: str) -> Any:
        """The point layer changes with the scope, not on every refresh of the values."""
        spec, lang, scope = _context(area, window)
        return points_patch(_points(spec, scope, lang))

    @app.callback(
        Output(param_id(MATCH, "area"), "value"),  # type: ignore[arg-type]
        Input(_id("map", MATCH), "clickData"),
        Input(_id("map-up", MATCH), "n_clicks"),  # type: ignore[arg-type]
        State(param_id(MATCH, "area"), "value"),  # type: ignore[arg-type]
        prevent_initial_call=True,
    )
    def drill(click: dict | None, _up: Any, area: str) -> Any:
        areas = services().queries.areas
        if isinstance(dash.ctx.triggered_id, dict) and dash.ctx.triggered_id["type"] == "map-up":
            parent = areas.get(area).parent_code if area in areas else None
            return parent or areas.root
        point = ((click or {}).get("points") or [{}])[0]
        if PAGES_BY_DOMAIN[dash.ctx.triggered_id["page"]].snapshots and _on_points(point):
            return no_update  # a camera's point opens the camera instead
        code = point.get("customdata")
        if not isinstance(code, str) or code not in areas:
            return no_update
        return _one_level_below(code, area if area in areas else areas.root)

    @app.callback(
        Output(_id("grid", MATCH), "columnDefs"),
        Output(_id("grid", MATCH), "rowData"),  # type: ignore[arg-type]
        *_inputs("table"),
    )
    def update_table(area: str, window: str, table: str, _tick: Any) -> tuple[Any, Any]:
        from ui.table import column_defs

        spec, lang, scope = _context(area, window)
        columns, rows = table_rows(_table(spec, table), spec.domain_key, scope, lang)
        return column_defs(columns, lang), rows

    @app.callback(
        Output(_id("download", MATCH), "data"),
        Input(_id("export-csv", MATCH), "n_clicks"),
        Input(_id("export-xlsx", MATCH), "n_clicks"),  # type: ignore[arg-type]
        State(_id("grid", MATCH), "virtualRowData"),
        State(param_id(MATCH, "area"), "value"),  # type: ignore[arg-type]
        State(param_id(MATCH, "window"), "value"),
        State(param_id(MATCH, "table"), "value"),  # type: ignore[arg-type]
        prevent_initial_call=True,
    )
    def export(
        _csv: Any, _xlsx: Any, shown: list[dict] | None, area: str, window: str, table: str
    ) -> Any:
        spec, lang, scope = _context(area, window)
        chosen = _table(spec, table)
        columns, _rows = table_rows(chosen, spec.domain_key, scope, lang)
        rows = shown or []
        name = f"{spec.domain.slug}-{chosen.key}-{scope.area}-{scope.window.name}"
        if dash.ctx.triggered_id["type"] == "export-csv":
            return dcc.send_bytes(to_csv(columns, rows, lang), f"{name}.csv")
        title = chosen.title_en if lang == "en" else chosen.title_vi
        return dcc.send_bytes(to_xlsx(columns, rows, lang, title), f"{name}.xlsx")

    @app.callback(Output(_id("gallery", MATCH), "children"), *_inputs())  # type: ignore[arg-type]
    def update_gallery(area: str, window: str, tick: Any) -> Any:
        _spec, lang, scope = _context(area, window)
        cameras = services().queries.assets(scope, "cameras", ("camera",))
        ordered = sorted(cameras, key=lambda c: (c.status == "online", natural_key(c.name)))
        tiles = [
            Tile(
                c.source_id,
                c.name,
                services().queries.areas.name(c.area, lang) if c.area else "",
                c.status == "online",
                str(tick or 0),
                c.attributes.get("last_online_at"),
                bool(c.attributes.get("stream_url")) and c.status == "online",
            )
            for c in ordered[:GALLERY_SIZE]
        ]
        return gallery(tiles, len(cameras), lang, _spec.domain_key)

    @app.callback(
        Output(_id("camera-modal", MATCH), "is_open"),
        Output(_id("camera-title", MATCH), "children"),
        Output(_id("camera-body", MATCH), "children"),
        Output(param_id(MATCH, "camera"), "value"),  # type: ignore[arg-type]
        Input(param_id(MATCH, "camera"), "value"),  # type: ignore[arg-type]
        Input(_id("camera-modal", MATCH), "is_open"),
        Input(_id("grid", MATCH), "cellClicked"),
        Input(_id("map", MATCH), "clickData"),
        State(_id("grid", MATCH), "virtualRowData"),
        State(param_id(MATCH, "area"), "value"),  # type: ignore[arg-type]
        State(param_id(MATCH, "window"), "value"),  # type: ignore[arg-type]
    )
    def camera_view(
        camera: str, is_open: bool, cell: Any, click: Any, shown: Any, area: str, window: str
    ) -> tuple[Any, ...]:
        """Open on a camera (tile, table row, map point, URL); closing clears it and stops
        the stream."""
        spec, lang, scope = _context(area, window)
        trigger = dash.ctx.triggered_id or {}
        if trigger.get("type") == "camera-modal":
            return (False, "", [], "") if not is_open else (no_update,) * 4
        if trigger.get("type") in ("grid", "map"):
            clicked = _clicked_camera(cell, shown) if trigger["type"] == "grid" else None
            camera = clicked or _camera_at_point(spec, scope, click) or ""
            if not camera:
                return (no_update,) * 4
        found = _camera_place(spec, scope, camera) if camera else None
        if found is None:
            return False, "", [], "" if camera else no_update
        area_name = services().queries.areas.name(found.area, lang) if found.area else ""
        events = _camera_events(spec, scope, found)
        version = services().clock().isoformat()
        body = camera_detail(found, scope.area, area_name, events, version, lang)
        return True, found.name, body, camera

    @app.callback(Output(_id("season", MATCH), "figure"), *_inputs())  # type: ignore[arg-type]
    def update_seasonality(area: str, window: str, _tick: Any) -> Any:
        """This calendar year and the last, month by month, up to the window's end."""
        spec, lang, scope = _context(area, window)
        assert spec.seasonality
        end = scope.window.end
        year = (end - timedelta(microseconds=1)).astimezone(LOCAL_TZ).year
        start = local_midnight_utc(date(year - 1, 1, 1))
        trend = services().queries.trend(
            Scope(scope.area, Window(start, end), scope.allowed), spec.seasonality, "month"
        )
        months: dict[int, dict[int, tuple[float | None, int]]] = {year - 1: {}, year: {}}
        for point in trend.current:
            months[point.period.year][point.period.month] = (point.value, point.days)
        bars = season_bars(months, services().clock())
        if all(b.value is None for m in bars.values() for b in m.values()):
            return empty_message(t("kpi.no_data", lang))
        metric = METRICS_BY_KEY[spec.seasonality]
        return seasonality_figure(bars, metric, lang, services().clock())

    @app.callback(Output(_id("medians", MATCH), "children"), *_inputs())  # type: ignore[arg-type]
    def update_medians(area: str, window: str, _tick: Any) -> Any:
        spec, lang, scope = _context(area, window)
        level = services().queries.areas.get(scope.area).level
        states, now = feed_states(), services().clock()
        tiles = []
        for m in spec.medians:
            feed = services().queries.kpis(scope, [m.feed_metric])[m.feed_metric]
            value = _median_value(m, spec.domain_key, scope, feed)
            state = states.get(feed.feed_id or "")
            tiles.append(kpi_tile(median_metric(m), value, state, level, lang, now=now))
        return tiles

    @app.callback(Output(_id("sources", MATCH), "children"), *_inputs())  # type: ignore[arg-type]
    def update_sources(area: str, window: str, _tick: Any) -> Any:
        spec, lang, scope = _context(area, window)
        values = services().queries.kpis(scope, list(spec.kpis))
        feeds = sorted({v.feed_id for v in values.values() if v.feed_id})
        states, runs = feed_states(), services().store.queries.last_runs()
        return [_source_badge(f, states.get(f), runs.get(f), lang) for f in feeds] or [
            html.Span(t("sources.none", lang), className="source-badge stale")
        ]


def median_metric(median: EventMedian) -> Metric:
    """The tile's description of a median (not a stored metric: it has no rows of its own)."""
    return Metric(
        key=median.key,
        aggregation=Aggregation.MEAN,
        direction=Direction.DOWN,
        cadence="day",
        public=True,
        decimals=median.decimals,
    )


def _median_value(median: EventMedian, domain: str, scope: Scope, feed: KpiValue) -> KpiValue:
    """The median in the window and the window before, covered as far as the days its feed's
    metric has data in each (the events come from the same feed)."""
    queries = services().queries

    def of(window: Any) -> float | None:
        found = queries.durations(
            Scope(scope.area, window, scope.allowed),
            domain,
            median.kinds,
            median.end_attribute,
            timedelta(days=median.max_age_days),
        )
        return statistics.median(found) / median.seconds_per_unit if found else None

    value, previous = of(scope.window), of(scope.window.previous())
    covered = (
        feed.current.periods if feed.current else 0,
        feed.before.periods if feed.before else 0,
    )
    return KpiValue(
        median.key,
        value,
        previous,
        None,
        Reading(value, covered[0]),
        Reading(previous, covered[1]),
        scope.window,
    )


def _clicked_camera(cell: Any, shown: Any) -> str | None:
    """The camera of a clicked row of the cameras or analytics table, if there is one."""
    index = (cell or {}).get("rowIndex")
    if not isinstance(index, int) or not shown or not 0 <= index < len(shown):
        return None
    camera = shown[index].get("camera")
    return str(camera) if camera else None


def _camera_place(spec: PageSpec, scope: Scope, camera: str) -> Any:
    cameras = services().queries.assets(scope, spec.domain_key, ("camera",))
    return next((c for c in cameras if c.source_id == camera), None)


def _camera_events(spec: PageSpec, scope: Scope, camera: Any) -> list[Any]:
    if not camera.area:
        return []
    local = Scope(camera.area, scope.window, scope.allowed)
    events = services().queries.events(local, spec.domain_key, ("analytics",))
    return [e for e in events if e.attributes.get("camera") == camera.source_id]


def _one_level_below(code: str, current: str) -> str:
    """A click deep in the tree (a point in a commune) selects the area one level below the
    area the map currently shows the children of."""
    areas = services().queries.areas
    unit = areas.get(current)
    shown_parent = unit.code if unit.level != "commune" else unit.parent_code
    chain = areas.ancestors(code)
    return next((c for c in chain if areas.get(c).parent_code == shown_parent), code)


def _context(area: str | None, window: str | None) -> tuple[PageSpec, str, Scope]:
    page = dash.ctx.outputs_list
    key = (page[0] if isinstance(page, list) else page)["id"]["page"]
    return PAGES_BY_DOMAIN[key], current_lang(), scope_for(area, window)


def _table(spec: PageSpec, key: str | None) -> Any:
    return next((tb for tb in spec.tables if tb.key == key), spec.tables[0])


def _point_places(spec: PageSpec, scope: Scope) -> list[Any]:
    """The places of the point layer, in the order the map draws them."""
    if spec.points is None:
        return []
    queries = services().queries
    fetch = queries.assets if spec.points.source == "assets" else queries.events
    scoped = Scope(map_parent(scope), scope.window, scope.allowed)
    places = fetch(scoped, spec.domain_key, spec.points.kinds)[:MAX_POINTS]
    return [p for p in places if p.lat is not None and p.lon is not None]


def _points(spec: PageSpec, scope: Scope, lang: str) -> list[MapPoint]:
    return [
        MapPoint(
            p.lat,
            p.lon,
            f"<b>{p.name}</b><br>{label('status', p.status, lang)}",
            POINT_STATUS.get(p.status, "nodata"),
            p.area,
        )
        for p in _point_places(spec, scope)
    ]


def _on_points(point: dict[str, Any]) -> bool:
    return point.get("curveNumber") == POINTS


def _camera_at_point(spec: PageSpec, scope: Scope, click: Any) -> str | None:
    """The camera whose map point was clicked, if the click was on one."""
    point = ((click or {}).get("points") or [{}])[0]
    index = point.get("pointIndex", point.get("pointNumber"))
    places = _point_places(spec, scope)
    if not _on_points(point) or not isinstance(index, int) or not 0 <= index < len(places):
        return None
    return str(places[index].source_id)


def _source_badge(feed_id: str, state: FeedState | None, run: Any, lang: str) -> html.A:
    age = (
        format_relative(state.age, lang)
        if state and state.age is not None
        else t("kpi.never_updated", lang)
    )
    tone = {Freshness.FRESH: "fresh", Freshness.FAILING: "failing"}.get(
        state.freshness if state else Freshness.NEVER, "stale"
    )
    first_run = state is not None and state.freshness is Freshness.NEVER
    details = [
        first_load_text(state, lang)
        if state is not None and first_run
        else t("sources.last_success", lang, age=age)
    ]
    if run is not None:
        details.append(t("sources.rejected", lang, count=run.rejected))
        if run.error_text:
            details.append(t("sources.error", lang, text=run.error_text[:120]))
    return html.A(
        [html.I(className="bi bi-database me-1"), html.B(feed_id), " · ", " · ".join(details)],
        href=f"/nguon-du-lieu?feed={feed_id}",
        className=f"source-badge {tone}",
        **{"data-feed": feed_id, "data-freshness": tone},
    )
