"""Feed definitions in the database: provisioned from config.yaml, edited in the console,
read by the scheduler; every change bumps a version (optimistic locking)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, SecretStr
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from store.models import FeedDefinitionRow, FeedRunRequestRow

if TYPE_CHECKING:
    from settings import FeedConfig

log = logging.getLogger(__name__)
FILE, CONSOLE = "file", "console"
PROVISIONER = "config.yaml"  # the `updated_by` of changes made by provisioning
TOP_LEVEL = ("id", "type", "interval", "enabled", "timeout", "retries", "priority")
PROVISION_ATTEMPTS = 3  # another process provisioning at the same moment: read again, retry


@dataclass(frozen=True, slots=True)
class FeedDefinition:
    """One feed as the console shows it and the scheduler runs it."""

    id: str
    origin: str  # "file" (provisioned from config.yaml) | "console"
    # The effective entry as in config.yaml: id, type, interval, enabled, timeout, retries,
    # priority, options. Secrets stay "${ENV}" references exactly as entered, never resolved.
    config: dict[str, Any]
    file_config: dict[str, Any] | None  # the provisioned version (origin == "file")
    overridden: bool  # a file feed edited in the console (an override in the database)
    paused: bool
    deleted: bool  # soft delete: data kept, not scheduled, hidden by default
    version: int  # optimistic lock: +1 on every change
    updated_at: datetime | None
    updated_by: str | None


class StaleEdit(Exception):
    """Someone else changed the feed since it was read; `current` says who, when, which version."""

    def __init__(self, current: FeedDefinition) -> None:
        super().__init__(
            f"feed {current.id} was changed by {current.updated_by} (now version {current.version})"
        )
        self.current = current


class FeedExists(Exception):
    """A feed with this id exists already (perhaps deleted: ids are never reused)."""

    def __init__(self, feed_id: str) -> None:
        super().__init__(f"feed {feed_id} exists already")
        self.feed_id = feed_id


class UnknownFeed(Exception):
    """No feed with this id, or it is deleted (a deleted feed is not edited)."""

    def __init__(self, feed_id: str, reason: str = "no such feed") -> None:
        super().__init__(f"feed {feed_id}: {reason}")
        self.feed_id = feed_id


class NothingToRevert(ValueError):
    """Revert asked of a feed that has no file version (created in the console)."""


def json_safe(value: Any) -> Any:
    """A JSON-typed copy (dates as ISO text, keys as text), as the JSON column gives back."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def entry_of(feed: FeedConfig, written: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The feed's entry to store: the validated top-level values (whole seconds, defaults
    filled) and its options as written in the file (`written`, with "${VAR}" references
    unresolved). Without `written`, the validated options, which must hold no secret."""
    entry: dict[str, Any] = {key: getattr(feed, key) for key in TOP_LEVEL}
    for key in TOP_LEVEL:  # a value written as a reference stays one
        value = (written or {}).get(key)
        if isinstance(value, str) and "${" in value:
            entry[key] = value
    if written is not None:
        options = written.get("options")
        entry["options"] = {} if options is None else options
    else:
        if _has_secret(feed.options):
            raise ValueError(
                f"feed {feed.id}: an entry with secrets is provisioned from its text as "
                "written (${VAR} references), not from resolved values"
            )
        entry["options"] = feed.options.model_dump(mode="json")
    return json_safe(entry)


def _has_secret(value: Any) -> bool:
    if isinstance(value, SecretStr):
        return True
    if isinstance(value, BaseModel):
        return any(_has_secret(getattr(value, name)) for name in type(value).model_fields)
    if isinstance(value, Mapping):
        return any(_has_secret(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_secret(v) for v in value)
    return False


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _definition(row: FeedDefinitionRow) -> FeedDefinition:
    config = row.override if row.override is not None else row.file_config
    return FeedDefinition(
        id=row.id,
        origin=row.origin,
        config=dict(config or {}),
        file_config=None if row.file_config is None else dict(row.file_config),
        overridden=row.origin == FILE and row.override is not None,
        paused=row.paused,
        deleted=row.deleted_at is not None,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


class FeedDefinitions:
    """The feed definitions and run-now requests; the one place their SQL lives."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _utcnow) -> None:
        self.engine = engine
        self.clock = clock

    # -- reading ----------------------------------------------------------------------------
    def all(self, *, include_deleted: bool = False) -> list[FeedDefinition]:
        """Every feed, by id; deleted ones only when asked."""
        query = select(FeedDefinitionRow).order_by(FeedDefinitionRow.id)
        if not include_deleted:
            query = query.where(FeedDefinitionRow.deleted_at.is_(None))
        with self.engine.connect() as conn:
            return [_definition(row) for row in _rows(conn, query)]

    def get(self, feed_id: str) -> FeedDefinition | None:
        """The feed (deleted or not), or None."""
        with self.engine.connect() as conn:
            row = _row(conn, feed_id)
        return None if row is None else _definition(row)

    def revision(self) -> int:
        """Grows with every change of any definition (rows are never removed and versions
        only grow), so a scheduler compares one number to know whether to look again."""
        query = select(func.coalesce(func.sum(FeedDefinitionRow.version), 0))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    # -- provisioning -----------------------------------------------------------------------
    def provision(
        self,
        file_feeds: Sequence[FeedConfig],
        *,
        entries: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        """Bring the file's feeds in, like Grafana's provisioning: a new feed is added, a
        changed entry updates the file version (a console override still wins and stays
        marked), a feed deleted in the console stays deleted. A file feed gone from the
        file is soft-deleted (data kept) unless the console overrode it: then the console
        owns it from now on. One that comes back is restored. `entries` are the feeds as
        written in the file, by id (see entry_of)."""
        wanted = {f.id: entry_of(f, (entries or {}).get(f.id)) for f in file_feeds}
        for attempt in range(1, PROVISION_ATTEMPTS + 1):
            try:
                with self.engine.begin() as conn:
                    self._provision(conn, wanted)
                return
            except (IntegrityError, _Raced):
                if attempt == PROVISION_ATTEMPTS:
                    raise
                log.info("feed definitions changed while provisioning; reading them again")

    def _provision(self, conn: Connection, wanted: dict[str, dict[str, Any]]) -> None:
        now = self.clock()
        rows = {row.id: row for row in _rows(conn, select(FeedDefinitionRow))}
        for feed_id, entry in wanted.items():
            row = rows.get(feed_id)
            if row is None:
                conn.execute(
                    insert(FeedDefinitionRow).values(
                        id=feed_id,
                        origin=FILE,
                        file_config=entry,
                        override=None,
                        paused=False,
                        version=1,
                        created_at=now,
                        updated_at=now,
                        updated_by=PROVISIONER,
                    )
                )
                log.info("feed %s provisioned from the configuration file", feed_id)
                continue
            changes: dict[str, Any] = {}
            if row.origin != FILE:  # a console feed now also in the file: its config stays
                changes["origin"] = FILE
                log.warning(
                    "feed %s, created in the console, is now also in the configuration file: "
                    "its console configuration is kept as an override",
                    feed_id,
                )
            if row.file_config != entry:
                changes["file_config"] = entry
            override = row.override if row.override is not None else row.file_config
            if row.origin != FILE and override == entry:
                changes["override"] = None
            elif row.origin != FILE:
                changes["override"] = override
            if row.deleted_at is not None and row.deleted_by == PROVISIONER:
                changes |= {"deleted_at": None, "deleted_by": None}
                log.info("feed %s is back in the configuration file: restored", feed_id)
            if changes:
                self._change(conn, row, changes, PROVISIONER, now)
        for row in rows.values():
            if row.id in wanted or row.origin != FILE:
                continue
            if row.override is not None:
                log.warning(
                    "feed %s left the configuration file; its console override keeps it: "
                    "it is a console feed now",
                    row.id,
                )
                self._change(conn, row, {"origin": CONSOLE, "file_config": None}, PROVISIONER, now)
            elif row.deleted_at is None:
                log.warning(
                    "feed %s left the configuration file: deleted (its data are kept; it "
                    "comes back when the file names it again)",
                    row.id,
                )
                changes = {"deleted_at": now, "deleted_by": PROVISIONER}
                self._change(conn, row, changes, PROVISIONER, now)

    # -- console changes --------------------------------------------------------------------
    def create(self, config: Mapping[str, Any], *, by: str) -> FeedDefinition:
        """A new console feed; FeedExists when the id is taken (even by a deleted feed)."""
        entry = json_safe(dict(config))
        feed_id = str(entry.get("id", ""))
        if not feed_id:
            raise ValueError("a feed's config needs its id")
        now = self.clock()
        try:
            with self.engine.begin() as conn:
                if _row(conn, feed_id) is not None:
                    raise FeedExists(feed_id)
                conn.execute(
                    insert(FeedDefinitionRow).values(
                        id=feed_id,
                        origin=CONSOLE,
                        file_config=None,
                        override=entry,
                        paused=False,
                        version=1,
                        created_at=now,
                        updated_at=now,
                        updated_by=by,
                    )
                )
        except IntegrityError:  # created by someone else between the check and the insert
            raise FeedExists(feed_id) from None
        return self._get(feed_id)

    def update(
        self, feed_id: str, config: Mapping[str, Any], *, expected_version: int, by: str
    ) -> FeedDefinition:
        """Save an edited config. For a file feed it becomes the override (an edit back to
        the file's version drops the override instead)."""
        entry = json_safe(dict(config))
        if entry.get("id") != feed_id:
            raise ValueError(f"a feed's id cannot change ({feed_id} → {entry.get('id')})")

        def change(row: FeedDefinitionRow) -> dict[str, Any]:
            same_as_file = row.origin == FILE and entry == row.file_config
            return {"override": None if same_as_file else entry}

        return self._edit(feed_id, expected_version, by, change)

    def revert(self, feed_id: str, *, expected_version: int, by: str) -> FeedDefinition:
        """Back to the file's version: the override is dropped (and a feed deleted in the
        console while the file still names it comes back)."""

        def change(row: FeedDefinitionRow) -> dict[str, Any]:
            if row.origin != FILE or row.file_config is None:
                raise NothingToRevert(f"feed {feed_id} has no file version to revert to")
            return {"override": None, "deleted_at": None, "deleted_by": None}

        return self._edit(feed_id, expected_version, by, change, allow_deleted=True)

    def set_paused(
        self, feed_id: str, paused: bool, *, expected_version: int, by: str
    ) -> FeedDefinition:
        """Pause (not scheduled, kept) or resume a feed; not an override of its config."""
        return self._edit(feed_id, expected_version, by, lambda row: {"paused": paused})

    def delete(self, feed_id: str, *, expected_version: int, by: str) -> FeedDefinition:
        """Soft delete: not scheduled, hidden by default; its runs and data are kept."""
        now = self.clock()
        return self._edit(
            feed_id, expected_version, by, lambda row: {"deleted_at": now, "deleted_by": by}
        )

    def _edit(
        self,
        feed_id: str,
        expected_version: int,
        by: str,
        change: Callable[[FeedDefinitionRow], dict[str, Any]],
        *,
        allow_deleted: bool = False,
    ) -> FeedDefinition:
        now = self.clock()
        with self.engine.begin() as conn:
            row = _row(conn, feed_id)
            if row is None:
                raise UnknownFeed(feed_id)
            if row.version != expected_version:
                raise StaleEdit(_definition(row))
            if row.deleted_at is not None and not allow_deleted:
                raise UnknownFeed(feed_id, "deleted")
            try:
                self._change(conn, row, change(row), by, now)
            except _Raced:
                pass  # reported below, with the definition that won
            else:
                return self._get(feed_id, conn)
        current = self.get(feed_id)
        assert current is not None  # definitions are never removed
        raise StaleEdit(current)

    def _change(
        self,
        conn: Connection,
        row: FeedDefinitionRow,
        values: dict[str, Any],
        by: str,
        now: datetime,
    ) -> None:
        """UPDATE ... WHERE version = the version read: a concurrent change makes it match
        nothing (raised as _Raced), never a lost update."""
        result = conn.execute(
            update(FeedDefinitionRow)
            .where(FeedDefinitionRow.id == row.id, FeedDefinitionRow.version == row.version)
            .values(**values, version=row.version + 1, updated_at=now, updated_by=by)
        )
        if result.rowcount != 1:
            raise _Raced(row.id)

    def _get(self, feed_id: str, conn: Connection | None = None) -> FeedDefinition:
        if conn is None:
            found = self.get(feed_id)
        else:
            row = _row(conn, feed_id)
            found = None if row is None else _definition(row)
        if found is None:
            raise UnknownFeed(feed_id)
        return found

    # -- run now ----------------------------------------------------------------------------
    def request_run(self, feed_id: str, *, by: str) -> None:
        """Ask the scheduler (whichever process runs it) to run the feed at once; a request
        still waiting covers a second click."""
        now = self.clock()
        with self.engine.begin() as conn:
            row = _row(conn, feed_id)
            if row is None:
                raise UnknownFeed(feed_id)
            if row.deleted_at is not None:
                raise UnknownFeed(feed_id, "deleted")
            waiting = conn.execute(
                select(FeedRunRequestRow.id).where(
                    FeedRunRequestRow.feed_id == feed_id, FeedRunRequestRow.claimed_at.is_(None)
                )
            ).first()
            if waiting is None:
                conn.execute(
                    insert(FeedRunRequestRow).values(
                        feed_id=feed_id, requested_at=now, requested_by=by
                    )
                )

    def take_run_requests(self) -> list[str]:
        """The feeds asked to run, each claimed once (the claim and the read are one
        statement, so two schedulers never both take a request)."""
        claim = (
            update(FeedRunRequestRow)
            .where(FeedRunRequestRow.claimed_at.is_(None))
            .values(claimed_at=self.clock())
            .returning(FeedRunRequestRow.feed_id)
        )
        with self.engine.begin() as conn:
            feed_ids = list(conn.execute(claim).scalars())
        return list(dict.fromkeys(feed_ids))

    def pending_runs(self) -> set[str]:
        """Feeds with a run-now request not yet taken by the scheduler."""
        query = select(FeedRunRequestRow.feed_id).where(FeedRunRequestRow.claimed_at.is_(None))
        with self.engine.connect() as conn:
            return set(conn.execute(query).scalars())

    def prune_run_requests(self, older_than: datetime) -> int:
        """Forget claimed requests older than `older_than`; how many went."""
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(FeedRunRequestRow).where(
                    FeedRunRequestRow.claimed_at.is_not(None),
                    FeedRunRequestRow.requested_at < older_than,
                )
            )
        return int(result.rowcount or 0)


class _Raced(Exception):
    """A guarded UPDATE matched no row: the definition changed since it was read."""


def _rows(conn: Connection, query: Any) -> list[FeedDefinitionRow]:
    """The rows of a select over FeedDefinitionRow, as plain (never persisted) row objects:
    no ORM session, the typed attributes only."""
    return [FeedDefinitionRow(**dict(mapping)) for mapping in conn.execute(query).mappings()]


def _row(conn: Connection, feed_id: str) -> FeedDefinitionRow | None:
    rows = _rows(conn, select(FeedDefinitionRow).where(FeedDefinitionRow.id == feed_id))
    return rows[0] if rows else None
