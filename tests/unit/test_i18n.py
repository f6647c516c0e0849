"""Unit tests for the i18n package: catalogs, lookup fallback and Babel formatting."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

import i18n
from i18n import DEFAULT_LANGUAGE, LANGUAGES, catalog_keys, t
from i18n.formatting import (
    format_change,
    format_date_local,
    format_datetime_local,
    format_number,
    format_percent,
    format_relative,
    format_value,
    locale_for,
)

pytestmark = pytest.mark.unit

REQUIRED_KEYS = {
    "app.title",
    "app.short_title",
    "nav.overview",
    "nav.language",
    "demo.badge",
    "demo.tooltip",
    "kpi.updated",
    "kpi.never_updated",
    "kpi.no_data",
    "kpi.vs_previous",
    "kpi.target",
    "kpi.baseline",
    "kpi.stale",
    "kpi.failing",
    "window.today",
    "window.7d",
    "window.30d",
    "window.12m",
    "map.title",
    "map.metric",
    "map.province",
    "map.back",
    "map.no_boundaries",
    "map.no_value",
    "overview.title",
    "domain.headline_kpis",
    "area.scope",
    "clock.label",
    "health.db_unreachable",
}


def test_languages() -> None:
    assert LANGUAGES == ("vi", "en")
    assert DEFAULT_LANGUAGE == "vi"
    assert locale_for("vi") == "vi_VN"
    assert locale_for("en") == "en_US"
    assert locale_for("fr") == "vi_VN"


def test_catalogs_have_the_same_non_empty_keys() -> None:
    assert catalog_keys("vi") == catalog_keys("en")
    assert catalog_keys("vi") >= REQUIRED_KEYS
    for lang in LANGUAGES:
        raw = json.loads((i18n.CATALOG_DIR / f"{lang}.json").read_text(encoding="utf-8"))
        assert all(isinstance(v, str) and v.strip() for v in raw.values()), lang


def test_catalog_placeholders_match() -> None:
    for key in catalog_keys("vi"):
        vi, en = t(key, "vi"), t(key, "en")
        assert ("{" in vi) == ("{" in en), key


def test_texts() -> None:
    assert t("app.title", "vi") == "Trung tâm Giám sát, điều hành thông minh tỉnh Sóc Trăng"
    assert t("app.title", "en") == "Soc Trang Intelligent Operations Center"
    assert t("demo.badge", "vi") == "Dữ liệu mô phỏng"
    assert t("window.7d", "en") == "7 days"


def test_params_are_formatted() -> None:
    assert t("kpi.updated", "vi", age="3 phút trước") == "cập nhật 3 phút trước"
    assert t("kpi.target", "en", value="95%") == "Target 95%"
    assert t("map.title", "vi", metric="dân số") == "Bản đồ dân số"


def test_missing_param_returns_the_template() -> None:
    assert t("kpi.updated", "en") == "updated {age}"


def test_fallback_to_vietnamese_then_key(monkeypatch: pytest.MonkeyPatch) -> None:
    english = {k: v for k, v in i18n._catalog("en").items() if k != "nav.overview"}
    monkeypatch.setattr(i18n, "_catalog", lambda lang: english if lang == "en" else _vi())
    assert t("nav.overview", "en") == "Tổng quan"
    assert t("nav.language", "en") == "Language"
    assert t("no.such.key", "en") == "no.such.key"
    assert t("no.such.key", "vi") == "no.such.key"


def _vi() -> dict[str, str]:
    return json.loads((i18n.CATALOG_DIR / "vi.json").read_text(encoding="utf-8"))


def test_unknown_language_falls_back_to_vietnamese() -> None:
    assert t("nav.overview", "fr") == "Tổng quan"


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1195741, "vi", 0, "1.195.741"),
        (1195741, "en", 0, "1,195,741"),
        (99.71, "vi", 2, "99,71"),
        (99.7, "vi", 2, "99,70"),
        (99.7, "en", 2, "99.70"),
        (0.125, "vi", 2, "0,13"),  # half up, not Babel's half even
        (1234.4, "vi", 0, "1.234"),
    ],
)
def test_format_number(value: float, lang: str, decimals: int, expected: str) -> None:
    assert format_number(value, lang, decimals) == expected


def test_format_percent_is_glued() -> None:
    assert format_percent(99.71, "vi") == "99,71%"
    assert format_percent(99.71, "en") == "99.71%"
    assert format_percent(99.7, "vi") == "99,70%"
    assert format_percent(99.705, "vi") == "99,71%"
    assert format_percent(12.5, "vi", 0) == "13%"


def test_format_value_units() -> None:
    assert format_value(1234, "lượt", "vi") == "1.234 lượt"
    assert format_value(2.35, "‰", "vi", 2) == "2,35 ‰"
    assert format_value(99.71, "%", "vi", 2) == "99,71%"
    assert format_value(1234, "visits", "en") == "1,234 visits"
    assert format_value(7, None, "vi") == "7"
    assert format_value(7, "", "vi") == "7"


def test_format_change_uses_real_minus() -> None:
    assert format_change(3.2, "vi") == "+3,2%"
    assert format_change(-1.5, "vi") == "\u22121,5%"
    assert format_change(-1.5, "vi") == "−1,5%"
    assert format_change(3.2, "en") == "+3.2%"
    assert format_change(-1.5, "en") == "−1.5%"
    assert format_change(-0.04, "vi") == "0,0%"
    assert format_change(0, "en") == "0.0%"


@pytest.mark.parametrize(
    ("seconds", "vi", "en"),
    [
        (0, "vừa xong", "just now"),
        (59, "vừa xong", "just now"),
        (60, "1 phút trước", "1 minute ago"),
        (180, "3 phút trước", "3 minutes ago"),
        (239, "3 phút trước", "3 minutes ago"),
        (3599, "59 phút trước", "59 minutes ago"),
        (7200, "2 giờ trước", "2 hours ago"),
        (3 * 86400 + 3600, "3 ngày trước", "3 days ago"),
        (-10, "vừa xong", "just now"),
    ],
)
def test_format_relative(seconds: int, vi: str, en: str) -> None:
    delta = timedelta(seconds=seconds)
    assert format_relative(delta, "vi") == vi
    assert format_relative(delta, "en") == en


def test_format_datetime_local_converts_to_vietnam_time() -> None:
    moment = datetime(2026, 11, 23, 4, 5, tzinfo=UTC)
    assert format_datetime_local(moment, "vi") == "23/11/2026 11:05"
    assert format_datetime_local(moment, "en") == "23 Nov 2026, 11:05"
    assert format_datetime_local(moment, "vi", "medium") == "23/11/2026 11:05:00"
    assert format_datetime_local(moment, "vi", "time") == "11:05"
    assert format_datetime_local(moment.replace(tzinfo=None), "vi") == "23/11/2026 11:05"


def test_format_datetime_local_crosses_midnight() -> None:
    late = datetime(2026, 11, 23, 20, 5, tzinfo=UTC)
    assert format_datetime_local(late, "vi") == "24/11/2026 03:05"
    assert format_date_local(late, "vi") == "24/11/2026"


def test_format_date_local() -> None:
    assert format_date_local(date(2026, 11, 23), "vi") == "23/11/2026"
    assert format_date_local(date(2026, 1, 3), "vi") == "03/01/2026"
    assert format_date_local(date(2026, 11, 23), "en") == "23 Nov 2026"
