"""The review queue's SQL: rejected records grouped into reason families with their trend, and
the operators' actions on them (correct and accept, discard, source at fault), each undoable."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from store.catalog import METRICS_BY_KEY, Aggregation
from store.models import (
    Area,
    CorrectionRow,
    FeedFaultRow,
    FeedRow,
    FeedRunRow,
    MetricRow,
    ObservationRow,
    RejectedRecordRow,
    ReviewActionRow,
)
from store.records import PERIOD_KINDS
from store.scope import LOCAL_TZ

STATUSES = ("open", "accepted", "discarded")
KINDS = ("rejected", "warning")
ACTIONS = ("accept", "discard", "fault", "unfault")
TREND_DAYS = 14  # a group's trend: records per local day over this many days, today last
FAMILY_CHARS = 200
NOTE_CHARS = 1000
CLASSIFY_BATCH = 2000
Rr, Run, Obs = RejectedRecordRow, FeedRunRow, ObservationRow

# What varies between records of one reason family: quoted values, timestamps, numbers.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.+\-Z]+)?")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,:/]\d+)*(?![\w])")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def reason_family(reason: str) -> str:
    """The reason with what differs between records masked: "row 12: value 'x' is not a
    number" and "row 13: value 'y' is not a number" are one family, "row #: value '…' is …"."""
    text = _QUOTED.sub("'…'", reason)
    text = _TIMESTAMP.sub("#", text)
    text = _NUMBER.sub("#", text)
    text = _DIGITS.sub("#", text)  # digits inside words: ids such as "item42", "run7"
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= FAMILY_CHARS else text[: FAMILY_CHARS - 1] + "…"


class ReviewError(Exception):
    """An action the queue refuses; the message says why (shown to the operator)."""


class UnknownRecord(ReviewError):
    pass


class AlreadyReviewed(ReviewError):
    """Someone (maybe another operator) already accepted or discarded the record."""


class NotUndoable(ReviewError):
    """The action was undone already, or a later action depends on it."""


class InvalidCorrection(ReviewError):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueFilter:
    """Which records to show; None matches everything."""

    feed: str | None = None
    family: str | None = None
    status: str | None = "open"
    kind: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReasonGroup:
    """The records of one feed and reason family, with their counts and their daily trend."""

    feed_id: str
    family: str
    kind: str
    total: int
    open: int
    accepted: int
    discarded: int
    last_seen: datetime
    daily: tuple[int, ...]  # records seen per local day, TREND_DAYS of them, today last

    @property
    def trend(self) -> str:
        """better | worse | steady | quiet: the last week against the week before it."""
        half = len(self.daily) // 2
        before, recent = sum(self.daily[:half]), sum(self.daily[half:])
        if before == 0 and recent == 0:
            return "quiet"
        if recent < 0.8 * before:
            return "better"
        if recent > 1.25 * before:
            return "worse"
        return "steady"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueRecord:
    id: int
    run_id: int
    feed_id: str
    seen_at: datetime  # when its run started
    kind: str
    reason: str
    family: str
    raw_excerpt: str
    status: str
    reviewed_by: str | None
    reviewed_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """What an operator says the record should have been: one observation's key and value."""

    metric: str
    area: str
    period_start: datetime  # UTC start of the period (local midnight of its first day)
    value: float
    period_kind: str = "day"
    dim: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredValue:
    value: float
    feed_id: str
    ingested_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedFault:
    feed_id: str
    note: str
    marked_by: str
    marked_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewAction:
    id: int
    at: datetime
    actor: str
    action: str
    rejected_id: int | None
    feed_id: str
    correction_id: int | None
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    undone_by: str | None = None
    undone_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedReviewState:
    """Per feed, what the board's data-quality score reads from the review queue."""

    feed_id: str
    open_rejected: int  # rejected records nobody has reviewed yet
    open_warnings: int
    accepted: int  # rejected records an operator corrected and accepted
    discarded: int
    fault: FeedFault | None  # the source is marked at fault

    @property
    def at_fault(self) -> bool:
        return self.fault is not None


class Review:
    """The review queue over one engine; every action is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- reading ----------------------------------------------------------------------------
    def classify(self) -> int:
        """Give records that have none their reason family; returns how many were classified.
        The runner writes records without one, so every read of the queue calls this first."""
        done = 0
        with self.engine.begin() as conn:
            while True:
                rows = conn.execute(
                    select(Rr.id, Rr.reason)
                    .where(Rr.family.is_(None))
                    .order_by(Rr.id)
                    .limit(CLASSIFY_BATCH)
                ).all()
                if not rows:
                    return done
                families: dict[str, list[int]] = {}
                for record_id, reason in rows:
                    families.setdefault(reason_family(reason), []).append(record_id)
                for family, ids in families.items():
                    conn.execute(update(Rr).where(Rr.id.in_(ids)).values(family=family))
                done += len(rows)

    def groups(self, chosen: QueueFilter, now: datetime) -> list[ReasonGroup]:
        """Groups of the chosen feed, family and kind holding a record of the chosen status,
        most open records first; each with its counts and its trend of the last 14 days."""
        self.classify()
        today = now.astimezone(LOCAL_TZ).date()
        first_day = today - timedelta(days=TREND_DAYS - 1)
        query = (
            select(Run.feed_id, Rr.family, Rr.kind, Rr.status, Run.started_at, func.count())
            .join(Run, Run.id == Rr.run_id)
            .where(*_filters(chosen, status=False))
            .group_by(Run.id, Run.feed_id, Run.started_at, Rr.family, Rr.kind, Rr.status)
        )
        tallies: dict[tuple[str, str, str], dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for feed_id, family, kind, status, started, count in conn.execute(query).all():
                tally = tallies.setdefault(
                    (feed_id, family or "", kind),
                    {"statuses": dict.fromkeys(STATUSES, 0), "days": {}, "last": started},
                )
                tally["statuses"][status] = tally["statuses"].get(status, 0) + count
                tally["last"] = max(tally["last"], started)
                day = started.astimezone(LOCAL_TZ).date()
                if first_day <= day <= today:
                    tally["days"][day] = tally["days"].get(day, 0) + count
        found = []
        for (feed_id, family, kind), tally in tallies.items():
            statuses = tally["statuses"]
            if chosen.status is not None and not statuses.get(chosen.status):
                continue
            found.append(
                ReasonGroup(
                    feed_id=feed_id,
                    family=family,
                    kind=kind,
                    total=sum(statuses.values()),
                    open=statuses["open"],
                    accepted=statuses["accepted"],
                    discarded=statuses["discarded"],
                    last_seen=tally["last"],
                    daily=_daily(tally["days"], first_day),
                )
            )
        found.sort(key=lambda g: (-g.open, -g.total, g.feed_id, g.family))
        return found

    def records(self, chosen: QueueFilter, limit: int = 200) -> list[QueueRecord]:
        """The chosen records, newest first."""
        self.classify()
        query = (
            _record_select()
            .where(*_filters(chosen, status=True))
            .order_by(Rr.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_record(row) for row in conn.execute(query).all()]

    def record(self, record_id: int) -> QueueRecord | None:
        self.classify()
        with self.engine.connect() as conn:
            row = conn.execute(_record_select().where(Rr.id == record_id)).first()
        return None if row is None else _record(row)

    def families(self, feed: str | None = None) -> list[str]:
        """The reason families of the kept records (of one feed), in alphabetical order."""
        self.classify()
        query = select(Rr.family).distinct().where(Rr.family.is_not(None))
        if feed is not None:
            query = query.join(Run, Run.id == Rr.run_id).where(Run.feed_id == feed)
        with self.engine.connect() as conn:
            return sorted(str(f) for f in conn.execute(query).scalars())

    def feeds(self) -> list[str]:
        """Every feed the store knows, in alphabetical order."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(FeedRow.id).order_by(FeedRow.id)).scalars())

    def stored_value(self, correction: Correction) -> StoredValue | None:
        """What the store holds now under the correction's key, if anything."""
        with self.engine.connect() as conn:
            metric_id = _metric_id(conn, correction.metric)
            row = conn.execute(
                select(Obs.value, Obs.feed_id, Obs.ingested_at).where(
                    *_key_where(metric_id, correction)
                )
            ).first()
        if row is None:
            return None
        return StoredValue(value=row.value, feed_id=row.feed_id, ingested_at=row.ingested_at)

    def known_dims(self, metric: str, limit: int = 200) -> list[str]:
        """The dimension members the store already holds for the metric."""
        with self.engine.connect() as conn:
            metric_id = _metric_id(conn, metric)
            query = (
                select(Obs.dim)
                .distinct()
                .where(Obs.metric_id == metric_id, Obs.dim != "")
                .order_by(Obs.dim)
                .limit(limit)
            )
            return list(conn.execute(query).scalars())

    def history(
        self, *, rejected_id: int | None = None, feed_id: str | None = None, limit: int = 50
    ) -> list[ReviewAction]:
        """Actions on one record or on one feed (its faults), newest first."""
        query = select(ReviewActionRow.__table__).order_by(ReviewActionRow.id.desc()).limit(limit)
        if rejected_id is not None:
            query = query.where(ReviewActionRow.rejected_id == rejected_id)
        if feed_id is not None:
            query = query.where(ReviewActionRow.feed_id == feed_id)
        with self.engine.connect() as conn:
            return [_action(row) for row in conn.execute(query).all()]

    def action(self, action_id: int) -> ReviewAction | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(ReviewActionRow.__table__).where(ReviewActionRow.id == action_id)
            ).first()
        return None if row is None else _action(row)

    def faults(self) -> dict[str, FeedFault]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(FeedFaultRow.__table__)).all()
        return {row.feed_id: _fault(row) for row in rows}

    def feed_states(self) -> dict[str, FeedReviewState]:
        """Per feed: open rejected records and warnings, accepted and discarded records, and
        its at-fault flag — what the board's data-quality score and badge read."""
        query = (
            select(Run.feed_id, Rr.kind, Rr.status, func.count())
            .join(Run, Run.id == Rr.run_id)
            .group_by(Run.feed_id, Rr.kind, Rr.status)
        )
        counts: dict[str, dict[tuple[str, str], int]] = {}
        with self.engine.connect() as conn:
            feeds = list(conn.execute(select(FeedRow.id).order_by(FeedRow.id)).scalars())
            for feed_id, kind, status, count in conn.execute(query).all():
                counts.setdefault(feed_id, {})[(kind, status)] = count
        faults = self.faults()
        states = {}
        for feed_id in feeds:
            mine = counts.get(feed_id, {})
            states[feed_id] = FeedReviewState(
                feed_id=feed_id,
                open_rejected=mine.get(("rejected", "open"), 0),
                open_warnings=mine.get(("warning", "open"), 0),
                accepted=mine.get(("rejected", "accepted"), 0),
                discarded=mine.get(("rejected", "discarded"), 0),
                fault=faults.get(feed_id),
            )
        return states

    # -- actions ----------------------------------------------------------------------------
    def accept(
        self, record_id: int, correction: Correction, *, by: str, now: datetime
    ) -> ReviewAction:
        """Store the corrected record as an observation of the record's feed, remember what
        it replaced, and mark the record accepted — all in one transaction."""
        _check(correction)
        with self.engine.begin() as conn:
            record = _locked_open(conn, record_id)
            metric_id = _metric_id(conn, correction.metric)
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
            done = _action(row)
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


# -- helpers --------------------------------------------------------------------------------
def _filters(chosen: QueueFilter, *, status: bool) -> list[Any]:
    where: list[Any] = []
    if chosen.feed is not None:
        where.append(Run.feed_id == chosen.feed)
    if chosen.family is not None:
        where.append(Rr.family == chosen.family)
    if chosen.kind is not None:
        where.append(Rr.kind == chosen.kind)
    if status and chosen.status is not None:
        where.append(Rr.status == chosen.status)
    return where


def _daily(days: dict[date, int], first_day: date) -> tuple[int, ...]:
    return tuple(days.get(first_day + timedelta(days=i), 0) for i in range(TREND_DAYS))


def _record_select() -> Any:
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


def _record(row: Any) -> QueueRecord:
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


def _action(row: Any) -> ReviewAction:
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


def _fields(action: ReviewAction) -> dict[str, Any]:
    return {name: getattr(action, name) for name in ReviewAction.__dataclass_fields__}


def _fault(row: Any) -> FeedFault:
    return FeedFault(
        feed_id=row.feed_id, note=row.note, marked_by=row.marked_by, marked_at=row.marked_at
    )


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


def _metric_id(conn: Connection, key: str) -> int:
    found = conn.execute(select(MetricRow.id).where(MetricRow.key == key)).scalar_one_or_none()
    if found is None:
        raise InvalidCorrection(f"unknown metric {key!r}")
    return int(found)


def _key_where(metric_id: int, correction: Correction) -> list[Any]:
    return [
        Obs.metric_id == metric_id,
        Obs.area_code == correction.area,
        Obs.dim == correction.dim,
        Obs.period_kind == correction.period_kind,
        Obs.period_start == correction.period_start,
    ]


def _observation(conn: Connection, metric_id: int, correction: Correction) -> dict[str, Any] | None:
    row = conn.execute(
        select(Obs.value, Obs.feed_id, Obs.ingested_at, Obs.source_time).where(
            *_key_where(metric_id, correction)
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


def _when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _locked_open(conn: Connection, record_id: int) -> QueueRecord:
    """The record, locked for this transaction, if it is still open."""
    row = conn.execute(_record_select().where(Rr.id == record_id).with_for_update(of=Rr)).first()
    if row is None:
        raise UnknownRecord(f"unknown rejected record {record_id}")
    record = _record(row)
    if record.status != "open":
        raise AlreadyReviewed(
            f"record {record_id} is already {record.status} (by {record.reviewed_by})"
        )
    return record


def _set_status(conn: Connection, record_id: int, status: str, by: str, now: datetime) -> None:
    changed = conn.execute(
        update(Rr)
        .where(Rr.id == record_id, Rr.status == "open")
        .values(status=status, reviewed_by=by, reviewed_at=now)
    )
    if changed.rowcount != 1:  # another operator got there first
        raise AlreadyReviewed(f"record {record_id} was reviewed meanwhile")


def _reopen(conn: Connection, record_id: int, was: str) -> None:
    conn.execute(
        update(Rr)
        .where(Rr.id == record_id, Rr.status == was)
        .values(status="open", reviewed_by=None, reviewed_at=None)
    )


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
