"""The overview page (/): one KPI tile per domain and the province map by a headline metric."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, dcc, html, no_update

from dashboards.context import current_lang, permitted_root, scope_for, services
from dashboards.domain_views import map_back_label, permitted
from dashboards.map_view import first_point, map_view
from i18n import t
from i18n.names import metric_name
from store.catalog import DOMAINS
from ui.maps import empty_figure, legend_box, map_legend, map_patch
from ui.page import kpi_section, page_header, param_id, scope_controls

PAGE = "overview"
HEADLINES = [d.headline for d in DOMAINS]


def register(app: Dash) -> None:
    dash.register_page(
        "overview",
        path="/",
        name="Tổng quan",
        name_vi="Tổng quan",
        name_en="Overview",
        order=0,
        icon="bi-grid-1x2",
        layout=layout,
        title="IOC Sóc Trăng",
    )
    _register_callbacks(app)


def layout(
    area: str | None = None, window: str | None = None, metric: str | None = None, **_: Any
) -> html.Div:
    svc, lang = services(), current_lang()
    scope = scope_for(area, window)
    controls = scope_controls(
        PAGE, svc.queries.areas, scope.area, scope.window.name, lang, scope.allowed
    )
    province = svc.settings.province.name_en if lang == "en" else svc.settings.province.name_vi
    return html.Div(
        [
            page_header(t("overview.title", lang), province, controls, lang),
            kpi_section(PAGE, svc.settings.ui.refresh_interval),
            _map_card(metric if metric in HEADLINES else HEADLINES[0], lang),
        ]
    )


def _map_card(metric: str, lang: str) -> dbc.Card:
    boundaries = services().boundaries
    note = (
        None
        if boundaries.available
        else dbc.Alert(
            [html.I(className="bi bi-info-circle me-2"), t("map.no_boundaries", lang)],
            color="secondary",
            className="map-note py-2 mb-2",
            id="map-no-boundaries",
        )
    )
    options = [{"label": _metric_label(k, lang), "value": k} for k in HEADLINES]
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.H2(id="overview-map-title", className="card-title h5 mb-0"),
                        html.Div(
                            [
                                dcc.Dropdown(
                                    id=param_id(PAGE, "metric"),
                                    options=options,
                                    value=metric,
                                    clearable=False,
                                    className="metric-select",
                                ),
                                dbc.Button(
                                    [
                                        html.I(className="bi bi-arrow-up-left me-1"),
                                        map_back_label(lang),
                                    ],
                                    id="overview-back",
                                    size="sm",
                                    color="secondary",
                                    outline=True,
                                ),
                            ],
                            className="d-flex gap-2 align-items-center",
                        ),
                    ],
                    className="map-head",
                ),
                note,
                html.Div(
                    dcc.Graph(
                        id="overview-map",
                        figure=empty_figure(not boundaries.available),
                        config=graph_config(),
                    ),
                    **{"data-testid": "area-map"},
                    className="area-map",
                ),
                legend_box("overview-map-legend"),
            ]
        ),
        className="map-card mt-3",
    )


def graph_config() -> dict[str, Any]:
    return {
        "displayModeBar": False,
        "scrollZoom": False,
        "responsive": True,
        "topojsonURL": dash.get_asset_url("topojson/"),
    }


def _metric_label(key: str, lang: str) -> str:
    return metric_name(key, lang)


def _register_callbacks(app: Dash) -> None:
    @app.callback(
        Output("overview-map", "figure"),
        Output("overview-map-title", "children"),
        Output("overview-map-legend", "children"),
        Input(param_id(PAGE, "area"), "value"),
        Input(param_id(PAGE, "metric"), "value"),
        Input(param_id(PAGE, "window"), "value"),
        Input({"type": "refresh", "page": PAGE}, "n_intervals"),
    )
    def update_map(
        area: str | None, metric: str | None, window: str | None, _tick: Any
    ) -> tuple[Any, str, Any]:
        lang, scope = current_lang(), scope_for(area, window)
        key = metric if metric in HEADLINES else HEADLINES[0]
        view = map_view(scope, key, lang)
        title = t("map.title", lang, metric=_metric_label(key, lang).lower())
        return map_patch(view), title, map_legend(view)

    @app.callback(
        Output(param_id(PAGE, "area"), "value"),
        Input("overview-map", "clickData"),
        Input("overview-back", "n_clicks"),
        prevent_initial_call=True,
    )
    def select_area(click: dict | None, _back: int | None) -> str:
        if dash.ctx.triggered_id == "overview-back" or not click:
            return permitted_root() or no_update  # back to the top of what the visitor may see
        code = first_point(click).get("customdata")
        return code if isinstance(code, str) and permitted(code) else no_update
