"""Feed reads: runs, rejected records, kept payloads, feed health and the data version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from store.models import FeedPayloadRow, FeedRow, FeedRunRow, RejectedRecordRow
from store.read_base import ReaderBase
from store.read_models import FeedHealth, RunSummary


class RunReads(ReaderBase):
    """Feed runs, their rejections and payloads, feed health and the data version."""

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
