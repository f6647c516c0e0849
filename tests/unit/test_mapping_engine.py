"""The mapping engine over records in the shapes provincial systems really send."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from feeds.base import FeedBadData, FeedContext, FeedOptions
from feeds.mapping.apply import Mapper, resolve_path
from feeds.mapping.result import MappedObservation, MappingResult
from feeds.mapping.spec import MappingSpec
from geo.hierarchy import load_admin_units
from store.records import Observation, Rejection

FIXTURES = Path(__file__).parents[1] / "fixtures" / "payloads" / "mapping"
NOW = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)
CONTEXT = FeedContext(areas={u.code: u for u in load_admin_units()}, now=lambda: NOW)
OCTOBER = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)  # 1 October 2026, 00:00 in Sóc Trăng
AGENCIES = {"000.00.01.H60": "so_tp", "000.00.15.H60": "so_yt"}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def values(result: MappingResult) -> dict[tuple[str, str, str], float]:
    return {
        (m.observation.metric, m.observation.area, m.observation.dim): m.observation.value
        for m in result.observations
    }


def mapper(spec: dict[str, Any]) -> Mapper:
    return Mapper(MappingSpec.model_validate(spec), CONTEXT, "dvc_stats")


ONE_STOP = {
    "records": "data",
    "locale": "vi",
    "document": {"ky": {"path": "kyBaoCao"}, "cap_nhat": {"path": "ngayCapNhat"}},
    "computed": {"dung_han_tong": "TruocHan + DungHan"},
    "area": {"name": "TenHuyen", "level": "district"},
    "period": {"field": "ky", "format": "mm/yyyy"},
    "source_time": {"field": "cap_nhat", "format": "ms_json"},
    "dimension": {"field": "MaDonVi", "map": AGENCIES, "unmapped": "reject"},
    "observations": [
        {"metric": "public_services.received", "field": "TiepNhan"},
        {"metric": "public_services.resolved", "field": "DaGiaiQuyet"},
        {"metric": "public_services.resolved_on_time", "field": "dung_han_tong"},
        {"metric": "public_services.resolved_late", "field": "TreHan"},
    ],
    "checks": [{"total": "TiepNhan", "parts": ["TrucTuyen", "TrucTiep"], "action": "warn"}],
}


def test_one_stop_statistics_per_agency_and_district_with_the_period_given_once() -> None:
    result = mapper(ONE_STOP).map_document(load("one_stop_stats.json"))

    assert values(result) == {
        ("public_services.received", "941", "so_tp"): 1234,
        ("public_services.resolved", "941", "so_tp"): 1200,
        ("public_services.resolved_on_time", "941", "so_tp"): 1180,
        ("public_services.resolved_late", "941", "so_tp"): 20,
        ("public_services.received", "943", "so_tp"): 310,
        ("public_services.resolved", "943", "so_tp"): 305,
        ("public_services.resolved_on_time", "943", "so_tp"): 305,
        ("public_services.resolved_late", "943", "so_tp"): 0,
        ("public_services.received", "941", "so_yt"): 560,
        ("public_services.resolved", "941", "so_yt"): 550,
        ("public_services.resolved_late", "941", "so_yt"): 0,
    }
    first = result.observations[0]
    assert first.observation.period_start == OCTOBER
    assert first.observation.period_kind == "month"
    assert first.feed_id == "dvc_stats"
    assert first.source_time == datetime.fromtimestamp(1793836800, UTC)
    assert first.where == "record 1"
    # "DungHan": "..." is blank: no on-time value for Sở Y tế, never a 0
    assert result.nulls == 1
    assert result.skipped == {"total": 1}
    reasons = [r.reason for r in result.rejections]
    assert reasons == [
        "record 4: MaDonVi '000.00.99.H60' is not in the dimension map",
        "record 5: unknown area name 'Huyện Cái Nước'",
    ]
    assert "Đơn vị thử nghiệm" in result.rejections[0].raw
    # Sở Y tế: TiepNhan 560 cannot be checked against TrucTuyen "-" (blank), so no warning
    assert all(not m.warnings for m in result.observations)


def test_store_items_are_the_plain_record_types() -> None:
    result = mapper(ONE_STOP).map_document(load("one_stop_stats.json"))
    items = list(result.store_items())
    assert sum(isinstance(i, Observation) for i in items) == 11
    assert sum(isinstance(i, Rejection) for i in items) == 2


LGSP = {
    "records": "data.items",  # "data" holds the JSON as text: it is decoded on the way
    "locale": "strict",
    "document": {"ky": {"path": "data.meta.kyBaoCao"}},
    "area": {"code": "Mã huyện"},
    "period": {"field": "ky", "format": "date_range"},
    "source_time": {"field": "Thời gian cập nhật", "format": "iso8601"},
    "dimension": {"field": "Mã ĐV", "map": AGENCIES},
    "observations": [{"metric": "public_services.received", "field": "Tiếp nhận"}],
    "checks": [{"total": "Tiếp nhận", "parts": ["Trực tuyến", "Trực tiếp"], "tolerance": 0.5}],
}


def test_an_lgsp_envelope_with_json_text_a_consistency_warning_and_a_clock_fault() -> None:
    result = mapper(LGSP).map_document(load("lgsp_envelope.json"))

    assert values(result) == {
        ("public_services.received", "941", "so_tp"): 1234,
        ("public_services.received", "942", "so_yt"): 100,
    }
    tp, ct = result.observations
    assert tp.source_time == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    assert tp.warnings == ()
    assert ct.warnings == (
        "check failed: Tiếp nhận 100 ≠ Trực tuyến 60 + Trực tiếp 30 = 90 (tolerance 0.5)",
    )
    assert tp.observation.period_kind == "month"
    reasons = [r.reason for r in result.rejections]
    assert reasons[0] == "record 3: Mã ĐV '000.00.99.H60' is not in the dimension map"
    assert reasons[1].startswith("record 4: public_services.received (field 'Tiếp nhận'):")
    assert "count 12.5 is not a whole number" in reasons[1]


def test_a_consistency_failure_can_reject_the_record_instead() -> None:
    spec = {**LGSP, "checks": [{**LGSP["checks"][0], "action": "reject"}]}
    result = mapper(spec).map_document(load("lgsp_envelope.json"))
    assert [m.observation.area for m in result.observations] == ["941"]
    assert result.rejections[0].reason == (
        "record 2: check failed: Tiếp nhận 100 ≠ Trực tuyến 60 + Trực tiếp 30 = 90 (tolerance 0.5)"
    )
    assert '"Mã huyện": "942"' in result.rejections[0].raw


def test_a_source_time_in_the_future_is_flagged_on_the_observation() -> None:
    spec = {**LGSP, "checks": []}
    record = {
        "Mã ĐV": "000.00.01.H60",
        "Mã huyện": "944",
        "Tiếp nhận": 3,
        "Thời gian cập nhật": "2027-01-01T00:00:00Z",
    }
    result = mapper(spec).map_rows(
        [record], document={"data": {"meta": {"kyBaoCao": "01/10/2026 - 31/10/2026"}}}
    )
    (only,) = result.observations
    assert only.warnings == (
        "source time 2027-01-01T00:00:00+00:00 is in the future (source clock fault?)",
    )


# The tourism department's monthly sheet as the tabular reader hands it over: the cells
# above the header (for document fields) and the body rows keyed by the header names.
TOURISM_GRID = [
    ["UBND TỈNH SÓC TRĂNG", None, None, None, None],
    ["SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", None, None, None, None],
    ["BÁO CÁO KẾT QUẢ HOẠT ĐỘNG DU LỊCH", None, None, None, None],
    ["Kỳ báo cáo: Tháng 10/2026", None, None, None, None],
    ["Đơn vị tính: lượt khách; triệu đồng", None, None, None, None],
]
HEADERS = ["STT", "Đơn vị", "Tổng lượt khách", "Trong đó:  khách quốc tế", "Doanh thu (triệu đồng)"]
TOURISM_BODY = [
    ["A", "B", "1", "2", "3"],
    ["", "Tổng cộng", "125.430", "3.210", "45.120,5"],
    ["", "Trong đó: khu du lịch", "80.000", "", ""],
    ["1", "TP. Sóc Trăng", "60.120", "2.100", "30.000,5"],
    [2, "H. Kế Sách", "8.450", "-", "1.200,25"],
    [3, "TX. Vĩnh Châu", "...", "", "95,7"],
    ["4", "Huyện Mỹ  Tú", "12,5", "", ""],
    ["", "Người lập biểu", "", "", "KT. GIÁM ĐỐC"],
]
TOURISM = {
    "document": {"ky": {"row_starting": "Kỳ báo cáo"}, "don_vi": {"cell": "A5"}},
    "area": {"name": "Đơn vị", "level": "district"},
    "period": {"field": "ky", "format": "mm/yyyy"},
    "observations": [
        {"metric": "tourism.visitors", "field": "Tổng lượt khách"},
        {"metric": "tourism.visitors_international", "field": "Trong đó: khách quốc tế"},
        {"metric": "tourism.revenue", "field": "Doanh thu (triệu đồng)", "scale": 1000000},
    ],
}


def test_a_tourism_monthly_sheet_with_totals_and_trong_do_rows() -> None:
    rows = [
        (f"row {7 + i}", dict(zip(HEADERS, cells, strict=True)))
        for i, cells in enumerate(TOURISM_BODY)
    ]
    result = mapper(TOURISM).map_rows(rows, grid=TOURISM_GRID)

    assert values(result) == {
        ("tourism.visitors", "941", ""): 60120,
        ("tourism.visitors_international", "941", ""): 2100,
        ("tourism.revenue", "941", ""): 30000500000,
        ("tourism.visitors", "943", ""): 8450,
        ("tourism.revenue", "943", ""): 1200250000,
        ("tourism.revenue", "950", ""): 95700000,
    }
    assert result.skipped == {"column_numbers": 1, "total": 1, "subtotal": 1, "signature": 1}
    assert result.nulls == 5
    assert [r.reason for r in result.rejections] == [
        "row 13: tourism.visitors (field 'Tổng lượt khách'): count '12,5' is not a whole number"
    ]
    assert {m.observation.period_start for m in result.observations} == {OCTOBER}


def test_the_province_row_is_stored_when_the_mapping_wants_the_province() -> None:
    spec = {**TOURISM, "skip": {"province_is_data": True}}
    row = dict(zip(HEADERS, ["", "Toàn tỉnh", "125.430", "3.210", "45.120,5"], strict=True))
    result = mapper(spec).map_rows([row], grid=TOURISM_GRID)
    assert values(result)[("tourism.visitors", "94", "")] == 125430
    skipped = mapper(TOURISM).map_rows([row], grid=TOURISM_GRID)
    assert skipped.skipped == {"province_total": 1} and not skipped.items


def test_sql_rows_with_database_types() -> None:
    spec = {
        "locale": "strict",
        "area": {"code": "ma_huyen"},
        "period": {"month": "thang", "year": "nam"},
        "observations": [{"metric": "tourism.visitors", "field": "luot_khach"}],
    }
    rows = [
        {"ma_huyen": "941", "thang": 10, "nam": 2026, "luot_khach": Decimal("60120")},
        {"ma_huyen": 942, "thang": 10, "nam": 2026, "luot_khach": 310},
        {"ma_huyen": "941", "thang": 10, "nam": 2026, "luot_khach": 5},
    ]
    result = mapper(spec).map_rows(rows)
    assert values(result) == {
        ("tourism.visitors", "941", ""): 60120,
        ("tourism.visitors", "942", ""): 310,
    }
    assert result.rejections[0].reason == (
        "record 3: tourism.visitors: duplicate of an earlier record in this payload"
    )


def test_a_parent_field_settles_same_named_wards() -> None:
    spec = {
        "area": {"name": "Phường", "parent": "Thị xã"},
        "period": {"field": "Ngày", "format": "dd/mm/yyyy"},
        "observations": [{"metric": "tourism.visitors", "field": "Khách"}],
    }
    rows = [
        {"Thị xã": "TX. Ngã Năm", "Phường": "Phường 1", "Ngày": "04/11/2026", "Khách": "12"},
        {"Thị xã": "TX. Vĩnh Châu", "Phường": "P. 01", "Ngày": "04/11/2026", "Khách": "9"},
        {"Thị xã": "TX. Vĩnh Châu", "Phường": "Phường 7", "Ngày": "04/11/2026", "Khách": "1"},
        {"Thị xã": "TX. Vĩnh Châu", "Phường": "Phường 2", "Ngày": "31/02/2026", "Khách": "1"},
        {"Thị xã": "TX. Vĩnh Châu", "Phường": "Phường 2", "Ngày": "06/11/2026", "Khách": "1"},
    ]
    result = mapper(spec).map_rows(rows)
    assert values(result) == {
        ("tourism.visitors", "31732", ""): 12,
        ("tourism.visitors", "31783", ""): 9,
    }
    assert [r.reason for r in result.rejections] == [
        "record 3: unknown area name 'Phường 7' in Thị xã Vĩnh Châu",
        "record 4: date '31/02/2026' does not exist",
        "record 5: period starts in the future (2026-11-05T17:00:00+00:00)",
    ]


def test_unmapped_dimension_members_can_be_kept() -> None:
    spec = {**LGSP, "checks": [], "dimension": {"field": "Mã ĐV", "unmapped": "keep"}}
    result = mapper(spec).map_document(load("lgsp_envelope.json"))
    assert ("public_services.received", "943", "000.00.99.H60") in values(result)


def test_a_missing_record_list_or_document_field_is_bad_data() -> None:
    with pytest.raises(FeedBadData, match="expected a list of records at 'data'"):
        mapper(ONE_STOP).map_document({"success": False, "message": "Phiên đăng nhập hết hạn"})
    with pytest.raises(FeedBadData, match="document field 'ky' \\(path 'kyBaoCao'\\) not found"):
        mapper(ONE_STOP).map_document({"data": []})


def test_json_text_is_decoded_along_a_path() -> None:
    assert resolve_path({"d": '{"a": [1, {"b": 2}]}'}, "d.a.1.b") == 2
    assert resolve_path({"d": "{not json"}, "d") == "{not json"


# --- configuration errors name the option path ---------------------------------------------


class MappedOptions(FeedOptions):
    mapping: MappingSpec


def problems(mapping: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        MappedOptions.model_validate({"mapping": mapping})
    return [
        ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in e["loc"]).replace(".[", "[")
        + ": "
        + e["msg"].removeprefix("Value error, ")
        for e in caught.value.errors()
    ]


def test_a_ratio_metric_is_refused_naming_its_path() -> None:
    bad = {
        **TOURISM,
        "observations": [
            *TOURISM["observations"],
            {"metric": "tourism.occupancy_rate", "field": "x"},
        ],
    }
    assert problems(bad) == [
        "mapping.observations[3].metric: metric 'tourism.occupancy_rate' is a ratio computed "
        "from its components; map the components"
    ]


def test_config_mistakes_name_their_paths() -> None:
    assert problems({**TOURISM, "observations": [{"metric": "tourism.visitor", "field": "a"}]}) == [
        "mapping.observations[0].metric: unknown metric 'tourism.visitor' (not in the metric "
        "catalog)"
    ]
    assert problems({**TOURISM, "observations": [{"metric": "tourism.visitors"}]}) == [
        "mapping.observations[0].field: Field required"
    ]
    assert problems({**TOURISM, "computed": {"a": "b ** 2"}}) == [
        "mapping.computed.a: Pow is not allowed in 'b ** 2' (only + - * / over field names and "
        "numbers)"
    ]
    assert problems({**TOURISM, "computed": {"a": "b + 1", "b": "a - 1"}}) == [
        "mapping.computed.a: computed field 'a' depends on itself",
        "mapping.computed.b: computed field 'b' depends on itself",
    ]
    assert problems({**TOURISM, "period": {"field": "q", "format": "quarter"}}) == [
        "mapping.period.format: quarter periods cannot be stored yet (kinds: day, month, year)"
    ]
    assert problems({**TOURISM, "dimension": {"field": "x", "unmapped": "keep"}}) == [
        f"mapping.observations[{i}].dim: metric '{o['metric']}' is not split by a dimension; "
        'set dim: ""'
        for i, o in enumerate(TOURISM["observations"])
    ]
    assert problems({**TOURISM, "area": {"name": "a", "code": "b"}}) == [
        "mapping.area: set exactly one of code, name or fixed"
    ]
    assert problems({**TOURISM, "observations": []}) == [
        "mapping.observations: map at least one observation"
    ]
    assert problems({**TOURISM, "locale": "fr"})[0].startswith("mapping.locale:")
    assert problems({**TOURISM, "skip": {"totalz": False}}) == [
        "mapping.skip.totalz: Extra inputs are not permitted"
    ]
    assert problems({**TOURISM, "document": {"ky": {"cell": "3B"}}}) == [
        "mapping.document.ky.cell: '3B' is not a cell reference like 'B3'"
    ]


def test_mapped_observation_keeps_what_the_record_type_lacks() -> None:
    result = mapper(ONE_STOP).map_document(load("one_stop_stats.json"))
    assert all(isinstance(m, MappedObservation) and m.source_time for m in result.observations)


def test_the_readme_example_is_a_valid_mapping() -> None:
    import yaml

    readme = (Path(__file__).parents[2] / "feeds" / "mapping" / "README.md").read_text("utf-8")
    block = readme.split("```yaml\n", 1)[1].split("```", 1)[0]
    options = yaml.safe_load(block)["feeds"][0]["options"]
    spec = MappingSpec.model_validate(options["mapping"])
    assert [o.metric for o in spec.observations][:2] == [
        "public_services.received",
        "public_services.resolved",
    ]
    result = Mapper(spec, CONTEXT, "dvc-thong-ke").map_document(load("one_stop_stats.json"))
    assert len(result.observations) == 11


def test_the_mapping_has_a_json_schema_for_the_console_forms() -> None:
    schema = MappedOptions.model_json_schema()
    mapping = schema["$defs"]["MappingSpec"]
    assert {"area", "period", "observations"} <= set(mapping["required"])
    assert mapping["additionalProperties"] is False


def test_label_fields_keep_an_indicator_name_from_reading_as_a_total() -> None:
    spec = {
        "area": {"code": "ma"},
        "period": {"field": "ky", "format": "mm/yyyy"},
        "skip": {"label_fields": ["ten"]},
        "observations": [{"metric": "public_services.received", "field": "so"}],
    }
    rows = [
        {
            "chi_tieu": "Tổng số hồ sơ tiếp nhận",
            "ten": "TP. Sóc Trăng",
            "ma": "941",
            "ky": "10/2026",
            "so": "12",
        },
        {
            "chi_tieu": "Tổng số hồ sơ tiếp nhận",
            "ten": "Tổng cộng",
            "ma": "94",
            "ky": "10/2026",
            "so": "12",
        },
    ]
    result = mapper(spec).map_rows(rows)
    assert values(result) == {("public_services.received", "941", ""): 12}
    assert result.skipped == {"total": 1}
    unlabelled = mapper({**spec, "skip": {}}).map_rows(rows)
    assert unlabelled.skipped == {"total": 2}


LONG_FORMAT = {
    "locale": "strict",
    "area": {"code": "ma_dv_hc"},
    "period": {"month": "thang", "year": "nam"},
    "observations": [
        {
            "metric_field": "ma_chi_tieu",
            "metric_map": {"DL01": "tourism.visitors", "DL02": "tourism.visitors_international"},
            "unmapped_metric": "skip",
            "field": "gia_tri",
        }
    ],
}


def test_one_row_per_indicator_as_reporting_databases_keep_them() -> None:
    rows = [
        {"ma_chi_tieu": "DL01", "ma_dv_hc": "941", "thang": 10, "nam": 2026, "gia_tri": 60120},
        {"ma_chi_tieu": "DL02", "ma_dv_hc": "941", "thang": 10, "nam": 2026, "gia_tri": 2100},
        {"ma_chi_tieu": "DL99", "ma_dv_hc": "941", "thang": 10, "nam": 2026, "gia_tri": 7},
    ]
    result = mapper(LONG_FORMAT).map_rows(rows)
    assert values(result) == {
        ("tourism.visitors", "941", ""): 60120,
        ("tourism.visitors_international", "941", ""): 2100,
    }
    assert result.skipped == {"unmapped_metric": 1}
    strict = {
        **LONG_FORMAT,
        "observations": [{**LONG_FORMAT["observations"][0], "unmapped_metric": "reject"}],
    }
    rejected = mapper(strict).map_rows(rows)
    assert rejected.rejections[0].reason == "record 3: ma_chi_tieu 'DL99' is not in the metric map"


def test_a_metric_map_naming_a_ratio_is_refused_at_its_path() -> None:
    bad = {
        **LONG_FORMAT,
        "observations": [
            {
                **LONG_FORMAT["observations"][0],
                "metric_map": {"DL01": "tourism.visitors", "DL09": "tourism.occupancy_rate"},
            }
        ],
    }
    assert problems(bad) == [
        "mapping.observations[0].metric_map.DL09: metric 'tourism.occupancy_rate' is a ratio "
        "computed from its components; map the components"
    ]
    neither = {**LONG_FORMAT, "observations": [{"field": "gia_tri"}]}
    assert problems(neither) == [
        "mapping.observations[0]: set exactly one of metric or metric_field (with metric_map)"
    ]
