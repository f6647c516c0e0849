"""The run history's query string: good values become the filter, bad ones are named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboards.run_history import parse_history

pytestmark = pytest.mark.unit


def test_good_values_make_the_filter_in_local_days() -> None:
    query = parse_history(
        {"status": "failed,partial,failed", "from": "2026-11-01", "to": "2026-11-02", "page": "3"}
    )
    assert query.statuses == ("failed", "partial") and query.page == 3 and not query.problems
    # local midnight (UTC+7) of the 1st, to the local midnight after the 2nd (both days in)
    assert query.where.start == datetime(2026, 10, 31, 17, tzinfo=UTC)
    assert query.where.end == datetime(2026, 11, 2, 17, tzinfo=UTC)


def test_days_as_vietnamese_users_write_them() -> None:
    query = parse_history({"from": "01/11/2026", "to": "2/11/2026"})
    assert not query.problems
    assert query.where.start == datetime(2026, 10, 31, 17, tzinfo=UTC)
    assert query.where.end == datetime(2026, 11, 2, 17, tzinfo=UTC)


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"status": "done"}, "board.history.bad_status"),
        ({"from": "2026-02-30"}, "board.history.bad_from"),
        ({"to": "20261101"}, "board.history.bad_to"),
        ({"from": "31/02/2026"}, "board.history.bad_from"),
        ({"from": "1/11/26"}, "board.history.bad_from"),
        ({"from": "2026-11-05", "to": "2026-11-01"}, "board.history.bad_range"),
        ({"page": "0"}, "board.history.bad_page"),
        ({"page": "-2"}, "board.history.bad_page"),
        ({"page": "9" * 5000}, "board.history.bad_page"),
        ({"page": "abc"}, "board.history.bad_page"),
    ],
)
def test_bad_values_are_dropped_and_named(params: dict[str, str], problem: str) -> None:
    query = parse_history(params)
    assert [key for key, _ in query.problems] == [problem]
    assert query.where.statuses == () and query.where.start is None and query.where.end is None
    assert query.page == 1
