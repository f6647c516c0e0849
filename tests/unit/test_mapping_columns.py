"""ColumnRecords: rows under column names read as records, made on demand, and mapped by the
fast path column by column exactly as the same records given as dicts."""

from __future__ import annotations

from typing import Any

import pytest

from feeds.mapping.apply import Mapper
from feeds.mapping.columns import ColumnRecords
from feeds.mapping.spec import MappingSpec
from tests.unit.test_mapping_fast_path import CONTEXT, SPEC, clean_records

pytestmark = pytest.mark.unit


def as_columns(records: list[dict[str, Any]]) -> ColumnRecords:
    names = list(records[0])
    return ColumnRecords(names, [[r[n] for n in names] for r in records])


def test_records_slices_and_columns() -> None:
    table = ColumnRecords(["Mã", "Lượt khách"], [["941", "10"], ["942", None], ("943", "7")])
    assert len(table) == 3
    assert table[1] == {"Mã": "942", "Lượt khách": None}
    assert list(table) == [table[0], table[1], table[2]] == table
    assert table != [table[0]] and table != "Mã"
    part = table[1:]
    assert isinstance(part, ColumnRecords) and len(part) == 2
    assert part.column("Mã") == ["942", "943"] and part[0] == table[1]
    with pytest.raises(KeyError):
        table.column("Tên")
    with pytest.raises(ValueError, match="repeat"):
        ColumnRecords(["a", "a"], [])


def test_column_records_map_as_the_same_records_as_dicts() -> None:
    records: list[Any] = clean_records(31)
    blank, total, repeated = (len(records) * n // 4 for n in (1, 2, 3))
    records[blank] = {**records[blank], "khach": "-"}  # a blank: no row
    records[total] = {**records[total], "ma": "Tổng cộng"}  # a totals row: skipped
    records[repeated] = dict(records[10])  # a duplicate: rejected in its place
    mapper = Mapper(MappingSpec.model_validate(SPEC), CONTEXT, "dvc")
    columns = as_columns(records)
    by_dicts = mapper.map_rows(records)
    by_columns = Mapper(MappingSpec.model_validate(SPEC), CONTEXT, "dvc").map_rows(columns)
    assert by_columns.items == by_dicts.items
    assert (by_columns.skipped, by_columns.nulls) == (by_dicts.skipped, by_dicts.nulls)
    assert by_columns.skipped["total"] == 1 and by_columns.nulls == 1
    assert len(by_columns.rejections) == 2  # one per metric of the repeated record
    assert list(by_columns.bulk_items()) == list(by_dicts.bulk_items())
