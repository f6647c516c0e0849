"""Computed fields: a tiny safe expression language of + - * / over field names and numbers.

Parsed with `ast` and only these nodes are allowed, so nothing is ever evaluated as Python.
Field names that are not identifiers go in brackets: `[Trước hạn] + [Đúng hạn]`.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

Lookup = Callable[[str], float | None]
_BRACKETED = re.compile(r"\[([^\[\]]+)\]")
_OPERATORS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


class ExpressionError(ValueError):
    """An expression that is not in the language, or one that cannot be computed."""


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed expression; `names` are the fields it reads."""

    text: str
    tree: ast.expr
    placeholders: dict[str, str]

    @classmethod
    def parse(cls, text: str) -> Expression:
        placeholders: dict[str, str] = {}

        def hold(match: re.Match[str]) -> str:
            name = f"_field_{len(placeholders)}_"
            placeholders[name] = match[1].strip()
            return f" {name} "  # spaced, so "a[0]" cannot glue into one name

        source = _BRACKETED.sub(hold, text)
        try:
            tree = ast.parse(source.strip(), mode="eval").body
        except SyntaxError:
            raise ExpressionError(f"cannot parse expression {text!r}") from None
        _check(tree, text)
        return cls(text, tree, placeholders)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(
            self.placeholders.get(node.id, node.id)
            for node in ast.walk(self.tree)
            if isinstance(node, ast.Name)
        )

    def evaluate(self, lookup: Lookup) -> float | None:
        """The value, or None when a field it reads is blank (a blank is never 0)."""
        return self._eval(self.tree, lookup)

    def _eval(self, node: ast.expr, lookup: Lookup) -> float | None:
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, int | float)  # _check allows nothing else
            return float(node.value)
        if isinstance(node, ast.Name):
            return lookup(self.placeholders.get(node.id, node.id))
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand, lookup)
            return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
        assert isinstance(node, ast.BinOp)  # _check allows nothing else
        left, right = self._eval(node.left, lookup), self._eval(node.right, lookup)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div) and right == 0:
            raise ExpressionError(f"division by zero in {self.text!r}")
        return _OPERATORS[type(node.op)](left, right)


def _check(node: ast.expr, text: str) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"only numbers are allowed as constants in {text!r}")
    elif isinstance(node, ast.Name):
        return
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        _check(node.operand, text)
    elif isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        _check(node.left, text)
        _check(node.right, text)
    else:
        kind = type(node.op if isinstance(node, ast.BinOp | ast.UnaryOp) else node).__name__
        raise ExpressionError(
            f"{kind} is not allowed in {text!r} (only + - * / over field names and numbers)"
        )
