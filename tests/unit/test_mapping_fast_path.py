"""The mapping engine's fast path (plain records of the common mapping shape) and the blocks
the runner receives give what the general path gives: the same observations, rejections with
the same reasons in the same order, the same skipped and null counts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from feeds.base import FeedContext
from feeds.mapping.apply import Mapper
from feeds.mapping.spec import MappingSpec
from geo.hierarchy import load_admin_units
from store.records import DataWarning, Observation, ObservationBlock, Rejection

NOW = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)
CONTEXT = FeedContext(areas={u.code: u for u in load_admin_units()}, now=lambda: NOW)
SPEC: dict[str, Any] = {
    "area": {"code": "ma"},
    "period": {"field": "ngay", "format": "dd/mm/yyyy"},
    "observations": [
        {"metric": "tourism.visitors", "field": "khach"},
        {"metric": "tourism.revenue", "field": "doanh_thu", "scale": 1000},
    ],
}
RECORDS: list[Any] = [
    {"ma": "941", "ngay": "01/10/2026", "khach": "1.234", "doanh_thu": "12,5"},
    {"ma": "942", "ngay": "01/10/2026", "khach": "-", "doanh_thu": "3"},  # a blank: no row
    {"ma": "941", "ngay": "01/10/2026", "khach": "7", "doanh_thu": "1"},  # duplicates
    {"ma": "9999", "ngay": "01/10/2026", "khach": "1", "doanh_thu": "1"},  # unknown area
    {"ma": "943", "ngay": "1/10/2026", "khach": "2", "doanh_thu": "2"},  # another text, same day
    {"ma": "944", "ngay": "02/10/2026", "khach": "1,5", "doanh_thu": "4"},  # not a count
    {"ma": "945", "ngay": "02/10/2026", "khach": "abc", "doanh_thu": "4"},  # not a number
    {"ma": "Tổng cộng", "ngay": "02/10/2026", "khach": "99", "doanh_thu": "99"},  # skipped
    {"ma": 946, "ngay": "02/10/2026", "khach": 5, "doanh_thu": 6.5},  # JSON numbers
    {"Ma": "947", "ngay": "02/10/2026", "khach": "3", "doanh_thu": "3"},  # a loose header
    {"ma": "948", "ngay": "31/12/2030", "khach": "3", "doanh_thu": "3"},  # in the future
    {"ma": "949", "ngay": "02/10/2026", "doanh_thu": "3"},  # a field missing
    ["not", "an", "object"],
    {"ma": "950", "ngay": "03/10/2026", "khach": "1.000.000", "doanh_thu": ""},
    *(
        {"ma": code, "ngay": "03/10/2026", "khach": "2", "doanh_thu": "2"}
        for code in ("951", "952")
    ),
]


def general(spec: dict[str, Any]) -> Mapper:
    m = Mapper(MappingSpec.model_validate(spec), CONTEXT, "dvc")
    m._fast = None  # every record through the general path
    return m


@pytest.mark.parametrize("records", [RECORDS, RECORDS * 3, list(reversed(RECORDS))])
def test_the_fast_path_maps_as_the_general_path(records: list[Any]) -> None:
    fast = Mapper(MappingSpec.model_validate(SPEC), CONTEXT, "dvc")
    assert fast._fast is not None
    quick, slow = fast.map_rows(records), general(SPEC).map_rows(records)
    assert quick.items == slow.items
    assert (quick.skipped, quick.nulls) == (slow.skipped, slow.nulls)
    assert list(quick.feed_items()) == list(slow.feed_items())
    assert len(quick.observations) >= 5 and len(quick.rejections) >= 6


def test_blocks_hold_the_same_rows_and_keep_the_rejections_in_order() -> None:
    spec = {
        **SPEC,
        "checks": [{"total": "khach", "parts": ["doanh_thu"], "tolerance": 0}],  # warnings
    }
    for mapping in (SPEC, spec):
        result = Mapper(MappingSpec.model_validate(mapping), CONTEXT, "dvc").map_rows(RECORDS)
        single = list(result.feed_items())
        bulk = list(result.bulk_items())
        blocks = [len(i) for i in bulk if isinstance(i, ObservationBlock)]
        assert max(blocks) >= (2 if mapping is SPEC else 1)
        rows = [o for i in bulk if isinstance(i, ObservationBlock) for o in i.observations()]
        rows += [i for i in bulk if isinstance(i, Observation)]
        assert Counter(rows) == Counter(i for i in single if isinstance(i, Observation))
        others = (Rejection, DataWarning)
        assert [i for i in bulk if isinstance(i, others)] == [
            i for i in single if isinstance(i, others)
        ]


def clean_records(days: int) -> list[dict[str, Any]]:
    """Plain records of every commune and day: slices the fast path maps column by column."""
    codes = sorted(u.code for u in CONTEXT.areas.values() if u.level == "commune")
    return [
        {"ma": code, "ngay": f"{day:02d}/10/2026", "khach": f"{n}.{day:03d}", "doanh_thu": "7"}
        for day in range(1, days + 1)
        for n, code in enumerate(codes, start=1)
    ]


def test_clean_slices_map_as_the_general_path_and_take_the_column_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = clean_records(31)
    records: list[Any] = first * 2  # the copy repeats every key: duplicates
    records[5000] = {**records[5000], "khach": "-"}  # a blank: no row, never 0
    total = {"ma": "Tổng cộng", "ngay": "01/10/2026", "khach": "9", "doanh_thu": "9"}
    records.insert(4000, total)
    fast = Mapper(MappingSpec.model_validate(SPEC), CONTEXT, "dvc")
    assert fast._fast is not None
    general_calls: list[str] = []
    one, clean = fast._map_one, fast._fast._map_clean
    columns: list[bool] = []
    monkeypatch.setattr(fast, "_map_one", lambda w, *a: (general_calls.append(w), one(w, *a)))
    monkeypatch.setattr(
        fast._fast, "_map_clean", lambda *a: columns.append(clean(*a)) or columns[-1]
    )

    quick, slow = fast.map_rows(records), general(SPEC).map_rows(records)
    assert quick.items == slow.items
    assert (quick.skipped, quick.nulls) == (slow.skipped, slow.nulls)
    assert quick.skipped["total"] == 1 and quick.nulls == 1
    assert len(quick.observations) == 2 * len(first)
    assert len(quick.rejections) == 2 * len(first) - 1  # the blank gave no row to repeat
    assert general_calls == ["record 4001"]  # only the totals row needed the general path
    assert True in columns and False in columns  # clean slices by column, the others not


def test_a_clean_slice_keeps_labels_for_later_display() -> None:
    records = clean_records(31)
    result = Mapper(MappingSpec.model_validate(SPEC), CONTEXT, "dvc").map_rows(
        records, label=lambda index: f"dòng {index + 10}"
    )
    wheres = [o.where for o in result.observations]
    assert wheres[:2] == ["dòng 10", "dòng 10"] and wheres[-1] == f"dòng {len(records) + 9}"
