"""The Feed contract: fetch raw data, normalize it into records; failures in four kinds."""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from geo.hierarchy import AdminUnit
from store.records import Item


class ErrorKind(StrEnum):
    UNAVAILABLE = "unavailable"  # source down, timeout, refused, 5xx: transient, retried
    AUTH = "auth"  # 401/403, bad or missing credentials
    MISCONFIGURED = "misconfigured"  # wrong URL/options, 404, mapping points nowhere
    BAD_DATA = "bad_data"  # the source answered with something we cannot read


class FeedError(Exception):
    """A failure a feed reports; its class says what kind it is."""

    kind: ClassVar[ErrorKind] = ErrorKind.BAD_DATA
    transient: ClassVar[bool] = False

    def __init__(
        self, message: str = "", *, payload: bytes | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.payload = payload  # what the source sent, kept (redacted) for inspection
        self.retry_after = retry_after  # seconds the source asked to wait (Retry-After)


class FeedUnavailable(FeedError):
    kind = ErrorKind.UNAVAILABLE
    transient = True


class FeedAuthError(FeedError):
    kind = ErrorKind.AUTH


class FeedMisconfigured(FeedError):
    kind = ErrorKind.MISCONFIGURED


class FeedBadData(FeedError):
    kind = ErrorKind.BAD_DATA


class FeedOptions(BaseModel):
    """Base for each feed type's options: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _no_assets(domain: str, kind: str) -> Mapping[str, Mapping[str, Any]]:
    return {}


@dataclass(frozen=True, slots=True)
class FeedContext:
    """What a feed may know of the world: the areas, the clock, its own last success, and the
    attributes of the assets it wrote before (by domain and kind, then source id)."""

    areas: Mapping[str, AdminUnit]
    now: Callable[[], datetime]
    last_success: datetime | None = None
    checkpoint: str | None = None  # an incremental feed's cursor after its last stored run
    deadline: float | None = None  # time.monotonic() when the run's timeout ends: stop by then
    own_assets: Callable[[str, str], Mapping[str, Mapping[str, Any]]] = _no_assets


class Feed(ABC):
    """A data source. Subclasses set `type` and `Options`, and implement fetch and normalize.

    fetch() talks to the source and raises FeedError subclasses; normalize() turns the raw
    payload into records, yielding a Rejection (never raising) for each item it cannot read,
    and a DataWarning after a record stored with a data-quality warning.

    Optional hooks, called by the runner (never by a dry run):
    - committed(): after the run's records are stored (move processed files, and so on);
    - checkpoint(): after normalize, the cursor to store once the rows are committed; the
      next run finds it in `context.checkpoint`;
    - payload(): the raw bytes last received, kept redacted when a run fails or is partial.
    """

    type: ClassVar[str]
    Options: ClassVar[builtins.type[FeedOptions]] = FeedOptions  # `type` is shadowed below
    demo: ClassVar[bool] = False
    # Set by the runner, which takes ObservationBlocks: normalize may then gather its
    # observations into blocks (the same rows and rejections, without an object per row).
    blocks: bool = False

    def __init__(self, feed_id: str, options: FeedOptions, context: FeedContext) -> None:
        self.feed_id = feed_id
        self.options = options
        self.context = context

    @abstractmethod
    def fetch(self) -> Any:
        """Get the raw payload from the source."""

    @abstractmethod
    def normalize(self, raw: Any) -> Iterable[Item]:
        """Turn the raw payload into records and rejections."""

    def committed(self) -> None:  # noqa: B027 - an optional hook, empty by default
        """The run's records are written (or all rejected): finish what must follow them."""

    def checkpoint(self) -> str | None:
        """The cursor to store with this run's rows (default: none)."""
        return None

    def payload(self) -> bytes | None:
        """The raw payload last received, to keep when the run fails (default: none)."""
        return None


class ListeningFeed(Feed):
    """A feed fed by a long-running subscription that lives in the scheduler process. The
    scheduler wakes it every `wake_s(options)` seconds and runs it when `pending()` says
    there is something to store or a connection state to report, and at least every
    interval (its health stays fresh while the source is quiet)."""

    @classmethod
    @abstractmethod
    def wake_s(cls, options: FeedOptions) -> float:
        """How often the scheduler asks whether a run is due."""

    @classmethod
    @abstractmethod
    def pending(cls, feed_id: str) -> bool:
        """Whether received data or a changed connection state wait for a run."""

    @classmethod
    def stop(cls, feed_id: str) -> None:
        """End the feed's subscription (the scheduler shuts down)."""


def excerpt(value: Any, limit: int = 300) -> str:
    """A short printable excerpt of a raw input item, for the rejected-records table."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
