"""Metric reads: KPI values, values per area, level and dimension member, in grouped passes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, literal_column, or_, select, union_all

from store.catalog import METRICS_BY_KEY, Aggregation, Metric
from store.comparison import Reading, is_slow, period_before, period_start
from store.models import FeedRow, ObservationRow
from store.read_base import ReaderBase
from store.read_models import Aggregate, KpiValue
from store.scope import LOCAL_TZ, Scope, Window

Obs = ObservationRow
PERIOD_LENGTH = {"day": timedelta(days=1), "month": timedelta(days=31), "year": timedelta(days=366)}
LATEST_PERIODS = 3  # a slow metric's latest period is looked for this many periods back
DAY = timedelta(days=1)


class MetricReads(ReaderBase):
    """Metric values: KPI tiles, values per area, level and dimension member."""

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
        feeds: dict[str, dict[date, str]] = {}
        for _group, key, start, value, feed in rows:
            values.setdefault(key, {})[start] = value
            feeds.setdefault(key, {})[start] = feed
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
        return self.areas_values(scope, [key], areas)[key]

    def areas_values(
        self, scope: Scope, keys: Sequence[str], areas: Sequence[str] | None = None
    ) -> dict[str, dict[str, float]]:
        """`area_values` of several metrics, the daily ones in one grouped pass: by metric,
        each metric's value per area (areas without a value left out)."""
        children = list(areas) if areas is not None else list(self.visible_children(scope))
        for code in children:
            self.check(scope.at(code))
        metrics = [METRICS_BY_KEY[k] for k in keys]
        found = {
            m.key: self._latest_by_group(m, children, scope.window) for m in metrics if is_slow(m)
        }
        daily = [m for m in metrics if not is_slow(m)]
        aggregates = self._aggregates(daily, children, scope.window) if daily else {}
        for metric in daily:
            values = {code: _compute(metric, aggregates.get(code, {})) for code in children}
            found[metric.key] = {code: v for code, v in values.items() if v is not None}
        return {k: found[k] for k in keys}

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
            owners = self._owners(conn, ids, areas, windows, by_dim, members, rows)
        results: list[dict[str, dict[str, Aggregate]]] = [{} for _ in windows]
        for group, metric_id, total, count, peak, last_period, feed, top_feed, *rest in rows:
            *tail_parts, number = rest
            if feed != top_feed:  # rows of several feeds: the owning one names the source
                feed = owners[(int(number), group, metric_id)]
            last_value = lasts.get((metric_id, group, last_period))
            results[int(number)].setdefault(group, {})[ids[metric_id]] = Aggregate(
                total, count, peak, last_period, feed, last_value, *tail_parts
            )
        return results

    @staticmethod
    def _owners(
        conn: Any,
        ids: dict[int, str],
        areas: Sequence[str],
        windows: Sequence[Window],
        by_dim: bool,
        members: Sequence[str] | None,
        rows: Sequence[Any],
    ) -> dict[tuple[int, str, int], str]:
        """For the groups whose rows come from several feeds, keyed (window number, group,
        metric id): the feed of the highest priority among them (ties: the first by id), as
        the owner of a key is decided when feeds write it. One more pass, only when needed."""
        mixed = [(int(r[-1]), r[0], r[1]) for r in rows if r[6] != r[7]]
        if not mixed:
            return {}
        split = Obs.dim if by_dim else Obs.area_code
        found: dict[tuple[int, str, int], set[str]] = {}
        for number in sorted({n for n, _g, _m in mixed}):
            metric_ids = {m for n, _g, m in mixed if n == number}
            query = (
                select(split, Obs.metric_id, Obs.feed_id)
                .where(_window_where({m: ids[m] for m in metric_ids}, areas, windows[number]))
                .where(dims_where(by_dim, members))
                .group_by(split, Obs.metric_id, Obs.feed_id)
            )
            for group, metric_id, feed in conn.execute(query):
                found.setdefault((number, group, metric_id), set()).add(feed)
        priority = dict(conn.execute(select(FeedRow.id, FeedRow.priority)).all())
        return {
            key: min(feeds, key=lambda f: (-(priority.get(f) or 0), f))
            for key, feeds in found.items()
        }

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


def _window_where(ids: dict[int, str], areas: Sequence[str], window: Window) -> Any:
    """The areas' rows of the metrics whose periods overlap the window: a yearly plan counts
    for any window inside its year."""
    kinds: dict[str, list[int]] = {}
    for metric_id, key in ids.items():
        kinds.setdefault(METRICS_BY_KEY[key].period_kind, []).append(metric_id)
    return and_(
        Obs.area_code.in_(areas),
        or_(
            *(
                and_(
                    Obs.metric_id.in_(of_kind),
                    Obs.period_kind == kind,
                    Obs.period_start > window.start - PERIOD_LENGTH[kind],
                    Obs.period_start < window.end,
                )
                for kind, of_kind in kinds.items()
            )
        ),
    )


def dims_where(by_dim: bool, members: Sequence[str] | None) -> Any:
    """Rows of dimension members (these ones, if named: the key then seeks each member
    instead of scanning every member's every period), or the area totals."""
    if not by_dim:
        return Obs.dim == ""
    return Obs.dim.in_(members) if members is not None else Obs.dim != ""


def _period_of(key: str, start: datetime) -> date:
    return period_start(start.astimezone(LOCAL_TZ).date(), METRICS_BY_KEY[key].cadence)


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
    metric: Metric,
    values: dict[str, dict[date, float]],
    feeds: dict[str, dict[date, str]],
    window: Window,
) -> KpiValue:
    """A slow metric's latest period with all its components, and the period before it."""
    periods = sorted(
        set.intersection(*(set(values.get(c, {})) for c in metric.components)), reverse=True
    )
    # the source named is the feed of the value shown: the latest period's row
    newest = {c: by_period[max(by_period)] for c, by_period in feeds.items() if by_period}
    feed = next((newest[c] for c in metric.components if c in newest), None)
    if not periods:
        return KpiValue(metric.key, None, None, feed, window=window)
    latest = periods[0]
    feed = next((feeds[c][latest] for c in metric.components if latest in feeds.get(c, {})), feed)
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


def _aggregate_select(
    ids: dict[int, str],
    areas: Sequence[str],
    window: Window,
    by_dim: bool,
    tails: bool,
    members: Sequence[str] | None,
) -> Select[Any]:
    """The grouped pass of `MetricReads._aggregates` over one window."""
    split = Obs.dim if by_dim else Obs.area_code
    in_window = _window_where(ids, areas, window)
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
            func.max(Obs.feed_id),  # equal to the min: one feed wrote the group's rows
            *last_day,
        )
        .where(dims_where(by_dim, members), in_window)
        .group_by(split, Obs.metric_id)
    )
