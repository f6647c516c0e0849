"""Wall pieces read from five metres: the ranking reads down each column, the sparkline marks an
unfinished last period, wall tiles drop their empty lines, the alerts page counts severities."""

from __future__ import annotations

import pytest
from dash import html

from dashboards.alerts import Alert
from store.catalog import METRICS_BY_KEY
from ui.wall import alert_counts, more_alerts, ranking, sparkline, with_sparkline

pytestmark = pytest.mark.unit
VISITS = METRICS_BY_KEY["health.outpatient_visits"]


def _rows(board: html.Div) -> html.Div:
    return board.children[1]


@pytest.mark.parametrize(("count", "per_column"), [(11, 6), (12, 6), (5, 3), (1, 1)])
def test_ranking_is_numbered_best_first_and_fills_the_left_column_first(
    count: int, per_column: int
) -> None:
    values = {f"a{i:02d}": float(i) for i in range(count)}  # more visits rank higher
    board = ranking(values, {k: k for k in values}, VISITS, "vi")
    rows = _rows(board)
    assert rows.style == {"gridTemplateRows": f"repeat({per_column}, auto)"}
    ranks = [int(getattr(r, "data-rank")) for r in rows.children]
    assert ranks == list(range(1, count + 1))  # in DOM order; the grid flows down columns
    assert getattr(rows.children[0], "data-area") == f"a{count - 1:02d}"


def test_a_long_ranking_shows_the_best_and_the_worst_six_with_their_true_ranks() -> None:
    values = {f"c{i:02d}": float(i) for i in range(20)}
    rows = _rows(ranking(values, {k: k for k in values}, VISITS, "vi"))
    ranks = [int(getattr(r, "data-rank")) for r in rows.children]
    assert ranks == [1, 2, 3, 4, 5, 6, 15, 16, 17, 18, 19, 20]


def test_sparkline_dashes_an_unfinished_last_period_and_needs_two_points() -> None:
    finished = sparkline([1.0, None, 3.0, 2.0], unfinished=False)
    running = sparkline([1.0, None, 3.0, 2.0], unfinished=True)
    assert finished is not None and running is not None
    assert "stroke-dasharray" not in finished.src and "stroke-dasharray" in running.src
    assert finished.src.startswith("data:image/svg+xml,<svg") and "#" not in finished.src
    assert sparkline([None, 4.0], unfinished=False) is None
    assert len(sparkline([float(i % 7) for i in range(31)], unfinished=True).src) < 700


def test_wall_tile_drops_placeholder_and_fresh_lines_and_ends_with_its_trend() -> None:
    tile = html.Div(
        [
            html.Div("Lượt khám"),
            html.Div("\u00a0", className="kpi-change"),
            html.Div("12"),
            html.Div("cập nhật vừa xong", className="kpi-freshness fresh"),
            html.Div("dữ liệu cũ", className="kpi-freshness stale"),
        ],
        className="kpi-tile",
    )
    out = with_sparkline(tile, [1.0, 2.0, 3.0], unfinished=False)
    classes = [getattr(c, "className", None) for c in out.children]
    assert classes == [None, None, "kpi-freshness stale", "wall-spark"]


def test_alert_counts_by_severity_and_the_rest() -> None:
    alerts = [
        Alert(f"k{i}", "critical" if i < 2 else "warn", "health", "94", "alert.metric")
        for i in range(9)
    ]
    counts = alert_counts(alerts, "vi")
    assert [c.children[1] for c in counts.children] == ["2 nghiêm trọng", "7 cần theo dõi"]
    assert more_alerts(3, "vi").children == "+3 cảnh báo khác"
    assert more_alerts(3, "en").children == "+3 more not shown"
