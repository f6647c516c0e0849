"""Scope is built in one place: no `Scope(...)` call, and no `replace(..., allowed=...)`,
anywhere in the repository but the module that folds the permitted area in. The one read above
a caller's own area, the province's public aggregates, is a `ProvinceContext` built only by
`Scope.province_context`, and only `store.province_context` turns it into a scope."""

from __future__ import annotations

import ast
import inspect
from datetime import UTC, datetime
from pathlib import Path

import pytest

from store.catalog import METRICS
from store.scope import (
    NOWHERE,
    ProvinceContext,
    Scope,
    ScopeError,
    Window,
    scope_within,
)

ROOT = Path(__file__).resolve().parents[2]
CONSTRUCTOR = ROOT / "store" / "scope.py"
# The only module that may turn a province context into the province-wide scope it reads with.
PROVINCE_READER = ROOT / "store" / "province_context.py"
WIDENERS = ("Scope", "ProvinceContext")
SKIPPED = {".venv", "node_modules", ".git", "var", "migrations"}
WINDOW = Window.named("7d", datetime(2026, 11, 20, 3, tzinfo=UTC))


def _sources() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED.intersection(path.relative_to(ROOT).parts) and path != CONSTRUCTOR
    ]


def _called(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _builds_scope(node: ast.AST, reader: bool = False) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = _called(node)
    if name in WIDENERS or (name == "province_scope" and not reader):
        return True
    # dataclasses.replace(scope / context, allowed=... / keys=...) would widen one without
    # the constructor
    return name == "replace" and any(k.arg in ("allowed", "keys") for k in node.keywords)


def scope_builders(source: str, reader: bool = False) -> list[int]:
    return [n.lineno for n in ast.walk(ast.parse(source)) if _builds_scope(n, reader)]


def test_no_scope_is_built_outside_its_constructor() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _sources()
        for line in scope_builders(path.read_text(encoding="utf-8"), path == PROVINCE_READER)
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
        "ProvinceContext(window=w, keys=('cameras.total',))",
        "province_scope(context, '94')",
        "store.scope.province_scope(c, areas.root)",
        "replace(context, keys=('feedback.received',))",
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


def test_only_the_store_reads_a_province_context() -> None:
    """The scan lets the store's province reader call `province_scope`, and nobody else."""
    source = "province_scope(context, '94')"
    assert scope_builders(source, reader=True) == []
    assert scope_builders(source) == [1]
    reader = PROVINCE_READER.read_text(encoding="utf-8")
    assert "province_scope(" in reader  # the exemption is for a module that uses it


PUBLIC = next(m.key for m in METRICS if m.public)
PRIVATE = next(m.key for m in METRICS if not m.public)


def test_a_district_scope_reads_public_province_totals_only() -> None:
    district = scope_within("941", WINDOW)
    context = district.at("31498").province_context([PUBLIC])
    assert (context.keys, context.window) == ((PUBLIC,), WINDOW)
    assert not isinstance(context, Scope)  # it permits no other read
    for keys in ([PRIVATE], [PUBLIC, PRIVATE], ["no.such_metric"], [None]):
        with pytest.raises(ScopeError, match="not public"):
            district.province_context(keys)  # type: ignore[arg-type]


def test_nothing_permitted_reads_no_province_total() -> None:
    with pytest.raises(ScopeError, match="nothing is permitted"):
        scope_within(None, WINDOW).province_context([PUBLIC])


def test_a_context_built_by_hand_is_still_only_public() -> None:
    built = type(scope_within("941", WINDOW).province_context([PUBLIC]))  # the scan forbids
    assert built is ProvinceContext  # naming it here, so reach it through a real one
    with pytest.raises(ScopeError, match="not public"):
        built(window=WINDOW, keys=(PRIVATE,))
