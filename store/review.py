"""The review queue's SQL: rejected records grouped into reason families with their trend, and
the operators' actions on them (correct and accept, discard, source at fault), each undoable."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update

from store.models import (
    FeedFaultRow,
    FeedRow,
    ReviewActionRow,
)
from store.review_models import (
    CLASSIFY_BATCH,
    STATUSES,
    TREND_DAYS,
    Correction,
    FeedFault,
    FeedReviewState,
    Obs,
    QueueFilter,
    QueueRecord,
    ReasonGroup,
    ReviewAction,
    Rr,
    Run,
    StoredValue,
    reason_family,
)
from store.review_rows import action_of, key_where, metric_id_of, record_of, record_select
from store.review_writes import ReviewWrites
from store.scope import LOCAL_TZ


class Review(ReviewWrites):
    """The review queue over one engine; every action is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
            record_select()
            .where(*_filters(chosen, status=True))
            .order_by(Rr.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [record_of(row) for row in conn.execute(query).all()]

    def record(self, record_id: int) -> QueueRecord | None:
        self.classify()
        with self.engine.connect() as conn:
            row = conn.execute(record_select().where(Rr.id == record_id)).first()
        return None if row is None else record_of(row)

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
            metric_id = metric_id_of(conn, correction.metric)
            row = conn.execute(
                select(Obs.value, Obs.feed_id, Obs.ingested_at).where(
                    *key_where(metric_id, correction)
                )
            ).first()
        if row is None:
            return None
        return StoredValue(value=row.value, feed_id=row.feed_id, ingested_at=row.ingested_at)

    def known_dims(self, metric: str, limit: int = 200) -> list[str]:
        """The dimension members the store already holds for the metric."""
        with self.engine.connect() as conn:
            metric_id = metric_id_of(conn, metric)
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
            return [action_of(row) for row in conn.execute(query).all()]

    def action(self, action_id: int) -> ReviewAction | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(ReviewActionRow.__table__).where(ReviewActionRow.id == action_id)
            ).first()
        return None if row is None else action_of(row)

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


def _daily(days: dict[date, int], first_day: date) -> tuple[int, ...]:
    return tuple(days.get(first_day + timedelta(days=i), 0) for i in range(TREND_DAYS))


def _fault(row: Any) -> FeedFault:
    return FeedFault(
        feed_id=row.feed_id, note=row.note, marked_by=row.marked_by, marked_at=row.marked_at
    )


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
