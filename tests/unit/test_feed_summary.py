"""The feed summary's state rule: disabled, first load, running, failing, late, on time, never."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboards.feed_summary import FeedStatus, summarize
from store.read_models import FeedHealth, RunSummary

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def health(
    *,
    enabled: bool = True,
    success: timedelta | None = MINUTE,
    status: str | None = "ok",
    loaded: tuple[int, int] | None = None,
) -> FeedHealth:
    last_success = NOW - success if success is not None else None
    last_run = NOW - MINUTE if status else None
    failures = 2 if status == "failed" else 0
    done, total = loaded or (None, None)
    return FeedHealth(
        *("f", "http_json", enabled, False, 60, last_run, last_success, status, None, None),
        *(failures, done, total),
    )


def run(status: str, ago: timedelta) -> RunSummary:
    return RunSummary(1, "f", NOW - ago, status, 0, 0, None, None, None, 0)


@pytest.mark.parametrize(
    ("feed", "current", "expected"),
    [
        (health(), None, FeedStatus.ON_TIME),
        (health(enabled=False), run("running", MINUTE), FeedStatus.DISABLED),
        (health(success=None, status=None), run("running", MINUTE), FeedStatus.FIRST_LOAD),
        (health(), run("running", MINUTE), FeedStatus.RUNNING),
        # a run row left "running" by a killed process stops counting after timeout + interval
        (health(), run("running", timedelta(minutes=12)), FeedStatus.ON_TIME),
        (health(success=None, status=None), run("running", timedelta(hours=1)), FeedStatus.NEVER),
        (health(status="failed"), None, FeedStatus.FAILING),
        (health(success=timedelta(hours=3), status="failed"), None, FeedStatus.FAILING),
        (health(success=timedelta(minutes=6)), None, FeedStatus.LATE),
        (health(success=timedelta(minutes=4)), None, FeedStatus.ON_TIME),
        (health(success=None, status=None), None, FeedStatus.NEVER),
        # a first load that ended before its last day is resumed by the next run
        (health(success=None, status="partial", loaded=(212, 731)), None, FeedStatus.FIRST_LOAD),
        (health(success=None, status="failed", loaded=(212, 731)), None, FeedStatus.FAILING),
        (health(success=None, status="partial"), None, FeedStatus.NEVER),
    ],
)
def test_status(feed: FeedHealth, current: RunSummary | None, expected: FeedStatus) -> None:
    assert summarize(feed, current, None, NOW, timeout_s=600).status is expected


def test_next_run_is_the_last_run_plus_the_interval_and_lag_the_data_age() -> None:
    summary = summarize(health(success=timedelta(minutes=7)), None, None, NOW, timeout_s=60)
    assert summary.next_run == NOW
    assert summary.lag == timedelta(minutes=7)
    assert summary.rows_changed is None
