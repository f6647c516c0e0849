"""Numbers in a declared locale: real report forms, blanks as NULL, counts, round trips."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.mapping.errors import ParseError
from feeds.mapping.numbers import (
    NULL_TOKENS,
    Locale,
    _from_text,
    format_number,
    parse_count,
    parse_number,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1.234", "vi", 1234.0),
        ("1.234", "en", 1.234),
        ("1.234,5", "vi", 1234.5),
        ("1,234.5", "en", 1234.5),
        ("1.195.741", "vi", 1195741.0),
        ("99,71%", "vi", 99.71),
        ("99,71 %", "vi", 99.71),
        ("8.64%", "en", 8.64),
        ("1 234 567", "vi", 1234567.0),
        (f"1{NBSP}234,5", "vi", 1234.5),
        ("1\u202f234", "en", 1234.0),
        ("  12  ", "vi", 12.0),
        ("+12", "vi", 12.0),
        ("-3,5", "vi", -3.5),
        ("(1.234)", "vi", -1234.0),
        ("0", "vi", 0.0),
        ("0,5", "vi", 0.5),
        ("1234,5", "vi", 1234.5),
        ("12.5", "strict", 12.5),
        ("-1e3", "strict", -1000.0),
        (1234, "vi", 1234.0),
        (12.5, "en", 12.5),
        (941.0, "strict", 941.0),
        (Decimal("3.25"), "vi", 3.25),
    ],
)
def test_numbers_in_report_forms(text: object, locale: str, expected: float) -> None:
    assert parse_number(text, locale) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("blank", ["-", "–", "...", "…", "x", "X", "", "   ", NBSP, "\t", None])
def test_blanks_are_null_never_zero(blank: object) -> None:
    assert parse_number(blank, "vi") is None
    assert parse_count(blank, "vi") is None


def test_nan_from_a_spreadsheet_is_null() -> None:
    assert parse_number(float("nan")) is None


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("1.5", "vi"),  # a '.' that does not group three digits is not vi
        ("1,5", "en"),
        ("1 234", "strict"),
        ("1,234", "strict"),
        ("12 ha", "vi"),
        ("abc", "en"),
        ("1.23.4", "vi"),
        ("--5", "vi"),
        ("(-5)", "vi"),
        ("1e400", "strict"),
    ],
)
def test_text_that_is_not_a_number_in_the_locale_names_it(text: str, locale: str) -> None:
    with pytest.raises(ParseError, match=f"'{text.replace('(', '.').replace(')', '.')}'"):
        parse_number(text, locale)  # type: ignore[arg-type]


def test_a_long_bad_value_is_truncated_in_the_reason() -> None:
    with pytest.raises(ParseError) as caught:
        parse_number("không có số liệu " * 20)
    assert len(str(caught.value)) < 120
    assert "…" in str(caught.value)


@pytest.mark.parametrize("value", [True, False, [1], {"a": 1}])
def test_booleans_and_containers_are_not_numbers(value: object) -> None:
    with pytest.raises(ParseError):
        parse_number(value)


@pytest.mark.parametrize(
    ("text", "expected"), [("12,0", 12), ("1.234", 1234), (12.0, 12), ("0", 0), (7, 7)]
)
def test_counts_are_whole_non_negative_numbers(text: object, expected: int) -> None:
    assert parse_count(text, "vi") == expected


@pytest.mark.parametrize("text", ["12,5", "-3", 2.5, "(4)"])
def test_a_fraction_or_a_negative_is_not_a_count(text: object) -> None:
    with pytest.raises(ParseError, match="count"):
        parse_count(text, "vi")


NUMBERS = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).map(lambda x: round(x, 2))


@given(value=NUMBERS, decimals=st.integers(0, 2), group=st.booleans())
def test_vi_and_en_round_trip(value: float, decimals: int, group: bool) -> None:
    for locale in ("vi", "en"):
        text = format_number(value, locale, decimals, group)
        assert parse_number(text, locale) == pytest.approx(round(value, decimals), abs=1e-9)


@given(value=st.integers(0, 10**12))
def test_grouped_counts_round_trip_and_disagree_between_locales(value: int) -> None:
    vi, en = format_number(value, "vi"), format_number(value, "en")
    assert parse_count(vi, "vi") == value
    assert parse_count(en, "en") == value
    if value >= 1000:  # "1.234" means 1234 in vi and 1.234 in en: only the locale decides
        with contextlib.suppress(ParseError):  # "1.000.000" is no en number at all
            assert parse_number(vi, "en") != value


@given(blank=st.sampled_from(sorted(NULL_TOKENS)), pad=st.sampled_from(["", " ", NBSP, "\t"]))
def test_blank_tokens_with_any_padding_are_never_zero(blank: str, pad: str) -> None:
    for locale in ("vi", "en", "strict"):
        assert parse_number(pad + blank + pad, locale) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("locale", ["vi", "en", "strict"])
@pytest.mark.parametrize(
    "text",
    [
        "0",
        "007",
        "941",
        "1.234",
        "1,234",
        "12.345.678",
        "1.23",
        "1,23",
        "123456789012345",
        "1234567890123456",
        "1.2345",
        " 1.234",
        "١٢٣",
        "1.234.5",
    ],
)
def test_plain_digit_fast_path_reads_as_the_full_pattern(text: str, locale: Locale) -> None:
    """Plain grouped digits skip the full pattern: same value, or the same refusal."""
    try:
        expected: float | str = _from_text(text, locale)
    except ParseError:
        expected = "refused"
    try:
        got: float | str | None = parse_number(text, locale)
    except ParseError:
        got = "refused"
    assert got == expected
