"""A feed's dry run: fetch and normalise with nothing written, for `python -m feeds test` and
the operator console. Works for every registered type through the Feed interface."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from feeds.base import Feed, FeedContext, FeedError, FeedUnavailable, excerpt
from feeds.redact import redact, secret_values
from feeds.registry import feed_types
from feeds.runner import classify
from feeds.validate import RecordCheck
from geo.hierarchy import AdminUnit, load_admin_units
from settings import FeedConfig
from store.records import DataWarning, ObservationBlock, Progress, Record, Rejection

DEFAULT_LIMIT = 20
MAX_REJECTED_SHOWN = 200


@dataclass(kw_only=True)
class DryRun:
    """What a run would store (the first `limit` records), what it would reject and why,
    and the fetch error if there was one. `to_json()` is the `--json` document."""

    records: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    error: dict[str, str] | None = None
    total_records: int = 0
    total_rejected: int = 0
    truncated: bool = False  # normalising stopped at the time budget: totals are partial

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "error": self.error,
            "total_records": self.total_records,
            "total_rejected": self.total_rejected,
            "truncated": self.truncated,
        }


def dry_run(
    config: FeedConfig,
    *,
    limit: int = DEFAULT_LIMIT,
    areas: Mapping[str, AdminUnit] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    checkpoint: str | None = None,
    budget_s: float | None = None,
) -> DryRun:
    """Fetch and normalise `config`'s feed; check every record as the runner would; write
    nothing (no commit hook, no checkpoint, no file moved). Secrets are redacted. With
    `budget_s`, normalising stops once that many seconds have passed since the start (the
    console's test must answer in seconds, even for a two-year backfill): `truncated`."""
    started = time.monotonic()
    units = areas if areas is not None else {u.code: u for u in load_admin_units()}
    secrets = secret_values(config.options)
    result = DryRun()
    try:
        cls = feed_types()[config.type]
        deadline = time.monotonic() + config.timeout
        context = FeedContext(areas=units, now=now, checkpoint=checkpoint, deadline=deadline)
        feed: Feed = cls(config.id, config.options, context)
        raw = _fetch(feed, config.timeout)
        check = RecordCheck(units, now())
        for item in feed.normalize(raw):
            _take(item, check, result, limit, secrets)
            if budget_s is not None and time.monotonic() - started > budget_s:
                result.truncated = True
                break
    except Exception as exc:  # the dry run reports every failure, like a run records it
        kind, text = classify(exc)
        result.error = {"kind": kind.value, "text": redact(text, secrets)}
        if not isinstance(exc, FeedError) and kind.value == "bad_data":
            result.error["text"] = redact(f"{type(exc).__name__}: {exc}", secrets)
    return result


def _fetch(feed: Feed, timeout: float) -> Any:
    """feed.fetch(), given up after the feed's run timeout (as the runner does)."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dry-run-fetch")
    try:
        return executor.submit(feed.fetch).result(timeout=timeout)
    except FutureTimeout:
        raise FeedUnavailable(f"fetch timed out after {timeout:g} s") from None
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def _take(item: Any, check: RecordCheck, result: DryRun, limit: int, secrets: set[str]) -> None:
    if isinstance(item, Progress):
        return
    if isinstance(item, Rejection):
        _reject(result, item.reason, item.raw, secrets)
        return
    if isinstance(item, DataWarning):
        if len(result.warnings) < MAX_REJECTED_SHOWN:
            result.warnings.append(
                {"reason": redact(item.reason, secrets), "raw": redact(item.raw, secrets)}
            )
        return
    for record in item.observations() if isinstance(item, ObservationBlock) else (item,):
        problem = check.problem(record)
        if problem is not None:
            _reject(result, problem, excerpt(record), secrets)
            continue
        result.total_records += 1
        if len(result.records) < limit:
            result.records.append(record_json(record))


def _reject(result: DryRun, reason: str, raw: str, secrets: set[str]) -> None:
    result.total_rejected += 1
    if len(result.rejected) < MAX_REJECTED_SHOWN:
        result.rejected.append({"reason": redact(reason, secrets), "raw": redact(raw, secrets)})


def record_json(record: Record) -> dict[str, Any]:
    """A record as plain JSON values, with its type: what the store would keep."""
    values = {"record": type(record).__name__.lower(), **dataclasses.asdict(record)}
    return {key: _plain(value) for key, value in values.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value
