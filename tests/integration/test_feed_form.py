"""The feed form through the app's own callbacks on SQLite and PostgreSQL: test before saving
(nothing written), create, edit of a provisioned feed (an override, then revert), optimistic
locking (a stale save loses nothing), literal secrets refused, and operators only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from access.audit import AuditLog
from dashboards import create_app, payloads
from dashboards import feed_form_view as view
from dashboards.pages import feed_form_page as page
from feeds.console import save_feed
from feeds.definitions import provision
from settings import load_settings
from store import Store
from store.accounts import Accounts
from store.models import FeedRunRow, ObservationRow
from tests.conftest import Clock
from tests.fixtures import payload_json
from tests.fixtures.auth import client_for
from tests.fixtures.http_server import Route, serve

pytestmark = pytest.mark.integration

MAPPING = (
    "records: ''\n"
    "area: {code: area}\n"
    "period: {field: ts, format: iso8601}\n"
    "observations: [{metric_field: metric, field: value}]\n"
)
TOKEN = "tok-3c1a9e77"


@pytest.fixture(autouse=True)
def token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORM_TOKEN", TOKEN)


@pytest.fixture
def source() -> Iterator[Any]:
    payload = payload_json("mixed_batch.json")
    with serve({"/api": Route.json(payload)}) as server:
        yield server


def _app(store: Store, tmp_path: Path, feeds_yaml: str = "") -> Any:
    path = tmp_path / "config.yaml"
    text = "version: 1\ngeography:\n  directory: null\n"
    path.write_text(text + (f"feeds:\n{feeds_yaml}" if feeds_yaml else ""), encoding="utf-8")
    settings = load_settings(path, env={"FORM_TOKEN": TOKEN})
    provision(store, settings)
    return create_app(settings, store, clock=Clock())


def _key(app: Any, needle: str) -> str:
    return next(k for k in app.callback_map if needle in k and "callback" in app.callback_map[k])


def act(
    app: Any,
    client: Any,
    trigger: str,
    feed_type: str,
    values: dict[str, Any],
    meta: dict[str, Any],
    unions: dict[str, Any] | None = None,
    messages: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One click on Test or Save, as the browser sends it; the answer's outputs by id."""
    body = {
        "output": _key(app, "feedform-result.children"),
        "outputs": [
            {"id": page.RESULT, "property": "children"},
            {"id": page.STATUS, "property": "children"},
            [{"id": view.message_id(p), "property": "children"} for p in messages],
            {"id": page.META, "property": "data"},
            {"id": page.RUN, "property": "disabled"},
        ],
        "inputs": [
            {"id": page.TEST, "property": "n_clicks", "value": 1 if trigger == page.TEST else None},
            {"id": page.SAVE, "property": "n_clicks", "value": 1 if trigger == page.SAVE else None},
        ],
        "state": [
            {"id": page.TYPE, "property": "value", "value": feed_type},
            [{"id": view.field_id(p), "property": "value", "value": v} for p, v in values.items()],
            [
                {"id": view.union_id(p), "property": "value", "value": v}
                for p, v in (unions or {}).items()
            ],
            {"id": page.META, "property": "data", "value": meta},
        ],
        "changedPropIds": [f"{trigger}.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code in (200, 204), response.get_data(as_text=True)[:500]
    if response.status_code == 204:
        return {}
    return response.get_json()["response"]


def text_of(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def count(store: Store, model: Any) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def rest_values(url: str, feed_id: str = "lgsp") -> dict[str, Any]:
    return {
        "id": feed_id,
        "interval": "5m",
        "enabled": True,
        "options.url": url,
        "options.headers": "X-Api-Key: ${FORM_TOKEN}\n",
        "options.mapping": MAPPING,
        "options.auth.token": "${FORM_TOKEN}",
    }


BEARER = {"options.auth": "bearer"}
NEW = {"feed_id": None, "version": None}


def test_test_before_saving_shows_records_and_rejects_and_writes_nothing(
    store: Store, tmp_path: Path, source: Any
) -> None:
    app = _app(store, tmp_path)
    client = client_for(app, "operator")
    runs, rows = count(store, FeedRunRow), count(store, ObservationRow)
    out = act(app, client, page.TEST, "http_json", rest_values(source.url("/api")), NEW, BEARER)
    result = text_of(out[page.RESULT]["children"])
    assert "feed-test-ok" in result and "feed-test-records" in result
    assert "health.outpatient_visits" in result  # a record as it would be stored
    assert "feed-test-rejected" in result and "Tỉnh Sóc Trăng" in result
    assert TOKEN not in result
    assert source.last_headers("/api")["authorization"] == f"Bearer {TOKEN}"
    assert store.feed_defs.get("lgsp") is None
    assert (count(store, FeedRunRow), count(store, ObservationRow)) == (runs, rows)


def test_invalid_form_gets_messages_next_to_fields_in_both_languages(
    store: Store, tmp_path: Path, source: Any
) -> None:
    app = _app(store, tmp_path)
    client = client_for(app, "operator")
    values = {
        **rest_values(source.url("/api")),
        "interval": "3",
        "options.url": "ftp://x",
        "options.auth.token": "plain-secret-value",
    }
    paths = ("interval", "options.url", "options.auth.token", "id")
    out = act(app, client, page.TEST, "http_json", values, NEW, BEARER, paths)
    shown = {  # pattern outputs come back keyed by their id
        json.loads(k)["path"]: v["children"] for k, v in out.items() if k.startswith("{")
    }
    assert "10 s" in text_of(shown["interval"])
    assert "http://" in text_of(shown["options.url"])
    assert "${" in text_of(shown["options.auth.token"])
    assert shown["id"] is None
    assert "plain-secret-value" not in text_of(out)
    assert store.feed_defs.get("lgsp") is None


def test_create_then_stale_edit_keeps_what_was_typed(
    store: Store, tmp_path: Path, source: Any
) -> None:
    app = _app(store, tmp_path)
    client = client_for(app, "operator")
    values = rest_values(source.url("/api"))
    out = act(app, client, page.SAVE, "http_json", values, NEW, BEARER)
    assert "feed-saved" in text_of(out[page.STATUS]["children"])
    saved = store.feed_defs.get("lgsp")
    assert (
        saved is not None
        and saved.origin == "console"
        and saved.version == out[page.META]["data"]["version"]
    )
    assert saved.config["options"]["auth"] == {"type": "bearer", "token": "${FORM_TOKEN}"}
    assert saved.config["options"]["headers"] == {"X-Api-Key": "${FORM_TOKEN}"}
    assert out[page.RUN]["disabled"] is False
    opened = out[page.META]["data"]
    # someone else saves meanwhile
    other = dict(saved.config, interval=900)
    save_feed(
        store, AuditLog(Accounts(store.engine)), "ops2", other, expected_version=saved.version
    )
    mine = {**values, "interval": "1h"}
    out = act(app, client, page.SAVE, "http_json", mine, opened, BEARER, ("interval",))
    status = text_of(out[page.STATUS]["children"])
    assert "feed-stale" in status and "ops2" in status
    assert "feedform-body" not in out  # the fields are not touched: nothing typed is lost
    assert store.feed_defs.get("lgsp").config["interval"] == 900  # type: ignore[union-attr]
    # reopened at the current version, the same save goes through
    current = store.feed_defs.get("lgsp")
    assert current is not None
    again = {"feed_id": "lgsp", "version": current.version}
    out = act(app, client, page.SAVE, "http_json", mine, again, BEARER)
    assert "feed-saved" in text_of(out[page.STATUS]["children"])
    assert store.feed_defs.get("lgsp").config["interval"] == 3600  # type: ignore[union-attr]


def test_provisioned_feed_edit_is_an_override_and_reverts(
    store: Store, tmp_path: Path, source: Any
) -> None:
    feeds_yaml = (
        "  - id: lgsp\n    type: http_json\n    interval: 10m\n    options:\n"
        f'      url: "{source.url("/api")}"\n'
        "      auth: {type: bearer, token: '${FORM_TOKEN}'}\n"
        "      mapping:\n" + "".join(f"        {line}\n" for line in MAPPING.splitlines())
    )
    app = _app(store, tmp_path, feeds_yaml)
    client = client_for(app, "operator")
    layout = client.post("/_dash-update-component", json=payloads.router("/nguon-du-lieu/sua/lgsp"))
    shown = text_of(layout.get_json())
    assert "feed-origin" in shown and "Từ tệp cấu hình" in shown
    assert TOKEN not in shown and "${FORM_TOKEN}" in shown  # a reference, never its value
    assert "feed-revert" not in shown
    opened = store.feed_defs.get("lgsp")
    assert opened is not None and opened.origin == "file" and not opened.overridden
    meta = {"feed_id": "lgsp", "version": opened.version}
    values = {**rest_values(source.url("/api")), "interval": "15m"}
    values.pop("options.headers")
    out = act(app, client, page.TEST, "http_json", values, meta, BEARER)
    assert "feed-test-ok" in text_of(out[page.RESULT]["children"])  # a provisioned feed tests too
    out = act(app, client, page.SAVE, "http_json", values, meta, BEARER)
    edited = store.feed_defs.get("lgsp")
    assert edited is not None and edited.overridden and edited.config["interval"] == 900
    layout = client.post("/_dash-update-component", json=payloads.router("/nguon-du-lieu/sua/lgsp"))
    assert "feed-revert" in text_of(layout.get_json())
    revert = {
        "output": _key(app, "feedform-go.href"),
        "outputs": [
            {"id": page.GO, "property": "href"},
            {"id": page.STATUS, "property": "children"},
        ],
        "inputs": [{"id": page.REVERT, "property": "n_clicks", "value": 1}],
        "state": [
            {
                "id": page.META,
                "property": "data",
                "value": {"feed_id": "lgsp", "version": edited.version},
            }
        ],
        "changedPropIds": [f"{page.REVERT}.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=revert)
    assert response.status_code == 200
    reverted = store.feed_defs.get("lgsp")
    assert reverted is not None and not reverted.overridden and reverted.config["interval"] == 600


def test_leader_and_district_users_cannot_open_or_call_the_form(
    store: Store, tmp_path: Path, source: Any
) -> None:
    app = _app(store, tmp_path)
    for role, area in (("leader", None), ("district", "941")):
        client = client_for(app, role, area)
        assert client.get("/nguon-du-lieu/moi").status_code == 403
        assert client.get("/nguon-du-lieu/sua/lgsp").status_code == 403
        body = {
            "output": _key(app, "feedform-result.children"),
            "outputs": [],
            "inputs": [],
            "changedPropIds": [],
        }
        assert client.post("/_dash-update-component", json=body).status_code == 403
        layout = client.post(
            "/_dash-update-component", json=payloads.router("/nguon-du-lieu/sua/x")
        )
        assert "feed-form" not in text_of(layout.get_json())
    assert store.feed_defs.get("lgsp") is None
    operator = client_for(app, "operator")
    assert operator.get("/nguon-du-lieu/sua/lgsp").status_code == 200
