"""The area map: an empty figure once, then value-only Patches (geometry travels by URL, once),
and the HTML legend beside it; both drawn from one MapView (dashboards.map_view builds it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import plotly.graph_objects as go
from dash import Patch, html

from ui.palette import INK, STATUS_COLOURS, WHITE

AREAS, LABELS, POINTS = 0, 1, 2  # the figure's traces, in drawing order
CIRCLE_PX = 30  # one size for every circle: the colour carries the class, not the size
SELECTED_LINE, AREA_LINE = 3.0, 0.8


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """One class of the map: its name, the break that bounds it, its colour."""

    klass: str  # good | warn | critical | met | not_met | nodata | q0 … q4
    name: str  # the class name ("theo dõi"); empty for a plain range
    breaks: str  # the bound in the metric's unit ("≥ 1 ‰"); empty for no data
    colour: str
    text: str  # what the legend reads ("≥ 1 ‰ theo dõi")


@dataclass(frozen=True, slots=True)
class AreaShade:
    """One area as the map draws it."""

    code: str
    name: str
    lat: float
    lon: float
    value: float | None
    klass: str
    fill: str
    label_colour: str
    hover: str


@dataclass(frozen=True, slots=True)
class MapView:
    """What the map shows: the areas with their class and colour, the legend, the selection."""

    metric: str
    level: str  # the level of the areas drawn
    scheme: str  # status | target | sequential
    areas: tuple[AreaShade, ...]
    legend: tuple[LegendEntry, ...]
    geojson_url: str | None  # None: no boundaries, draw circles at label points
    selected: str | None = None

    def area(self, code: str) -> AreaShade:
        return next(a for a in self.areas if a.code == code)


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A facility, station, camera or report drawn over the areas."""

    lat: float
    lon: float
    label: str  # hover text (already formatted)
    status: str  # good | warn | critical | info | nodata
    area: str | None = None  # clicking the point selects this area


POINT_COLOURS = {
    **{k: STATUS_COLOURS[k] for k in ("good", "warn", "critical")},
    "info": "#7b3fe4",  # violet: stands out on the blue and the status fills
    "nodata": "#6b7785",
}


@cache
def empty_figure(circles: bool) -> dict[str, Any]:
    """Three traces (areas, labels, points) with no data; Patches fill them.

    Built once per process as a plain dict: every page load sends the same skeleton.
    """
    areas: go.BaseTraceType = (
        go.Scattergeo(mode="markers", marker={"size": CIRCLE_PX, "color": STATUS_COLOURS["nodata"]})
        if circles
        else go.Choropleth(showscale=False, marker_line_color=WHITE)
    )
    # "auto": a thin halo in the contrasting colour, for labels that cross a border
    labels = go.Scattergeo(
        mode="text", hoverinfo="skip", textfont={"size": 11, "color": INK, "shadow": "auto"}
    )
    points = go.Scattergeo(mode="markers", marker={"size": 9, "line": {"width": 1, "color": WHITE}})
    figure = go.Figure([areas, labels, points])
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


def map_patch(view: MapView, border: str = WHITE) -> Patch:
    """The data of the area and label traces for this view; never the geometry itself.

    The selected area is drawn last, so its thick dark outline is not overdrawn by the
    borders of its neighbours."""
    patch = Patch()
    shown = sorted(view.areas, key=lambda a: a.code == view.selected)
    lines = {
        "width": [SELECTED_LINE if a.code == view.selected else AREA_LINE for a in shown],
        "color": [INK if a.code == view.selected else border for a in shown],
    }
    common = {
        "customdata": [a.code for a in shown],
        "text": [a.hover for a in shown],
        "hovertemplate": "%{text}<extra></extra>",
    }
    if view.geojson_url is None:
        patch["data"][AREAS].update(
            {
                **common,
                "lat": [a.lat for a in shown],
                "lon": [a.lon for a in shown],
                "marker": {"size": CIRCLE_PX, "color": [a.fill for a in shown], "line": lines},
            }
        )
    else:
        classes = [e.klass for e in view.legend]
        patch["data"][AREAS].update(
            {
                **common,
                "geojson": view.geojson_url,
                "locations": [a.code for a in shown],
                "z": [classes.index(a.klass) for a in shown],
                "zmin": -0.5,
                "zmax": len(classes) - 0.5,
                "colorscale": _stepped([e.colour for e in view.legend]),
                "showscale": False,
                "marker": {"line": lines},
            }
        )
    patch["data"][LABELS]["lat"] = [a.lat for a in view.areas]
    patch["data"][LABELS]["lon"] = [a.lon for a in view.areas]
    patch["data"][LABELS]["text"] = [a.name for a in view.areas]
    patch["data"][LABELS]["textfont"]["color"] = [a.label_colour for a in view.areas]
    return patch


def _stepped(colours: Sequence[str]) -> list[list[Any]]:
    """A colour scale that is flat over each class index: z = i shows colours[i] exactly."""
    count = len(colours)
    scale: list[list[Any]] = []
    for index, colour in enumerate(colours):
        scale.append([index / count, colour])
        scale.append([(index + 1) / count, colour])
    return scale


def map_legend(view: MapView) -> list[html.Span]:
    """The legend's entries: a swatch in the class colour and the class text."""
    return [
        html.Span(
            [
                html.Span(className="map-legend-swatch", style={"background": entry.colour}),
                html.Span(entry.text, className="map-legend-text"),
            ],
            className="map-legend-item",
            **{"data-class": entry.klass},
        )
        for entry in view.legend
    ]


def legend_box(component_id: Any, class_name: str = "") -> html.Div:
    """Where a page's map legend goes; the map's callback fills it with `map_legend`."""
    return html.Div(
        id=component_id,
        className=f"map-legend {class_name}".strip(),
        **{"data-testid": "map-legend"},
    )


def points_patch(points: Sequence[MapPoint]) -> Patch:
    """The point layer alone (facilities, stations, cameras, reports)."""
    patch = Patch()
    patch["data"][POINTS].update(
        {
            "lat": [p.lat for p in points],
            "lon": [p.lon for p in points],
            "text": [p.label for p in points],
            "hovertemplate": "%{text}<extra></extra>",
            "customdata": [p.area for p in points],
            "marker": {
                "size": 9,
                "color": [POINT_COLOURS[p.status] for p in points],
                "line": {"width": 1, "color": WHITE},
            },
        }
    )
    return patch
