"""The review queue's vocabulary: statuses and kinds, reason families, the filters, groups,
records, corrections, faults and actions the queue reads and writes, and its errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from store.models import (
    FeedRunRow,
    ObservationRow,
    RejectedRecordRow,
)

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
