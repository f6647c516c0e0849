"""The review queue's actions: correct and accept, discard, mark a source at fault and undo,
each one transaction that records its before and after."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from store.catalog import METRICS_BY_KEY, Aggregation
from store.models import (
    Area,
    CorrectionRow,
    FeedFaultRow,
    FeedRow,
    ReviewActionRow,
)
from store.records import PERIOD_KINDS
from store.review_models import (
    NOTE_CHARS,
    AlreadyReviewed,
    Correction,
    InvalidCorrection,
    NotUndoable,
    Obs,
    QueueRecord,
    ReviewAction,
    ReviewError,
    Rr,
    UnknownRecord,
)
from store.review_rows import action_of, key_where, metric_id_of, record_of, record_select


class ReviewWrites:
    """The actions on the queue (Review adds the reads)."""

    engine: Engine

    def accept(
        self, record_id: int, correction: Correction, *, by: str, now: datetime
    ) -> ReviewAction:
        """Store the corrected record as an observation of the record's feed, remember what
        it replaced, and mark the record accepted — all in one transaction."""
        _check(correction)
        with self.engine.begin() as conn:
            record = _locked_open(conn, record_id)
            metric_id = metric_id_of(conn, correction.metric)
            if conn.execute(select(Area.code).where(Area.code == correction.area)).first() is None:
                raise InvalidCorrection(f"unknown area code {correction.area!r}")
            previous = _observation(conn, metric_id, correction)
            values = {
                "metric_id": metric_id,
                "area_code": correction.area,
                "dim": correction.dim,
                "period_kind": correction.period_kind,
                "period_start": correction.period_start,
                "value": float(correction.value),
                "feed_id": record.feed_id,
                "ingested_at": now,
                "source_time": None,
            }
            self._put_observation(conn, values)
            correction_id = conn.execute(
                insert(CorrectionRow)
                .values(
                    rejected_id=record_id,
                    feed_id=record.feed_id,
                    metric_id=metric_id,
                    area_code=correction.area,
                    dim=correction.dim,
                    period_kind=correction.period_kind,
                    period_start=correction.period_start,
                    value=float(correction.value),
                    original_reason=record.reason,
                    original_excerpt=record.raw_excerpt,
                    previous=previous,
                    corrected_by=by,
                    corrected_at=now,
                )
                .returning(CorrectionRow.id)
            ).scalar_one()
            _set_status(conn, record_id, "accepted", by, now)
            _data_changed(conn, record.feed_id, now)
            after = {
                "status": "accepted",
                "metric": correction.metric,
                "area": correction.area,
                "dim": correction.dim,
                "period_kind": correction.period_kind,
                "period_start": correction.period_start.isoformat(),
                "value": float(correction.value),
                "replaced": previous,
            }
            return _log(conn, now, by, "accept", record, {"status": "open"}, after, correction_id)

    def discard(self, record_id: int, *, by: str, now: datetime) -> ReviewAction:
        """The record is not worth keeping: it leaves the open queue, nothing is stored."""
        with self.engine.begin() as conn:
            record = _locked_open(conn, record_id)
            _set_status(conn, record_id, "discarded", by, now)
            return _log(
                conn, now, by, "discard", record, {"status": "open"}, {"status": "discarded"}
            )

    def mark_at_fault(self, feed_id: str, note: str, *, by: str, now: datetime) -> ReviewAction:
        """Flag the source as at fault (its data are wrong at the source), with a note."""
        note = note.strip()[:NOTE_CHARS]
        with self.engine.begin() as conn:
            if conn.execute(select(FeedRow.id).where(FeedRow.id == feed_id)).first() is None:
                raise UnknownRecord(f"unknown feed {feed_id!r}")
            before = _fault_state(conn, feed_id)
            after = {"note": note, "marked_by": by, "marked_at": now.isoformat()}
            _put_fault(conn, feed_id, after)
            return _log(conn, now, by, "fault", feed_id, before, after)

    def clear_fault(self, feed_id: str, *, by: str, now: datetime) -> ReviewAction:
        with self.engine.begin() as conn:
            before = _fault_state(conn, feed_id)
            if before is None:
                raise ReviewError(f"feed {feed_id!r} is not marked at fault")
            conn.execute(delete(FeedFaultRow).where(FeedFaultRow.feed_id == feed_id))
            return _log(conn, now, by, "unfault", feed_id, before, None)

    def undo(self, action_id: int, *, by: str, now: datetime) -> ReviewAction:
        """Reverse an action: a correction is withdrawn (the observation it replaced put back,
        or removed when there was none), a discard reopened, a fault flag restored to before.
        Only the latest action on its record (or on its feed's flag) can be undone."""
        with self.engine.begin() as conn:
            row = conn.execute(
                select(ReviewActionRow.__table__)
                .where(ReviewActionRow.id == action_id)
                .with_for_update()
            ).first()
            if row is None:
                raise UnknownRecord(f"unknown action {action_id}")
            done = action_of(row)
            if done.undone_at is not None:
                raise NotUndoable(f"action {action_id} was undone by {done.undone_by} already")
            _check_latest(conn, done)
            restored: dict[str, Any] = {}
            if done.action == "accept":
                restored = self._withdraw(conn, done, by, now)
            elif done.action == "discard":
                if done.rejected_id is not None:
                    _reopen(conn, done.rejected_id, "discarded")
            else:
                conn.execute(delete(FeedFaultRow).where(FeedFaultRow.feed_id == done.feed_id))
                if done.before:
                    _put_fault(conn, done.feed_id, done.before)
            conn.execute(
                update(ReviewActionRow)
                .where(ReviewActionRow.id == action_id)
                .values(undone_by=by, undone_at=now)
            )
            return ReviewAction(
                **{**_fields(done), "undone_by": by, "undone_at": now, "after": restored}
            )

    def _withdraw(
        self, conn: Connection, done: ReviewAction, by: str, now: datetime
    ) -> dict[str, Any]:
        correction = conn.execute(
            select(CorrectionRow.__table__).where(CorrectionRow.id == done.correction_id)
        ).one()
        where = [
            Obs.metric_id == correction.metric_id,
            Obs.area_code == correction.area_code,
            Obs.dim == correction.dim,
            Obs.period_kind == correction.period_kind,
            Obs.period_start == correction.period_start,
        ]
        current = conn.execute(select(Obs.value, Obs.feed_id).where(*where)).first()
        # Put back only what this correction wrote: a later run of the feed may have written
        # the key since, and that newer value stays.
        ours = current is not None and (
            current.value == correction.value and current.feed_id == correction.feed_id
        )
        if ours:
            conn.execute(delete(Obs).where(*where))
            if correction.previous:
                previous = correction.previous
                self._put_observation(
                    conn,
                    {
                        "metric_id": correction.metric_id,
                        "area_code": correction.area_code,
                        "dim": correction.dim,
                        "period_kind": correction.period_kind,
                        "period_start": correction.period_start,
                        "value": previous["value"],
                        "feed_id": previous["feed_id"],
                        "ingested_at": _when(previous["ingested_at"]),
                        "source_time": _when(previous.get("source_time")),
                    },
                )
            _data_changed(conn, correction.feed_id, now)
        conn.execute(
            update(CorrectionRow)
            .where(CorrectionRow.id == correction.id)
            .values(withdrawn_by=by, withdrawn_at=now)
        )
        if done.rejected_id is not None:
            _reopen(conn, done.rejected_id, "accepted")
        return {"status": "open", "observation_restored": ours, "restored": correction.previous}

    def _put_observation(self, conn: Connection, values: dict[str, Any]) -> None:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(Obs).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["metric_id", "area_code", "dim", "period_kind", "period_start"],
            set_={c: stmt.excluded[c] for c in ("value", "feed_id", "ingested_at", "source_time")},
        )
        conn.execute(stmt)


def _check(correction: Correction) -> None:
    metric = METRICS_BY_KEY.get(correction.metric)
    if metric is None:
        raise InvalidCorrection(f"unknown metric {correction.metric!r}")
    if metric.aggregation is Aggregation.RATIO:
        raise InvalidCorrection(f"metric {correction.metric!r} is computed, not stored")
    if correction.period_kind not in PERIOD_KINDS:
        raise InvalidCorrection(f"unknown period kind {correction.period_kind!r}")
    if correction.period_start.tzinfo is None:
        raise InvalidCorrection("the period start has no time zone")
    if not math.isfinite(correction.value):
        raise InvalidCorrection("the value is not a finite number")
    if metric.dimension is None and correction.dim:
        raise InvalidCorrection(f"metric {correction.metric!r} is not split by a dimension")


def _check_latest(conn: Connection, done: ReviewAction) -> None:
    """Refuse to undo an action a later, still standing action builds on."""
    later = select(ReviewActionRow.id).where(
        ReviewActionRow.id > done.id, ReviewActionRow.undone_at.is_(None)
    )
    if done.action in ("fault", "unfault"):
        later = later.where(
            ReviewActionRow.feed_id == done.feed_id,
            ReviewActionRow.action.in_(("fault", "unfault")),
        )
    else:
        later = later.where(ReviewActionRow.rejected_id == done.rejected_id)
    if conn.execute(later.limit(1)).first() is not None:
        raise NotUndoable(f"a later action stands on action {done.id}: undo that one first")


def _data_changed(conn: Connection, feed_id: str, now: datetime) -> None:
    """Move the readers' data version (the newest data_changed_at): cached pages re-read.
    A clock that has not moved since the last write still moves the version."""
    newest = conn.execute(select(func.max(FeedRow.data_changed_at))).scalar_one_or_none()
    moment = now if newest is None or now > newest else newest + timedelta(milliseconds=1)
    conn.execute(update(FeedRow).where(FeedRow.id == feed_id).values(data_changed_at=moment))


def _fault_state(conn: Connection, feed_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(FeedFaultRow.__table__).where(FeedFaultRow.feed_id == feed_id)
    ).first()
    if row is None:
        return None
    return {"note": row.note, "marked_by": row.marked_by, "marked_at": row.marked_at.isoformat()}


def _fields(action: ReviewAction) -> dict[str, Any]:
    return {name: getattr(action, name) for name in ReviewAction.__dataclass_fields__}


def _locked_open(conn: Connection, record_id: int) -> QueueRecord:
    """The record, locked for this transaction, if it is still open."""
    row = conn.execute(record_select().where(Rr.id == record_id).with_for_update(of=Rr)).first()
    if row is None:
        raise UnknownRecord(f"unknown rejected record {record_id}")
    record = record_of(row)
    if record.status != "open":
        raise AlreadyReviewed(
            f"record {record_id} is already {record.status} (by {record.reviewed_by})"
        )
    return record


def _log(
    conn: Connection,
    now: datetime,
    by: str,
    action: str,
    subject: QueueRecord | str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    correction_id: int | None = None,
) -> ReviewAction:
    record_id = subject.id if isinstance(subject, QueueRecord) else None
    feed_id = subject.feed_id if isinstance(subject, QueueRecord) else subject
    values: dict[str, Any] = {
        "at": now,
        "actor": by,
        "action": action,
        "rejected_id": record_id,
        "feed_id": feed_id,
        "correction_id": correction_id,
        "before": before or {},
        "after": after or {},
    }
    action_id = conn.execute(
        insert(ReviewActionRow).values(values).returning(ReviewActionRow.id)
    ).scalar_one()
    return ReviewAction(id=int(action_id), **values)


def _observation(conn: Connection, metric_id: int, correction: Correction) -> dict[str, Any] | None:
    row = conn.execute(
        select(Obs.value, Obs.feed_id, Obs.ingested_at, Obs.source_time).where(
            *key_where(metric_id, correction)
        )
    ).first()
    if row is None:
        return None
    return {
        "value": row.value,
        "feed_id": row.feed_id,
        "ingested_at": row.ingested_at.isoformat(),
        "source_time": row.source_time.isoformat() if row.source_time else None,
    }


def _put_fault(conn: Connection, feed_id: str, state: dict[str, Any]) -> None:
    conn.execute(delete(FeedFaultRow).where(FeedFaultRow.feed_id == feed_id))
    conn.execute(
        insert(FeedFaultRow).values(
            feed_id=feed_id,
            note=state["note"],
            marked_by=state["marked_by"],
            marked_at=datetime.fromisoformat(state["marked_at"]),
        )
    )


def _reopen(conn: Connection, record_id: int, was: str) -> None:
    conn.execute(
        update(Rr)
        .where(Rr.id == record_id, Rr.status == was)
        .values(status="open", reviewed_by=None, reviewed_at=None)
    )


def _set_status(conn: Connection, record_id: int, status: str, by: str, now: datetime) -> None:
    changed = conn.execute(
        update(Rr)
        .where(Rr.id == record_id, Rr.status == "open")
        .values(status=status, reviewed_by=by, reviewed_at=now)
    )
    if changed.rowcount != 1:  # another operator got there first
        raise AlreadyReviewed(f"record {record_id} was reviewed meanwhile")


def _when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
