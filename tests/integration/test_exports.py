"""Exports are built from the store, not from the browser: the server re-reads the table for
the scope and applies the grid's filter and sort; formula-like text is neutralised in CSV and
written as text in Excel; every export is in the audit log."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook

from dashboards import create_app
from feeds.runner import FeedRunner
from i18n.collation import natural_key
from settings import FeedConfig, load_settings
from store import Store
from store.accounts import Accounts
from store.records import Asset
from store.scope import Window, scope_within
from store.writer import Writer
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import client_for

pytestmark = pytest.mark.integration
EVIL = ['=HYPERLINK("http://x.invalid","evil")', "+evil", "-evil", "@evil", "\tevil", "\revil"]


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Any]:
    store: Store = request.getfixturevalue(f"{request.param}_store")
    feed = FeedConfig.model_validate(
        {"id": "simulator", "type": "simulator", "interval": 60, "options": {"backfill_days": 1}}
    )
    assert FeedRunner(store, [feed], clock=Clock()).run("simulator").status == "ok"
    evil = [
        Asset("health", "hospital", f"evil-{n}", name, FIXED_NOW, area="941", status="ok")
        for n, name in enumerate(EVIL)
    ]
    Writer(store.engine).write_records("simulator", evil, FIXED_NOW)
    path = tmp_path / "config.yaml"
    path.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    yield create_app(load_settings(path, env={}), store, clock=Clock())


def export_body(kind: str, filters: Any, state: Any, table: str = "facilities") -> dict:
    page = "health"

    def param(name: str, value: Any) -> dict:
        return {
            "id": {"page": page, "param": name, "type": "url-param"},
            "property": "value",
            "value": value,
        }

    grid = {"page": page, "type": "grid"}
    return {
        "output": '{"page":["MATCH"],"type":"download"}.data',
        "outputs": {"id": {"page": page, "type": "download"}, "property": "data"},
        "inputs": [
            {
                "id": {"page": page, "type": "export-csv"},
                "property": "n_clicks",
                "value": 1 if kind == "csv" else None,
            },
            {
                "id": {"page": page, "type": "export-xlsx"},
                "property": "n_clicks",
                "value": 1 if kind == "xlsx" else None,
            },
        ],
        "state": [
            {"id": grid, "property": "filterModel", "value": filters},
            {"id": grid, "property": "columnState", "value": state},
            param("area", "94"),
            param("window", "30d"),
            param("table", table),
        ],
        "changedPropIds": [f'{{"page":"{page}","type":"export-{kind}"}}.n_clicks'],
    }


def download(app: Any, body: dict) -> tuple[str, bytes]:
    client = client_for(app, "admin")
    response = client.post(
        "/_dash-update-component", json=body, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 200, response.data[:300]
    data = next(iter(json.loads(response.data)["response"].values()))["data"]
    return data["filename"], base64.b64decode(data["content"])


FILTER = {"name": {"filterType": "text", "type": "contains", "filter": "EVIL"}}
SORT_DESC = [{"colId": "name", "sort": "desc", "sortIndex": 0}]


def test_csv_is_reread_filtered_sorted_and_neutralised(app: Any) -> None:
    name, content = download(app, export_body("csv", FILTER, SORT_DESC))
    assert name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    names = [row[header.index("Tên")] for row in body]
    assert len(names) == len(EVIL)  # only the filtered rows, read by the server
    assert all(n.startswith("'") for n in names), names  # never a formula in a spreadsheet
    assert names == ["'" + n for n in sorted(EVIL, key=natural_key, reverse=True)]
    entries = Accounts(app.server.extensions["ioc"].store.engine).audit_entries().entries
    export = next(e for e in entries if e.action == "export")
    assert export.target == name and '"rows": 6' in export.detail and export.outcome == "success"


def test_excel_writes_formula_like_text_as_text(app: Any) -> None:
    name, content = download(app, export_body("xlsx", FILTER, None))
    assert name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("Tên")] for row in sheet.iter_rows(min_row=2)]
    assert sorted(c.value for c in cells) == sorted(EVIL)  # as written, nothing added
    assert all(c.data_type == "s" for c in cells)
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        xml = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere in the sheet


def test_without_a_filter_the_export_is_the_whole_table_of_the_scope(app: Any) -> None:
    _name, content = download(app, export_body("csv", None, None))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    svc = app.server.extensions["ioc"]
    facilities = svc.store.queries.assets(
        scope_within(svc.queries.areas.root, Window.named("30d", svc.clock())),
        "health",
        ("hospital", "district_health_centre", "commune_station"),
    )
    assert len(rows) - 1 == len(facilities)


@pytest.mark.parametrize(
    "filters, state",
    [
        ({"password_hash": {"filterType": "text", "type": "contains", "filter": "a"}}, None),
        ({"name": {"filterType": "text", "type": "regex", "filter": ".*"}}, None),
        ({"name": {"filterType": "number", "type": "greaterThan", "filter": 1}}, None),
        (None, [{"colId": "secret", "sort": "asc"}]),
        (None, [{"colId": "name", "sort": "sideways"}]),
    ],
    ids=["unknown-column", "unknown-operator", "number-on-text", "sort-unknown", "bad-sort"],
)
def test_unknown_columns_and_operators_are_refused(app: Any, filters: Any, state: Any) -> None:
    client = client_for(app, "admin")
    response = client.post(
        "/_dash-update-component",
        json=export_body("csv", filters, state),
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 400


def test_rows_sent_by_the_browser_are_not_accepted(app: Any) -> None:
    body = export_body("csv", None, None)
    grid = {"page": "health", "type": "grid"}
    body["state"].append({"id": grid, "property": "virtualRowData", "value": [{"name": "fake"}]})
    client = client_for(app, "admin")
    response = client.post(
        "/_dash-update-component", json=body, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 400
