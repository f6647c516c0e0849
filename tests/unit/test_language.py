"""Language is complete: plurals, counted units and AG Grid's own texts in both languages."""

from __future__ import annotations

import re

import pytest

from i18n import catalog_keys, plural_form, t
from i18n.formatting import format_value, unit_text
from ui.table import grid
from ui.wall import alert_text

pytestmark = pytest.mark.unit
VIETNAMESE_MARKS = re.compile(r"[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.IGNORECASE)


@pytest.mark.parametrize(
    ("count", "lang", "form"), [(1, "en", "one"), (2, "en", "other"), (0, "en", "other"),
                                (1, "vi", "other"), (5, "vi", "other")]
)  # fmt: skip
def test_plural_forms(count: int, lang: str, form: str) -> None:
    assert plural_form(count, lang) == form


@pytest.mark.parametrize(
    ("value", "unit", "lang", "decimals", "shown"),
    [
        (1, "dossiers", "en", 0, "1 dossier"),
        (2, "dossiers", "en", 0, "2 dossiers"),
        (1.2, "cases", "en", 0, "1 case"),  # shown as 1
        (1, "days", "en", 1, "1.0 days"),
        (1, "hồ sơ", "vi", 0, "1 hồ sơ"),
        (1, "µg/m³", "en", 0, "1 µg/m³"),
    ],
)
def test_counted_units_agree_with_the_number(value, unit, lang, decimals, shown) -> None:  # type: ignore[no-untyped-def]
    assert format_value(value, unit, lang, decimals) == shown
    assert unit_text(unit, None, lang) == unit


def test_alerts_say_one_dossier_and_one_day() -> None:
    class Alert:  # the fields alert_text reads
        message = "alert.dossiers_overdue"

        def __init__(self, count: int, days: int) -> None:
            self.params = (("count", count), ("days", days))

    assert alert_text(Alert(1, 1), "en") == "1 overdue dossier still open, 1 day late"  # type: ignore[arg-type]
    assert alert_text(Alert(3, 4), "en") == "3 overdue dossiers still open, oldest 4 days late"  # type: ignore[arg-type]
    assert alert_text(Alert(3, 4), "vi") == "3 hồ sơ trễ hạn chưa giải quyết, lâu nhất 4 ngày"  # type: ignore[arg-type]
    assert t("sources.rejected", "en", count=1) == "1 record rejected"
    assert t("sources.rejected", "en", count=7) == "7 records rejected"


VISIBLE_GRID_TEXTS = (
    *("page", "of", "noRowsToShow", "loadingOoo", "filterOoo", "contains", "equals"),
    *("applyFilter", "resetFilter", "andCondition", "orCondition"),
)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_grid_speaks_the_page_language(lang: str) -> None:
    texts = grid({"type": "grid", "page": "x"}, lang).dashGridOptions["localeText"]
    assert set(VISIBLE_GRID_TEXTS) <= set(texts)
    assert {f"grid.{k}" for k in texts} <= catalog_keys("vi") & catalog_keys("en")
    marked = [v for k, v in texts.items() if VIETNAMESE_MARKS.search(v)]
    if lang == "en":
        assert marked == [] and texts["noRowsToShow"] == "No data"
    else:
        assert texts["noRowsToShow"] == "Không có dữ liệu" and texts["page"] == "Trang"
        assert len(marked) > len(texts) // 2
