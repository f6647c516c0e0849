"""The area map: an empty figure once, then value-only Patches (geometry travels by URL, once)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import plotly.graph_objects as go
from dash import Patch

from i18n import t
from i18n.formatting import format_value
from i18n.names import metric_unit
from store.catalog import Direction, Metric

NODATA_GREY = [[0, "#d5d9de"], [1, "#d5d9de"]]
_RED_TO_GREEN = [[0, "#c62828"], [0.5, "#f2c14e"], [1, "#1a7f37"]]
_GREEN_TO_RED = [[0, "#1a7f37"], [0.5, "#f2c14e"], [1, "#c62828"]]
_LIGHT_TO_DARK_BLUE = [[0, "#dbe9f6"], [1, "#0b4f8a"]]
SCALES = {
    Direction.UP: _RED_TO_GREEN,
    Direction.DOWN: _GREEN_TO_RED,
    Direction.NEUTRAL: _LIGHT_TO_DARK_BLUE,
}
MAX_CIRCLE_PX = 46


@dataclass(frozen=True, slots=True)
class MapArea:
    code: str
    name: str
    lat: float
    lon: float
    population: int | None = None


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A facility, station, camera or report drawn over the areas."""

    lat: float
    lon: float
    label: str  # hover text (already formatted)
    status: str  # good | warn | critical | info | nodata
    area: str | None = None  # clicking the point selects this area


POINT_COLOURS = {
    "good": "#1a7f37",
    "warn": "#e0a100",
    "critical": "#c62828",
    "info": "#7b3fe4",  # violet: stands out on the blue choropleth
    "nodata": "#6b7785",
}


@dataclass(frozen=True, slots=True)
class MapView:
    """What the map shows: which areas, their values for one metric, the selection."""

    areas: Sequence[MapArea]
    values: Mapping[str, float]
    metric: Metric
    lang: str
    geojson_url: str | None  # None: no boundaries, draw circles at label points
    selected: str | None = None


@cache
def empty_figure(circles: bool) -> dict[str, Any]:
    """Three traces (no-data layer, value layer, labels) with no data; Patches fill them.

    Built once per process as a plain dict: every page load sends the same skeleton.
    """
    if circles:
        base: list[go.BaseTraceType] = [
            go.Scattergeo(mode="markers", marker={"color": "#d5d9de", "size": 14}),
            go.Scattergeo(mode="markers", marker={"showscale": True, "sizemode": "diameter"}),
        ]
    else:
        base = [
            go.Choropleth(colorscale=NODATA_GREY, showscale=False, marker_line_color="#ffffff"),
            go.Choropleth(marker_line_color="#ffffff", colorbar={"thickness": 12, "len": 0.8}),
        ]
    labels = go.Scattergeo(mode="text", hoverinfo="skip", textfont={"size": 11, "color": "#1f2a37"})
    points = go.Scattergeo(
        mode="markers", marker={"size": 9, "line": {"width": 1, "color": "#ffffff"}}
    )
    figure = go.Figure([*base, labels, points])
    figure.update_layout(
        template="none",
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=540,
        showlegend=False,
        paper_bgcolor="rgba(0,0,0,0)",
        dragmode=False,
        uirevision="map",
        geo={
            "visible": False,
            "fitbounds": "locations",
            "projection_type": "mercator",
            "bgcolor": "rgba(0,0,0,0)",
        },
        font={"family": "Be Vietnam Pro, sans-serif"},
    )
    return figure.to_plotly_json()


def map_patch(view: MapView) -> Patch:
    """The data of the three traces for this view; never the geometry itself."""
    patch = Patch()
    codes = [a.code for a in view.areas]
    valued = [a for a in view.areas if a.code in view.values]
    hover = [_hover(a, view) for a in view.areas]
    if view.geojson_url is None:
        _patch_circles(patch, view, codes, valued, hover)
    else:
        _patch_choropleth(patch, view, codes, valued, hover)
    patch["data"][2]["lat"] = [a.lat for a in view.areas]
    patch["data"][2]["lon"] = [a.lon for a in view.areas]
    patch["data"][2]["text"] = [a.name for a in view.areas]
    return patch


def points_patch(points: Sequence[MapPoint]) -> Patch:
    """The point layer alone (facilities, stations, cameras, reports)."""
    patch = Patch()
    patch["data"][3].update(
        {
            "lat": [p.lat for p in points],
            "lon": [p.lon for p in points],
            "text": [p.label for p in points],
            "hovertemplate": "%{text}<extra></extra>",
            "customdata": [p.area for p in points],
            "marker": {
                "size": 9,
                "color": [POINT_COLOURS[p.status] for p in points],
                "line": {"width": 1, "color": "#ffffff"},
            },
        }
    )
    return patch


def _patch_choropleth(
    patch: Patch, view: MapView, codes: list[str], valued: list[MapArea], hover: list[str]
) -> None:
    line_widths = [3 if c == view.selected else 0.8 for c in codes]
    patch["data"][0].update(
        {
            "geojson": view.geojson_url,
            "locations": codes,
            "z": [0] * len(codes),
            "customdata": codes,
            "text": hover,
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {"line": {"width": line_widths, "color": "#ffffff"}},
        }
    )
    patch["data"][1].update(
        {
            "geojson": view.geojson_url,
            "locations": [a.code for a in valued],
            "z": [view.values[a.code] for a in valued],
            "customdata": [a.code for a in valued],
            "text": [_hover(a, view) for a in valued],
            "hovertemplate": "%{text}<extra></extra>",
            "colorscale": SCALES[view.metric.direction],
            "zmin": _zmin(view),
            "zmax": _zmax(view),
            "colorbar": {"title": {"text": _unit(view)}, "thickness": 12, "len": 0.8},
            "marker": {
                "line": {
                    "width": [3 if a.code == view.selected else 0.8 for a in valued],
                    "color": "#ffffff",
                }
            },
        }
    )


def _patch_circles(
    patch: Patch, view: MapView, codes: list[str], valued: list[MapArea], hover: list[str]
) -> None:
    patch["data"][0].update(
        {
            "lat": [a.lat for a in view.areas],
            "lon": [a.lon for a in view.areas],
            "customdata": codes,
            "text": hover,
            "hovertemplate": "%{text}<extra></extra>",
        }
    )
    peak = max((abs(view.values[a.code]) for a in valued), default=0) or 1
    patch["data"][1].update(
        {
            "lat": [a.lat for a in valued],
            "lon": [a.lon for a in valued],
            "customdata": [a.code for a in valued],
            "text": [_hover(a, view) for a in valued],
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {
                "size": [
                    12 + MAX_CIRCLE_PX * math.sqrt(abs(view.values[a.code]) / peak) for a in valued
                ],
                "color": [view.values[a.code] for a in valued],
                "colorscale": SCALES[view.metric.direction],
                "cmin": _zmin(view),
                "cmax": _zmax(view),
                "showscale": True,
                "line": {"width": 1, "color": "#fff"},
                "colorbar": {"title": {"text": _unit(view)}, "thickness": 12, "len": 0.8},
            },
        }
    )


def _zmin(view: MapView) -> float | None:
    return min(view.values.values()) if view.values else None


def _zmax(view: MapView) -> float | None:
    if not view.values:
        return None
    low, high = min(view.values.values()), max(view.values.values())
    return high if high > low else low + 1


def _unit(view: MapView) -> str:
    return metric_unit(view.metric, view.lang)


def _hover(area: MapArea, view: MapView) -> str:
    value = view.values.get(area.code)
    shown = (
        format_value(value, _unit(view), view.lang, view.metric.decimals)
        if value is not None
        else t("map.no_value", view.lang)
    )
    return f"<b>{area.name}</b><br>{shown}"
