"""The admins' audit page over HTTP on SQLite and PostgreSQL: filtered and paged on the server,
exported on the server with formula-looking cells neutralised, and refused to everyone else."""

from __future__ import annotations

import base64
import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dash import Dash

from access.audit import Action, AuditLog, Outcome
from dashboards import audit_log, create_app
from dashboards.pages import audit_page as page
from settings import load_settings
from store import Store
from store.accounts import Accounts, AuditFilter
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import client_for

pytestmark = pytest.mark.integration
CALLBACK = "/_dash-update-component"


@pytest.fixture
def app(store: Store, tmp_path: Path) -> Dash:
    config = tmp_path / "config.yaml"
    config.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    return create_app(load_settings(config, env={}), store, clock=Clock())


def _key(app: Dash, part: str) -> str:
    return next(k for k in app.callback_map if part in k)


def _values(action: Any = None, actor: Any = None, outcome: Any = None) -> list[dict[str, Any]]:
    return [
        {"id": page.ACTION, "property": "value", "value": action},
        {"id": page.ACTOR, "property": "value", "value": actor},
        {"id": page.OUTCOME, "property": "value", "value": outcome},
        {"id": page.DAYS, "property": "start_date", "value": None},
        {"id": page.DAYS, "property": "end_date", "value": None},
    ]


def _show(
    app: Dash, client: Any, trigger: str = "audit-action.value", page_no: int = 0, **f: Any
) -> Any:
    body = {
        "output": _key(app, "audit-pager.children"),
        "outputs": [
            {"id": page.GRID, "property": "rowData"},
            {"id": page.PAGER, "property": "children"},
            {"id": page.PAGE_NO, "property": "data"},
            {"id": page.PROBLEM, "property": "children"},
        ],
        "inputs": [
            *_values(**f),
            {"id": page.PREVIOUS, "property": "n_clicks", "value": None},
            {"id": page.NEXT, "property": "n_clicks", "value": None},
        ],
        "state": [{"id": page.PAGE_NO, "property": "data", "value": page_no}],
        "changedPropIds": [trigger],
    }
    return client.post(CALLBACK, json=body)


def _export(app: Dash, client: Any, **f: Any) -> Any:
    body = {
        "output": _key(app, "audit-download.data"),
        "outputs": {"id": page.DOWNLOAD, "property": "data"},
        "inputs": [{"id": page.EXPORT, "property": "n_clicks", "value": 1}],
        "state": _values(**f),
        "changedPropIds": ["audit-export.n_clicks"],
    }
    return client.post(CALLBACK, json=body)


def _seed(store: Store, count: int) -> None:
    accounts = Accounts(store.engine)
    audit = AuditLog(accounts, clock=lambda: FIXED_NOW - timedelta(hours=1))
    for n in range(count):
        audit.record(
            Action.SIGNIN_FAILURE,
            outcome=Outcome.FAILURE,
            actor=f"guess{n % 3}",
            ip="10.0.0.9",
            target=f"guess{n % 3}",
        )
    audit.record(
        Action.ACCESS_DENIED, outcome=Outcome.DENIED, actor='=HYPERLINK("x")', target="@SUM(1)"
    )


def test_admins_filter_and_page_the_log_on_the_server(app: Dash, store: Store) -> None:
    _seed(store, 120)
    admin = client_for(app, "admin")
    assert admin.get(page.PATH).status_code == 200
    first = _show(app, admin, action="signin.failure").get_json()["response"]
    rows = first['{"page":"audit","type":"audit-grid"}']["rowData"]
    # the grid names the action in the reader's language, never by its code
    assert len(rows) == audit_log.PAGE_SIZE
    assert {r["action"] for r in rows} == {"Đăng nhập thất bại"}
    assert first[page.PAGER]["children"] == "Trang 1/3 · 120 mục"
    third = _show(app, admin, "audit-next.n_clicks", 1, action="signin.failure").get_json()
    assert third["response"][page.PAGER]["children"] == "Trang 3/3 · 120 mục"
    assert len(third["response"]['{"page":"audit","type":"audit-grid"}']["rowData"]) == 20
    one = _show(app, admin, actor="guess1", outcome="failure").get_json()["response"]
    assert one[page.PAGER]["children"] == "Trang 1/1 · 40 mục"


def test_crafted_filters_get_a_plain_message(app: Dash) -> None:
    response = _show(app, client_for(app, "admin"), action="drop table")
    assert response.status_code == 200
    problem = response.get_json()["response"][page.PROBLEM]["children"]
    assert problem.startswith("Bộ lọc không hợp lệ")


@pytest.mark.parametrize("crafted", [{"outcome": ["x"]}, {"actor": {"$ne": 1}}])
def test_filters_of_the_wrong_type_are_refused(app: Dash, crafted: dict[str, Any]) -> None:
    """A dropdown or text box never sends a list or an object: the body checks refuse it."""
    assert _show(app, client_for(app, "admin"), **crafted).status_code == 400


def test_the_export_is_built_on_the_server_and_cannot_carry_formulas(
    app: Dash, store: Store
) -> None:
    _seed(store, 5)
    admin = client_for(app, "admin")
    response = _export(app, admin, outcome="denied")
    data = response.get_json()["response"][page.DOWNLOAD]["data"]
    text = base64.b64decode(data["content"]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Thời điểm" and len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("x")' and rows[1][5] == "'@SUM(1)"
    [exported] = Accounts(store.engine).audit_entries(AuditFilter(action="export")).entries
    assert exported.target == page.PATH


def test_everyone_else_gets_403_and_an_audit_entry(app: Dash, store: Store) -> None:
    for role, area in (("operator", None), ("leader", None), ("district", "941")):
        client = client_for(app, role, area)
        assert client.get(page.PATH).status_code == 403
        assert _show(app, client).status_code == 403
        assert _export(app, client).status_code == 403
        assert "nhat-ky" not in client.get("/_dash-layout").get_data(as_text=True)
    denied = Accounts(store.engine).audit_entries(AuditFilter(action="access.denied"))
    assert denied.total == 9


def test_neutralised_covers_every_formula_start() -> None:
    for start in audit_log.FORMULA_STARTS:
        assert audit_log.neutralised(f"{start}1+1") == f"'{start}1+1"
    assert audit_log.neutralised("lan") == "lan"
