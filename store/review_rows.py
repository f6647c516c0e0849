"""SQL pieces both sides of the review queue use: the record select, rows to records and
actions, an observation's key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from store.models import (
    MetricRow,
)
from store.review_models import (
    Correction,
    InvalidCorrection,
    Obs,
    QueueRecord,
    ReviewAction,
    Rr,
    Run,
    reason_family,
)


def action_of(row: Any) -> ReviewAction:
    return ReviewAction(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        rejected_id=row.rejected_id,
        feed_id=row.feed_id,
        correction_id=row.correction_id,
        before=dict(row.before or {}),
        after=dict(row.after or {}),
        undone_by=row.undone_by,
        undone_at=row.undone_at,
    )


def key_where(metric_id: int, correction: Correction) -> list[Any]:
    return [
        Obs.metric_id == metric_id,
        Obs.area_code == correction.area,
        Obs.dim == correction.dim,
        Obs.period_kind == correction.period_kind,
        Obs.period_start == correction.period_start,
    ]


def metric_id_of(conn: Connection, key: str) -> int:
    found = conn.execute(select(MetricRow.id).where(MetricRow.key == key)).scalar_one_or_none()
    if found is None:
        raise InvalidCorrection(f"unknown metric {key!r}")
    return int(found)


def record_of(row: Any) -> QueueRecord:
    return QueueRecord(
        id=row.id,
        run_id=row.run_id,
        feed_id=row.feed_id,
        seen_at=row.started_at,
        kind=row.kind,
        reason=row.reason,
        family=row.family or reason_family(row.reason),
        raw_excerpt=row.raw_excerpt,
        status=row.status,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
    )


def record_select() -> Any:
    return select(
        Rr.id,
        Rr.run_id,
        Run.feed_id,
        Run.started_at,
        Rr.kind,
        Rr.reason,
        Rr.family,
        Rr.raw_excerpt,
        Rr.status,
        Rr.reviewed_by,
        Rr.reviewed_at,
    ).join(Run, Run.id == Rr.run_id)
