"""Manual import into a tabular feed: an uploaded file is checked, spooled under a random id,
tested with the feed's own dry run, then imported as a recorded run of that feed (the one
runner), with its progress in the database and its rejects kept beside the spooled file."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import logging
import os
import re
import secrets
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from feeds.base import Feed
from feeds.dry_run import DryRun, dry_run
from feeds.outcome import redacted_items
from feeds.redact import secret_values
from feeds.runner import FeedRunner, RunReport, classify, utc_now
from feeds.tabular_file import TabularFileFeed, TabularFileOptions
from geo.hierarchy import AdminUnit
from settings import FeedConfig
from store import Store
from store.imports import FeedImport, ImportOutcome, Imports
from store.records import Item, Rejection

log = logging.getLogger(__name__)
FEED_TYPE = TabularFileFeed.type
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")
# A callback request carries the file base64-encoded (4 bytes per 3) inside a JSON envelope
# with the other inputs: what is left of the request limit for the file itself.
ENVELOPE_BYTES = 8 * 1024
# An xlsx is a zip archive: XML compresses well, but a workbook that inflates to more than
# this many times its size, or beyond the absolute cap, is a zip bomb, not a report.
MAX_INFLATION = 100
MAX_INFLATED_BYTES = 256 * 1024 * 1024
IMPORT_CHUNK_ROWS = 1000  # rows per transaction: the progress moves and commits stay small
PROGRESS_EVERY_S = 0.25  # how often the progress row is written while a file is imported
TEST_LIMIT = 20  # records shown by the test
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_STARTS = (b"<!doctype html", b"<html", b"<table", b"<?xml")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SPOOL_ID = re.compile(r"[0-9a-f]{32}")
MAX_NAME = 120


class Problem(StrEnum):
    """Why an upload is refused before it is read (each has its own message on the page)."""

    EMPTY = "empty"
    TOO_BIG = "too_big"
    WRONG_TYPE = "wrong_type"
    OLD_EXCEL = "old_excel"
    HTML = "html"
    NOT_WORKBOOK = "not_workbook"
    ZIP_BOMB = "zip_bomb"
    CORRUPT = "corrupt"


@dataclass(frozen=True, slots=True)
class Refusal:
    problem: Problem
    params: dict[str, Any] = field(default_factory=dict)


def upload_limit(max_request_bytes: int, feed_max_bytes: int) -> int:
    """The largest file an upload may carry: what fits in one request, and what the feed
    itself accepts (its max_bytes option)."""
    fits = (max_request_bytes - ENVELOPE_BYTES) * 3 // 4
    return max(0, min(fits, feed_max_bytes))


def decode_upload(contents: str) -> bytes | Refusal:
    """The bytes of a dcc.Upload data URL ("data:<type>;base64,<data>")."""
    if contents == "data:":  # what a browser reads from an empty file
        return b""
    head, comma, encoded = contents.partition(",")
    if not comma or not head.startswith("data:") or not head.endswith(";base64"):
        return Refusal(Problem.CORRUPT)
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return Refusal(Problem.CORRUPT)


def check_upload(name: str, data: bytes, limit: int) -> Refusal | None:
    """Why this file cannot be imported, decided from its name, size and first bytes (and an
    xlsx's archive directory) before any parser sees it; None when it may be tested."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        return Refusal(Problem.WRONG_TYPE, {"suffix": suffix or "—"})
    if len(data) > limit:
        return Refusal(Problem.TOO_BIG, {"size": len(data), "limit": limit})
    if not data.strip(b"\xef\xbb\xbf \t\r\n\x00"):
        return Refusal(Problem.EMPTY)
    if data.startswith(_OLE2_MAGIC):
        return Refusal(Problem.OLD_EXCEL)
    if data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_HTML_STARTS):
        return Refusal(Problem.HTML)
    if data.startswith(_ZIP_MAGIC):
        return _check_archive(data)
    if suffix in (".xlsx", ".xlsm"):
        return Refusal(Problem.CORRUPT)
    if b"\x00" in data[:4096] and not data.startswith(_UTF16_BOMS):
        return Refusal(Problem.WRONG_TYPE, {"suffix": suffix})  # binary, not text
    return None


def _check_archive(data: bytes) -> Refusal | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return Refusal(Problem.CORRUPT)
    if "xl/workbook.xml" not in names:
        return Refusal(Problem.NOT_WORKBOOK)
    inflated = sum(m.file_size for m in members)
    cap = min(MAX_INFLATED_BYTES, len(data) * MAX_INFLATION)
    if inflated > cap:
        return Refusal(Problem.ZIP_BOMB, {"inflated": inflated, "cap": cap})
    return None


class Spool:
    """The private folder of uploaded files (never served): each file under a random id,
    never under the name the user gave it; the import's rejects beside it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, data: bytes) -> tuple[str, str]:
        """Store the bytes under a new random id; returns (id, sha256)."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        spool_id = secrets.token_hex(16)
        path = self.upload_path(spool_id)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return spool_id, hashlib.sha256(data).hexdigest()

    def upload_path(self, spool_id: str) -> Path:
        return self.root / f"{_checked(spool_id)}.upload"

    def rejects_path(self, spool_id: str) -> Path:
        return self.root / f"{_checked(spool_id)}.rejects.jsonl"

    def write_rejects(self, spool_id: str, rejections: list[Rejection]) -> None:
        path = self.rejects_path(spool_id)
        with path.open("w", encoding="utf-8") as handle:
            for item in rejections:
                handle.write(json.dumps([item.reason, item.raw], ensure_ascii=False) + "\n")

    def rejects(self, spool_id: str) -> list[tuple[str, str]]:
        """Every rejected record of the import as (reason, raw); empty before it ends."""
        path = self.rejects_path(spool_id)
        if not path.exists():
            return []
        with path.open(encoding="utf-8") as handle:
            return [(reason, raw) for reason, raw in map(json.loads, handle)]


def _checked(spool_id: str) -> str:
    if not _SPOOL_ID.fullmatch(spool_id):
        raise ValueError("not a spool id")
    return spool_id


def import_config(config: FeedConfig, path: Path) -> FeedConfig:
    """The feed's own configuration reading `path` instead of its source; no retries (a
    spooled file is there or it is not)."""
    options = config.options
    if not isinstance(options, TabularFileOptions):
        raise ValueError(f"feed {config.id} is not a {FEED_TYPE} feed")
    reading = options.model_copy(update={"path": path, "drop_folder": None, "url": None})
    return config.model_copy(update={"options": reading, "retries": 0})


def shown_name(name: str) -> str:
    """The user's file name as reasons may show it: its last part, printable, bounded."""
    last = re.split(r"[\\/]", name)[-1]
    return "".join(ch for ch in last if ch.isprintable())[:MAX_NAME] or "upload"


def _renamed(text: str, path: Path, name: str) -> str:
    """Reasons name the file the feed read (the spooled id): name the user's file instead."""
    return text.replace(path.name, shown_name(name))


def test_file(
    config: FeedConfig,
    path: Path,
    name: str,
    *,
    areas: Mapping[str, AdminUnit],
    now: Callable[[], datetime] = utc_now,
) -> DryRun:
    """What importing the file (`name` as the user called it) would store and reject, with
    nothing written."""
    result = dry_run(import_config(config, path), limit=TEST_LIMIT, areas=areas, now=now)
    for entry in (*result.rejected, *result.warnings):
        entry["reason"] = _renamed(entry["reason"], path, name)
    if result.error is not None:
        result.error["text"] = _renamed(result.error["text"], path, name)
    return result


class _Counted(Feed):
    """The feed, its items counted as the runner takes them: the import's progress."""

    type = FEED_TYPE

    def __init__(self, inner: Feed, report: Callable[[int, int], None]) -> None:
        super().__init__(inner.feed_id, inner.options, inner.context)
        self.inner = inner
        self.report = report

    def fetch(self) -> Any:
        return self.inner.fetch()

    def normalize(self, raw: Any) -> Iterator[Item]:
        items = list(self.inner.normalize(raw))
        total = len(items)
        self.report(0, total)
        last = time.monotonic()
        for done, item in enumerate(items, start=1):
            yield item
            if time.monotonic() - last >= PROGRESS_EVERY_S:
                self.report(done, total)
                last = time.monotonic()

    def committed(self) -> None:
        self.inner.committed()

    def checkpoint(self) -> str | None:
        return self.inner.checkpoint()

    def payload(self) -> bytes | None:
        return self.inner.payload()


class ImportRunner(FeedRunner):
    """The feed runner for one import: the same run (checks, upserts, recorded run, health),
    in small transactions, reporting progress, keeping every rejection for the rejects file."""

    def __init__(
        self,
        store: Store,
        config: FeedConfig,
        name: str,
        progress: Callable[[int, int], None],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(store, [config], clock=clock, chunk_rows=IMPORT_CHUNK_ROWS)
        options = config.options
        assert isinstance(options, TabularFileOptions) and options.path is not None
        self.path = options.path
        self.name = name
        self.progress = progress
        self.rejections: list[Rejection] = []

    def _build(self, config: FeedConfig) -> Feed:
        return _Counted(super()._build(config), self.progress)

    def _finish(self, run_id: int, config: FeedConfig, tally: Any, *args: Any) -> RunReport:
        """The run's rejections and error name the user's file, in the run history too."""
        tally.rejections = [
            Rejection(_renamed(r.reason, self.path, self.name), r.raw) for r in tally.rejections
        ]
        if tally.error is not None:
            tally.error = (tally.error[0], _renamed(tally.error[1], self.path, self.name))
        kept = redacted_items(tally.rejections, secret_values(config.options))
        self.rejections = [r for r in kept if isinstance(r, Rejection)]
        return super()._finish(run_id, config, tally, *args)


def run_import(
    store: Store,
    config: FeedConfig,
    spool: Spool,
    import_id: str,
    clock: Callable[[], datetime] = utc_now,
) -> FeedImport:
    """Import a claimed upload: one recorded run of the feed; the outcome stored."""
    imports = Imports(store.engine)
    found = imports.get(import_id)
    name = found.file_name if found is not None else import_id

    def progress(done: int, total: int) -> None:
        imports.progress(import_id, done, total, clock())

    started = time.monotonic()
    try:
        path = spool.upload_path(import_id)
        runner = ImportRunner(store, import_config(config, path), name, progress, clock)
        report = runner.run(config.id)
        spool.write_rejects(import_id, runner.rejections)
        outcome = ImportOutcome(
            run_id=report.run_id,
            run_status=report.status,
            accepted=report.accepted,
            rejected=report.rejected,
            changed=report.changed,
            duration_ms=report.duration_ms,
            error_text=report.error_text,
        )
    except Exception as exc:  # the run could not even be recorded: the import says why
        log.exception("import %s into %s failed", import_id, config.id)
        outcome = ImportOutcome(
            run_id=None,
            run_status=None,
            accepted=0,
            rejected=0,
            changed=0,
            duration_ms=(time.monotonic() - started) * 1000,
            error_text=classify(exc)[1],
        )
    imports.finish(import_id, outcome, clock())
    spool.upload_path(import_id).unlink(missing_ok=True)  # imported: only its rejects stay
    finished = imports.get(import_id)
    assert finished is not None
    return finished


def start_import(
    store: Store,
    config: FeedConfig,
    spool: Spool,
    import_id: str,
    *,
    clock: Callable[[], datetime] = utc_now,
    done: Callable[[FeedImport], None] | None = None,
) -> threading.Thread:
    """Run a claimed import in a background thread of this process; `done` gets its end."""

    def work() -> None:
        finished = run_import(store, config, spool, import_id, clock)
        if done is not None:
            try:
                done(finished)
            except Exception:
                log.exception("import %s: the after-import step failed", import_id)

    thread = threading.Thread(target=work, name=f"import-{import_id[:8]}", daemon=True)
    thread.start()
    return thread
