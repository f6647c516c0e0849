"""Record writes: observations, events, assets and camera stills, and who owns a key."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import chain, count, repeat
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, select, update

from store.expressions import without_key
from store.guard import driver_work
from store.models import AssetRow, EventRow, FeedRow, ObservationRow, SnapshotRow, StillRow
from store.records import LIVE_KEY, Asset, Event, Observation, ObservationBlock, Record, Snapshot
from store.write_base import WriterBase

OBSERVATION_KEY = ("metric_id", "area_code", "dim", "period_kind", "period_start")
OBSERVATION_COLUMNS = (*OBSERVATION_KEY, "value", "feed_id", "ingested_at", "source_time")
_KEY = ", ".join(OBSERVATION_KEY)
_COLUMNS = ", ".join(OBSERVATION_COLUMNS)
# Upsert that touches a row only when its value or owner differs: re-runs change nothing.
_ON_CONFLICT = (
    f"ON CONFLICT ({_KEY}) DO UPDATE SET value = excluded.value, feed_id = excluded.feed_id,"
    " ingested_at = excluded.ingested_at, source_time = excluded.source_time"
    " WHERE observations.value IS DISTINCT FROM excluded.value"
    " OR observations.feed_id IS DISTINCT FROM excluded.feed_id"
    " OR observations.source_time IS DISTINCT FROM excluded.source_time"
)
# The statements below are built from the constants above only (no input reaches them).
# SQLite: many rows per statement (one statement per row costs a third more); each row binds
# its columns and, 6th, its sequence number, unused: it only orders the sort.
SQLITE_ROWS_PER_STATEMENT = 99  # 990 bound values: within SQLite's oldest limit, 999
_SQLITE_ROW_WIDTH = len(OBSERVATION_COLUMNS) + 1
_SQLITE_ROW_PLACES = (*range(1, 6), *range(7, _SQLITE_ROW_WIDTH + 1))  # all but the 6th


@functools.cache
def sqlite_upsert(rows: int) -> str:
    """The upsert of `rows` numbered rows (of _SQLITE_ROW_WIDTH values each) in one statement;
    a later row of one key updates the earlier one, as row by row."""
    values = ", ".join(
        "(" + ", ".join(f"?{row * _SQLITE_ROW_WIDTH + place}" for place in _SQLITE_ROW_PLACES) + ")"
        for row in range(rows)
    )
    conflict = _ON_CONFLICT.replace("IS DISTINCT FROM", "IS NOT")
    return f"INSERT INTO observations ({_COLUMNS}) VALUES {values} {conflict}"  # noqa: S608


# PostgreSQL: COPY into a session's temporary table, then one INSERT .. SELECT upserts it;
# `seq` follows the COPY order, so of two rows with one key the later one wins.
_PG_STAGING = "observations_incoming"
_PG_CREATE_STAGING = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {_PG_STAGING}"
    " (LIKE observations INCLUDING DEFAULTS, seq bigserial) ON COMMIT DELETE ROWS"
)
_PG_COPY = f"COPY {_PG_STAGING} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)"
PG_COPY_TYPES = [
    *("int4", "varchar", "varchar", "varchar", "timestamptz"),  # the key
    *("float8", "varchar", "timestamptz", "timestamptz"),  # value, feed, ingested, source time
]
_PG_UPSERT = (
    f"INSERT INTO observations ({_COLUMNS}) SELECT DISTINCT ON ({_KEY}) {_COLUMNS}"  # noqa: S608
    f" FROM {_PG_STAGING} ORDER BY {_KEY}, seq DESC " + _ON_CONFLICT
)


# Keys of an incoming batch, joined to the stored rows to find who owns them.
_CREATE_KEYS = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_keys (metric_id integer, area_code"
    " varchar(8), dim varchar(40), period_kind varchar(10), period_start {time_type})"
)
_CLEAR_KEYS = "DELETE FROM incoming_keys"
_INSERT_KEY = "INSERT INTO incoming_keys VALUES ({marks})"
_JOIN_KEYS = (
    f"SELECT {', '.join('k.' + c for c in OBSERVATION_KEY)}, o.feed_id"  # noqa: S608
    " FROM incoming_keys k JOIN observations o ON "
    + " AND ".join(f"o.{c} = k.{c}" for c in OBSERVATION_KEY)
)


class RecordWrites(WriterBase):
    """Upserts of a feed's records, in one transaction per batch."""

    def write_records(
        self,
        feed_id: str,
        records: Sequence[Record],
        now: datetime,
        *,
        load_progress: tuple[int, int] | None = None,
        load_cursor: str | None = None,
    ) -> int:
        """Upsert a batch of records in one transaction; returns how many rows changed.

        `load_progress` (days done, days planned) is stored on the feed's health row in the
        same transaction, so the progress shown never runs ahead of the rows committed; so is
        `load_cursor`, the feed's checkpoint from which an interrupted first load resumes."""
        observations = [r for r in records if isinstance(r, Observation | ObservationBlock)]
        events = [r for r in records if isinstance(r, Event)]
        assets = [r for r in records if isinstance(r, Asset)]
        snapshots = [r for r in records if isinstance(r, Snapshot)]
        with self.engine.begin() as conn:
            changed = self._write_observations(conn, feed_id, observations, now)
            changed += self._write_events(conn, feed_id, events, now)
            changed += self._write_assets(conn, feed_id, assets)
            changed += self._write_snapshots(conn, feed_id, snapshots)
            health: dict[str, Any] = {}
            if changed:  # readers' caches key on this: it moves with every committed batch
                health["data_changed_at"] = now
            if load_progress is not None:
                health["load_done"], health["load_total"] = load_progress
            if load_cursor is not None:
                health["checkpoint"] = load_cursor
            if health:
                conn.execute(update(FeedRow).where(FeedRow.id == feed_id).values(**health))
        return changed

    def _write_observations(
        self,
        conn: Connection,
        feed_id: str,
        observations: Sequence[Observation | ObservationBlock],
        now: datetime,
    ) -> int:
        """Bulk upsert through the driver: rows are built as tuples (a block's columns are
        zipped in C), never as dicts through SQLAlchemy's per-row bind processing, which was
        most of a backfill's cost. The natural-key upsert and its changed count stay."""
        if not observations:
            return 0
        stamp = column_stamper(self.engine)
        postgres = self.engine.dialect.name == "postgresql"
        rows = observation_rows(
            observations, self._metric_id, stamp, feed_id, stamp(now), numbered=not postgres
        )
        cursor = conn.connection.cursor()
        try:
            if postgres:  # COPY, then one upsert: two statements the driver runs itself
                with driver_work(self.engine, conn.connection.dbapi_connection, 2, "a bulk write"):
                    return _pg_upsert(cursor, rows)
            rows.sort()  # key order: each index page is visited once per batch, not per day
            return _sqlite_upsert(cursor, rows)
        finally:
            cursor.close()

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
        """Upsert the assets; an asset whose `live` attributes alone differ is brought up to
        date (those and its last_seen) without counting as changed."""
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
                "attributes": {**a.attributes, LIVE_KEY: dict(a.live)}
                if a.live
                else dict(a.attributes),
                "last_seen": a.last_seen,
                "feed_id": feed_id,
            }
            for a in assets
        ]
        compare = ["name", "area_code", "lat", "lon", "status", "attributes", "feed_id"]
        keys = ["domain", "kind", "source_id"]
        if not any(a.live for a in assets):
            return self._upsert(conn, AssetRow, rows, keys, compare, also=["last_seen"])
        dialect = self.engine.dialect.name
        changed = self._upsert_keys(
            conn,
            AssetRow,
            rows,
            keys,
            compare,
            also=["last_seen"],
            compared={"attributes": lambda c: without_key(dialect, c, LIVE_KEY)},
        )
        looked = [r for r, a in zip(rows, assets, strict=True) if a.live and _key(r) not in changed]
        if looked:
            conn.execute(
                update(AssetRow)
                .where(
                    AssetRow.domain == bindparam("k_domain"),
                    AssetRow.kind == bindparam("k_kind"),
                    AssetRow.source_id == bindparam("k_source_id"),
                )
                .values(attributes=bindparam("attributes"), last_seen=bindparam("last_seen")),
                [
                    {
                        "k_domain": r["domain"],
                        "k_kind": r["kind"],
                        "k_source_id": r["source_id"],
                        "attributes": r["attributes"],
                        "last_seen": r["last_seen"],
                    }
                    for r in looked
                ],
            )
        return len(changed)

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
        self._keep_stills(conn, feed_id, snapshots)
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

    def _keep_stills(self, conn: Connection, feed_id: str, snapshots: Sequence[Snapshot]) -> None:
        """Add the stills of cameras that keep more than one, then drop all but the newest
        `keep` of each (an already stored still is left as it is)."""
        kept = [s for s in snapshots if s.keep > 1]
        if not kept:
            return
        rows = [
            {
                "camera": s.camera,
                "taken_at": s.taken_at,
                "content_type": s.content_type,
                "content": s.content,
                "feed_id": feed_id,
            }
            for s in kept
        ]
        conn.execute(self._insert(StillRow).on_conflict_do_nothing(), rows)
        for camera, keep in {s.camera: s.keep for s in kept}.items():
            newest = (
                select(StillRow.taken_at)
                .where(StillRow.camera == camera)
                .order_by(StillRow.taken_at.desc())
                .limit(keep)
            )
            conn.execute(
                delete(StillRow).where(
                    StillRow.camera == camera, StillRow.taken_at.not_in(newest.scalar_subquery())
                )
            )

    def held_by_others(
        self, feed_id: str, observations: Sequence[Observation | ObservationBlock]
    ) -> dict[tuple[str, str, str, str, datetime], str]:
        """The keys among `observations` that another feed of at least this feed's priority
        already stores, with that owner: writing them would take its data away."""
        with self.engine.connect() as conn:
            mine = conn.execute(select(FeedRow.priority).where(FeedRow.id == feed_id))
            priority = mine.scalar_one_or_none() or 0
            rivals = conn.execute(  # only feeds that have written data can own a key
                select(FeedRow.id).where(
                    FeedRow.id != feed_id,
                    FeedRow.priority >= priority,
                    FeedRow.data_changed_at.is_not(None),
                )
            )
            rival_ids = set(rivals.scalars())
        if not rival_ids or not observations:
            return {}
        return self._owners(feed_id, observations, rival_ids)

    def _owners(
        self,
        feed_id: str,
        observations: Sequence[Observation | ObservationBlock],
        rivals: set[str],
    ) -> dict[tuple[str, str, str, str, datetime], str]:
        """Join the batch's keys (in a temporary table) to the stored rows by primary key."""
        stamp = column_stamper(self.engine)
        keys: dict[tuple[Any, ...], tuple[str, str, str, str, datetime]] = {}
        for obs in observations:
            for one in obs.observations() if isinstance(obs, ObservationBlock) else (obs,):
                natural = (one.metric, one.area, one.dim, one.period_kind, one.period_start)
                stored = (self._metric_id(one.metric), one.area, one.dim, one.period_kind)
                keys[(*stored, stamp(one.period_start))] = natural
        owners: dict[tuple[str, str, str, str, datetime], str] = {}
        with self.engine.begin() as conn:
            cursor = conn.connection.cursor()
            try:
                postgres = self.engine.dialect.name == "postgresql"
                time_type = "timestamptz" if postgres else "timestamp"
                cursor.execute(_CREATE_KEYS.format(time_type=time_type))
                cursor.execute(_CLEAR_KEYS)
                marks = ", ".join(["%s" if postgres else "?"] * len(OBSERVATION_KEY))
                cursor.executemany(_INSERT_KEY.format(marks=marks), list(keys))
                cursor.execute(_JOIN_KEYS)
                for *key, owner in cursor.fetchall():
                    if owner in rivals:
                        owners[keys[_fetched_key(key, stamp)]] = owner
                cursor.execute(_CLEAR_KEYS)
            finally:
                cursor.close()
        return owners


def column_stamper(engine: Engine) -> Callable[[datetime], Any]:
    """The column's own conversion of a datetime for this database (a naive-UTC string on
    SQLite, an aware UTC datetime on PostgreSQL), computed once per distinct instant."""
    column_type = ObservationRow.__table__.c.period_start.type
    convert = column_type.dialect_impl(engine.dialect).bind_processor(engine.dialect)
    seen: dict[datetime, Any] = {}

    def stamp(moment: datetime) -> Any:
        found = seen.get(moment)
        if found is None:
            found = seen[moment] = convert(moment) if convert else moment
        return found

    return stamp


def observation_rows(
    observations: Sequence[Observation | ObservationBlock],
    metric_id: Callable[[str], int],
    stamp: Callable[[datetime], Any],
    feed_id: str,
    ingested_at: Any,
    *,
    numbered: bool,
) -> list[tuple[Any, ...]]:
    """Rows in OBSERVATION_COLUMNS order; `numbered` puts a sequence number after the key,
    so that sorting keeps rows of one key in arrival order (the later one is written last)."""
    rows: list[tuple[Any, ...]] = []
    seq = count()
    for obs in observations:
        if isinstance(obs, ObservationBlock):
            n = len(obs)
            key = (
                repeat(metric_id(obs.metric), n),
                obs.areas,
                repeat("", n) if obs.dims is None else obs.dims,
                repeat(obs.period_kind, n),
                repeat(stamp(obs.period_start), n),
            )
            rest = (
                map(float, obs.values),
                repeat(feed_id, n),
                repeat(ingested_at, n),
                repeat(None, n),  # a generated block has no source time
            )
            # strict=False: `seq` never ends; the block's own columns all have n items
            columns = (*key, seq, *rest) if numbered else (*key, *rest)
            rows.extend(zip(*columns, strict=False))
            continue
        row = (metric_id(obs.metric), obs.area, obs.dim, obs.period_kind, stamp(obs.period_start))
        source = None if obs.source_time is None else stamp(obs.source_time)
        tail = (float(obs.value), feed_id, ingested_at, source)
        rows.append((*row, next(seq), *tail) if numbered else (*row, *tail))
    return rows


def _sqlite_upsert(cursor: Any, rows: list[tuple[Any, ...]]) -> int:
    """Upsert numbered rows, SQLITE_ROWS_PER_STATEMENT at a time; how many changed."""
    changed = 0
    for start in range(0, len(rows), SQLITE_ROWS_PER_STATEMENT):
        part = rows[start : start + SQLITE_ROWS_PER_STATEMENT]
        cursor.execute(sqlite_upsert(len(part)), list(chain.from_iterable(part)))
        changed += cursor.rowcount
    return changed


def _pg_upsert(cursor: Any, rows: list[tuple[Any, ...]]) -> int:
    """COPY the rows (binary) into the session's staging table, then upsert them at once.
    The table is declared in every transaction: one rolled back would have taken it along."""
    cursor.execute(_PG_CREATE_STAGING)
    with cursor.copy(_PG_COPY) as copy:
        copy.set_types(PG_COPY_TYPES)
        for row in rows:
            copy.write_row(row)
    cursor.execute(_PG_UPSERT)
    return int(cursor.rowcount)


def _fetched_key(key: list[Any], stamp: Callable[[datetime], Any]) -> tuple[Any, ...]:
    """A joined key as it was inserted (PostgreSQL hands the timestamp back as a datetime)."""
    *head, start = key
    return (*head, stamp(start) if isinstance(start, datetime) else start)


def _key(row: dict[str, Any]) -> tuple[str, str, str]:
    return (row["domain"], row["kind"], row["source_id"])
