"""A detail table exported as a file: rows re-read from the store for the user's scope,
filtered and sorted like the grid, each export written to the audit log."""

from __future__ import annotations

from typing import Any

from dash import dcc
from flask import has_request_context, request

from access.audit import Action, AuditLog, Outcome
from access.current import current_visitor
from dashboards.context import services
from dashboards.grid_model import apply_model
from dashboards.rows import table_rows
from dashboards.specs import PageSpec, Table
from store.accounts import Accounts
from store.scope import Scope
from ui.export import exported, to_csv, to_xlsx


def export_table(
    spec: PageSpec, table: Table, scope: Scope, lang: str, kind: str, filters: Any, state: Any
) -> dict[str, Any]:
    """The file (for dcc.Download) of the table as the grid shows it."""
    columns, rows = table_rows(table, spec.domain_key, scope, lang)
    shown = apply_model(exported(columns), rows, filters, state)
    name = f"{spec.domain.slug}-{table.key}-{scope.area}-{scope.window.name}.{kind}"
    if kind == "csv":
        content = to_csv(columns, shown, lang)
    else:
        content = to_xlsx(columns, shown, lang, table.title_en if lang == "en" else table.title_vi)
    _audit(name, kind, len(shown), scope, filters)
    return dcc.send_bytes(content, name)


def _audit(name: str, kind: str, count: int, scope: Scope, filters: Any) -> None:
    visitor = current_visitor()
    detail = {
        "format": kind,
        "rows": count,
        "area": scope.area,
        "window": scope.window.name,
        "filtered": sorted(filters) if isinstance(filters, dict) else [],
    }
    AuditLog(Accounts(services().store.engine), services().clock).record(
        Action.EXPORT,
        outcome=Outcome.SUCCESS,
        actor=visitor.name if visitor else None,
        ip=request.remote_addr if has_request_context() else None,
        target=name,
        detail=detail,
    )
