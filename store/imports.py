"""Manual imports' SQL: an uploaded file's row, its claim, its progress and its outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from store.models import FeedImportRow

UPLOADED, RUNNING, DONE, FAILED = "uploaded", "running", "done", "failed"


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedImport:
    """One upload and, once started, its import (a run of the feed)."""

    id: str
    feed_id: str
    file_name: str
    size: int
    sha256: str
    uploaded_by: str | None
    uploaded_at: datetime
    status: str
    imported_by: str | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    items_done: int = 0
    items_total: int | None = None
    run_id: int | None = None
    run_status: str | None = None
    accepted: int | None = None
    rejected: int | None = None
    changed: int | None = None
    duration_ms: float | None = None
    error_text: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportOutcome:
    run_id: int | None
    run_status: str | None
    accepted: int
    rejected: int
    changed: int
    duration_ms: float
    error_text: str | None


_FIELDS = tuple(FeedImport.__dataclass_fields__)


class Imports:
    """The feed_imports table; every state change is one guarded UPDATE, so two workers (or
    two clicks) can never start the same import twice."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(
        self,
        *,
        import_id: str,
        feed_id: str,
        file_name: str,
        size: int,
        sha256: str,
        by: str | None,
        at: datetime,
    ) -> FeedImport:
        values = {
            "id": import_id,
            "feed_id": feed_id,
            "file_name": file_name,
            "size": size,
            "sha256": sha256,
            "uploaded_by": by,
            "uploaded_at": at,
            "status": UPLOADED,
            "items_done": 0,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(FeedImportRow).values(**values))
        found = self.get(import_id)
        assert found is not None
        return found

    def get(self, import_id: str) -> FeedImport | None:
        query = select(*(getattr(FeedImportRow, c) for c in _FIELDS)).where(
            FeedImportRow.id == import_id
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else FeedImport(**dict(zip(_FIELDS, row, strict=True)))

    def last_import_of(self, feed_id: str, sha256: str, *, before: str) -> FeedImport | None:
        """The newest finished import of the same content into the same feed (other than
        `before`): the page says the file was imported already."""
        query = (
            select(FeedImportRow.id)
            .where(
                FeedImportRow.feed_id == feed_id,
                FeedImportRow.sha256 == sha256,
                FeedImportRow.status == DONE,
                FeedImportRow.id != before,
            )
            .order_by(FeedImportRow.finished_at.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar()
        return None if found is None else self.get(found)

    def claim(self, import_id: str, *, by: str | None, at: datetime) -> bool:
        """Mark an uploaded file as importing; False when it was claimed already."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(FeedImportRow)
                .where(FeedImportRow.id == import_id, FeedImportRow.status == UPLOADED)
                .values(status=RUNNING, imported_by=by, started_at=at, updated_at=at)
            )
        return done.rowcount == 1

    def progress(self, import_id: str, done: int, total: int, at: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(FeedImportRow)
                .where(FeedImportRow.id == import_id, FeedImportRow.status == RUNNING)
                .values(items_done=done, items_total=total, updated_at=at)
            )

    def abandon(self, import_id: str, *, started_before: datetime, at: datetime, why: str) -> bool:
        """End an import whose process died mid-run (it started before `started_before` and is
        still marked running); False when it is not such an import."""
        with self.engine.begin() as conn:
            done = conn.execute(
                update(FeedImportRow)
                .where(
                    FeedImportRow.id == import_id,
                    FeedImportRow.status == RUNNING,
                    FeedImportRow.started_at < started_before,
                )
                .values(status=FAILED, error_text=why, finished_at=at, updated_at=at)
            )
        return done.rowcount == 1

    def finish(self, import_id: str, outcome: ImportOutcome, at: datetime) -> None:
        status = FAILED if outcome.run_status in (None, "failed") else DONE
        values: dict[str, object] = {
            "status": status,
            "run_id": outcome.run_id,
            "run_status": outcome.run_status,
            "accepted": outcome.accepted,
            "rejected": outcome.rejected,
            "changed": outcome.changed,
            "duration_ms": outcome.duration_ms,
            "error_text": outcome.error_text,
            "finished_at": at,
            "updated_at": at,
        }
        if status == DONE:
            values["items_done"] = FeedImportRow.items_total
        with self.engine.begin() as conn:
            conn.execute(
                update(FeedImportRow)
                .where(FeedImportRow.id == import_id, FeedImportRow.status == RUNNING)
                .values(**values)
            )
