"""Skip rules over a realistic monthly report: only the district rows are data."""

from __future__ import annotations

from collections import Counter

import pytest

from feeds.mapping.skip import ExtraRule, SkipRules, skip_reason

# The body of "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG DU LỊCH THÁNG 10/2026" after its header rows,
# as a reader hands it over: every row, totals and signatures included.
REPORT_BODY: list[list[object]] = [
    ["A", "B", "1", "2", "3", "4=2+3"],
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
    ["", "Tổng cộng", "125.430", "3.210", "45.120,5", ""],
    ["", "Trong đó:", "", "", "", ""],
    ["", "- Trong đó khách quốc tế", "", "3.210", "", ""],
    ["1", "TP. Sóc Trăng", "60.120", "2.100", "30.000", "62.220"],
    [2, "H. Kế Sách", "8.450", "-", "1.200,5", "8.450"],
    ["3", "Huyện Mỹ Tú", "...", "", "", ""],
    [None, None, None, None, None, None],
    ["", "TỔNG", "68.570", "", "", ""],
    ["Toàn tỉnh", "", "125.430", "", "", ""],
    ["* Ghi chú: số liệu sơ bộ, chưa kiểm tra", "", "", "", "", ""],
    ["Nguồn: Sở Văn hóa, Thể thao và Du lịch", "", "", "", "", ""],
    ["", "", "", "", "Sóc Trăng, ngày 05 tháng 11 năm 2026", ""],
    ["Người lập biểu", "", "", "", "KT. GIÁM ĐỐC", ""],
    ["", "", "", "", "PHÓ GIÁM ĐỐC", ""],
    ["(Ký, ghi rõ họ tên)", "", "", "", "", ""],
    ["", "Thủ trưởng đơn vị", "", "", "", ""],
    ["", "Total", "1", "", "", ""],
    ["", "Cộng", "1", "", "", ""],
    ["1 2 3 4", "", "", "", "", ""],
]


def test_only_the_district_rows_of_a_report_are_data() -> None:
    reasons = [skip_reason(row, SkipRules()) for row in REPORT_BODY]
    data = [row[1] for row, reason in zip(REPORT_BODY, reasons, strict=True) if reason is None]
    assert data == ["TP. Sóc Trăng", "H. Kế Sách", "Huyện Mỹ Tú"]
    assert Counter(r for r in reasons if r) == {
        "column_numbers": 3,
        "total": 4,
        "subtotal": 2,
        "empty": 1,
        "province_total": 1,
        "note": 2,
        "signature": 5,
    }


def test_the_province_row_is_data_when_the_mapping_says_so() -> None:
    row = ["Toàn tỉnh", "", "125.430"]
    assert skip_reason(row, SkipRules()) == "province_total"
    assert skip_reason(row, SkipRules(province_is_data=True)) is None


def test_a_totals_row_is_never_data_even_with_the_province_wanted() -> None:
    assert skip_reason(["", "Tổng cộng", "1"], SkipRules(province_is_data=True)) == "total"


@pytest.mark.parametrize(
    "label",
    ["Cộng đồng dân cư ấp 3", "Xã Long Phú", "Phường 5", "Tổ công tác", "Trong hạn"],
)
def test_data_labels_that_look_like_rule_words_are_kept(label: str) -> None:
    assert skip_reason(["1", label, "12"], SkipRules()) is None


def test_a_row_of_values_under_a_label_is_not_a_column_number_row() -> None:
    assert skip_reason(["1", "Phường 5", 1, 2, 3], SkipRules()) is None
    assert skip_reason([5, 3, 1], SkipRules()) is None  # not increasing: values


def test_rules_can_be_switched_off() -> None:
    rules = SkipRules(totals=False, empty=False)
    assert skip_reason(["", "Tổng cộng", "1"], rules) is None
    assert skip_reason(["", None], rules) is None


def test_extra_rules_name_their_own_reason() -> None:
    # Matched against the text and its folded form: a pattern without diacritics fits both.
    rules = SkipRules(extra=(ExtraRule(name="section", pattern=r"^khoi (huyen|so)"),))
    assert skip_reason(["I", "KHỐI HUYỆN", ""], rules) == "section"
    assert skip_reason(["II", "Khối sở, ngành", ""], rules) == "section"
    assert skip_reason(["1", "Sở Y tế", ""], rules) is None


def test_a_bad_extra_pattern_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="regular expression"):
        ExtraRule(name="bad", pattern="(")
