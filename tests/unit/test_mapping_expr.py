"""Computed fields: only + - * / over field names and numbers; blanks stay blank."""

from __future__ import annotations

import pytest

from feeds.mapping.expr import Expression, ExpressionError

FIELDS = {"truoc_han": 1100.0, "dung_han": 80.0, "Trước hạn": 3.0, "Đúng hạn": 4.0, "zero": 0.0}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("truoc_han + dung_han", 1180.0),
        ("[Trước hạn] + [Đúng hạn]", 7.0),
        ("(truoc_han - dung_han) / 2", 510.0),
        ("-dung_han * 1.5 + 100", -20.0),
        ("+truoc_han", 1100.0),
    ],
)
def test_arithmetic_over_fields(text: str, expected: float) -> None:
    assert Expression.parse(text).evaluate(FIELDS.get) == expected


def test_names_lists_the_fields_read() -> None:
    assert Expression.parse("[Trước hạn] + dung_han * 2").names == {"Trước hạn", "dung_han"}


def test_a_blank_operand_makes_the_result_blank_never_zero() -> None:
    assert Expression.parse("truoc_han + missing").evaluate(FIELDS.get) is None


def test_division_by_zero_is_an_error() -> None:
    with pytest.raises(ExpressionError, match="division by zero"):
        Expression.parse("truoc_han / zero").evaluate(FIELDS.get)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('id')",
        "open('/etc/passwd')",
        "a.b",
        "a[0]",
        "a ** 2",
        "a // 2",
        "a % 2",
        "a if b else c",
        "lambda: 1",
        "'text' + a",
        "True + a",
        "a < b",
        "not a",
        "(a",
        "",
    ],
)
def test_anything_else_is_refused_at_config_time(text: str) -> None:
    with pytest.raises(ExpressionError):
        Expression.parse(text)
