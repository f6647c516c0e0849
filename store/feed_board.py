"""The operators' feed board and run history reads: every feed at once, in a few statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, case, func, select, union
from sqlalchemy.orm import aliased

from store.models import (
    AssetRow,
    EventRow,
    FeedPayloadRow,
    FeedRow,
    FeedRunRow,
    MetricRow,
    ObservationRow,
    RejectedRecordRow,
)
from store.read_models import FeedHealth, RunSummary
from store.reads import ReadConnections
from store.run_reads import _feed_health, _run
from store.scope import LOCAL_TZ

RUN_STATUSES = ("ok", "partial", "failed", "running")
FINISHED = ("ok", "partial", "failed")
DELIVERED = ("ok", "partial")  # runs that stored what they read
REJECTIONS_PER_RUN = 50  # the history shows this many of a run's rejected records


@dataclass(frozen=True, slots=True, kw_only=True)
class DayRuns:
    """One feed's runs that started on one local day (Asia/Ho_Chi_Minh), by status."""

    day: date
    counts: dict[str, int] = field(default_factory=dict)  # status -> runs
    accepted: int = 0
    rejected: int = 0
    delivered_records: int = 0  # accepted by the day's ok and partial runs

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardFeed:
    """What the board knows of one feed: its stored health, its newest run (maybe running),
    its newest finished run, when it first ran, and its runs per day over the window."""

    health: FeedHealth
    current: RunSummary | None
    last: RunSummary | None
    first_run_at: datetime | None
    days: tuple[DayRuns, ...]  # the window's days, oldest first, days without runs included


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFilter:
    """A history page's question: which statuses (none: all) started in [start, end)."""

    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunDetail:
    run: RunSummary
    finished_at: datetime | None
    rejected: tuple[tuple[str, str, str], ...]  # (kind, reason, raw excerpt), first ones
    payload: tuple[datetime, int, bool, str] | None  # (captured, bytes, truncated, text)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunPage:
    runs: tuple[RunDetail, ...]
    total: int  # runs matching the filter
    page: int  # 1-based, as served (clamped to the last page)
    pages: int


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def window_days(now: datetime, days: int = 7) -> tuple[DayRuns, ...]:
    """The board's window without runs: its `days` local days, oldest first, today last."""
    today = local_day(now)
    return tuple(DayRuns(day=today - timedelta(days=days - 1 - i)) for i in range(days))


class FeedBoard:
    """Reads for the feed board and the run history (SQL only here, as everywhere: store/)."""

    def __init__(self, engine: Engine) -> None:
        self.reads = ReadConnections(engine)
        self.dialect = engine.dialect.name

    # -- the board ---------------------------------------------------------------------------
    def feeds(self, now: datetime, days: int = 7) -> list[BoardFeed]:
        """Every feed with its newest runs and its last `days` local days of runs (today
        included), in two statements: one row per feed, then the runs grouped per day."""
        window = window_days(now, days)
        starts = [datetime.combine(d.day, datetime.min.time(), LOCAL_TZ) for d in window]
        with self.reads.connect() as conn:
            rows = conn.execute(self._feeds_query()).all()
            buckets = conn.execute(self._days_query(starts)).all()
        by_feed: dict[str, dict[int, dict[str, Any]]] = {}
        for feed_id, index, status, runs, accepted, rejected in buckets:
            day = by_feed.setdefault(feed_id, {}).setdefault(
                int(index), {"counts": {}, "accepted": 0, "rejected": 0, "delivered": 0}
            )
            day["counts"][status] = int(runs)
            day["accepted"] += int(accepted or 0)
            day["rejected"] += int(rejected or 0)
            if status in DELIVERED:
                day["delivered"] += int(accepted or 0)
        return [
            BoardFeed(
                health=_feed_health(row),
                current=_prefixed_run(row, "cur_"),
                last=_prefixed_run(row, "fin_"),
                first_run_at=row.first_started,
                days=tuple(
                    _day(empty, by_feed.get(row.id, {}).get(i)) for i, empty in enumerate(window)
                ),
            )
            for row in rows
        ]

    def _feeds_query(self) -> Any:
        runs = FeedRunRow
        newest = (
            select(runs.id)
            .where(runs.feed_id == FeedRow.id)
            .order_by(runs.started_at.desc(), runs.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        finished = (
            select(runs.id)
            .where(runs.feed_id == FeedRow.id, runs.status != "running")
            .order_by(runs.started_at.desc(), runs.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        first = (
            select(func.min(runs.started_at)).where(runs.feed_id == FeedRow.id).scalar_subquery()
        )
        cur, fin = aliased(FeedRunRow, name="cur"), aliased(FeedRunRow, name="fin")
        columns = [*FeedRow.__table__.columns, first.label("first_started")]
        for prefix, alias in (("cur_", cur), ("fin_", fin)):
            columns += [
                getattr(alias, name).label(prefix + name)
                for name in (*_RUN_FIELDS, "feed_id", "id")
            ]
        return (
            select(*columns)
            .select_from(FeedRow)
            .outerjoin(cur, cur.id == newest)
            .outerjoin(fin, fin.id == finished)
            .order_by(FeedRow.id)
        )

    def _days_query(self, starts: Sequence[datetime]) -> Any:
        """Runs since the first of `starts` by feed, day (its index in `starts`: a local
        midnight each, in UTC) and status. The day is a CASE over the midnights: comparing
        the stored time is cheaper than computing its epoch on every row of a week."""
        day = case(
            *[
                (FeedRunRow.started_at >= start, i)
                for i, start in reversed(list(enumerate(starts)))
            ],
            else_=-1,
        ).label("day_index")
        # Joined to the feeds so that each feed's runs are a range of the (feed, started)
        # index where the planner finds that cheaper than reading the whole table.
        return (
            select(
                FeedRunRow.feed_id,
                day,
                FeedRunRow.status,
                func.count(),
                func.sum(FeedRunRow.accepted),
                func.sum(FeedRunRow.rejected),
            )
            .join(FeedRow, FeedRow.id == FeedRunRow.feed_id)
            .where(FeedRunRow.started_at >= starts[0])
            .group_by(FeedRunRow.feed_id, day, FeedRunRow.status)
        )

    def domains(self) -> dict[str, set[str]]:
        """The domains each feed writes: exactly for events and assets; for observations,
        per metric the feed holding its last key (one index seek per metric, not a scan)."""
        writer = (
            select(ObservationRow.feed_id)
            .where(ObservationRow.metric_id == MetricRow.id)
            .order_by(
                ObservationRow.area_code.desc(),
                ObservationRow.dim.desc(),
                ObservationRow.period_kind.desc(),
                ObservationRow.period_start.desc(),
            )
            .limit(1)
            .scalar_subquery()
        )
        metric_writers = select(writer.label("feed_id"), MetricRow.domain.label("domain"))
        query = union(
            select(EventRow.feed_id, EventRow.domain).group_by(EventRow.feed_id, EventRow.domain),
            select(AssetRow.feed_id, AssetRow.domain).group_by(AssetRow.feed_id, AssetRow.domain),
            metric_writers,
        )
        found: dict[str, set[str]] = {}
        with self.reads.connect() as conn:
            for feed_id, domain in conn.execute(query).all():
                if feed_id is not None:
                    found.setdefault(str(feed_id), set()).add(str(domain))
        return found

    # -- the run history ---------------------------------------------------------------------
    def run_page(self, feed_id: str, where: RunFilter, page: int, page_size: int) -> RunPage:
        """One page (1-based, clamped to the last) of the feed's runs matching `where`,
        newest first, each with its first rejected records and its kept payload."""
        conditions = [FeedRunRow.feed_id == feed_id]
        if where.statuses:
            conditions.append(FeedRunRow.status.in_(where.statuses))
        if where.start is not None:
            conditions.append(FeedRunRow.started_at >= where.start)
        if where.end is not None:
            conditions.append(FeedRunRow.started_at < where.end)
        with self.reads.connect() as conn:
            total = int(conn.execute(select(func.count()).where(*conditions)).scalar_one())
            pages = max(1, -(-total // page_size))
            page = min(max(1, page), pages)
            rows = conn.execute(
                select(FeedRunRow.__table__)
                .where(*conditions)
                .order_by(FeedRunRow.started_at.desc(), FeedRunRow.id.desc())
                .limit(page_size)
                .offset((page - 1) * page_size)
            ).all()
            ids = [row.id for row in rows]
            rejected = self._rejections(conn, ids)
            payloads = self._payloads(conn, feed_id, ids)
        details = tuple(
            RunDetail(
                run=_run(row),
                finished_at=row.finished_at,
                rejected=tuple(rejected.get(row.id, ())),
                payload=payloads.get(row.id),
            )
            for row in rows
        )
        return RunPage(runs=details, total=total, page=page, pages=pages)

    def _rejections(self, conn: Any, run_ids: Sequence[int]) -> dict[int, list[Any]]:
        if not run_ids:
            return {}
        rank = (
            func.row_number()
            .over(partition_by=RejectedRecordRow.run_id, order_by=RejectedRecordRow.id)
            .label("rank")
        )
        ranked = (
            select(
                RejectedRecordRow.run_id,
                RejectedRecordRow.kind,
                RejectedRecordRow.reason,
                RejectedRecordRow.raw_excerpt,
                rank,
            )
            .where(RejectedRecordRow.run_id.in_(run_ids))
            .subquery()
        )
        query = (
            select(ranked.c.run_id, ranked.c.kind, ranked.c.reason, ranked.c.raw_excerpt)
            .where(ranked.c.rank <= REJECTIONS_PER_RUN)
            .order_by(ranked.c.run_id, ranked.c.rank)
        )
        found: dict[int, list[Any]] = {}
        for run_id, kind, reason, raw in conn.execute(query).all():
            found.setdefault(run_id, []).append((kind, reason, raw))
        return found

    def _payloads(
        self, conn: Any, feed_id: str, run_ids: Sequence[int]
    ) -> dict[int, tuple[datetime, int, bool, str]]:
        if not run_ids:
            return {}
        query = select(
            FeedPayloadRow.run_id,
            FeedPayloadRow.captured_at,
            FeedPayloadRow.size,
            FeedPayloadRow.truncated,
            FeedPayloadRow.content,
        ).where(FeedPayloadRow.feed_id == feed_id, FeedPayloadRow.run_id.in_(run_ids))
        return {
            run_id: (captured, size, truncated, content)
            for run_id, captured, size, truncated, content in conn.execute(query).all()
        }


_RUN_FIELDS = (
    "started_at",
    "status",
    "accepted",
    "rejected",
    "error_kind",
    "error_text",
    "duration_ms",
    "changed",
)


def _prefixed_run(row: Any, prefix: str) -> RunSummary | None:
    values = row._mapping
    if values[prefix + "id"] is None:
        return None
    return RunSummary(
        values[prefix + "id"],
        values[prefix + "feed_id"],
        values[prefix + "started_at"],
        values[prefix + "status"],
        values[prefix + "accepted"],
        values[prefix + "rejected"],
        values[prefix + "error_kind"],
        values[prefix + "error_text"],
        values[prefix + "duration_ms"],
        values[prefix + "changed"] or 0,
    )


def _day(empty: DayRuns, found: dict[str, Any] | None) -> DayRuns:
    if found is None:
        return empty
    return DayRuns(
        day=empty.day,
        counts=found["counts"],
        accepted=found["accepted"],
        rejected=found["rejected"],
        delivered_records=found["delivered"],
    )
