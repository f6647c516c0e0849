"""The dry run through the Feed interface alone: any registered type, nothing written."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

from feeds import registry
from feeds.base import Feed, FeedOptions
from feeds.dry_run import dry_run
from settings import FeedConfig
from store.records import DataWarning, Item, Observation, Rejection

DAY = datetime(2026, 11, 18, 17, tzinfo=UTC)
RELEASE = threading.Event()


class _Options(FeedOptions):
    hang: bool = False


class _Probe(Feed):
    """A feed type for this test: two records, a warning and a rejection."""

    type: ClassVar[str] = "probe"
    Options = _Options
    committed_calls: ClassVar[int] = 0

    def fetch(self) -> Any:
        if self.options.hang:  # type: ignore[attr-defined]
            RELEASE.wait(10)
        return [1, 2]

    def normalize(self, raw: Any) -> Iterator[Item]:
        for n in raw:
            yield Observation("tourism.visitors", "941", DAY, float(n))
        yield DataWarning("check failed: 3 ≠ 1 + 1", "{}")
        yield Observation("tourism.visitors", "99999", DAY, 1.0)  # the run's check rejects it
        yield Rejection("record 4: not an object", "42")

    def committed(self) -> None:
        type(self).committed_calls += 1


@pytest.fixture(autouse=True)
def probe(monkeypatch: pytest.MonkeyPatch) -> None:
    real = registry.feed_types()
    monkeypatch.setattr(registry, "feed_types", lambda: {**real, "probe": _Probe})
    monkeypatch.setattr("feeds.dry_run.feed_types", lambda: {**real, "probe": _Probe})


def config(**options: Any) -> FeedConfig:
    return FeedConfig.model_validate(
        {"id": "p", "type": "probe", "interval": 60, "timeout": 1, "options": options}
    )


def test_records_rejections_and_warnings_and_no_commit_hook() -> None:
    result = dry_run(config(), limit=1, now=lambda: DAY)
    assert result.ok and result.total_records == 2 and result.total_rejected == 2
    assert result.records == [
        {
            "record": "observation",
            "metric": "tourism.visitors",
            "area": "941",
            "period_start": DAY.isoformat(),
            "value": 1.0,
            "period_kind": "day",
            "dim": "",
            "source_time": None,
        }
    ]
    assert [r["reason"] for r in result.rejected] == [
        "unknown area code '99999'",
        "record 4: not an object",
    ]
    assert result.warnings == [{"reason": "check failed: 3 ≠ 1 + 1", "raw": "{}"}]
    assert _Probe.committed_calls == 0


def test_a_hanging_fetch_is_given_up_at_the_feed_timeout() -> None:
    try:
        result = dry_run(config(hang=True), now=lambda: DAY)
    finally:
        RELEASE.set()
    assert result.error == {"kind": "unavailable", "text": "fetch timed out after 1 s"}
