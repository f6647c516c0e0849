"""Scope is built in one place: no `Scope(...)` call, and no `replace(..., allowed=...)`,
anywhere in the repository but the module that folds the permitted area in."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime
from pathlib import Path

import pytest

from store.scope import NOWHERE, Scope, ScopeError, Window, scope_within

ROOT = Path(__file__).resolve().parents[2]
CONSTRUCTOR = ROOT / "store" / "scope.py"
SKIPPED = {".venv", "node_modules", ".git", "var", "migrations"}
WINDOW = Window.named("7d", datetime(2026, 11, 20, 3, tzinfo=UTC))


def _sources() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED.intersection(path.relative_to(ROOT).parts) and path != CONSTRUCTOR
    ]


def _builds_scope(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name == "Scope":
        return True
    # dataclasses.replace(scope, allowed=...) would widen a scope without the constructor
    return name == "replace" and any(k.arg == "allowed" for k in node.keywords)


def scope_builders(source: str) -> list[int]:
    return [n.lineno for n in ast.walk(ast.parse(source)) if _builds_scope(n)]


def test_no_scope_is_built_outside_its_constructor() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _sources()
        for line in scope_builders(path.read_text(encoding="utf-8"))
    ]
    assert len(_sources()) > 100  # the scan does see the repository
    assert found == [], "build scopes with store.scope.scope_within, derive with .at/.during"


@pytest.mark.parametrize(
    "source",
    [
        "Scope('94', w)",
        "store.scope.Scope(area, w, None)",
        "dataclasses.replace(s, allowed='94')",
        "replace(s, area='941', allowed=x)",
    ],
)
def test_the_scan_sees_every_way_of_building_one(source: str) -> None:
    assert scope_builders(source) == [1]


def test_the_scan_lets_derivations_pass() -> None:
    assert scope_builders("scope.at('941').during(w); replace(s, area='9')") == []


def test_nothing_permitted_is_representable_and_has_no_area() -> None:
    nothing = scope_within(None, WINDOW, "941")
    assert nothing.permits_nothing and nothing.area == NOWHERE
    with pytest.raises(ScopeError):
        nothing.at_root()


def test_the_whole_province_is_explicit() -> None:
    whole = scope_within("94", WINDOW)
    assert (whole.area, whole.allowed) == ("94", "94")
    narrowed = whole.at("941").during(WINDOW.previous())
    assert (narrowed.area, narrowed.allowed, narrowed.window) == ("941", "94", WINDOW.previous())
    assert narrowed.at_root().area == "94"
    # no default: a scope never covers the province because something was left out
    assert inspect.signature(Scope).parameters["allowed"].default is inspect.Parameter.empty
