"""Unit tests: when a first load's progress is logged; how blocks of observations are checked."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from feeds.progress import ProgressLog
from feeds.validate import RecordCheck
from store.records import ObservationBlock

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)
DAY = datetime(2026, 11, 19, 17, 0, tzinfo=UTC)
AREAS = {"94", "941", "942"}


def logged_steps(total: int, steps: list[tuple[int, float]]) -> list[int]:
    cadence = ProgressLog(total, started=0.0)
    return [done for done, at in steps if cadence.due(done, at)]


def test_logs_the_first_step_each_tenth_and_the_end_when_steps_come_quickly() -> None:
    # one day every 0.05 s: no step is 10 s after the last logged one
    steps = [(done, done * 0.05) for done in range(1, 732)]
    assert logged_steps(731, steps) == [1, 73, 146, 219, 292, 365, 438, 511, 584, 657, 730, 731]


def test_logs_at_least_every_ten_seconds_when_steps_are_slow() -> None:
    steps = [(done, done * 4.0) for done in range(1, 101)]  # a day every 4 s: 10 % = 40 s
    logged = logged_steps(1000, steps)
    assert logged[:4] == [1, 4, 7, 10]  # 12 s, then every 12 s: never more than 10 s + a step
    gaps = [b - a for a, b in pairwise(logged)]
    assert all(gap * 4.0 <= 12.0 for gap in gaps)


def test_never_logs_a_step_twice_or_going_backwards() -> None:
    cadence = ProgressLog(10, started=0.0)
    assert cadence.due(1, 0.1)
    assert not cadence.due(1, 50.0)
    assert not cadence.due(0, 60.0)
    assert cadence.due(2, 60.0)  # overdue: 10 s since the last line


def test_jumps_over_several_tenths_log_once() -> None:
    assert logged_steps(100, [(1, 0.1), (35, 0.2), (36, 0.3), (100, 0.4)]) == [1, 35, 100]


def block(**changes: object) -> ObservationBlock:
    fields: dict[str, object] = {
        "metric": "tourism.visitors",
        "period_start": DAY,
        "areas": ("94", "941", "942"),
        "values": (10.0, 4.0, 6.0),
    }
    fields.update(changes)
    return ObservationBlock(**fields)  # type: ignore[arg-type]


def test_a_good_block_passes_whole() -> None:
    good = block()
    kept, problems = RecordCheck(AREAS, NOW).split(good)
    assert kept is good and problems == []


@pytest.mark.parametrize(
    ("changes", "bad_rows", "reason"),
    [
        ({"areas": ("94", "999", "942")}, [1], "unknown area code '999'"),
        ({"values": (10.0, math.nan, 6.0)}, [1], "is not a finite number"),
        ({"values": (math.inf, 4.0, 6.0)}, [0], "is not a finite number"),
        ({"values": (10.0, "4", 6.0)}, [1], "is not a finite number"),
        ({"values": (1e308, 1e308, 6.0)}, [], ""),  # finite, only their sum overflows
        ({"values": (10, 4, 6)}, [], ""),  # ints are numbers too
        ({"metric": "no.such"}, [0, 1, 2], "unknown metric"),
        ({"metric": "health.bed_occupancy"}, [0, 1, 2], "computed from its components"),
        ({"period_start": NOW + timedelta(hours=1)}, [0, 1, 2], "is in the future"),
        ({"period_start": DAY.replace(tzinfo=None)}, [0, 1, 2], "has no time zone"),
        ({"period_kind": "week"}, [0, 1, 2], "unknown period kind"),
        ({"dims": ("a", "b")}, [0, 1, 2], "2 dims for 3 areas"),
    ],
)
def test_bad_rows_are_cut_out_of_a_block_with_their_reason(
    changes: dict[str, object], bad_rows: list[int], reason: str
) -> None:
    checked = block(**changes)
    kept, problems = RecordCheck(AREAS, NOW).split(checked)
    assert [i for i, _ in problems] == bad_rows
    assert all(reason in text for _, text in problems)
    good_rows = [i for i in range(3) if i not in bad_rows]
    assert kept.areas == tuple(checked.areas[i] for i in good_rows)
    assert kept.values == tuple(checked.values[i] for i in good_rows)


def test_a_split_block_keeps_each_rows_dimension() -> None:
    checked = block(areas=("94", "x", "94"), dims=("stp", "syt", "sct"))
    kept, problems = RecordCheck(AREAS, NOW).split(checked)
    assert kept.dims == ("stp", "sct") and [i for i, _ in problems] == [1]
    assert [o.dim for o in kept.observations()] == ["stp", "sct"]
