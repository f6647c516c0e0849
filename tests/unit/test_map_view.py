"""The map's classes: sequential breaks, status and target classes, legend texts, colours that
agree with the tiles' CSS, and labels that stay legible on every fill."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import replace
from pathlib import Path

import pytest

from dashboards.map_view import class_breaks, classes_for
from store.catalog import METRICS_BY_KEY, Direction
from ui.maps import AreaShade, LegendEntry, MapView, map_legend, map_patch
from ui.palette import INK, SEQUENTIAL_BLUES, STATUS_COLOURS, WHITE, contrast, label_colour
from ui.status import judged, value_status

SALINITY = METRICS_BY_KEY["environment.salinity_max"]  # DOWN, warn 1, critical 4
ATTENDANCE = METRICS_BY_KEY["education.attendance_rate"]  # UP, warn 95, critical 90
VISITS = METRICS_BY_KEY["health.outpatient_visits"]  # NEUTRAL, no thresholds
ONLINE = METRICS_BY_KEY["documents.work_online_rate"]  # UP, targets by level only
OVERDUE = METRICS_BY_KEY["documents.tasks_overdue"]  # DOWN, limits by level
APP_CSS = Path(__file__).resolve().parents[2] / "assets" / "50_app" / "app.css"


# -- class breaks ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "classes", "decimals", "expected"),
    [
        ([], 5, 0, ()),
        ([None, None], 5, 0, ()),
        ([7.0], 5, 0, ()),  # one value: one class
        ([5, 5, 5, 5], 5, 0, ()),  # all equal: one class
        ([1, 2], 5, 0, (2,)),  # fewer values than classes: as many classes as values
        ([1, 1, 1, 1, 5], 5, 0, (5,)),  # ties never start an empty class
        ([3, 3, 3, 9, 9, 9], 5, 0, (9,)),
        (list(range(1, 101)), 5, 0, (21, 41, 61, 81)),  # 20 values in each class
        ([-10, -5, 0, 5, 10], 5, 0, (-5, 0, 5, 10)),  # negative values and zero
        ([0.123, 0.456, 0.789, 1.234], 5, 2, (0.46, 0.79, 1.2)),  # never finer than shown
        ([7, 1234, 3000, 5678, 45000, 91011, 120000], 5, 0, (1200, 5700, 45000, 120000)),
        ([1, 2, None, 3, math.nan, 4], 5, 0, (2, 3, 4)),  # None and NaN are ignored
        (list(range(1, 101)), 3, 0, (34, 68)),  # 33, 34 and 33 values
    ],
)
def test_class_breaks(values, classes, decimals, expected) -> None:  # type: ignore[no-untyped-def]
    assert class_breaks(values, classes, decimals) == pytest.approx(expected)


@pytest.mark.parametrize(
    "values",
    [
        [0.4, 0.4, 0.41, 2.5, 3.9, 3.9, 3.9, 12.0],
        [i * i for i in range(-30, 31)],
        [1e6 + i for i in range(9)],
        [0.001 * i for i in range(50)],
    ],
)
def test_every_class_holds_a_value_and_breaks_increase(values) -> None:  # type: ignore[no-untyped-def]
    breaks = class_breaks(values, 5, 3)
    assert list(breaks) == sorted(set(breaks))
    assert all(min(values) < b <= max(values) for b in breaks)
    bounds = [-math.inf, *breaks, math.inf]
    for low, high in itertools.pairwise(bounds):
        assert any(low <= v < high for v in values), (low, high)


# -- threshold classes ----------------------------------------------------------------------
def _texts(metric, level: str, lang: str = "vi", values=()) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text for e in classes_for(metric, level, lang, values).legend]


def test_salinity_legend_names_its_breaks_in_both_languages() -> None:
    assert _texts(SALINITY, "commune") == [
        "< 1 ‰ bình thường",
        "≥ 1 ‰ theo dõi",
        "≥ 4 ‰ xâm nhập mặn",
        "không có dữ liệu",
    ]
    assert _texts(SALINITY, "district", "en") == [
        "< 1 ‰ normal",
        "≥ 1 ‰ watch",
        "≥ 4 ‰ saline intrusion",
        "no data",
    ]


def test_up_metric_legend_reads_below_the_limits() -> None:
    assert _texts(ATTENDANCE, "district") == [
        "≥ 95% bình thường",
        "< 95% cảnh báo",
        "< 90% nghiêm trọng",
        "không có dữ liệu",
    ]


@pytest.mark.parametrize(
    ("metric", "value", "level", "klass"),
    [
        (SALINITY, 0.40, "district", "good"),  # far below the 1 ‰ watch level: never red
        (SALINITY, 0.40, "commune", "good"),
        (SALINITY, 1.0, "commune", "warn"),
        (SALINITY, 3.99, "commune", "warn"),
        (SALINITY, 4.0, "district", "critical"),
        (ATTENDANCE, 96.0, "commune", "good"),
        (ATTENDANCE, 94.9, "commune", "warn"),
        (ATTENDANCE, 89.0, "district", "critical"),
        (OVERDUE, 4, "district", "good"),  # a district tolerates more than a commune
        (OVERDUE, 4, "commune", "warn"),
        (OVERDUE, 15, "district", "warn"),
        (OVERDUE, 15, "commune", "critical"),
    ],
)
def test_status_classes_follow_the_one_status_rule(metric, value, level, klass) -> None:  # type: ignore[no-untyped-def]
    classes = classes_for(metric, level, "vi")
    entry = classes.of(value)
    assert classes.scheme == "status"
    assert entry.klass == klass == value_status(metric, value, level)
    assert entry.colour == STATUS_COLOURS[klass]
    assert classes.of(None).klass == "nodata"
    assert classes.of(None).colour == STATUS_COLOURS["nodata"]


def test_level_limits_change_the_legend() -> None:
    assert _texts(OVERDUE, "commune")[1:3] == ["≥ 3 nhiệm vụ cảnh báo", "≥ 6 nhiệm vụ nghiêm trọng"]
    assert _texts(OVERDUE, "district")[1:3] == [
        "≥ 12 nhiệm vụ cảnh báo",
        "≥ 20 nhiệm vụ nghiêm trọng",
    ]


def test_only_one_limit_gives_only_its_class() -> None:
    warn_only = replace(SALINITY, critical=None)
    assert [e.klass for e in classes_for(warn_only, "commune", "vi").legend] == [
        "good",
        "warn",
        "nodata",
    ]
    critical_only = replace(ATTENDANCE, warn=None)
    assert _texts(critical_only, "commune")[:2] == ["≥ 90% bình thường", "< 90% nghiêm trọng"]


def test_a_neutral_metric_is_never_judged_even_with_limits() -> None:
    limited = replace(VISITS, warn=100, critical=200)
    assert not judged(limited, "commune")
    assert classes_for(limited, "commune", "vi", [1, 50, 300]).scheme == "sequential"


# -- target classes -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("direction", "level", "value", "klass", "legend"),
    [
        (Direction.UP, "district", 80.0, "met", "đạt mục tiêu ≥ 80%"),
        (Direction.UP, "district", 79.9, "not_met", "đạt mục tiêu ≥ 80%"),
        (Direction.UP, "province", 85.0, "not_met", "đạt mục tiêu ≥ 90%"),
        (Direction.UP, "commune", 61.0, "met", "đạt mục tiêu ≥ 60%"),
        (Direction.DOWN, "district", 79.0, "met", "đạt mục tiêu ≤ 80%"),
        (Direction.DOWN, "district", 81.0, "not_met", "đạt mục tiêu ≤ 80%"),
    ],
)
def test_target_classes(direction, level, value, klass, legend) -> None:  # type: ignore[no-untyped-def]
    classes = classes_for(replace(ONLINE, direction=direction), level, "vi")
    assert classes.scheme == "target"
    assert classes.of(value).klass == klass
    assert [e.text for e in classes.legend] == [legend, "chưa đạt mục tiêu", "không có dữ liệu"]
    assert classes.of(value).colour == STATUS_COLOURS["good" if klass == "met" else "warn"]


def test_a_level_without_target_falls_back_to_the_sequential_scale() -> None:
    only_province = replace(ONLINE, targets={"province": 90})
    assert classes_for(only_province, "district", "vi", [50, 70, 90]).scheme == "sequential"


# -- sequential classes ---------------------------------------------------------------------
def test_sequential_legend_is_single_hue_ranges_in_each_language() -> None:
    values = [float(v) for v in range(1, 101)]
    vi = classes_for(VISITS, "commune", "vi", values)
    assert [e.text for e in vi.legend] == [
        "< 21 lượt",
        "21 – < 41 lượt",
        "41 – < 61 lượt",
        "61 – < 81 lượt",
        "≥ 81 lượt",
        "không có dữ liệu",
    ]
    assert [e.colour for e in vi.legend[:-1]] == list(SEQUENTIAL_BLUES)
    assert not set(SEQUENTIAL_BLUES) & set(STATUS_COLOURS.values())  # never red/green
    assert [vi.of(v).klass for v in (1, 20.9, 21, 80.99, 81, 1e9)] == [
        "q0",
        "q0",
        "q1",
        "q3",
        "q4",
        "q4",
    ]
    big = classes_for(VISITS, "commune", "en", [1200.0, 3400.0, 56000.0, 78000.0, 910000.0])
    assert [e.text for e in big.legend][:2] == ["< 3,400 visits", "3,400 – < 56,000 visits"]
    vi_big = classes_for(VISITS, "commune", "vi", [1200.0, 3400.0, 56000.0, 78000.0, 910000.0])
    assert vi_big.legend[1].text == "3.400 – < 56.000 lượt"


def test_all_equal_values_make_one_class_named_by_the_value() -> None:
    classes = classes_for(VISITS, "district", "vi", [1500.0, 1500.0])
    assert [e.text for e in classes.legend] == ["1.500 lượt", "không có dữ liệu"]
    assert classes.of(1500.0).klass == "q0"


def test_no_values_at_all_leave_only_no_data() -> None:
    classes = classes_for(VISITS, "district", "vi", [])
    assert [e.klass for e in classes.legend] == ["nodata"]
    assert classes.of(None).colour == STATUS_COLOURS["nodata"]


# -- colours, labels, the patch -------------------------------------------------------------
def test_status_colours_are_the_tiles_css_colours() -> None:
    css = APP_CSS.read_text(encoding="utf-8")
    declared = dict(re.findall(r"--ioc-(good|warn|critical|nodata):\s*(#[0-9a-fA-F]{6})", css))
    assert {k: v.lower() for k, v in declared.items()} == STATUS_COLOURS
    assert re.search(r"--ioc-ink:\s*" + INK, css)


@pytest.mark.parametrize("fill", [*STATUS_COLOURS.values(), *SEQUENTIAL_BLUES])
def test_labels_take_the_more_legible_of_dark_and_white(fill: str) -> None:
    chosen = label_colour(fill)
    other = WHITE if chosen == INK else INK
    assert contrast(fill, chosen) >= contrast(fill, other)
    assert contrast(fill, chosen) >= 3.9  # large map labels stay readable on every fill


def test_label_colour_extremes() -> None:
    assert label_colour("#ffffff") == INK
    assert label_colour("#000000") == WHITE
    assert label_colour(SEQUENTIAL_BLUES[0]) == INK
    assert label_colour(SEQUENTIAL_BLUES[-1]) == WHITE


def _view(selected: str | None) -> MapView:
    legend = classes_for(SALINITY, "district", "vi").legend
    shades = tuple(
        AreaShade(code, code, 9.6, 105.9, value, klass, _colour(legend, klass), INK, code)
        for code, value, klass in (
            ("a", 0.4, "good"),
            ("b", 5.0, "critical"),
            ("c", None, "nodata"),
        )
    )
    return MapView(SALINITY.key, "district", "status", shades, legend, "/geo/x", selected)


def _colour(legend: tuple[LegendEntry, ...], klass: str) -> str:
    return next(e.colour for e in legend if e.klass == klass)


def test_patch_draws_each_area_in_its_class_colour_and_the_selection_last() -> None:
    patch = map_patch(_view("a")).to_plotly_json()
    trace = next(op["params"]["value"] for op in patch["operations"] if op["operation"] == "Merge")
    assert trace["locations"] == ["b", "c", "a"]  # the selected area drawn on top
    assert trace["marker"]["line"]["width"] == [0.8, 0.8, 3.0]
    assert trace["marker"]["line"]["color"][-1] == INK
    scale = trace["colorscale"]
    for code, z in zip(trace["locations"], trace["z"], strict=True):
        # the colour a z of the stepped scale shows, at the centre of its step
        position = (z + 0.5) / (trace["zmax"] - trace["zmin"])
        shown = next(c for p, c in scale if p >= position)
        assert shown == {"a": "#1a7f37", "b": "#c62828", "c": "#8c96a3"}[code]


def test_legend_renders_a_swatch_and_text_per_class() -> None:
    items = map_legend(_view(None))
    assert [i.to_plotly_json()["props"]["data-class"] for i in items] == [
        "good",
        "warn",
        "critical",
        "nodata",
    ]
    first = items[0].children
    assert first[0].style == {"background": STATUS_COLOURS["good"]}
    assert first[1].children == "< 1 ‰ bình thường"
