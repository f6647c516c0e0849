"""The only reading SQL: every data read takes a Scope (area + window, within what is allowed)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Engine,
    Select,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    union_all,
)

from geo.hierarchy import AdminUnit
from store.areas import AreaIndex
from store.catalog import METRICS_BY_KEY, Aggregation, Metric
from store.comparison import (
    Comparison,
    Kind,
    Reading,
    clock_in_window,
    compare,
    compare_periods,
    covers,
    is_slow,
    period_before,
    period_start,
)
from store.expressions import attribute_text, epoch_seconds, iso_seconds
from store.models import (
    Area,
    AssetRow,
    EventRow,
    FeedPayloadRow,
    FeedRow,
    FeedRunRow,
    MetricRow,
    ObservationRow,
    RejectedRecordRow,
    SnapshotRow,
)
from store.reads import ReadConnections
from store.scope import LOCAL_TZ, Scope, ScopeError, Window

Obs = ObservationRow
PERIOD_LENGTH = {"day": timedelta(days=1), "month": timedelta(days=31), "year": timedelta(days=366)}
LATEST_PERIODS = 3  # a slow metric's latest period is looked for this many periods back
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Aggregate:
    """What one SQL pass knows of a stored metric over a window."""

    total: float
    count: int
    peak: float
    last_period: datetime
    feed_id: str
    last_value: float | None = None
    tail_total: float | None = None  # the sum, count and peak of the window's last day
    tail_count: int = 0
    settled_peak: float | None = None  # the peak without the window's last day


@dataclass(frozen=True, slots=True)
class KpiValue:
    """A metric's value in a window and in the window before it, with what each covers.

    A slow metric (stored per year, school year, ...) carries its latest period instead:
    `period` is that period's local start, `previous` the value of the period before it.
    """

    key: str
    value: float | None
    previous: float | None
    feed_id: str | None
    current: Reading | None = None  # None: coverage unknown, nothing is compared
    before: Reading | None = None
    window: Window | None = None
    period: date | None = None
    previous_period: date | None = None

    def comparison(self, metric: Metric, now: datetime) -> Comparison:
        """What the tile may say of the change, under the one coverage rule."""
        if self.period is not None or is_slow(metric):
            return compare_periods(metric, self.value, self.previous, self.previous_period)
        if self.current is None or self.before is None or self.window is None:
            if self.value is None:
                return Comparison(Kind.NONE, reason="no_value")
            return Comparison(Kind.INSUFFICIENT, reason="coverage")
        where = clock_in_window(self.window.start, self.window.end, now)
        return compare(metric, self.current, self.before, where)


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: date  # local (Asia/Ho_Chi_Minh) start of the bucket
    value: float | None
    days: int = 0  # days with data in the bucket (a ratio: the fewer of its components')


@dataclass(frozen=True, slots=True)
class Trend:
    current: list[TrendPoint]
    # The same buckets one year earlier, aligned by position; None where last year has data
    # on fewer days of the bucket than this year (the coverage rule), so no line is drawn.
    last_year: list[TrendPoint]


@dataclass(frozen=True, slots=True)
class Place:
    """An asset or an event as the pages show it."""

    kind: str
    source_id: str
    name: str
    area: str | None
    lat: float | None
    lon: float | None
    status: str
    severity: str
    time: datetime
    attributes: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: int
    feed_id: str
    started_at: datetime
    status: str
    accepted: int
    rejected: int
    error_kind: str | None
    error_text: str | None
    duration_ms: float | None
    changed: int = 0  # rows the run inserted or updated (accepted ones may be unchanged)

    @property
    def rejected_share(self) -> float:
        """Rejected records as a share (0–1) of everything the run read."""
        read = self.accepted + self.rejected
        return self.rejected / read if read else 0.0


@dataclass(frozen=True, slots=True)
class FeedHealth:
    id: str
    type: str
    enabled: bool
    demo: bool
    interval_s: int
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_status: str | None
    last_error_kind: str | None
    last_error: str | None
    consecutive_failures: int
    load_done: int | None = None  # while the first load runs: days committed of load_total
    load_total: int | None = None
    priority: int = 0
    checkpoint: str | None = None


class Queries:
    """Read access to the store. Construct once per app; it holds only reference data."""

    def __init__(self, engine: Engine) -> None:
        self.reads = ReadConnections(engine)
        self.engine = self.reads.engine
        self._connect = self.reads.connect
        with engine.connect() as conn:
            self.metric_ids = dict(conn.execute(select(MetricRow.key, MetricRow.id)).all())
            units = [_unit(row) for row in conn.execute(select(Area.__table__)).all()]
        self.areas = AreaIndex.build(units)

    # -- scope ------------------------------------------------------------------------------
    def check(self, scope: Scope) -> None:
        """Refuse a scope naming an unknown area or one outside what the caller may see."""
        if scope.allowed is None:
            raise ScopeError("nothing is permitted")
        if scope.area not in self.areas or scope.allowed not in self.areas:
            raise ScopeError(f"unknown area {scope.area!r}")
        if not self.areas.is_within(scope.area, scope.allowed):
            raise ScopeError(f"area {scope.area} is outside the permitted area {scope.allowed}")

    def visible_children(self, scope: Scope) -> tuple[str, ...]:
        self.check(scope)
        return self.areas.children(scope.area)

    # -- metrics ----------------------------------------------------------------------------
    def kpis(self, scope: Scope, keys: Sequence[str]) -> dict[str, KpiValue]:
        """Each metric's value in the scope's window and in the window before it, with the
        periods each covers; a slow metric's latest period and the one before it."""
        self.check(scope)
        metrics = [METRICS_BY_KEY[k] for k in keys]
        daily = [m for m in metrics if not is_slow(m)]
        found = self._latest_periods([m for m in metrics if is_slow(m)], scope.area, scope.window)
        if daily:
            window = scope.window
            current, previous = self._aggregates_in(
                daily, [scope.area], [window, window.previous()], tails=True
            )
            here, before_here = current.get(scope.area, {}), previous.get(scope.area, {})
            for m in daily:
                now, before = _reading(m, here), _reading(m, before_here)
                found[m.key] = KpiValue(
                    m.key, now.value, before.value, _source(m, here), now, before, window
                )
        return {k: found[k] for k in keys}

    def _latest_periods(
        self, metrics: Sequence[Metric], area: str, window: Window
    ) -> dict[str, KpiValue]:
        """Slow metrics: the latest period that starts before the window's end, and the
        period just before it (by the metric's cadence), in one pass."""
        if not metrics:
            return {}
        rows = self._recent_periods(metrics, [area], window)
        values: dict[str, dict[date, float]] = {}
        feeds: dict[str, str] = {}
        for _group, key, start, value, feed in rows:
            values.setdefault(key, {})[start] = value
            feeds[key] = feed
        return {m.key: _latest_value(m, values, feeds, window) for m in metrics}

    def _latest_by_group(
        self, metric: Metric, groups: Sequence[str], window: Window, by_dim: bool = False
    ) -> dict[str, float]:
        """A slow metric's value per area (or dimension member of the areas) in its latest
        period before the window's end: what its tile shows, whatever the window."""
        values: dict[str, dict[str, dict[date, float]]] = {}
        for group, key, start, value, _feed in self._recent_periods(
            [metric], groups, window, by_dim
        ):
            values.setdefault(group, {}).setdefault(key, {})[start] = value
        found = {g: _latest_value(metric, parts, {}, window).value for g, parts in values.items()}
        return {g: v for g, v in found.items() if v is not None}

    def _recent_periods(
        self, metrics: Sequence[Metric], areas: Sequence[str], window: Window, by_dim: bool = False
    ) -> list[tuple[str, str, date, float, str]]:
        """(group, component, local period start, value, feed) of the slow metrics' rows
        that start within LATEST_PERIODS periods before the window's end."""
        keys = sorted({c for m in metrics for c in m.components})
        ids = {self.metric_ids[k]: k for k in keys}
        kinds: dict[str, list[int]] = {}
        for metric_id, key in ids.items():
            kinds.setdefault(METRICS_BY_KEY[key].period_kind, []).append(metric_id)
        recent = or_(
            *(
                and_(
                    Obs.metric_id.in_(members),
                    Obs.period_kind == kind,
                    Obs.period_start >= window.end - LATEST_PERIODS * PERIOD_LENGTH[kind],
                    Obs.period_start < window.end,
                )
                for kind, members in kinds.items()
            )
        )
        split = Obs.dim if by_dim else Obs.area_code
        query = select(split, Obs.metric_id, Obs.period_start, Obs.value, Obs.feed_id).where(
            Obs.area_code.in_(areas), Obs.dim != "" if by_dim else Obs.dim == "", recent
        )
        with self._connect() as conn:
            rows = conn.execute(query).all()
        # Keyed by the start of the cadence period the row falls in, so that a source dating
        # its school year 1 January still lines up with the year before it.
        return [
            (group, ids[metric_id], _period_of(ids[metric_id], start), value, feed)
            for group, metric_id, start, value, feed in rows
        ]

    def area_values(
        self, scope: Scope, key: str, areas: Sequence[str] | None = None
    ) -> dict[str, float]:
        """The metric's value per area (default: the scope area's children) in the window."""
        children = list(areas) if areas is not None else list(self.visible_children(scope))
        for code in children:
            self.check(scope.at(code))
        metric = METRICS_BY_KEY[key]
        if is_slow(metric):
            return self._latest_by_group(metric, children, scope.window)
        aggregates = self._aggregates([metric], children, scope.window)
        values = {code: _compute(metric, aggregates.get(code, {})) for code in children}
        return {code: v for code, v in values.items() if v is not None}

    def level_values(self, scope: Scope, key: str, level: str) -> dict[str, float]:
        """The metric's value in the window for every area of `level` the scope may see: all
        of them under the permitted root (the province's code for the whole of it), in one
        grouped pass. What a map's class breaks are chosen from, so that one value gets one
        colour whichever part of the level is on screen."""
        self.check(scope)
        root = scope.at_root().area
        members = [c for c in self.areas.descendants(root) if self.areas.get(c).level == level]
        if not members:
            return {}
        metric = METRICS_BY_KEY[key]
        if is_slow(metric):
            return self._latest_by_group(metric, members, scope.window)
        aggregates = self._aggregates([metric], members, scope.window)
        values = {code: _compute(metric, aggregates.get(code, {})) for code in members}
        return {code: v for code, v in values.items() if v is not None}

    def dim_values(
        self,
        scope: Scope,
        key: str,
        areas: Sequence[str] | None = None,
        members: Sequence[str] | None = None,
    ) -> dict[str, float]:
        """The metric's value per dimension member (agency, portal, ...) in the scope's area,
        or in one pass over `areas` whose members are their own (each portal in one area);
        only `members` when given, which lets the read seek them instead of scanning."""
        self.check(scope)
        places = list(areas) if areas is not None else [scope.area]
        for code in places:
            self.check(scope.at(code))
        metric = METRICS_BY_KEY[key]
        if len(places) > 1 and any(_needs_last(c) for c in metric.components):
            raise ValueError(f"{key}: the latest value is read for one area at a time")
        if is_slow(metric):
            return self._latest_by_group(metric, places, scope.window, by_dim=True)
        aggregates = self._aggregates([metric], places, scope.window, by_dim=True, members=members)
        values = {dim: _compute(metric, aggs) for dim, aggs in aggregates.items()}
        return {dim: v for dim, v in values.items() if v is not None}

    def _aggregates(
        self,
        metrics: Iterable[Metric],
        areas: Sequence[str],
        window: Window,
        by_dim: bool = False,
        tails: bool = False,
        members: Sequence[str] | None = None,
    ) -> dict[str, dict[str, Aggregate]]:
        """One grouped pass: sum, count, max, latest period per metric and per area (or per
        dimension member of one area when `by_dim`, only `members` if given); with `tails`,
        also the sum and count of the window's last day and the peak without it (what a
        comparison leaves out while that day runs)."""
        return self._aggregates_in(metrics, areas, [window], by_dim, tails, members)[0]

    def _aggregates_in(
        self,
        metrics: Iterable[Metric],
        areas: Sequence[str],
        windows: Sequence[Window],
        by_dim: bool = False,
        tails: bool = False,
        members: Sequence[str] | None = None,
    ) -> list[dict[str, dict[str, Aggregate]]]:
        """`_aggregates` of several windows (a window and the one before it) in one statement
        and one read of the latest values: a result per window, in order."""
        ids = {self.metric_ids[k]: k for k in sorted({c for m in metrics for c in m.components})}
        parts = [
            _aggregate_select(ids, areas, window, by_dim, tails, members).add_columns(
                literal_column(str(number)).label("window_number")
            )
            for number, window in enumerate(windows)
        ]
        query = parts[0] if len(parts) == 1 else union_all(*parts)
        with self._connect() as conn:
            rows = conn.execute(query).all()
            wanted = [
                (r[1], r[0], METRICS_BY_KEY[ids[r[1]]].period_kind, r[5])
                for r in rows
                if _needs_last(ids[r[1]])
            ]
            lasts = self._last_values(conn, wanted, areas[0] if by_dim else None)
        results: list[dict[str, dict[str, Aggregate]]] = [{} for _ in windows]
        for group, metric_id, total, count, peak, last_period, feed, *rest in rows:
            *tail_parts, number = rest
            last_value = lasts.get((metric_id, group, last_period))
            results[int(number)].setdefault(group, {})[ids[metric_id]] = Aggregate(
                total, count, peak, last_period, feed, last_value, *tail_parts
            )
        return results

    @staticmethod
    def _last_values(
        conn: Any, keys: list[tuple[int, str, str, datetime]], dim_area: str | None
    ) -> dict[tuple[int, str, datetime], float]:
        """Values at (metric, group, period kind, period) keys, the group being an area, or a
        dimension member of `dim_area`, keyed (metric, group, period): the latest value of a
        LAST metric."""
        if not keys:
            return {}
        # Every primary-key column is constrained (by equality or a short IN list), so both
        # databases seek each key instead of scanning the periods; rows of the IN lists'
        # product that no key asked for are dropped below.
        group = Obs.area_code if dim_area is None else Obs.dim
        where = [Obs.dim == ""] if dim_area is None else [Obs.area_code == dim_area]
        per_kind = [
            and_(
                Obs.metric_id.in_({m for m, _g, k, _p in keys if k == kind}),
                group.in_({g for _m, g, k, _p in keys if k == kind}),
                Obs.period_kind == kind,
                Obs.period_start.in_({p for _m, _g, k, p in keys if k == kind}),
            )
            for kind in sorted({k for _m, _g, k, _p in keys})
        ]
        query = select(Obs.metric_id, group, Obs.period_start, Obs.value).where(
            *where, or_(*per_kind)
        )
        wanted = {(m, g, p) for m, g, _k, p in keys}
        return {(m, g, p): v for m, g, p, v in conn.execute(query).all() if (m, g, p) in wanted}

    # -- trends -----------------------------------------------------------------------------
    def trend(self, scope: Scope, key: str, grain: str) -> Trend:
        """The metric per day, ISO week or month of the window, and the same buckets a year
        earlier (computed from the daily components, so ratios stay ratios) where that year
        covers as many days of the bucket as this one."""
        self.check(scope)
        metric = METRICS_BY_KEY[key]
        year = timedelta(days=364 if grain == "week" else 365)  # weeks keep their weekday
        current = self._buckets(metric, scope.area, scope.window, grain)
        shifted = Window(scope.window.start - year, scope.window.end - year)
        before = self._buckets(metric, scope.area, shifted, grain)
        return Trend(list(current.values()), _align(list(current.values()), before, year))

    def _buckets(
        self, metric: Metric, area: str, window: Window, grain: str
    ) -> dict[date, TrendPoint]:
        ids = {self.metric_ids[c]: c for c in metric.components}
        query = (
            select(Obs.metric_id, Obs.period_start, Obs.value)
            .where(
                Obs.metric_id.in_(ids),
                Obs.area_code == area,
                Obs.dim == "",
                Obs.period_kind == "day",
                Obs.period_start >= window.start,
                Obs.period_start < window.end,
            )
            .order_by(Obs.period_start)
        )
        with self._connect() as conn:
            rows = conn.execute(query).all()
        grouped: dict[date, dict[str, list[float]]] = {}
        for metric_id, start, value in rows:
            bucket = bucket_start(start.astimezone(LOCAL_TZ).date(), grain)
            grouped.setdefault(bucket, {}).setdefault(ids[metric_id], []).append(value)
        return {
            b: TrendPoint(b, _from_values(metric, parts), _days(metric, parts))
            for b, parts in sorted(grouped.items())
        }

    def dim_trend(
        self,
        scope: Scope,
        key: str,
        grain: str,
        areas: Sequence[str] | None = None,
        members: Sequence[str] | None = None,
    ) -> dict[str, list[TrendPoint]]:
        """The metric per dimension member (a portal, an agency; only `members` if given) and
        per day, ISO week or month of the window, from the daily rows of the scope's area (or
        of `areas` inside it)."""
        self.check(scope)
        places = list(areas) if areas is not None else [scope.area]
        for code in places:
            self.check(scope.at(code))
        metric = METRICS_BY_KEY[key]
        ids = {self.metric_ids[c]: c for c in metric.components}
        query = select(Obs.dim, Obs.metric_id, Obs.period_start, Obs.value).where(
            Obs.metric_id.in_(ids),
            Obs.area_code.in_(places),
            _dims_where(True, members),
            Obs.period_kind == "day",
            Obs.period_start >= scope.window.start,
            Obs.period_start < scope.window.end,
        )
        with self._connect() as conn:
            rows = conn.execute(query).all()
        grouped: dict[str, dict[date, dict[str, list[float]]]] = {}
        for member, metric_id, start, value in rows:
            bucket = bucket_start(start.astimezone(LOCAL_TZ).date(), grain)
            parts = grouped.setdefault(member, {}).setdefault(bucket, {})
            parts.setdefault(ids[metric_id], []).append(value)
        return {
            member: [TrendPoint(b, _from_values(metric, p)) for b, p in sorted(buckets.items())]
            for member, buckets in grouped.items()
        }

    def series(self, scope: Scope, keys: Sequence[str], grain: str) -> dict[str, list[TrendPoint]]:
        """Several metrics per day, ISO week or month of the window in the scope's area, in one
        read and without last year's buckets: the light series behind the wall's sparklines."""
        self.check(scope)
        metrics = [METRICS_BY_KEY[k] for k in keys]
        ids = {self.metric_ids[c]: c for m in metrics for c in m.components if c in self.metric_ids}
        query = (
            select(Obs.metric_id, Obs.period_start, Obs.value)
            .where(
                Obs.metric_id.in_(ids),
                Obs.area_code == scope.area,
                Obs.dim == "",
                Obs.period_kind == "day",
                Obs.period_start >= scope.window.start,
                Obs.period_start < scope.window.end,
            )
            .order_by(Obs.period_start)
        )
        with self._connect() as conn:
            rows = conn.execute(query).all()
        grouped: dict[date, dict[str, list[float]]] = {}
        for metric_id, start, value in rows:
            bucket = bucket_start(start.astimezone(LOCAL_TZ).date(), grain)
            grouped.setdefault(bucket, {}).setdefault(ids[metric_id], []).append(value)
        buckets = sorted(grouped)
        return {
            m.key: [TrendPoint(b, _from_values(m, grouped[b])) for b in buckets] for m in metrics
        }

    # -- places -----------------------------------------------------------------------------
    def feed_assets(self, feed_id: str, domain: str, kind: str) -> dict[str, dict[str, Any]]:
        """The attributes of the assets of one kind a feed wrote, by source id: what a feed
        that accumulates state (a day's maximum, a day's probe counts) starts from."""
        query = select(AssetRow.source_id, AssetRow.attributes).where(
            AssetRow.feed_id == feed_id, AssetRow.domain == domain, AssetRow.kind == kind
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return {r.source_id: dict(r.attributes or {}) for r in rows}

    def assets(self, scope: Scope, domain: str, kinds: Sequence[str] = ()) -> list[Place]:
        """The domain's assets inside the scope's area (its whole subtree)."""
        self.check(scope)
        query = select(AssetRow.__table__).where(
            AssetRow.domain == domain, AssetRow.area_code.in_(self.areas.descendants(scope.area))
        )
        if kinds:
            query = query.where(AssetRow.kind.in_(kinds))
        with self._connect() as conn:
            rows = conn.execute(query.order_by(AssetRow.name)).all()
        return [
            Place(
                r.kind,
                r.source_id,
                r.name,
                r.area_code,
                r.lat,
                r.lon,
                r.status,
                "info",
                r.last_seen,
                dict(r.attributes or {}),
            )
            for r in rows
        ]

    def events(
        self, scope: Scope, domain: str, kinds: Sequence[str] = (), limit: int = 500
    ) -> list[Place]:
        """The domain's events in the scope's area and window, newest first."""
        self.check(scope)
        query = select(EventRow.__table__).where(
            EventRow.domain == domain,
            EventRow.area_code.in_(self.areas.descendants(scope.area)),
            EventRow.occurred_at >= scope.window.start,
            EventRow.occurred_at < scope.window.end,
        )
        if kinds:
            query = query.where(EventRow.kind.in_(kinds))
        query = query.order_by(EventRow.occurred_at.desc()).limit(limit)
        with self._connect() as conn:
            rows = conn.execute(query).all()
        return [
            Place(
                r.kind,
                r.source_id,
                r.title,
                r.area_code,
                r.lat,
                r.lon,
                r.status,
                r.severity,
                r.occurred_at,
                dict(r.attributes or {}),
            )
            for r in rows
        ]

    def durations(
        self,
        scope: Scope,
        domain: str,
        kinds: Sequence[str],
        end_attribute: str,
        max_age: timedelta,
    ) -> tuple[list[float], list[float]]:
        """Seconds from each event's time to the time in its `end_attribute` (e.g. a report's
        resolution) for the domain's events in the scope's area that ended in the window, and
        those that ended in the window before it, in one read; none lasts longer than
        `max_age`, which bounds the events read (an end time that is no time is left out)."""
        self.check(scope)
        window, before = scope.window, scope.window.previous()
        dialect = self.engine.dialect.name
        end = attribute_text(dialect, EventRow.attributes, end_attribute)
        query = select(epoch_seconds(dialect, EventRow.occurred_at), end).where(
            EventRow.domain == domain,
            EventRow.kind.in_(kinds),
            EventRow.area_code.in_(self.areas.descendants(scope.area)),
            EventRow.occurred_at >= before.start - max_age,
            EventRow.occurred_at < window.end,
            end.is_not(None),
        )
        with self._connect() as conn:
            rows = conn.execute(query).all()
        spans = [
            (w.start.timestamp(), w.end.timestamp(), (w.start - max_age).timestamp())
            for w in (window, before)
        ]
        found: tuple[list[float], list[float]] = ([], [])
        for started, ended in rows:
            moment = iso_seconds(ended) if ended else None
            if moment is None:
                continue
            for into, (first, last, earliest) in zip(found, spans, strict=True):
                if first <= moment < last and started >= earliest:
                    into.append(moment - started)
        return found

    def snapshot(self, scope: Scope, camera: str) -> tuple[datetime, str, bytes] | None:
        """A camera's newest image, if the camera lies inside the scope's area."""
        self.check(scope)
        query = (
            select(SnapshotRow.taken_at, SnapshotRow.content_type, SnapshotRow.content)
            .join(
                AssetRow,
                and_(AssetRow.source_id == SnapshotRow.camera, AssetRow.domain == "cameras"),
            )
            .where(
                SnapshotRow.camera == camera,
                AssetRow.area_code.in_(self.areas.descendants(scope.area)),
            )
        )
        with self._connect() as conn:
            row = conn.execute(query).first()
        return (row[0], row[1], bytes(row[2])) if row else None

    def snapshot_times(self, scope: Scope) -> dict[str, datetime]:
        """When each camera inside the scope's area took its newest still (cameras without
        one are absent)."""
        self.check(scope)
        query = (
            select(SnapshotRow.camera, SnapshotRow.taken_at)
            .join(
                AssetRow,
                and_(AssetRow.source_id == SnapshotRow.camera, AssetRow.domain == "cameras"),
            )
            .where(AssetRow.area_code.in_(self.areas.descendants(scope.area)))
        )
        with self._connect() as conn:
            return {str(camera): taken for camera, taken in conn.execute(query).all()}

    # -- feeds ------------------------------------------------------------------------------
    def last_runs(self) -> dict[str, RunSummary]:
        """Each feed's most recent finished run."""
        latest = (
            select(FeedRunRow.feed_id, func.max(FeedRunRow.id).label("id"))
            .where(FeedRunRow.status != "running")
            .group_by(FeedRunRow.feed_id)
            .subquery()
        )
        query = select(FeedRunRow.__table__).join(latest, FeedRunRow.id == latest.c.id)
        with self._connect() as conn:
            rows = conn.execute(query).all()
        return {r.feed_id: _run(r) for r in rows}

    def current_runs(self) -> dict[str, RunSummary]:
        """Each feed's most recent run, finished or still running."""
        latest = (
            select(FeedRunRow.feed_id, func.max(FeedRunRow.id).label("id"))
            .group_by(FeedRunRow.feed_id)
            .subquery()
        )
        query = select(FeedRunRow.__table__).join(latest, FeedRunRow.id == latest.c.id)
        with self._connect() as conn:
            rows = conn.execute(query).all()
        return {r.feed_id: _run(r) for r in rows}

    def feed_runs(self, feed_id: str, limit: int = 50) -> list[RunSummary]:
        query = (
            select(FeedRunRow.__table__)
            .where(FeedRunRow.feed_id == feed_id)
            .order_by(FeedRunRow.id.desc())
            .limit(limit)
        )
        with self._connect() as conn:
            return [_run(r) for r in conn.execute(query).all()]

    def rejections(
        self, run_id: int, limit: int = 100, kind: str = "rejected"
    ) -> list[tuple[str, str]]:
        """A run's rejected records (kind "rejected") or data-quality warnings ("warning")."""
        query = (
            select(RejectedRecordRow.reason, RejectedRecordRow.raw_excerpt)
            .where(RejectedRecordRow.run_id == run_id, RejectedRecordRow.kind == kind)
            .order_by(RejectedRecordRow.id)
            .limit(limit)
        )
        with self._connect() as conn:
            return [(reason, raw) for reason, raw in conn.execute(query).all()]

    def kept_payloads(self, feed_id: str) -> list[tuple[int, datetime, int, bool, str]]:
        """(run id, captured at, bytes received, truncated, redacted text) of the feed's kept
        raw payloads, newest first."""
        query = (
            select(
                FeedPayloadRow.run_id,
                FeedPayloadRow.captured_at,
                FeedPayloadRow.size,
                FeedPayloadRow.truncated,
                FeedPayloadRow.content,
            )
            .where(FeedPayloadRow.feed_id == feed_id)
            .order_by(FeedPayloadRow.id.desc())
        )
        with self._connect() as conn:
            return [tuple(row) for row in conn.execute(query).all()]  # type: ignore[misc]

    def feed_health(self) -> list[FeedHealth]:
        with self._connect() as conn:
            rows = conn.execute(select(FeedRow.__table__).order_by(FeedRow.id)).all()
        return [_feed_health(row) for row in rows]

    def data_version(self) -> str:
        """Moves with every committed write and every finished run: the key of cached reads."""
        with self._connect() as conn:
            changed, ran = conn.execute(
                select(func.max(FeedRow.data_changed_at), func.max(FeedRow.last_run_at))
            ).one()
        return f"{changed.isoformat() if changed else '-'}/{ran.isoformat() if ran else '-'}"


def _dims_where(by_dim: bool, members: Sequence[str] | None) -> Any:
    """Rows of dimension members (these ones, if named: the key then seeks each member
    instead of scanning every member's every period), or the area totals."""
    if not by_dim:
        return Obs.dim == ""
    return Obs.dim.in_(members) if members is not None else Obs.dim != ""


def bucket_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def _from_values(metric: Metric, parts: dict[str, list[float]]) -> float | None:
    """A bucket's value from the daily values of the metric's components."""
    if metric.aggregation is Aggregation.RATIO:
        assert metric.numerator and metric.denominator
        den = sum(parts.get(metric.denominator, []))
        return sum(parts.get(metric.numerator, [])) / den * metric.scale if den else None
    values = parts.get(metric.key, [])
    if not values:
        return None
    return {
        Aggregation.SUM: sum(values),
        Aggregation.MEAN: sum(values) / len(values),
        Aggregation.MAX: max(values),
        Aggregation.LAST: values[-1],
    }[metric.aggregation]


def _period_of(key: str, start: datetime) -> date:
    return period_start(start.astimezone(LOCAL_TZ).date(), METRICS_BY_KEY[key].cadence)


def _days(metric: Metric, parts: dict[str, list[float]]) -> int:
    """Days with data in a bucket: one daily row per day, so the fewer of the components'."""
    return min(len(parts.get(c, [])) for c in metric.components)


def _align(
    current: list[TrendPoint], before: dict[date, TrendPoint], year: timedelta
) -> list[TrendPoint]:
    """Last year's bucket at each of this year's, blank where it does not cover it."""
    aligned = []
    for point in current:
        then = before.get(point.period - year)
        shown = then is not None and covers(then.days, point.days)
        aligned.append(
            TrendPoint(
                point.period, then.value if shown and then else None, then.days if then else 0
            )
        )
    return aligned


def _run(row: Any) -> RunSummary:
    return RunSummary(
        row.id,
        row.feed_id,
        row.started_at,
        row.status,
        row.accepted,
        row.rejected,
        row.error_kind,
        row.error_text,
        row.duration_ms,
        row.changed or 0,
    )


def _needs_last(key: str) -> bool:
    return METRICS_BY_KEY[key].aggregation is Aggregation.LAST


def _compute(metric: Metric, aggs: dict[str, Aggregate]) -> float | None:
    """A metric's value from the aggregates of its stored components; None = no data."""
    if metric.aggregation is Aggregation.RATIO:
        assert metric.numerator and metric.denominator
        num, den = aggs.get(metric.numerator), aggs.get(metric.denominator)
        if num is None or den is None or den.total == 0:
            return None
        return num.total / den.total * metric.scale
    agg = aggs.get(metric.key)
    if agg is None:
        return None
    return {
        Aggregation.SUM: agg.total,
        Aggregation.MEAN: agg.total / agg.count,
        Aggregation.MAX: agg.peak,
        Aggregation.LAST: agg.last_value,
    }[metric.aggregation]


def _reading(metric: Metric, aggs: dict[str, Aggregate]) -> Reading:
    """A window's value with the periods it covers, and the same without its last day."""
    parts = [aggs.get(c) for c in metric.components]
    if any(p is None for p in parts):
        return Reading(_compute(metric, aggs))
    found = [p for p in parts if p is not None]
    periods = min(p.count for p in found)
    settled_periods = min(p.count - p.tail_count for p in found)
    return Reading(_compute(metric, aggs), periods, _settled(metric, aggs), settled_periods)


def _settled(metric: Metric, aggs: dict[str, Aggregate]) -> float | None:
    """The value without the window's last day (None if nothing is left or it has no sense)."""

    def total(key: str) -> float:
        agg = aggs[key]
        return agg.total - (agg.tail_total or 0.0)

    if metric.aggregation is Aggregation.RATIO:
        assert metric.numerator and metric.denominator
        den = total(metric.denominator)
        return total(metric.numerator) / den * metric.scale if den else None
    agg = aggs[metric.key]
    left = agg.count - agg.tail_count
    if left == 0 or metric.aggregation is Aggregation.LAST:
        return None
    return {
        Aggregation.SUM: total(metric.key),
        Aggregation.MEAN: total(metric.key) / left if left else None,
        Aggregation.MAX: agg.settled_peak,
    }[metric.aggregation]


def _latest_value(
    metric: Metric, values: dict[str, dict[date, float]], feeds: dict[str, str], window: Window
) -> KpiValue:
    """A slow metric's latest period with all its components, and the period before it."""
    periods = sorted(
        set.intersection(*(set(values.get(c, {})) for c in metric.components)), reverse=True
    )
    feed = next((feeds[c] for c in metric.components if c in feeds), None)
    if not periods:
        return KpiValue(metric.key, None, None, feed, window=window)
    latest = periods[0]
    before = period_before(latest, metric.cadence)
    return KpiValue(
        metric.key,
        _period_value(metric, values, latest),
        _period_value(metric, values, before) if before in periods else None,
        feed,
        Reading(_period_value(metric, values, latest), 1),
        Reading(_period_value(metric, values, before), 1) if before in periods else None,
        window,
        latest,
        before if before in periods else None,
    )


def _period_value(
    metric: Metric, values: dict[str, dict[date, float]], period: date
) -> float | None:
    """One period's value: a ratio of its components', else the period's own row."""
    if metric.aggregation is Aggregation.RATIO:
        assert metric.numerator and metric.denominator
        den = values[metric.denominator][period]
        return values[metric.numerator][period] / den * metric.scale if den else None
    return values[metric.key][period]


def _source(metric: Metric, aggs: dict[str, Aggregate]) -> str | None:
    found = [aggs[c].feed_id for c in metric.components if c in aggs]
    return found[0] if found else None


def _unit(row: Any) -> AdminUnit:
    return AdminUnit(
        row.code,
        row.level,
        row.parent_code,
        row.name_vi,
        row.name_en,
        row.short_name_vi,
        row.short_name_en,
        row.type_vi,
        row.population,
        row.area_km2,
        row.lat,
        row.lon,
    )


def _feed_health(row: Any) -> FeedHealth:
    return FeedHealth(
        row.id,
        row.type,
        row.enabled,
        row.demo,
        row.interval_s,
        row.last_run_at,
        row.last_success_at,
        row.last_status,
        row.last_error_kind,
        row.last_error,
        row.consecutive_failures,
        row.load_done,
        row.load_total,
        row.priority,
        row.checkpoint,
    )


def _aggregate_select(
    ids: dict[int, str],
    areas: Sequence[str],
    window: Window,
    by_dim: bool,
    tails: bool,
    members: Sequence[str] | None,
) -> Select[Any]:
    """The grouped pass of `Queries._aggregates` over one window."""
    split = Obs.dim if by_dim else Obs.area_code
    kinds: dict[str, list[int]] = {}
    for metric_id, key in ids.items():
        kinds.setdefault(METRICS_BY_KEY[key].period_kind, []).append(metric_id)
    # Periods overlapping the window: a yearly plan counts for any window inside its year.
    in_window = or_(
        *(
            and_(
                Obs.metric_id.in_(of_kind),
                Obs.period_kind == kind,
                Obs.period_start > window.start - PERIOD_LENGTH[kind],
                Obs.period_start < window.end,
            )
            for kind, of_kind in kinds.items()
        )
    )
    tail = window.end - DAY  # the window's last day: today's, while it runs
    last_day = (
        (
            func.sum(case((Obs.period_start >= tail, Obs.value))),
            func.count(case((Obs.period_start >= tail, 1))),
            func.max(case((Obs.period_start < tail, Obs.value))),
        )
        if tails
        else ()
    )
    return (
        select(
            split,
            Obs.metric_id,
            func.sum(Obs.value),
            func.count(),
            func.max(Obs.value),
            func.max(Obs.period_start),
            func.min(Obs.feed_id),
            *last_day,
        )
        .where(Obs.area_code.in_(areas), _dims_where(by_dim, members), in_window)
        .group_by(split, Obs.metric_id)
    )
