"""What a finished run amounts to: its status, its redacted texts and its kept raw payload."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from feeds.base import ErrorKind, excerpt
from feeds.redact import redact
from store.records import DataWarning, Observation, ObservationBlock, Record, Rejection
from store.run_writes import KeptPayload

REAL_FEED_PRIORITY = 10  # a real source outranks the demo simulator (priority 0) by default
MAX_PAYLOAD_BYTES = 256 * 1024  # of a kept raw payload; the rest is cut
BINARY_PREFIX = "base64:"


@dataclass
class Tally:
    """What a run has done so far."""

    accepted: int = 0
    changed: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    error: tuple[ErrorKind, str] | None = None
    cancelled: bool = False  # a stopped run did not finish: never a success


def priority_of(configured: int | None, demo: bool) -> int:
    if configured is not None:
        return configured
    return 0 if demo else REAL_FEED_PRIORITY


def status_of(tally: Tally) -> str:
    """ok, partial or failed; a run that stored nothing but rejected records failed (bad data)."""
    if tally.cancelled or (tally.accepted == 0 and (tally.error or tally.rejections)):
        return "failed"
    if tally.error or tally.rejections:
        return "partial"
    return "ok"


def error_of(tally: Tally) -> tuple[str | None, str | None]:
    """The run's error kind and one-line text (for rejections alone, the first reason)."""
    if tally.error:
        return tally.error[0].value, tally.error[1]
    if not tally.rejections:
        return None, None
    first = f"{len(tally.rejections)} records rejected; first: {tally.rejections[0].reason}"
    if tally.accepted == 0:
        return ErrorKind.BAD_DATA.value, f"nothing stored: {first}"
    return None, first


def redacted_items(
    items: Sequence[Rejection | DataWarning], secrets: Iterable[str]
) -> list[Rejection | DataWarning]:
    known = list(secrets)
    return [type(i)(redact(i.reason, known), redact(i.raw, known)) for i in items]


def kept_payload(raw: bytes | None, secrets: Iterable[str]) -> KeptPayload | None:
    """The payload as text, redacted and cut to MAX_PAYLOAD_BYTES, or None without one."""
    if not raw:
        return None
    cut = raw[:MAX_PAYLOAD_BYTES]
    if b"\x00" in cut:  # a binary file (an xlsx workbook): kept as base64, not as text
        content = BINARY_PREFIX + base64.b64encode(cut).decode("ascii")
    else:
        content = redact(cut.decode("utf-8", errors="replace"), secrets)
    return KeptPayload(content=content, size=len(raw), truncated=len(raw) > MAX_PAYLOAD_BYTES)


ObservationKey = tuple[str, str, str, str, datetime]


def give_way(
    records: Sequence[Record], owners: dict[ObservationKey, str]
) -> tuple[list[Record], list[Rejection]]:
    """The records without the observations `owners` hold, and a rejection naming the owner
    for each observation taken out."""
    kept: list[Record] = []
    refused: list[Rejection] = []
    for record in records:
        if isinstance(record, Observation):
            owner = owners.get(_key(record))
            if owner is None:
                kept.append(record)
            else:
                refused.append(Rejection(_owned(record, owner), excerpt(record)))
        elif isinstance(record, ObservationBlock):
            rows = list(record.observations())
            held = [i for i, o in enumerate(rows) if _key(o) in owners]
            refused += [
                Rejection(_owned(rows[i], owners[_key(rows[i])]), excerpt(rows[i])) for i in held
            ]
            rest = record.only(sorted(set(range(len(rows))) - set(held))) if held else record
            if len(rest):
                kept.append(rest)
        else:
            kept.append(record)
    return kept, refused


def _key(obs: Observation) -> ObservationKey:
    return (obs.metric, obs.area, obs.dim, obs.period_kind, obs.period_start)


def _owned(obs: Observation, owner: str) -> str:
    return (
        f"{obs.metric} for area {obs.area} is already stored by feed {owner!r}, which has at "
        "least this feed's priority (give this feed a higher priority to take it over)"
    )
