"""The ten domain pages, each built from its PageSpec by the same layout and callbacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import MATCH, Dash, Input, Output, State, dcc, html, no_update

from dashboards import domain_views as views
from dashboards.callbacks import matched_page
from dashboards.context import current_lang, scope_for, services
from dashboards.exports import export_table
from dashboards.guard import Refused
from dashboards.map_view import first_point, map_view
from dashboards.pages.overview import graph_config
from dashboards.rows import table_rows
from dashboards.specs import PAGES, PAGES_BY_DOMAIN, PageSpec, PointLayer
from i18n import label, t
from i18n.names import domain_name, domain_system, metric_name
from store.scope import Scope
from ui.charts import empty_message
from ui.maps import (
    POINT_COLOURS,
    empty_figure,
    legend_box,
    map_legend,
    map_patch,
    points_patch,
)
from ui.page import kpi_section, page_header, param_id, scope_controls
from ui.table import column_defs, grid


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
        controls = scope_controls(
            page, svc.queries.areas, scope.area, scope.window.name, lang, scope.allowed
        )
        return html.Div(
            [
                page_header(title, domain_system(spec.domain, lang), controls, lang),
                html.Div(id=_id("sources", page), className="source-badges"),
                html.Div(  # the median tiles flow on in the same grid as the KPI tiles
                    [
                        kpi_section(page, svc.settings.ui.refresh_interval),
                        html.Div(id=_id("medians", page), className="kpi-grid"),
                    ],
                    className="kpi-flow",
                )
                if spec.medians
                else kpi_section(page, svc.settings.ui.refresh_interval),
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
                _camera_modal(spec, views.visible_camera(spec, scope, camera))
                if spec.snapshots
                else None,
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
            value=grain if grain in views.GRAINS else "day",
            options=[{"label": t(f"grain.{g}", lang), "value": g} for g in views.GRAINS],
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
                views.map_back_label(lang),
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
                    style={"background": POINT_COLOURS[views.POINT_STATUS.get(s, "nodata")]},
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
        return views.trend(spec, scope, key, grain, lang)

    @app.callback(Output(_id("breakdown", MATCH), "figure"), *_inputs())  # type: ignore[arg-type]
    def update_breakdown(area: str, window: str, _tick: Any) -> Any:
        spec, lang, scope = _context(area, window)
        return views.breakdown(spec, scope, lang)

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
        return points_patch(views.points(spec, scope, lang))

    @app.callback(
        Output(param_id(MATCH, "area"), "value"),  # type: ignore[arg-type]
        Input(_id("map", MATCH), "clickData"),
        Input(_id("map-up", MATCH), "n_clicks"),  # type: ignore[arg-type]
        State(param_id(MATCH, "area"), "value"),  # type: ignore[arg-type]
        prevent_initial_call=True,
    )
    def drill(click: dict | None, _up: Any, area: str) -> Any:
        trigger = dash.ctx.triggered_id
        if isinstance(trigger, dict) and trigger["type"] == "map-up":
            return views.area_above(area)
        spec, _lang, _scope = _context(area, None)
        target = views.drill_target(spec, first_point(click), area)
        return no_update if target is None else target

    @app.callback(
        Output(_id("grid", MATCH), "columnDefs"),
        Output(_id("grid", MATCH), "rowData"),  # type: ignore[arg-type]
        *_inputs("table"),
    )
    def update_table(area: str, window: str, table: str, _tick: Any) -> tuple[Any, Any]:
        spec, lang, scope = _context(area, window)
        columns, rows = table_rows(views.table_of(spec, table), spec.domain_key, scope, lang)
        return column_defs(columns, lang), rows

    @app.callback(
        Output(_id("download", MATCH), "data"),
        Input(_id("export-csv", MATCH), "n_clicks"),
        Input(_id("export-xlsx", MATCH), "n_clicks"),  # type: ignore[arg-type]
        State(_id("grid", MATCH), "filterModel"),
        State(_id("grid", MATCH), "columnState"),
        State(param_id(MATCH, "area"), "value"),  # type: ignore[arg-type]
        State(param_id(MATCH, "window"), "value"),
        State(param_id(MATCH, "table"), "value"),  # type: ignore[arg-type]
        prevent_initial_call=True,
    )
    def export(
        _csv: Any, _xlsx: Any, filters: Any, columns: Any, area: str, window: str, table: str
    ) -> Any:
        """The table re-read from the store for the user's scope, filtered and sorted as the
        grid is; the browser sends only the filter and sort, never rows."""
        spec, lang, scope = _context(area, window)
        kind = "csv" if (dash.ctx.triggered_id or {}).get("type") == "export-csv" else "xlsx"
        return export_table(spec, views.table_of(spec, table), scope, lang, kind, filters, columns)

    @app.callback(Output(_id("gallery", MATCH), "children"), *_inputs())  # type: ignore[arg-type]
    def update_gallery(area: str, window: str, tick: Any) -> Any:
        spec, lang, scope = _context(area, window, "snapshots")
        return views.camera_gallery(spec, scope, lang, str(tick or 0))

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
    def camera_modal(
        camera: str, is_open: bool, cell: Any, click: Any, shown: Any, area: str, window: str
    ) -> tuple[Any, ...]:
        """Open on a camera (tile, table row, map point, URL); closing clears it and stops
        the stream."""
        spec, lang, scope = _context(area, window, "snapshots")
        source = (dash.ctx.triggered_id or {}).get("type")
        if source == "camera-modal":
            return (False, "", [], "") if not is_open else (no_update,) * 4
        if source in ("grid", "map"):
            camera = views.clicked_camera(spec, scope, source, cell, shown, click) or ""
            if not camera:
                return (no_update,) * 4
        shown_camera = views.camera_view(spec, scope, camera, lang) if camera else None
        if shown_camera is None:
            return False, "", [], "" if camera else no_update
        return True, shown_camera[0], shown_camera[1], camera

    @app.callback(Output(_id("season", MATCH), "figure"), *_inputs())  # type: ignore[arg-type]
    def update_seasonality(area: str, window: str, _tick: Any) -> Any:
        spec, lang, scope = _context(area, window, "seasonality")
        return views.seasonality(spec, scope, lang)

    @app.callback(Output(_id("medians", MATCH), "children"), *_inputs())  # type: ignore[arg-type]
    def update_medians(area: str, window: str, _tick: Any) -> Any:
        spec, lang, scope = _context(area, window, "medians")
        return views.median_tiles(spec, scope, lang)

    @app.callback(Output(_id("sources", MATCH), "children"), *_inputs())  # type: ignore[arg-type]
    def update_sources(area: str, window: str, _tick: Any) -> Any:
        spec, lang, scope = _context(area, window)
        return views.source_badges(spec, scope, lang)


def _context(
    area: str | None, window: str | None, part: str | None = None
) -> tuple[PageSpec, str, Scope]:
    """The page a MATCH callback answers for (refused unless it is a domain page holding
    `part`), the language and the scope asked for."""
    spec = PAGES_BY_DOMAIN.get(matched_page())
    if spec is None or (part is not None and not getattr(spec, part)):
        raise Refused("no such page or part of a page", matched_page())
    return spec, current_lang(), scope_for(area, window)
