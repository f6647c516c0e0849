"""Pieces of the wall display: the kiosk frame, tiles with their sparkline, ranking bars,
camera tiles, alert rows and the alert counts."""

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
from i18n.formatting import format_datetime_local, format_number, format_relative, format_value
from i18n.names import metric_name, metric_unit
from store.catalog import METRICS_BY_KEY, Metric
from ui.legend import status_legend
from ui.maps import AREAS, LABELS, empty_figure
from ui.status import judged, ranked, value_status

if TYPE_CHECKING:
    from dashboards.alerts import Alert

WALL_BORDER = "#0d1520"  # area borders on the dark wall
SEVERITY_ICON = {"critical": "bi-exclamation-octagon-fill", "warn": "bi-exclamation-triangle-fill"}
SEVERITIES = ("critical", "warn")
RANK_ROWS = 6  # per column: eleven districts read 1–6 down the left, 7–11 down the right
SPARK_W, SPARK_H = 120, 40  # the sparkline's own units; the picture stretches to its box
PLACEHOLDER = "\u00a0"  # what a tile's empty line holds on the pages, to keep tiles aligned
FRESH = "kpi-freshness fresh"  # "updated just now": on a wall only stale or failing data get a line


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
            html.Div(  # shown by wall.js when the server says the screen may no longer see data
                [html.I(className="bi bi-shield-lock"), " ", t("auth.display_ended", lang)],
                className="wall-access-ended",
                role="alert",
                **{"data-testid": "access-ended"},
            ),
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
            status_legend(lang, "wall-legend"),
        ],
        className="wall-ticker",
        **{"data-testid": "alert-ticker"},
    )


def slot_title(title: str, subtitle: str) -> html.Div:
    return html.Div(
        [html.H1(title), html.Span(subtitle)],
        className="wall-slot-title",
    )


def ranking(
    values: dict[str, float],
    names: dict[str, str],
    metric: Metric,
    lang: str,
    level: str | None = None,
) -> html.Div:
    """Child areas as horizontal bars, best first by the metric's direction, numbered and read
    down each of two columns (beyond two full columns, the best and the worst); each bar in the
    status colour of its value (the tiles' rule) where the metric has thresholds."""
    if not values:
        return html.Div(t("kpi.no_data", lang), className="wall-ranking wall-empty")
    ordered = list(enumerate(((c, values[c]) for c in ranked(values, names, metric)), 1))
    if len(ordered) > 2 * RANK_ROWS:
        ordered = ordered[:RANK_ROWS] + ordered[-RANK_ROWS:]
    tone = judged(metric, level)
    peak = max(abs(v) for v in values.values()) or 1
    unit = metric_unit(metric, lang)
    title = t("wall.ranking", lang, metric=metric_name(metric, lang))
    rows = [
        html.Div(
            [
                html.Span(format_number(rank, lang), className="wall-rank-number"),
                html.Span(names[code], className="wall-rank-name"),
                html.Span(
                    html.Span(style={"width": f"{abs(value) / peak * 100:.1f}%"}),
                    className="wall-rank-bar",
                ),
                html.Span(
                    format_value(value, unit, lang, metric.decimals), className="wall-rank-value"
                ),
            ],
            className="wall-rank-row"
            + (f" wall-rank-{value_status(metric, value, level)}" if tone else ""),
            **{"data-area": code, "data-rank": str(rank)},
        )
        for rank, (code, value) in ordered
    ]
    per_column = -(-len(rows) // 2)
    return html.Div(
        [
            html.Div(title, className="wall-ranking-title"),
            html.Div(
                rows,
                className="wall-ranking-rows",
                style={"gridTemplateRows": f"repeat({per_column}, auto)"},
            ),
        ],
        className="wall-ranking",
    )


def with_sparkline(tile: html.Div, points: Sequence[float | None], unfinished: bool) -> html.Div:
    """A KPI tile for the wall: its empty placeholder lines dropped (a wall tile has no row
    of neighbours to align with), its freshness line only when the data are not fresh, and
    the window's trend drawn in the room they leave."""
    kept = [
        c
        for c in tile.children
        if getattr(c, "children", None) != PLACEHOLDER and getattr(c, "className", None) != FRESH
    ]
    tile.children = [*kept, sparkline(points, unfinished)]
    return tile


def sparkline(points: Sequence[float | None], unfinished: bool) -> html.Img | None:
    """The series as an inline SVG picture; a dashed last segment when the last period is
    still running (today), so a half-counted day does not read as a fall. Whole-number
    coordinates and single quotes keep it to ≈ 400 bytes of the refresh."""
    known = [(i, v) for i, v in enumerate(points) if v is not None]
    if len(known) < 2:
        return None
    low, high = min(v for _, v in known), max(v for _, v in known)
    span = (high - low) or 1.0
    step = SPARK_W / max(1, len(points) - 1)

    def xy(i: int, v: float) -> str:
        y = SPARK_H - 2 - (v - low) / span * (SPARK_H - 4) if high > low else SPARK_H / 2
        return f"{round(i * step)},{round(y)}"

    done = known[:-1] if unfinished else known
    line = " ".join(xy(i, v) for i, v in done)
    keep = "vector-effect='non-scaling-stroke'"  # the stroke stays 3 px however it stretches
    # A line only: an area fill would repeat every point and double the bytes.
    parts = [f"<polyline points='{line}' stroke='%2358a6ff' {keep}/>"]
    if unfinished:
        last = " ".join(xy(i, v) for i, v in known[-2:])
        parts.append(
            f"<polyline points='{last}' stroke='%23a9b7c9' stroke-dasharray='6 5' {keep}/>"
        )
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {SPARK_W} {SPARK_H}'"
        " preserveAspectRatio='none' fill='none' stroke-width='3' stroke-linejoin='round'>"
        f"{''.join(parts)}</svg>"
    )
    return html.Img(src="data:image/svg+xml," + svg, className="wall-spark", alt="")


def camera_tile(
    camera: str, name: str, area: str, online: bool, version: str, since: str | None, lang: str
) -> html.Figure:
    caption = [
        html.B(name, className="ioc-source-text"),
        html.Span(area) if area and area not in name else None,
    ]
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
    elif "station" in params and "value" in params:
        params["value"] = format_value(params["value"], "‰", lang, 2)
        params["limit"] = format_value(params["limit"], "‰", lang, 0)
    if params.get("age") is not None:
        params["age"] = format_relative(params["age"], lang)
    if isinstance(params.get("days"), int):
        params["days"] = t("count.days", lang, count=params["days"])
    return t(alert.message, lang, **params)


def _alert_text(alert: Alert, lang: str, link: str | None) -> html.Span | html.A:
    """The alert's text; a link to where its cause is looked at when it has one."""
    if link is None:
        return html.Span(alert_text(alert, lang), className="wall-alert-text")
    return html.A(alert_text(alert, lang), href=link, className="wall-alert-text")


def alert_item(
    alert: Alert, area_name: str, lang: str, big: bool = False, link: str | None = None
) -> html.Div:
    when = format_datetime_local(alert.shown_time, lang) if alert.shown_time else ""
    return html.Div(
        [
            html.I(className=f"bi {SEVERITY_ICON[alert.severity]}"),
            html.Span(area_name, className="wall-alert-area"),
            _alert_text(alert, lang, link),
            html.Span(when, className="wall-alert-time"),
        ],
        className=f"wall-alert wall-alert-{alert.severity}" + (" big" if big else ""),
        **{"data-alert": alert.key, "data-severity": alert.severity},
    )


def alert_counts(alerts: Sequence[Alert], lang: str) -> html.Div:
    """How many alerts of each severity are current, above the alerts page's rows."""
    chips = [
        html.Span(
            [
                html.I(className=f"bi {SEVERITY_ICON[severity]}"),
                t(
                    f"wall.count.{severity}",
                    lang,
                    count=format_number(sum(a.severity == severity for a in alerts), lang),
                ),
            ],
            className=f"wall-count wall-count-{severity}",
            **{"data-severity": severity},
        )
        for severity in SEVERITIES
    ]
    return html.Div(chips, className="wall-alert-counts", **{"data-testid": "alert-counts"})


def more_alerts(count: int, lang: str) -> html.Div:
    return html.Div(
        t("wall.more_alerts", lang, count=format_number(count, lang)),
        className="wall-alert-more",
        **{"data-more": str(count)},
    )


def no_alerts(lang: str) -> html.Div:
    return html.Div(
        [html.I(className="bi bi-check-circle-fill"), " ", t("wall.no_alerts", lang)],
        className="wall-alert wall-alert-none",
    )


def nothing_permitted(lang: str) -> html.Div:
    """What a screen whose session may see nothing shows instead of any data."""
    return html.Div(
        [html.I(className="bi bi-shield-lock-fill"), " ", t("scope.nothing_permitted", lang)],
        className="wall-alert wall-alert-none",
    )


@cache
def wall_map_figure(circles: bool) -> dict[str, Any]:
    """The area map's skeleton restyled for a dark wall: fills the slot, large light labels."""
    figure = copy.deepcopy(empty_figure(circles))
    layout = figure["layout"]
    layout.pop("height", None)
    layout["autosize"] = True
    # 28 px: the wall's smallest text, read from five metres.
    layout["font"] = {"family": "Be Vietnam Pro, sans-serif", "color": "#e8eef6", "size": 28}
    # Big labels; their colour comes with each Patch, against each area's fill.
    figure["data"][LABELS]["textfont"] = {"size": 28, "color": "#ffffff", "shadow": "auto"}
    marker = figure["data"][AREAS].setdefault("marker", {})
    marker.setdefault("line", {})["color"] = WALL_BORDER
    return figure
