"""Pieces of the wall display: the kiosk frame, ranking bars, camera tiles, alert rows."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import dash
from dash import dcc, html

from i18n import t
from i18n.formatting import format_datetime_local, format_relative, format_value
from i18n.names import metric_name, metric_unit
from store.catalog import METRICS_BY_KEY, Metric
from ui.maps import AREAS, LABELS, empty_figure

if TYPE_CHECKING:
    from dashboards.alerts import Alert

WALL_BORDER = "#0d1520"  # area borders on the dark wall
SEVERITY_ICON = {"critical": "bi-exclamation-octagon-fill", "warn": "bi-exclamation-triangle-fill"}


@dataclass(frozen=True, slots=True)
class SlotFrame:
    """One page of a screen's rotation as the browser receives it."""

    index: int
    kind: str  # overview | map | camera_grid | alerts | domain
    name: str
    dwell: int
    body: Any


def wall_frame(
    scope_name: str,
    slots: Sequence[SlotFrame],
    plan: dict[str, Any],
    demo: bool,
    refresh_ms: int,
    lang: str,
) -> html.Div:
    """The kiosk page: header, rotating slots, alert ticker; no navigation chrome."""
    return html.Div(
        [
            dcc.Interval(id="wall-refresh", interval=refresh_ms, n_intervals=0),
            dcc.Store(id="wall-spec", data=plan["spec"]),
            dcc.Store(id="wall-digests", data={}),
            dcc.Store(id="wall-sync"),
            dcc.Store(id="wall-sync-sink"),
            _header(scope_name, demo, lang),
            html.Div(
                [_slot(slot) for slot in slots],
                className="wall-stage",
            ),
            _ticker(lang),
        ],
        className="wall-root",
        lang=lang,
        **{"data-plan": json.dumps(plan["rotation"]), "data-refresh-ms": str(refresh_ms)},
    )


def _header(scope_name: str, demo: bool, lang: str) -> html.Header:
    mark = (
        html.Span(
            [html.I(className="bi bi-cpu"), " ", t("wall.demo", lang)],
            className="wall-demo",
            **{"data-testid": "demo-mark"},
        )
        if demo
        else None
    )
    return html.Header(
        [
            html.Div(
                [
                    html.Img(src=dash.get_asset_url("50_app/emblem.svg"), alt=""),
                    html.Div(scope_name, className="wall-scope"),
                ],
                className="wall-brand",
            ),
            html.Div(
                [
                    html.Div(className="wall-page-name", **{"data-testid": "wall-page-name"}),
                    html.Div(
                        html.Div(className="wall-progress-bar"),
                        className="wall-progress",
                        **{"data-testid": "wall-progress"},
                    ),
                ],
                className="wall-now",
            ),
            html.Div(
                [
                    mark,
                    html.Span(
                        [html.I(className="bi bi-wifi-off"), " ", t("wall.disconnected", lang)],
                        className="wall-connection",
                        **{"data-testid": "connection-status", "data-state": "ok"},
                    ),
                    html.Div(
                        [html.Div(className="wall-time"), html.Div(className="wall-date")],
                        className="wall-clock",
                    ),
                ],
                className="wall-tools",
            ),
        ],
        className="wall-header",
    )


def _slot(slot: SlotFrame) -> html.Section:
    return html.Section(
        slot.body,
        className=f"wall-slot wall-slot-{slot.kind}",
        **{"data-slot": str(slot.index), "data-name": slot.name, "data-dwell": str(slot.dwell)},
    )


def _ticker(lang: str) -> html.Footer:
    return html.Footer(
        [
            html.Div(
                [html.I(className="bi bi-bell-fill"), " ", t("wall.alerts", lang)],
                className="wall-ticker-label",
            ),
            html.Div(
                html.Div(id="wall-ticker-track", className="wall-ticker-track"),
                className="wall-ticker-window",
            ),
        ],
        className="wall-ticker",
        **{"data-testid": "alert-ticker"},
    )


def slot_title(title: str, subtitle: str) -> html.Div:
    return html.Div(
        [html.H1(title), html.Span(subtitle)],
        className="wall-slot-title",
    )


def ranking(values: dict[str, float], names: dict[str, str], metric: Metric, lang: str) -> html.Div:
    """Child areas as horizontal bars, best first by the metric's direction; big type."""
    if not values:
        return html.Div(t("kpi.no_data", lang), className="wall-ranking wall-empty")
    reverse = metric.direction.value != "down"
    ordered = sorted(values.items(), key=lambda kv: kv[1], reverse=reverse)
    peak = max(abs(v) for v in values.values()) or 1
    unit = metric_unit(metric, lang)
    title = t("wall.ranking", lang, metric=metric_name(metric, lang))
    rows = [
        html.Div(
            [
                html.Span(names[code], className="wall-rank-name"),
                html.Span(
                    html.Span(style={"width": f"{abs(value) / peak * 100:.1f}%"}),
                    className="wall-rank-bar",
                ),
                html.Span(
                    format_value(value, unit, lang, metric.decimals), className="wall-rank-value"
                ),
            ],
            className="wall-rank-row",
            **{"data-area": code},
        )
        for code, value in ordered
    ]
    return html.Div(
        [html.Div(title, className="wall-ranking-title"), *rows], className="wall-ranking"
    )


def camera_tile(
    camera: str, name: str, area: str, online: bool, version: str, since: str | None, lang: str
) -> html.Figure:
    caption = [html.B(name), html.Span(area)]
    if not online:
        caption.append(html.Span(t("wall.offline_since", lang, time=since or "?"), className="off"))
    return html.Figure(
        [
            html.Img(src=f"/camera/{camera}/snapshot?v={version}", alt=name),
            html.Figcaption(caption),
        ],
        className="wall-camera" + ("" if online else " offline"),
        **{"data-camera": camera, "data-online": str(online).lower()},
    )


def alert_text(alert: Alert, lang: str) -> str:
    params = dict(alert.params)
    if "metric" in params:
        metric = METRICS_BY_KEY[params["metric"]]
        unit = metric_unit(metric, lang)
        params["metric"] = metric_name(metric, lang)
        params["value"] = format_value(params["value"], unit, lang, metric.decimals)
        params["limit"] = format_value(params["limit"], unit, lang, metric.decimals)
    elif "station" in params:
        params["value"] = format_value(params["value"], "‰", lang, 2)
        params["limit"] = format_value(params["limit"], "‰", lang, 0)
    if params.get("age") is not None:
        params["age"] = format_relative(params["age"], lang)
    return t(alert.message, lang, **params)


def alert_item(alert: Alert, area_name: str, lang: str, big: bool = False) -> html.Div:
    when = format_datetime_local(alert.shown_time, lang) if alert.shown_time else ""
    return html.Div(
        [
            html.I(className=f"bi {SEVERITY_ICON[alert.severity]}"),
            html.Span(area_name, className="wall-alert-area"),
            html.Span(alert_text(alert, lang), className="wall-alert-text"),
            html.Span(when, className="wall-alert-time"),
        ],
        className=f"wall-alert wall-alert-{alert.severity}" + (" big" if big else ""),
        **{"data-alert": alert.key, "data-severity": alert.severity},
    )


def no_alerts(lang: str) -> html.Div:
    return html.Div(
        [html.I(className="bi bi-check-circle-fill"), " ", t("wall.no_alerts", lang)],
        className="wall-alert wall-alert-none",
    )


@cache
def wall_map_figure(circles: bool) -> dict[str, Any]:
    """The area map's skeleton restyled for a dark wall: fills the slot, large light labels."""
    figure = copy.deepcopy(empty_figure(circles))
    layout = figure["layout"]
    layout.pop("height", None)
    layout["autosize"] = True
    layout["font"] = {"family": "Be Vietnam Pro, sans-serif", "color": "#e8eef6", "size": 18}
    # Big labels; their colour comes with each Patch, against each area's fill.
    figure["data"][LABELS]["textfont"] = {"size": 22, "color": "#ffffff", "shadow": "auto"}
    marker = figure["data"][AREAS].setdefault("marker", {})
    marker.setdefault("line", {})["color"] = WALL_BORDER
    return figure
