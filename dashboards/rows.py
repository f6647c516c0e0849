"""Rows of the detail tables, per declared source, read through the scoped (cached) queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboards.context import services
from dashboards.specs import Column, Table
from i18n import label, t
from i18n.collation import natural_key
from i18n.names import member_name, metric_name, metric_unit
from store.catalog import DIMENSIONS, METRICS_BY_KEY
from store.comparison import Basis, Reading, clock_in_window, compare
from store.read_models import KpiValue, Place
from store.scope import LOCAL_TZ, Scope, Window, local_midnight_utc
from store.targets import TARGETS
from ui.changes import change_number, missing_text
from ui.status import judged, record_tone, value_status
from ui.table import GridColumn, field_id, tone_field

Rows = list[dict[str, Any]]
EVENT_ROWS = 200  # the newest events of the window; filters and exports work on these
# The map draws this many of the newest events: one (cached) read of them serves the map's
# points and, cut to EVENT_ROWS, the table, instead of a read each.
MAX_POINTS = 400
SPARK_MIN_DAYS = 7  # a sparkline of "today" shows the week up to now
SPARK_DAILY_DAYS = 62


def table_rows(table: Table, domain: str, scope: Scope, lang: str) -> tuple[list[GridColumn], Rows]:
    builder: Callable[[Table, str, Scope, str], tuple[list[GridColumn], Rows]] = {
        "areas": _areas,
        "dims": _dims,
        "assets": _assets,
        "events": _events,
        "plans": _plans,
        "targets": _targets,
    }[table.source]
    columns, rows = builder(table, domain, scope, lang)
    shown = {c.field for c in columns} | {"id", "camera"}  # what the grid shows, and keys
    shown |= {tone_field(f) for f in shown}  # and each cell's status colour
    return columns, [{k: v for k, v in row.items() if k in shown} for row in rows]


def _metric_column(key: str, lang: str) -> GridColumn:
    metric = METRICS_BY_KEY[key]
    unit, name = metric_unit(metric, lang), metric_name(metric, lang)
    kind = "percent" if unit == "%" else "number"
    header = name if kind == "percent" or not unit else f"{name} ({unit})"
    return GridColumn(field_id(key), header, kind, metric.decimals)


SOURCE_TEXT_FIELDS = ("name", "agency_name")  # asset names and report subjects as sent


def _column(column: Column, lang: str) -> GridColumn:
    return GridColumn(
        column.field,
        column.name_en if lang == "en" else column.name_vi,
        column.kind,
        column.decimals,
        source_text=column.field in SOURCE_TEXT_FIELDS,
    )


def map_parent(scope: Scope) -> str:
    """The area whose children the map, breakdown and area table show."""
    unit = services().queries.areas.get(scope.area)
    return unit.code if unit.level != "commune" or unit.parent_code is None else unit.parent_code


def _areas(table: Table, _domain: str, scope: Scope, lang: str) -> tuple[list[GridColumn], Rows]:
    queries = services().queries
    parent = scope.at(map_parent(scope))
    children = queries.areas.sorted_children(parent.area, lang)
    rows: Rows = [{"area": c, "area_name": queries.areas.name(c, lang)} for c in children]
    level = queries.areas.get(children[0]).level if children else None
    values = queries.areas_values(parent, table.metrics, children)  # one pass for all
    for key in table.metrics:
        for row in rows:
            _put(row, key, values[key].get(row["area"]), level)
    columns = [GridColumn("area_name", t("table.area", lang))]
    return columns + [_metric_column(k, lang) for k in table.metrics], rows


def _dims(table: Table, domain: str, scope: Scope, lang: str) -> tuple[list[GridColumn], Rows]:
    queries = services().queries
    names = member_names(table.dimension, domain, scope, lang)
    level = queries.areas.get(scope.area).level
    members: dict[str, dict[str, Any]] = {}
    for key in table.metrics:
        for member, value in queries.dim_values(scope, key).items():
            row = members.setdefault(
                member, {"member": member, "member_name": names.get(member, member)}
            )
            _put(row, key, value, level)
    header = t(f"dimension.{table.dimension}", lang)
    declared = table.dimension in DIMENSIONS  # else the members are assets, named by their source
    first = GridColumn("member_name", header, source_text=not declared)
    columns = [first] + [_metric_column(k, lang) for k in table.metrics]
    return columns, sorted(members.values(), key=lambda r: natural_key(str(r["member_name"])))


def _put(row: dict[str, Any], key: str, value: float | None, level: str | None) -> None:
    """A metric's cell and, where the metric has thresholds, its status colour (the tiles' rule)."""
    metric = METRICS_BY_KEY[key]
    row[field_id(key)] = value
    if judged(metric, level):
        row[tone_field(field_id(key))] = value_status(metric, value, level)


def member_names(dimension: str, domain: str, scope: Scope, lang: str) -> dict[str, str]:
    """Display names of a dimension's members: declared vocabularies, else the assets."""
    names = {code: member_name(dimension, code, lang) for code in DIMENSIONS.get(dimension, ())}
    for prefix in ("category", "channel"):
        names.update(
            {f"{prefix}:{code}": member_name(prefix, code, lang) for code in DIMENSIONS[prefix]}
        )
    root = scope.at_root()  # never past the permitted area
    names.update({a.source_id: a.name for a in services().queries.assets(root, domain)})
    return names


def _assets(table: Table, domain: str, scope: Scope, lang: str) -> tuple[list[GridColumn], Rows]:
    places = services().queries.assets(scope, domain, table.kinds)
    extra = _portal_uptime(scope) if "portal" in table.kinds else {}
    rows = [_place_row(p, lang) | extra.get(p.source_id, {}) for p in places]
    return [_column(c, lang) for c in table.columns], rows


def _portal_uptime(scope: Scope) -> dict[str, dict[str, Any]]:
    queries = services().queries
    root = scope.at_root()  # never past the permitted area
    now = services().clock()
    # The province's portals are observed at the province, each district's at its district.
    homes = (root.area, *queries.areas.children(root.area))
    places = {p.source_id: p for p in queries.assets(root, "portals", ("portal",))}
    portals = tuple(places)  # the rows shown: naming them lets the reads seek each one
    uptime = queries.dim_values(root, "portals.uptime_rate", homes, portals)
    series = spark_series(root, "portals.response_ms", homes[1:], portals)
    return {
        code: {
            "uptime": uptime.get(code),
            "post_age_days": _age_days(p.attributes, now),
            "response_trend": series.get(code, []),
        }
        for code, p in places.items()
    }


def spark_series(
    scope: Scope, key: str, children: tuple[str, ...], members: tuple[str, ...]
) -> dict[str, list[Any]]:
    """Each of these dimension members' values over the window (at least the last
    SPARK_MIN_DAYS days; by week beyond SPARK_DAILY_DAYS), for a sparkline."""
    window = scope.window
    if window.end - window.start < timedelta(days=SPARK_MIN_DAYS):
        window = Window(window.end - timedelta(days=SPARK_MIN_DAYS), window.end)
    grain = "day" if window.end - window.start <= timedelta(days=SPARK_DAILY_DAYS) else "week"
    areas = (scope.area, *children)
    found = services().queries.dim_trend(scope.during(window), key, grain, areas, members)
    decimals = METRICS_BY_KEY[key].decimals
    return {
        member: [None if p.value is None else round(p.value, decimals) for p in points]
        for member, points in found.items()
    }


def _age_days(attributes: dict[str, Any], now: datetime) -> float | None:
    posted = attributes.get("last_post_at")
    if not posted:
        return None
    moment = datetime.fromisoformat(posted)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return round((now - moment).total_seconds() / 86400, 1)


def _events(table: Table, domain: str, scope: Scope, lang: str) -> tuple[list[GridColumn], Rows]:
    places = newest_events(scope, domain, table.kinds)[:EVENT_ROWS]
    agencies = (
        member_names("agency", domain, scope, lang)
        if domain in ("public_services", "documents")
        else {}
    )
    stills = _stills(scope) if any(c.kind == "thumbnail" for c in table.columns) else {}
    rows = []
    for place in places:
        row = _place_row(place, lang)
        camera = place.attributes.get("camera")
        if camera in stills:
            row["thumbnail"] = stills[camera]
        agency = str(place.attributes.get("agency", ""))
        row["agency_name"] = agencies.get(agency) or place.attributes.get("agency_vi") or agency
        for prefix in ("category", "channel"):
            code = place.attributes.get(prefix)
            row[f"{prefix}_name"] = member_name(prefix, str(code), lang) if code else ""
        rows.append(row)
    return [_column(c, lang) for c in table.columns], rows


def newest_events(scope: Scope, domain: str, kinds: tuple[str, ...]) -> list[Place]:
    """The domain's MAX_POINTS newest events of these kinds in the scope (one shared read)."""
    return services().queries.events(scope, domain, kinds, limit=MAX_POINTS)


def _stills(scope: Scope) -> dict[str, str]:
    """The still image URL of each camera in the scope that has one (served by the app)."""
    times = services().queries.snapshot_times(scope)
    return {
        camera: f"/camera/{camera}/snapshot?area={scope.area}&v={int(taken.timestamp())}"
        for camera, taken in times.items()
    }


def _place_row(place: Place, lang: str) -> dict[str, Any]:
    areas = services().queries.areas
    row: dict[str, Any] = {
        k: v
        for k, v in place.attributes.items()
        if isinstance(v, str | int | float | bool) or v is None
    }
    row.update(
        {
            "id": place.source_id,
            "name": place.name,
            "status": label("status", place.status, lang),
            "severity": label("status", place.severity, lang),
            "time": place.time.isoformat(),
            "kind_name": label("kind", place.kind, lang),
            "area_name": areas.name(place.area, lang) if place.area in areas else "",
        }
    )
    if place.kind == "camera":
        row["camera"] = place.source_id  # a click on the row opens the camera
    if isinstance(place.attributes.get("up"), bool):
        up = "up" if place.attributes["up"] else "down"
        row["up"], row[tone_field("up")] = t(f"status.{up}", lang), record_tone(up)
    row[tone_field("status")] = record_tone(place.status)
    row[tone_field("severity")] = record_tone(place.severity)
    return row


def _plans(table: Table, _domain: str, scope: Scope, lang: str) -> tuple[list[GridColumn], Rows]:
    """Year to date against the year's plan, and against the same days last year where last
    year covers as many days (else the change column says so instead of a number)."""
    queries = services().queries
    now = services().clock()
    today = now.astimezone(LOCAL_TZ).date()
    ytd = Window(local_midnight_utc(today.replace(month=1, day=1)), scope.window.end, "ytd")
    last = Window(
        local_midnight_utc(today.replace(year=today.year - 1, month=1, day=1)),
        ytd.end.replace(year=ytd.end.year - 1),
        "ytd-1",
    )
    where = clock_in_window(ytd.start, ytd.end, now)
    rows = []
    # One read per window for every row: each read is a grouped pass over all its metrics.
    actual = queries.kpis(scope.during(ytd), [k for m in table.metrics for k in (m, f"{m}_plan")])
    before_all = queries.kpis(scope.during(last), list(table.metrics))
    for key in table.metrics:
        before = before_all[key]
        value, plan = actual[key].value, actual[f"{key}_plan"].value
        metric = METRICS_BY_KEY[key]
        comparison = compare(
            metric, _reading(actual[key]), _reading(before), where, Basis.LAST_YEAR
        )
        rows.append(
            {
                "indicator": metric_name(metric, lang),
                "unit": metric_unit(metric, lang),
                "plan": plan,
                "actual": value,
                "progress": value / plan * 100 if value is not None and plan else None,
                "last_year": before.value if comparison.shown else None,
                "change": change_number(comparison, lang) or missing_text(comparison, lang),
            }
        )
    columns = [
        GridColumn("indicator", t("plans.indicator", lang)),
        GridColumn("unit", t("plans.unit", lang)),
        GridColumn("plan", t("plans.plan", lang), "number", 1),
        GridColumn("actual", t("plans.actual", lang), "number", 1),
        GridColumn("progress", t("plans.progress", lang), "percent", 1),
        GridColumn("last_year", t("plans.last_year", lang), "number", 1),
        GridColumn("change", t("plans.change", lang)),
    ]
    return columns, rows


def _reading(kpi: KpiValue) -> Reading:
    return kpi.current or Reading(kpi.value)


def _targets(_table: Table, _domain: str, scope: Scope, lang: str) -> tuple[list[GridColumn], Rows]:
    queries = services().queries
    rows = []
    for target in TARGETS:
        current = (
            queries.kpis(scope, [target.metric])[target.metric].value if target.metric else None
        )
        rows.append(
            {
                "indicator": target.name_en if lang == "en" else target.name_vi,
                "by_2025": target.by_2025,
                "by_2030": target.by_2030,
                "current": current,
                "source": target.source,
            }
        )
    columns = [
        GridColumn("indicator", t("plans.indicator", lang)),
        GridColumn("by_2025", t("targets.2025", lang)),
        GridColumn("by_2030", t("targets.2030", lang)),
        GridColumn("current", t("targets.current", lang), "percent", 1),
        GridColumn("source", t("targets.source", lang)),
    ]
    return columns, rows
