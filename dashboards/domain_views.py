"""What the domain pages show, computed from a page spec and a scope: plain functions that the
page's callbacks call and unit tests import (the callbacks only read their inputs)."""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from typing import Any

from dash import html

from dashboards.context import feed_states, permitted_root, services
from dashboards.denials import record_denial
from dashboards.map_view import first_point
from dashboards.rows import MAX_POINTS, map_parent, newest_events
from dashboards.specs import EventMedian, PageSpec, Table
from i18n import label, t
from i18n.collation import natural_key
from i18n.formatting import format_relative
from store.catalog import METRICS_BY_KEY, Aggregation, Direction, Metric
from store.comparison import Reading, season_bars
from store.read_models import KpiValue
from store.scope import LOCAL_TZ, Scope, Window, local_midnight_utc
from ui.camera import camera_detail
from ui.charts import breakdown_figure, empty_message, seasonality_figure, trend_figure
from ui.gallery import Tile, gallery
from ui.kpi import first_load_text, kpi_tile
from ui.maps import POINTS, MapPoint
from ui.status import FeedState, Freshness

GRAINS = ("day", "week", "month")
GALLERY_SIZE = 24
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


def trend(spec: PageSpec, scope: Scope, key: str | None, grain: str | None, lang: str) -> Any:
    """The chosen metric (one of the spec's trends) per day, week or month, with last year."""
    key = key if key in spec.trend else spec.trend[0]
    grain = grain if grain in GRAINS else "day"
    queries = services().queries
    series = queries.trend(scope, key, grain)
    if all(p.value is None for p in series.current):
        return empty_message(t("kpi.no_data", lang))
    level = queries.areas.get(scope.area).level
    first_day = scope.window.start.astimezone(LOCAL_TZ).date()
    epidemic = key in spec.epidemic_line
    metric, now = METRICS_BY_KEY[key], services().clock()
    return trend_figure(series, metric, lang, grain, epidemic, level, now, first_day)


def breakdown(spec: PageSpec, scope: Scope, lang: str) -> Any:
    """The map metric across the areas the map shows, as ranked bars."""
    queries = services().queries
    values = queries.area_values(scope.at(map_parent(scope)), spec.map_metric)
    if not values:
        return empty_message(t("kpi.no_data", lang))
    names = {c: queries.areas.name(c, lang) for c in values}
    level = queries.areas.get(next(iter(values))).level  # the level of the areas compared
    return breakdown_figure(values, names, METRICS_BY_KEY[spec.map_metric], lang, level)


def drill_target(spec: PageSpec, point: dict[str, Any], area: str) -> str | None:
    """The area a click on the map selects, or None when it selects nothing (a camera's point
    opens the camera instead; a click outside the areas does nothing)."""
    areas = services().queries.areas
    if spec.snapshots and _on_points(point):
        return None
    code = point.get("customdata")
    if not isinstance(code, str) or code not in areas:
        return None
    if not permitted(code):
        return None
    return _one_level_below(code, area if permitted(area) else permitted_root() or "")


def permitted(area: Any) -> bool:
    """Whether the visitor may see `area`; asking for one they may not is audited."""
    areas, root = services().queries.areas, permitted_root()
    if isinstance(area, str) and root and area in areas and areas.is_within(area, root):
        return True
    record_denial("area", area, "outside the permitted area")
    return False


def map_back_label(lang: str) -> str:
    """The map's "back to the top" button names the top the visitor may see: the province,
    or a district centre's own district."""
    root = permitted_root()
    areas = services().queries.areas
    if not root or root == areas.root or root not in areas:
        return t("map.back", lang)
    return t("map.back_to", lang, area=areas.name(root, lang))


def area_above(area: Any) -> str:
    """The area the map's "up" button goes to: never past the top of what the visitor may see
    (the empty area, the visitor's own root, when nothing is above it)."""
    areas = services().queries.areas
    root = permitted_root()
    if not permitted(area):
        return root or ""
    parent = areas.get(area).parent_code
    if parent and root and areas.is_within(parent, root):
        return parent
    return root or ""


def camera_gallery(spec: PageSpec, scope: Scope, lang: str, version: str) -> Any:
    """The camera stills of the scope, offline ones first, then in natural name order."""
    queries = services().queries
    cameras = queries.assets(scope, spec.domain_key, ("camera",))
    stills = queries.snapshot_times(scope)
    ordered = sorted(cameras, key=lambda c: (c.status == "online", natural_key(c.name)))
    tiles = [
        Tile(
            c.source_id,
            c.name,
            queries.areas.name(c.area, lang) if c.area else "",
            c.status == "online",
            version,
            c.attributes.get("last_online_at"),
            c.status == "online" and (bool(c.attributes.get("stream_url")) or _hls(c)),
            c.source_id in stills,
        )
        for c in ordered[:GALLERY_SIZE]
    ]
    return gallery(tiles, len(cameras), lang, spec.domain_key)


def _hls(camera: Any) -> bool:
    return camera.attributes.get("stream") == "hls" and bool(camera.attributes.get("hls_url"))


def clicked_camera(
    spec: PageSpec, scope: Scope, source: str, cell: Any, shown: Any, click: Any
) -> str | None:
    """The camera a click on the grid (a row) or on the map (a point) names, if any."""
    if source == "grid":
        return _clicked_camera(cell, shown) or None
    return _camera_at_point(spec, scope, click)


def camera_view(spec: PageSpec, scope: Scope, camera: str, lang: str) -> tuple[str, Any] | None:
    """The title and body of one camera's view, or None if the scope holds no such camera."""
    found = _camera_place(spec, scope, camera)
    if found is None:
        record_denial("camera", camera, "not a camera inside the scope")
        return None
    queries = services().queries
    area_name = queries.areas.name(found.area, lang) if found.area else ""
    events = _camera_events(spec, scope, found)
    version = services().clock().isoformat()
    return found.name, camera_detail(found, scope.area, area_name, events, version, lang)


def seasonality(spec: PageSpec, scope: Scope, lang: str) -> Any:
    """This calendar year and the last, month by month, up to the window's end."""
    assert spec.seasonality
    end = scope.window.end
    year = (end - timedelta(microseconds=1)).astimezone(LOCAL_TZ).year
    start = local_midnight_utc(date(year - 1, 1, 1))
    series = services().queries.trend(scope.during(Window(start, end)), spec.seasonality, "month")
    months: dict[int, dict[int, tuple[float | None, int]]] = {year - 1: {}, year: {}}
    for point in series.current:
        months[point.period.year][point.period.month] = (point.value, point.days)
    now = services().clock()
    bars = season_bars(months, now)
    if all(b.value is None for m in bars.values() for b in m.values()):
        return empty_message(t("kpi.no_data", lang))
    return seasonality_figure(bars, METRICS_BY_KEY[spec.seasonality], lang, now)


def median_tiles(spec: PageSpec, scope: Scope, lang: str) -> list[Any]:
    """A tile per median the spec declares (e.g. the time to resolve a report)."""
    queries = services().queries
    level = queries.areas.get(scope.area).level
    states, now = feed_states(), services().clock()
    tiles = []
    for m in spec.medians:
        # The page's own KPI read (cached) when it holds the feed's metric: no second pass.
        keys = list(spec.kpis) if m.feed_metric in spec.kpis else [m.feed_metric]
        feed = queries.kpis(scope, keys)[m.feed_metric]
        value = _median_value(m, spec.domain_key, scope, feed)
        state = states.get(feed.feed_id or "")
        tiles.append(kpi_tile(median_metric(m), value, state, level, lang, now=now))
    return tiles


def source_badges(spec: PageSpec, scope: Scope, lang: str) -> list[Any]:
    """A badge per feed behind the page's tiles: freshness, rejections, the last error."""
    queries = services().queries
    values = queries.kpis(scope, list(spec.kpis))
    feeds = sorted({v.feed_id for v in values.values() if v.feed_id})
    states, runs = feed_states(), queries.last_runs()
    return [_source_badge(f, states.get(f), runs.get(f), lang) for f in feeds] or [
        html.Span(t("sources.none", lang), className="source-badge stale")
    ]


def points(spec: PageSpec, scope: Scope, lang: str) -> list[MapPoint]:
    """The page's point layer (facilities, stations, reports, cameras) in the map's area."""
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


def table_of(spec: PageSpec, key: str | None) -> Table:
    """The spec's table of that key; an unknown key is the first table."""
    return next((tb for tb in spec.tables if tb.key == key), spec.tables[0])


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
    found = services().queries.durations(
        scope,
        domain,
        median.kinds,
        median.end_attribute,
        timedelta(days=median.max_age_days),
    )
    value, previous = (statistics.median(d) / median.seconds_per_unit if d else None for d in found)
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
    index = cell.get("rowIndex") if isinstance(cell, dict) else None
    if not isinstance(index, int) or not isinstance(shown, list) or not 0 <= index < len(shown):
        return None
    row = shown[index]
    camera = row.get("camera") if isinstance(row, dict) else None
    return camera if isinstance(camera, str) and camera else None


def visible_camera(spec: PageSpec, scope: Scope, camera: Any) -> str:
    """The camera a page's URL asks to open, if the scope holds it; else none (audited)."""
    if not camera:
        return ""
    if isinstance(camera, str) and _camera_place(spec, scope, camera) is not None:
        return camera
    record_denial("camera", camera, "not a camera inside the scope")
    return ""


def _camera_place(spec: PageSpec, scope: Scope, camera: str) -> Any:
    cameras = services().queries.assets(scope, spec.domain_key, ("camera",))
    return next((c for c in cameras if c.source_id == camera), None)


def _camera_events(spec: PageSpec, scope: Scope, camera: Any) -> list[Any]:
    if not camera.area:
        return []
    local = scope.at(camera.area)
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


def _point_places(spec: PageSpec, scope: Scope) -> list[Any]:
    """The places of the point layer, in the order the map draws them."""
    if spec.points is None:
        return []
    scoped = scope.at(map_parent(scope))
    if spec.points.source == "assets":
        places = services().queries.assets(scoped, spec.domain_key, spec.points.kinds)
    else:
        places = newest_events(scoped, spec.domain_key, spec.points.kinds)
    places = places[:MAX_POINTS]
    return [p for p in places if p.lat is not None and p.lon is not None]


def _on_points(point: dict[str, Any]) -> bool:
    return point.get("curveNumber") == POINTS


def _camera_at_point(spec: PageSpec, scope: Scope, click: Any) -> str | None:
    """The camera whose map point was clicked, if the click was on one."""
    point = first_point(click)
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
