"""The one map view of a metric over areas — values, classes, colours, labels, legend,
selection — used alike by the overview, the domain pages and the wall, so that one value has
one colour wherever it is drawn."""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from dashboards.context import services
from dashboards.routes import geojson_url
from geo.hierarchy import AdminUnit
from i18n import DEFAULT_LANGUAGE, catalog_keys, t
from i18n.formatting import format_number, format_value
from i18n.names import metric_unit
from store.areas import AreaIndex
from store.catalog import METRICS_BY_KEY, Direction, Metric
from store.scope import Scope
from ui.maps import AreaShade, LegendEntry, MapView
from ui.palette import SEQUENTIAL_BLUES, STATUS_COLOURS, label_colour
from ui.status import judged, target_attainment, target_for, value_status

CLASSES = len(SEQUENTIAL_BLUES)  # classes of the sequential scale at most


class MapReads(Protocol):
    """The store reads the map needs (Queries, or CachedQueries in front of it)."""

    @property
    def areas(self) -> AreaIndex: ...

    def area_values(
        self, scope: Scope, key: str, areas: Sequence[str] | None = None
    ) -> dict[str, float]: ...

    def level_values(self, scope: Scope, key: str, level: str) -> dict[str, float]: ...


# -- class breaks of the sequential scale ---------------------------------------------------
def first_point(click: object) -> dict:
    """The first point of a map's clickData as the browser sent it ({} if it names none)."""
    points = click.get("points") if isinstance(click, dict) else None
    first = points[0] if isinstance(points, list) and points else None
    return first if isinstance(first, dict) else {}


def class_breaks(
    values: Iterable[float | None], classes: int = CLASSES, decimals: int = 0
) -> tuple[float, ...]:
    """Increasing breaks b1 < … < bk splitting the values into at most `classes` classes of
    about equal counts (class i holds b_i <= v < b_i+1), rounded to two significant digits
    (never finer than the metric shows) where that keeps them between the data.

    Ties never make an empty or a duplicate class; all-equal values or a single value give
    no break (one class); None and non-finite values are ignored."""
    data = sorted(v for v in values if v is not None and math.isfinite(v))
    distinct = sorted(set(data))
    wanted = min(classes, len(distinct))
    breaks: list[float] = []
    for k in range(1, wanted):
        lower = breaks[-1] if breaks else data[0]
        candidate = data[min(len(data) - 1, max(1, round(k * len(data) / wanted)))]
        if candidate <= lower:  # a run of ties: the next value above it starts the class
            above = [d for d in distinct if d > lower]
            if not above:
                break
            candidate = above[0]
        chosen = _shown_break(candidate, lower, data[-1], decimals)
        if chosen is not None:
            breaks.append(chosen)
    return tuple(breaks)


def _shown_break(candidate: float, lower: float, top: float, decimals: int) -> float | None:
    """The roundest of (two significant digits, up or down at the shown decimals, as is) that
    stays strictly above the class below and not above the largest value."""
    step = 10.0 ** -max(decimals, 0)
    options = (
        _nice(candidate, step),
        _on_grid(math.ceil(candidate / step - 1e-9) * step, step),
        _on_grid(math.floor(candidate / step + 1e-9) * step, step),
        candidate,
    )
    return next((b for b in options if lower < b <= top), None)


def _nice(value: float, finest: float) -> float:
    if value == 0:
        return 0.0
    step = max(10.0 ** (math.floor(math.log10(abs(value))) - 1), finest)
    return _on_grid(round(value / step) * step, step)


def _on_grid(value: float, step: float) -> float:
    """Strip float noise (0.30000000000000004) at the step's decimals."""
    return round(value, max(0, -math.floor(math.log10(step))))


def _palette(count: int) -> list[str]:
    """`count` colours of the sequential scale, spread from light to dark."""
    last = len(SEQUENTIAL_BLUES) - 1
    if count == 1:
        return [SEQUENTIAL_BLUES[last // 2]]
    return [SEQUENTIAL_BLUES[round(i * last / (count - 1))] for i in range(count)]


# -- classes ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Classes:
    """How a metric's values at one level are classed: the legend and the rule."""

    scheme: str  # status | target | sequential
    legend: tuple[LegendEntry, ...]
    rule: Callable[[float], str]  # a value → the klass of its legend entry

    def of(self, value: float | None) -> LegendEntry:
        klass = "nodata" if value is None else self.rule(value)
        return next(e for e in self.legend if e.klass == klass)


def _target(metric: Metric, level: str) -> float | None:
    """The level's target where the metric has something to attain (a good direction)."""
    return None if metric.direction is Direction.NEUTRAL else target_for(metric, level)


def classes_for(
    metric: Metric, level: str, lang: str, level_values: Iterable[float] | None = ()
) -> Classes:
    """Thresholds → status classes; else a target at this level → met / not met; else the
    sequential scale over the values of the whole level."""
    if judged(metric, level):
        return _status_classes(metric, level, lang)
    target = _target(metric, level)
    if target is not None:
        return _target_classes(metric, level, target, lang)
    values = [v for v in level_values or () if v is not None]
    breaks = class_breaks(values, CLASSES, metric.decimals)
    return _sequential_classes(metric, breaks, values, lang)


def _status_classes(metric: Metric, level: str, lang: str) -> Classes:
    warn, critical = metric.limits(level)
    worse, better = ("≥", "<") if metric.direction is Direction.DOWN else ("<", "≥")
    first = warn if warn is not None else critical
    assert first is not None
    bounds = {"good": f"{better} {_limit(metric, first, lang)}"}
    if warn is not None:
        bounds["warn"] = f"{worse} {_limit(metric, warn, lang)}"
    if critical is not None:
        bounds["critical"] = f"{worse} {_limit(metric, critical, lang)}"
    entries = [
        _entry(k, _class_name(metric, k, lang), bound, STATUS_COLOURS[k])
        for k, bound in bounds.items()
    ]
    return Classes(
        "status",
        (*entries, _nodata(metric, lang)),
        lambda value: value_status(metric, value, level),
    )


def _target_classes(metric: Metric, level: str, target: float, lang: str) -> Classes:
    down = metric.direction is Direction.DOWN
    bound = f"{'≤' if down else '≥'} {_limit(metric, target, lang)}"
    name = _class_name(metric, "met", lang)
    met = LegendEntry("met", name, bound, STATUS_COLOURS["good"], f"{name} {bound}")
    not_met = _entry("not_met", _class_name(metric, "not_met", lang), "", STATUS_COLOURS["warn"])

    def rule(value: float) -> str:  # the tiles' target rule, so map and tile agree
        attainment = target_attainment(metric, value, level)
        return "met" if attainment is not None and attainment.met else "not_met"

    return Classes("target", (met, not_met, _nodata(metric, lang)), rule)


def _sequential_classes(
    metric: Metric, breaks: Sequence[float], values: Sequence[float], lang: str
) -> Classes:
    if not values:
        return Classes("sequential", (_nodata(metric, lang),), lambda _v: "nodata")
    colours = _palette(len(breaks) + 1)
    if not breaks:  # every value equal, or one value: one class named by that value
        only = _entry("q0", "", _limit(metric, min(values), lang), colours[0])
        return Classes("sequential", (only, _nodata(metric, lang)), lambda _v: "q0")
    shown = [_limit(metric, b, lang) for b in breaks]
    bare = [_limit(metric, b, lang, with_unit=False) for b in breaks]
    texts = [
        f"< {shown[0]}",
        *(f"{bare[i - 1]} – < {shown[i]}" for i in range(1, len(shown))),
        f"≥ {shown[-1]}",
    ]
    entries = [_entry(f"q{i}", "", text, colours[i]) for i, text in enumerate(texts)]
    return Classes(
        "sequential",
        (*entries, _nodata(metric, lang)),
        lambda value: f"q{bisect.bisect_right(breaks, value)}",
    )


def _entry(klass: str, name: str, bound: str, colour: str) -> LegendEntry:
    return LegendEntry(klass, name, bound, colour, " ".join(p for p in (bound, name) if p))


def _nodata(metric: Metric, lang: str) -> LegendEntry:
    return _entry("nodata", _class_name(metric, "nodata", lang), "", STATUS_COLOURS["nodata"])


def _class_name(metric: Metric, klass: str, lang: str) -> str:
    """The metric's own name for a class ("xâm nhập mặn") if it has one, else the generic."""
    own = f"map.class.{metric.key}.{klass}"
    return t(own if own in catalog_keys(DEFAULT_LANGUAGE) else f"map.class.{klass}", lang)


def _limit(metric: Metric, value: float, lang: str, with_unit: bool = True) -> str:
    """A bound in the metric's unit, with no more decimals than it needs (1 ‰, not 1,00 ‰)."""
    decimals = next(
        (d for d in range(max(metric.decimals, 0) + 1) if round(value, d) == round(value, 9)),
        max(metric.decimals, 0),
    )
    if not with_unit:
        return format_number(value, lang, decimals)
    return format_value(value, metric_unit(metric, lang), lang, decimals)


# -- the view -----------------------------------------------------------------------------
def map_view(scope: Scope, key: str, lang: str) -> MapView:
    """The view over the app's (cached) store and its boundary layers."""
    svc = services()
    return build_map_view(
        svc.queries, scope, key, lang, geojson_url if svc.boundaries.available else None
    )


def build_map_view(
    reads: MapReads,
    scope: Scope,
    key: str,
    lang: str,
    layer_url: Callable[[str], str | None] | None,
) -> MapView:
    """The children of the scope's area (or a commune's siblings, the commune selected), each
    classed by `classes_for` at their level. `layer_url` gives a level's boundary layer;
    None draws circles."""
    areas = reads.areas
    unit = areas.get(scope.area)
    parent = unit.code if unit.level != "commune" or unit.parent_code is None else unit.parent_code
    shown = areas.children(parent) or (parent,)
    level = areas.get(shown[0]).level
    metric = METRICS_BY_KEY[key]
    if judged(metric, level) or _target(metric, level) is not None:
        values = reads.area_values(scope.at(parent), key, shown)
        classes = classes_for(metric, level, lang)
    else:  # breaks from the whole level: the same value has the same colour on every map
        everywhere = reads.level_values(scope, key, level)
        values = {c: everywhere[c] for c in shown if c in everywhere}
        classes = classes_for(metric, level, lang, everywhere.values())
    return MapView(
        metric=key,
        level=level,
        scheme=classes.scheme,
        areas=tuple(_shade(areas.get(c), values.get(c), classes, metric, lang) for c in shown),
        legend=classes.legend,
        geojson_url=layer_url(level) if layer_url else None,
        selected=scope.area if scope.area != parent else None,
    )


def _shade(
    unit: AdminUnit, value: float | None, classes: Classes, metric: Metric, lang: str
) -> AreaShade:
    entry = classes.of(value)
    shown = (
        format_value(value, metric_unit(metric, lang), lang, metric.decimals)
        if value is not None
        else t("map.no_value", lang)
    )
    full = unit.name_en if lang == "en" else unit.name_vi
    details = f"<br>{entry.text}" if value is not None else ""
    return AreaShade(
        code=unit.code,
        name=_label(unit, lang),
        lat=unit.lat,
        lon=unit.lon,
        value=value,
        klass=entry.klass,
        fill=entry.colour,
        label_colour=label_colour(entry.colour),
        hover=f"<b>{full}</b><br>{shown}{details}",
    )


def _label(unit: AdminUnit, lang: str) -> str:
    """The short name on the map; a numbered ward keeps its full name ("Phường 2", not "2")."""
    name = unit.short_name_en if lang == "en" else unit.short_name_vi
    if unit.level == "commune" and name.isdigit():
        return unit.name_en if lang == "en" else unit.name_vi
    return name
