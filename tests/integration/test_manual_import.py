"""Manual import through the app's own callbacks on SQLite and PostgreSQL: upload → test (nothing
written) → import in the background (a recorded run of the feed, progress in the database) →
summary and rejects file; the same file again changes nothing; bad files are refused by name;
leader and district users get 403."""

from __future__ import annotations

import base64
import csv
import io
import json
import threading
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dash import Dash
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dashboards import create_app
from dashboards.guard import MAX_STRING
from dashboards.pages.import_page import STALL_GRACE_S
from feeds.manual_import import ENVELOPE_BYTES, MAX_INFLATION
from settings import load_settings
from store import Store
from store.accounts import Accounts, AuditFilter
from store.imports import Imports
from store.models import FeedImportRow, FeedRunRow, ObservationRow
from tests.conftest import Clock
from tests.fixtures.auth import client_for
from tests.fixtures.reports import ONE_STOP_ROWS, csv_text, to_cp1258, tourism_workbook
from tests.integration.test_tabular_feed import ONE_STOP, ONE_STOP_VALUES, TOURISM, stored

pytestmark = pytest.mark.integration
FEED = "bao_cao"
TOURISM_FEED = "du_lich"
PAGE = f"/nguon-du-lieu/nhap/{FEED}"
MAX_REQUEST = 256 * 1024
FORMULA = '=HYPERLINK("http://example.invalid","x")'
# The province's one-stop report with two rows the IOC refuses: an area name that is a
# spreadsheet formula, and a district that does not exist.
BAD_ROWS = [["4", FORMULA, "7", "8", "", "1", ""], ["5", "Huyện Vĩnh Hằng", "7", "8", "", "1", ""]]
REPORT_ROWS = ONE_STOP_ROWS[:10] + BAD_ROWS + ONE_STOP_ROWS[10:]
REPORT = to_cp1258(csv_text(REPORT_ROWS))


def _settings_file(tmp_path: Path) -> Path:
    feed = {
        "id": FEED,
        "type": "tabular_file",
        "interval": 86400,
        "timeout": 60,
        "options": {"path": str(tmp_path / "hop-thu" / "bao-cao.csv"), "mapping": ONE_STOP},
    }
    tourism = {
        "id": TOURISM_FEED,
        "type": "tabular_file",
        "interval": 86400,
        "options": {
            "url": "https://so-du-lich.example.invalid/bao-cao.xlsx",
            "mapping": TOURISM,
            "sheets": ["Tháng 10"],
        },
    }
    path = tmp_path / "config.yaml"
    path.write_text(
        "version: 1\ngeography:\n  directory: null\n"
        f"web:\n  max_request_bytes: {MAX_REQUEST}\n"
        f"feeds:\n  - {json.dumps(feed, ensure_ascii=False)}\n"
        f"  - {json.dumps(tourism, ensure_ascii=False)}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def app(store: Store, tmp_path: Path) -> Dash:
    return create_app(load_settings(_settings_file(tmp_path), env={}), store, clock=Clock())


@pytest.fixture
def operator(app: Dash) -> FlaskClient:
    return client_for(app, "operator")


# -- calling the page's callbacks as the browser does -----------------------------------------
def _callback_key(app: Dash, output: str) -> str:
    found = [
        k
        for k in app.callback_map
        if k.startswith((f"..{output}...", output)) and "callback" in app.callback_map[k]
    ]
    assert len(found) == 1, found
    return found[0]


def call(client: FlaskClient, app: Dash, output: str, inputs: list[Any], state: list[Any]) -> Any:
    """POST a callback request: `inputs`/`state` as (id, property, value)."""
    key = _callback_key(app, output)
    spec = app.callback_map[key]
    outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    body = {
        "output": key,
        "outputs": [{"id": o.component_id, "property": o.component_property} for o in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
    }
    if len(outputs) == 1:
        body["outputs"] = body["outputs"][0]
    return client.post("/_dash-update-component", json=body)


def data_url(data: bytes, mime: str = "text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def upload(
    client: FlaskClient, app: Dash, name: str, data: bytes | str, feed: str = FEED
) -> dict[str, Any]:
    contents = data if isinstance(data, str) else data_url(data)
    answer = call(
        client,
        app,
        "import-test.children",
        [("import-picked", "data", {"name": name, "at": 1})],
        [
            ("import-upload", "contents", contents),
            ("import-upload", "filename", name),
            ("import-feed", "data", feed),
        ],
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return answer.get_json()["response"]


def start(client: FlaskClient, app: Dash, import_id: str, feed: str = FEED) -> None:
    answer = call(
        client,
        app,
        "import-poll.disabled",
        [("import-start", "n_clicks", 1)],
        [("import-current", "data", import_id), ("import-feed", "data", feed)],
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.get_json()["response"]["import-poll"]["disabled"] is False
    for thread in threading.enumerate():  # the import runs in this process: wait for it
        if thread.name.startswith("import-"):
            thread.join(timeout=60)


def poll(client: FlaskClient, app: Dash, import_id: str, feed: str = FEED) -> dict[str, Any]:
    answer = call(
        client,
        app,
        "import-progress.value",
        [("import-poll", "n_intervals", 1)],
        [("import-current", "data", import_id), ("import-feed", "data", feed)],
    )
    assert answer.status_code == 200
    return answer.get_json()["response"]


def rejects_file(client: FlaskClient, app: Dash, import_id: str) -> str:
    answer = call(
        client,
        app,
        "import-download.data",
        [("import-rejects-download", "n_clicks", 1)],
        [("import-current", "data", import_id), ("import-feed", "data", FEED)],
    )
    assert answer.status_code == 200
    sent = answer.get_json()["response"]["import-download"]["data"]
    assert sent["filename"].endswith(".csv")
    return base64.b64decode(sent["content"]).decode("utf-8-sig")


def _texts(tree: Any) -> str:
    return json.dumps(tree, ensure_ascii=False)


def _prop(tree: Any, testid: str, prop: str) -> Any:
    """The property of the component carrying data-testid `testid` in a layout tree."""
    if isinstance(tree, list):
        for item in tree:
            found = _prop(item, testid, prop)
            if found is not None:
                return found
    elif isinstance(tree, dict):
        props = tree.get("props", {})
        if isinstance(props, dict) and props.get("data-testid") == testid:
            return props.get(prop)
        for value in props.values() if "props" in tree else tree.values():
            found = _prop(value, testid, prop)
            if found is not None:
                return found
    return None


def _count(store: Store, model: Any, **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


# -- the tests --------------------------------------------------------------------------------
def test_upload_test_import_and_import_again(
    app: Dash, operator: FlaskClient, store: Store, tmp_path: Path
) -> None:
    page = operator.get(PAGE)
    assert page.status_code == 200

    tested = upload(operator, app, "Báo cáo tháng 10.csv", REPORT)
    panel = tested["import-test"]["children"]
    import_id = tested["import-current"]["data"]
    assert isinstance(import_id, str) and tested["import-start"]["disabled"] is False
    assert _prop(panel, "import-test-totals", "data-records") == str(len(ONE_STOP_VALUES))
    assert _prop(panel, "import-test-totals", "data-rejected") == "2"
    text = _texts(panel)
    assert "Hồ sơ tiếp nhận" in text and "Huyện Vĩnh Hằng" in text
    assert "Báo cáo tháng 10.csv!12" in text  # reasons name the user's file, not the spool id
    assert import_id not in text
    # The test wrote nothing; the upload is spooled privately under its id, not its name.
    assert _count(store, ObservationRow) == 0 and _count(store, FeedRunRow) == 0
    spooled = list((tmp_path / "var" / "spool" / "imports").iterdir())
    assert [p.name for p in spooled] == [f"{import_id}.upload"]
    assert spooled[0].read_bytes() == REPORT and spooled[0].stat().st_mode & 0o077 == 0

    start(operator, app, import_id)
    assert not spooled[0].exists()  # once imported, only its rejects are kept
    shown = poll(operator, app, import_id)
    assert shown["import-progress"]["value"] == 100 and shown["import-progress"]["label"] == "100%"
    assert shown["import-poll"]["disabled"] is True
    summary = shown["import-summary"]["children"]
    assert _prop(summary, "import-summary-accepted", "children") == str(len(ONE_STOP_VALUES))
    assert _prop(summary, "import-summary-rejected", "children") == "2"
    assert _prop(summary, "import-summary-changed", "children") == str(len(ONE_STOP_VALUES))
    assert shown["import-rejects-download"]["style"] == {"display": "inline-block"}

    # One recorded run of the feed, the observations stored as the feed would store them.
    runs = store.queries.feed_runs(FEED, limit=10)
    assert [(r.status, r.accepted, r.rejected, r.changed) for r in runs] == [
        ("partial", len(ONE_STOP_VALUES), 2, len(ONE_STOP_VALUES))
    ]
    assert stored(store) == ONE_STOP_VALUES
    reasons = [reason for reason, _raw in store.queries.rejections(runs[0].run_id)]
    assert all(r.startswith("Báo cáo tháng 10.csv!") for r in reasons), reasons

    content = rejects_file(operator, app, import_id)
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert len(rows) == 3 and len(rows[0]) == 2
    assert any("Huyện Vĩnh Hằng" in row[0] for row in rows[1:])
    raws = [row[1] for row in rows[1:]]
    assert any(FORMULA.replace('"', '\\"') in raw for raw in raws)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    # The same file again: the test says it was imported; the import changes nothing.
    again = upload(operator, app, "Báo cáo tháng 10.csv", REPORT)
    assert _prop(again["import-test"]["children"], "import-already", "children")
    second = again["import-current"]["data"]
    assert second != import_id
    start(operator, app, second)
    summary = poll(operator, app, second)["import-summary"]["children"]
    assert _prop(summary, "import-summary-accepted", "children") == str(len(ONE_STOP_VALUES))
    assert _prop(summary, "import-summary-changed", "children") == "0"
    assert stored(store) == ONE_STOP_VALUES
    assert len(store.queries.feed_runs(FEED, limit=10)) == 2

    # A started import cannot be started again (a second click, another worker).
    start(operator, app, second)
    assert len(store.queries.feed_runs(FEED, limit=10)) == 2

    entries = Accounts(store.engine).audit_entries(AuditFilter(action="feed.import")).entries
    done = [json.loads(e.detail) for e in entries if '"stage": "import"' in e.detail]
    assert [(d["accepted"], d["rejected"], d["changed"]) for d in done] == [
        (len(ONE_STOP_VALUES), 2, 0),
        (len(ONE_STOP_VALUES), 2, len(ONE_STOP_VALUES)),
    ]
    assert all(d["file"] == "Báo cáo tháng 10.csv" and d["size"] == len(REPORT) for d in done)
    assert all(e.actor and e.target == FEED for e in entries)


def test_an_excel_report_is_imported(app: Dash, operator: FlaskClient, store: Store) -> None:
    tested = upload(operator, app, "Báo cáo du lịch T10.xlsx", tourism_workbook(), TOURISM_FEED)
    panel = tested["import-test"]["children"]
    assert _prop(panel, "import-test-totals", "data-records") == "4"
    assert _prop(panel, "import-test-totals", "data-rejected") == "0"
    start(operator, app, tested["import-current"]["data"], TOURISM_FEED)
    shown = poll(operator, app, tested["import-current"]["data"], TOURISM_FEED)
    assert shown["import-progress"]["value"] == 100
    assert shown["import-rejects-download"]["style"] == {"display": "none"}  # nothing to fetch
    runs = store.queries.feed_runs(TOURISM_FEED, limit=5)
    assert [(r.status, r.accepted, r.changed) for r in runs] == [("ok", 4, 4)]
    assert _count(store, ObservationRow, feed_id=TOURISM_FEED) == 4


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


BOMB = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * 40_000_000})
LIMIT = (MAX_REQUEST - ENVELOPE_BYTES) * 3 // 4
BAD_FILES = {
    "empty": ("trong.csv", b""),
    "wrong_type": ("anh.pdf", b"%PDF-1.4 ..."),
    "old_excel": ("cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
    "html": ("xuat.xls", b"<html><table><tr><td>1</td></tr></table></html>"),
    "not_workbook": ("nen.xlsx", _zip({"readme.txt": b"not a workbook"})),
    "zip_bomb": ("bom.xlsx", BOMB),
    "corrupt": ("hong.xlsx", b"this is not a zip archive at all"),
    "too_big": ("lon.csv", b"a;b\r\n" + b"1;2\r\n" * (LIMIT // 5 + 10)),
}


@pytest.mark.parametrize("problem", sorted(BAD_FILES))
def test_bad_files_are_refused_with_their_reason(
    problem: str, app: Dash, operator: FlaskClient, store: Store, tmp_path: Path
) -> None:
    name, data = BAD_FILES[problem]
    if problem == "zip_bomb":
        assert len(BOMB) * MAX_INFLATION < 40_000_000 and len(BOMB) < LIMIT
    tested = upload(operator, app, name, data)
    panel = tested["import-test"]["children"]
    assert _prop(panel, "import-refused", "data-problem") == problem
    assert tested["import-current"]["data"] is None and tested["import-start"]["disabled"]
    assert not (tmp_path / "var" / "spool").exists()  # nothing refused is kept
    assert _count(store, FeedImportRow) == 0
    entry = Accounts(store.engine).audit_entries(AuditFilter(action="feed.import")).entries[0]
    assert entry.outcome == "failure" and f'"refused": "{problem}"' in entry.detail


def test_an_unreadable_workbook_and_a_broken_data_url(
    app: Dash, operator: FlaskClient, store: Store
) -> None:
    broken = _zip({"xl/workbook.xml": b"<not-xml", "[Content_Types].xml": b"<x/>"})
    panel = upload(operator, app, "hong.xlsx", broken)["import-test"]["children"]
    assert _prop(panel, "import-test-error", "data-kind") == "bad_data"
    assert "hong.xlsx" in _texts(panel)
    garbage = upload(operator, app, "x.csv", "data:text/csv;base64,@@@not base64@@@")
    assert _prop(garbage["import-test"]["children"], "import-refused", "data-problem") == "corrupt"
    assert _count(store, ObservationRow) == 0


def test_the_request_guard_takes_files_only_as_data_urls(app: Dash, operator: FlaskClient) -> None:
    rows = [[str(n), f"Huyện số {n}", "1", "2", "", "0", ""] for n in range(200)]
    long_url = data_url(to_cp1258(csv_text(ONE_STOP_ROWS[:10] + rows + ONE_STOP_ROWS[10:])))
    assert len(long_url) > MAX_STRING  # a file is the one string longer than the bound
    assert upload(operator, app, "r.csv", long_url)["import-current"]["data"]
    answer = call(
        operator,
        app,
        "import-test.children",
        [("import-picked", "data", {"name": "r.csv", "at": 1})],
        [
            ("import-upload", "contents", "x" * (MAX_STRING + 1)),
            ("import-upload", "filename", "r.csv"),
            ("import-feed", "data", FEED),
        ],
    )
    assert answer.status_code == 400


@pytest.mark.parametrize("role,area", [("leader", None), ("district", "941")])
def test_leader_and_district_users_are_refused(
    app: Dash, store: Store, role: str, area: str | None
) -> None:
    client = client_for(app, role, area)
    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE + "/").status_code == 403
    answer = call(
        client,
        app,
        "import-test.children",
        [("import-picked", "data", {"name": "r.csv", "at": 1})],
        [
            ("import-upload", "contents", data_url(REPORT)),
            ("import-upload", "filename", "r.csv"),
            ("import-feed", "data", FEED),
        ],
    )
    assert answer.status_code == 403
    assert _count(store, FeedImportRow) == 0


def test_an_unknown_feed_has_no_import(app: Dash, operator: FlaskClient) -> None:
    answer = operator.post(
        "/_dash-update-component",
        json={
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [
                {"id": "_pages_content", "property": "children"},
                {"id": "_pages_store", "property": "data"},
            ],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": "/nguon-du-lieu/nhap/x"},
                {"id": "_pages_location", "property": "search", "value": ""},
            ],
            "changedPropIds": ["_pages_location.pathname"],
            "state": [],
        },
    )
    assert answer.status_code == 200
    assert "import-unknown-feed" in answer.get_data(as_text=True)


def test_a_feed_made_in_the_console_is_importable_until_deleted(
    app: Dash, operator: FlaskClient, store: Store
) -> None:
    entry = {
        "id": "ks_console",
        "type": "tabular_file",
        "interval": 3600,
        "options": {"url": "https://ke-sach.example.invalid/bao-cao.csv", "mapping": ONE_STOP},
    }
    made = store.feed_defs.create(entry, by="tests")
    tested = upload(operator, app, "ke-sach.csv", REPORT, "ks_console")
    assert _prop(tested["import-test"]["children"], "import-test-totals", "data-records") == "4"
    assert operator.get("/nguon-du-lieu/nhap/ks_console").status_code == 200
    store.feed_defs.delete("ks_console", expected_version=made.version, by="tests")
    answer = call(
        operator,
        app,
        "import-test.children",
        [("import-picked", "data", {"name": "ke-sach.csv", "at": 2})],
        [
            ("import-upload", "contents", data_url(REPORT)),
            ("import-upload", "filename", "ke-sach.csv"),
            ("import-feed", "data", "ks_console"),
        ],
    )
    assert answer.status_code in (200, 204)
    sent = answer.get_json(silent=True) or {}
    assert "import-current" not in sent.get("response", {})  # a deleted feed takes no upload
    assert _count(store, FeedImportRow) == 1


def test_an_import_whose_process_died_is_marked_interrupted(
    app: Dash, operator: FlaskClient, store: Store
) -> None:
    tested = upload(operator, app, "r.csv", REPORT)
    import_id = tested["import-current"]["data"]
    clock = app.server.extensions["ioc"].clock
    assert Imports(store.engine).claim(import_id, by="a-worker-that-dies", at=clock())
    assert poll(operator, app, import_id)["import-poll"]["disabled"] is False  # still running
    clock.now += timedelta(seconds=60 + STALL_GRACE_S + 1)  # the feed's timeout, then grace
    shown = poll(operator, app, import_id)
    assert shown["import-poll"]["disabled"] is True
    assert shown["import-progress"]["color"] == "danger"
    assert "khởi động lại" in _texts(shown["import-summary"]["children"])
    assert Imports(store.engine).get(import_id).status == "failed"  # type: ignore[union-attr]
