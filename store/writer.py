"""The only writing SQL: idempotent upserts of reference data and records, and feed runs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from geo.hierarchy import AdminUnit
from i18n.names import metric_name, metric_unit
from store.catalog import Metric
from store.models import (
    Area,
    AssetRow,
    EventRow,
    FeedRow,
    FeedRunRow,
    MetricRow,
    ObservationRow,
    RejectedRecordRow,
    SnapshotRow,
)
from store.records import Asset, Event, Observation, Record, Rejection, Snapshot

MAX_REJECTIONS_STORED = 500  # per run: enough to diagnose, bounded against a flood


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """A configured feed as the store keeps it."""

    id: str
    type: str
    interval_s: int
    enabled: bool
    demo: bool


@dataclass(frozen=True, slots=True)
class RunOutcome:
    status: str  # ok | partial | failed
    accepted: int
    rejected: int
    changed: int
    finished_at: datetime
    duration_ms: float
    error_kind: str | None = None
    error_text: str | None = None


class Writer:
    """Writes to the store; every write is an upsert on a natural key, so re-runs change nothing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._metric_ids: dict[str, int] = {}

    # -- dialect-neutral upsert -------------------------------------------------------------
    def _insert(self, model: Any) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(model)

    def _upsert(
        self,
        conn: Connection,
        model: Any,
        rows: list[dict[str, Any]],
        keys: Sequence[str],
        compare: Sequence[str],
        also: Sequence[str] = (),
    ) -> int:
        """Insert rows; on a key conflict update `compare` + `also` if any `compare` differs."""
        if not rows:
            return 0
        stmt = self._insert(model)
        excluded = stmt.excluded
        changed = [getattr(model, c).is_distinct_from(getattr(excluded, c)) for c in compare]
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={c: getattr(excluded, c) for c in (*compare, *also)},
            where=_any(changed),
        )
        # RETURNING yields exactly the inserted or updated rows (rowcount is unreliable in
        # psycopg's executemany); SQLAlchemy batches these as multi-row INSERTs.
        returned = conn.execute(stmt.returning(getattr(model, keys[0])), rows)
        return len(returned.all())

    # -- reference data ---------------------------------------------------------------------
    def sync_areas(self, units: Iterable[AdminUnit]) -> int:
        rows = [asdict(u) for u in units]
        compare = [c for c in rows[0] if c != "code"] if rows else []
        with self.engine.begin() as conn:
            return self._upsert(conn, Area, rows, ["code"], compare)

    def sync_metrics(self, metrics: Iterable[Metric]) -> dict[str, int]:
        rows = [_metric_row(m) for m in metrics]
        compare = [c for c in rows[0] if c != "key"] if rows else []
        with self.engine.begin() as conn:
            self._upsert(conn, MetricRow, rows, ["key"], compare)
            ids = conn.execute(select(MetricRow.key, MetricRow.id)).all()
        self._metric_ids = dict(ids)
        return dict(self._metric_ids)

    def sync_feeds(self, feeds: Iterable[FeedSpec]) -> None:
        rows = [asdict(f) for f in feeds]
        with self.engine.begin() as conn:
            self._upsert(conn, FeedRow, rows, ["id"], ["type", "interval_s", "enabled", "demo"])

    # -- records ----------------------------------------------------------------------------
    def write_records(self, feed_id: str, records: Sequence[Record], now: datetime) -> int:
        """Upsert a batch of records in one transaction; returns how many rows changed."""
        observations = [r for r in records if isinstance(r, Observation)]
        events = [r for r in records if isinstance(r, Event)]
        assets = [r for r in records if isinstance(r, Asset)]
        snapshots = [r for r in records if isinstance(r, Snapshot)]
        with self.engine.begin() as conn:
            changed = self._write_observations(conn, feed_id, observations, now)
            changed += self._write_events(conn, feed_id, events, now)
            changed += self._write_assets(conn, feed_id, assets)
            changed += self._write_snapshots(conn, feed_id, snapshots)
            if changed:  # readers' caches key on this: it moves with every committed batch
                conn.execute(
                    update(FeedRow).where(FeedRow.id == feed_id).values(data_changed_at=now)
                )
        return changed

    def _metric_id(self, key: str) -> int:
        if not self._metric_ids:
            with self.engine.connect() as conn:
                ids = conn.execute(select(MetricRow.key, MetricRow.id)).all()
            self._metric_ids = dict(ids)
        return self._metric_ids[key]

    def _write_observations(
        self, conn: Connection, feed_id: str, observations: Sequence[Observation], now: datetime
    ) -> int:
        rows = [
            {
                "metric_id": self._metric_id(o.metric),
                "area_code": o.area,
                "dim": o.dim,
                "period_kind": o.period_kind,
                "period_start": o.period_start,
                "value": o.value,
                "feed_id": feed_id,
                "ingested_at": now,
            }
            for o in observations
        ]
        keys = ["metric_id", "area_code", "dim", "period_kind", "period_start"]
        return self._upsert(
            conn, ObservationRow, rows, keys, ["value", "feed_id"], also=["ingested_at"]
        )

    def _write_events(
        self, conn: Connection, feed_id: str, events: Sequence[Event], now: datetime
    ) -> int:
        rows = [
            {
                "domain": e.domain,
                "kind": e.kind,
                "source_id": e.source_id,
                "area_code": e.area,
                "lat": e.lat,
                "lon": e.lon,
                "occurred_at": e.occurred_at,
                "status": e.status,
                "severity": e.severity,
                "title": e.title,
                "attributes": dict(e.attributes),
                "feed_id": feed_id,
                "ingested_at": now,
            }
            for e in events
        ]
        compare = [
            "area_code",
            "lat",
            "lon",
            "occurred_at",
            "status",
            "severity",
            "title",
            "attributes",
            "feed_id",
        ]
        return self._upsert(
            conn, EventRow, rows, ["domain", "kind", "source_id"], compare, also=["ingested_at"]
        )

    def _write_assets(self, conn: Connection, feed_id: str, assets: Sequence[Asset]) -> int:
        rows = [
            {
                "domain": a.domain,
                "kind": a.kind,
                "source_id": a.source_id,
                "name": a.name,
                "area_code": a.area,
                "lat": a.lat,
                "lon": a.lon,
                "status": a.status,
                "attributes": dict(a.attributes),
                "last_seen": a.last_seen,
                "feed_id": feed_id,
            }
            for a in assets
        ]
        compare = ["name", "area_code", "lat", "lon", "status", "attributes", "feed_id"]
        return self._upsert(
            conn, AssetRow, rows, ["domain", "kind", "source_id"], compare, also=["last_seen"]
        )

    def _write_snapshots(
        self, conn: Connection, feed_id: str, snapshots: Sequence[Snapshot]
    ) -> int:
        """Keep the newest image per camera; an older image never replaces a newer one."""
        newest: dict[str, Snapshot] = {}
        for shot in snapshots:
            if shot.camera not in newest or shot.taken_at > newest[shot.camera].taken_at:
                newest[shot.camera] = shot
        rows = [
            {
                "camera": s.camera,
                "taken_at": s.taken_at,
                "content_type": s.content_type,
                "content": s.content,
                "feed_id": feed_id,
            }
            for s in newest.values()
        ]
        if not rows:
            return 0
        stmt = self._insert(SnapshotRow)
        stmt = stmt.on_conflict_do_update(
            index_elements=["camera"],
            set_={
                c: getattr(stmt.excluded, c)
                for c in ("taken_at", "content_type", "content", "feed_id")
            },
            where=SnapshotRow.taken_at < stmt.excluded.taken_at,
        )
        return len(conn.execute(stmt.returning(SnapshotRow.camera), rows).all())

    # -- feed runs --------------------------------------------------------------------------
    def start_run(self, feed_id: str, started_at: datetime) -> int:
        with self.engine.begin() as conn:
            run = conn.execute(
                self._insert(FeedRunRow)
                .values(feed_id=feed_id, started_at=started_at, status="running")
                .returning(FeedRunRow.id)
            )
            return int(run.scalar_one())

    def finish_run(
        self, run_id: int, feed_id: str, outcome: RunOutcome, rejections: Sequence[Rejection]
    ) -> str | None:
        """Record a run's outcome and the feed's health; returns the feed's previous status."""
        with self.engine.begin() as conn:
            conn.execute(
                update(FeedRunRow)
                .where(FeedRunRow.id == run_id)
                .values(
                    status=outcome.status,
                    accepted=outcome.accepted,
                    rejected=outcome.rejected,
                    changed=outcome.changed,
                    finished_at=outcome.finished_at,
                    duration_ms=outcome.duration_ms,
                    error_kind=outcome.error_kind,
                    error_text=outcome.error_text,
                )
            )
            if rejections:
                conn.execute(
                    insert(RejectedRecordRow),
                    [
                        {"run_id": run_id, "reason": r.reason, "raw_excerpt": r.raw}
                        for r in rejections[:MAX_REJECTIONS_STORED]
                    ],
                )
            previous = conn.execute(
                select(FeedRow.last_status).where(FeedRow.id == feed_id)
            ).scalar_one_or_none()
            conn.execute(
                update(FeedRow).where(FeedRow.id == feed_id).values(**_feed_health(outcome))
            )
        return previous

    def refresh_statistics(self) -> None:
        """Let the query planner see the table as it is now (after a large backfill)."""
        statement = (
            "ANALYZE observations"
            if self.engine.dialect.name == "postgresql"
            else ("PRAGMA optimize")
        )
        with self.engine.begin() as conn:
            conn.execute(text(statement))

    def prune_runs(self, older_than: datetime) -> int:
        """Forget runs (and their rejected records) older than the retention horizon."""
        old = select(FeedRunRow.id).where(FeedRunRow.started_at < older_than)
        with self.engine.begin() as conn:
            conn.execute(delete(RejectedRecordRow).where(RejectedRecordRow.run_id.in_(old)))
            return (
                conn.execute(delete(FeedRunRow).where(FeedRunRow.started_at < older_than)).rowcount
                or 0
            )


def _any(conditions: list[Any]) -> Any:
    from sqlalchemy import or_

    return or_(*conditions) if len(conditions) > 1 else conditions[0]


def _feed_health(outcome: RunOutcome) -> dict[str, Any]:
    health: dict[str, Any] = {"last_run_at": outcome.finished_at, "last_status": outcome.status}
    if outcome.status == "failed":
        health.update(
            last_error_kind=outcome.error_kind,
            last_error=outcome.error_text,
            consecutive_failures=FeedRow.consecutive_failures + 1,
        )
    else:
        health.update(
            last_success_at=outcome.finished_at,
            consecutive_failures=0,
            last_error_kind=outcome.error_kind,
            last_error=outcome.error_text,
        )
    return health


def _metric_row(metric: Metric) -> dict[str, Any]:
    return {
        "key": metric.key,
        "domain": metric.domain,
        "name_vi": metric_name(metric, "vi"),
        "name_en": metric_name(metric, "en"),
        "unit_vi": metric_unit(metric, "vi"),
        "unit_en": metric_unit(metric, "en"),
        "aggregation": metric.aggregation.value,
        "direction": metric.direction.value,
        "warn": metric.warn,
        "critical": metric.critical,
        "targets": dict(metric.targets),
        "target_source": metric.target_source,
        "numerator": metric.numerator,
        "denominator": metric.denominator,
    }


RETENTION = timedelta(days=30)
