"""Feed run bookkeeping: a run's start and outcome, its rejections, the feed's health, payloads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, insert, select, update

from store.models import FeedPayloadRow, FeedRow, FeedRunRow, RejectedRecordRow
from store.records import DataWarning, Rejection
from store.write_base import WriterBase

MAX_REJECTIONS_STORED = 500  # per run: enough to diagnose, bounded against a flood
MAX_PAYLOADS_KEPT = 5  # per feed: the newest failed or partial runs' payloads


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
    warnings: Sequence[DataWarning] = ()
    checkpoint: str | None = None  # moved only with a run that stored its rows


@dataclass(frozen=True, slots=True)
class KeptPayload:
    """A failed or partial run's raw payload, already redacted and cut to size."""

    content: str
    size: int  # bytes as received
    truncated: bool


class RunWrites(WriterBase):
    """A feed run's record and the feed's health row."""

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
            noted: list[tuple[str, Rejection | DataWarning]] = [
                ("rejected", r) for r in rejections[:MAX_REJECTIONS_STORED]
            ]
            noted += [("warning", w) for w in outcome.warnings[:MAX_REJECTIONS_STORED]]
            if noted:
                conn.execute(
                    insert(RejectedRecordRow),
                    [
                        {"run_id": run_id, "reason": r.reason, "raw_excerpt": r.raw, "kind": k}
                        for k, r in noted
                    ],
                )
            previous = conn.execute(
                select(FeedRow.last_status).where(FeedRow.id == feed_id)
            ).scalar_one_or_none()
            conn.execute(
                update(FeedRow).where(FeedRow.id == feed_id).values(**_feed_health(outcome))
            )
        return previous

    def keep_payload(self, run_id: int, feed_id: str, payload: KeptPayload, now: datetime) -> None:
        """Keep a run's raw payload; only the feed's newest MAX_PAYLOADS_KEPT stay."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(FeedPayloadRow).values(
                    run_id=run_id,
                    feed_id=feed_id,
                    captured_at=now,
                    size=payload.size,
                    truncated=payload.truncated,
                    content=payload.content,
                )
            )
            newest = (
                select(FeedPayloadRow.id)
                .where(FeedPayloadRow.feed_id == feed_id)
                .order_by(FeedPayloadRow.id.desc())
                .limit(MAX_PAYLOADS_KEPT)
            )
            conn.execute(
                delete(FeedPayloadRow).where(
                    FeedPayloadRow.feed_id == feed_id, FeedPayloadRow.id.not_in(newest)
                )
            )


def _feed_health(outcome: RunOutcome) -> dict[str, Any]:
    """The feed row's new health. A first load that ended before its last day (a timeout, a
    shutdown, a failure) keeps its progress and no last success: the next run is a first load
    again and resumes it, and the pages go on saying how far it has come."""
    loading = and_(FeedRow.load_total.is_not(None), FeedRow.load_done < FeedRow.load_total)
    health: dict[str, Any] = {
        "last_run_at": outcome.finished_at,
        "last_status": outcome.status,
        "load_done": case((loading, FeedRow.load_done), else_=None),  # a load done is cleared
        "load_total": case((loading, FeedRow.load_total), else_=None),
    }
    if outcome.status == "failed":
        health.update(
            last_error_kind=outcome.error_kind,
            last_error=outcome.error_text,
            consecutive_failures=FeedRow.consecutive_failures + 1,
        )
    else:
        if outcome.checkpoint is not None:
            health["checkpoint"] = outcome.checkpoint
        if outcome.accepted:  # last_success means data were stored, not merely a quiet run
            health["last_success_at"] = case(
                (loading, FeedRow.last_success_at), else_=outcome.finished_at
            )
        health.update(
            consecutive_failures=0,
            last_error_kind=outcome.error_kind,
            last_error=outcome.error_text,
        )
    return health
