"""The wall over HTTP on SQLite and PostgreSQL: its pages render, a refresh sends everything once
and then only what changed, and its alerts agree with direct SQL over the store."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from dashboards import payloads
from dashboards.alerts import current_alerts
from dashboards.context import feed_states, services
from store.records import Observation
from store.scope import Scope, Window, local_midnight_utc
from tests.conftest import FIXED_NOW
from tests.integration.test_pages import demo  # noqa: F401  (the shared demo fixture)

pytestmark = pytest.mark.integration
SPEC = {"playlist": "default", "screen": 1, "area": "94", "lang": "vi"}


def _post(client: Any, body: dict[str, Any]) -> Any:
    return client.post("/_dash-update-component", json=body)


def _slots(app: Any) -> tuple[list[int], list[int]]:
    with app.server.app_context():
        pages = services().settings.wall.playlists["default"].pages
    items = [i for i, p in enumerate(pages) if p.page != "map"]
    return items, [i for i, p in enumerate(pages) if p.page == "map"]


def test_wall_page_renders_with_its_test_hooks(demo) -> None:  # noqa: F811
    app, _store = demo
    client = app.server.test_client()
    assert client.get("/wall/default").status_code == 200
    layout = _post(client, payloads.router("/wall/default")).get_data(as_text=True)
    for hook in ("wall-page-name", "alert-ticker", "connection-status", "wall-refresh"):
        assert hook in layout
    plan = json.loads(
        json.loads(layout)["response"]["_pages_content"]["children"]["props"]["data-plan"]
    )
    assert plan["dwells"][0] == 30 and len(plan["dwells"]) == 14 and plan["pinned"] is False


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/wall/nope", "Không có danh sách trình chiếu “nope”"),
        ("/wall/default/7", "Không có màn hình “7”"),
    ],
)
def test_unknown_playlist_or_screen_says_so(demo, path: str, message: str) -> None:  # noqa: F811
    app, _store = demo
    response = _post(app.server.test_client(), payloads.router(path)).get_json()
    body = json.dumps(response, ensure_ascii=False)
    assert message in body and "default" in body


def test_refresh_sends_all_once_then_only_the_changed_tile(demo) -> None:  # noqa: F811
    app, store = demo
    client = app.server.test_client()
    items, maps = _slots(app)
    first = _post(client, payloads.wall_refresh(SPEC, items, maps)).get_json()["response"]
    digests = first["wall-digests"]["data"]
    overview = first['{"slot":0,"type":"wall-items"}']["children"]
    assert len(overview) == 10 and all(t["props"]["data-kpi"] for t in overview)
    assert first["wall-sync"]["data"]["now"] == int(FIXED_NOW.timestamp() * 1000)

    again = _post(client, payloads.wall_refresh(SPEC, items, maps, digests, 1))
    changed = again.get_json()["response"] if again.status_code == 200 else {}
    assert set(changed) <= {"wall-sync"}, "nothing changed, only the clock is sent"

    day = local_midnight_utc(FIXED_NOW.date())
    with store.engine.connect() as conn:
        before = conn.execute(
            text(
                "SELECT o.value FROM observations o JOIN metrics m ON m.id = o.metric_id"
                " WHERE m.key = 'health.outpatient_visits' AND o.area_code = '94' AND o.dim = ''"
                " ORDER BY o.period_start DESC LIMIT 1"
            )
        ).scalar_one()
    visits = Observation("health.outpatient_visits", "94", day, before + 1)  # no new alert
    store.writer.write_records("simulator", [visits], FIXED_NOW + timedelta(seconds=1))
    with app.server.app_context():
        services().queries.cache.clear()  # the data version is re-read every second; skip the wait
    third = _post(client, payloads.wall_refresh(SPEC, items, maps, digests, 2)).get_json()
    patch = third["response"]['{"slot":0,"type":"wall-items"}']["children"]
    assert patch["__dash_patch_update"] == "__dash_patch_update"
    assert [op["location"] for op in patch["operations"]] == [[0]]
    sent = set(third["response"])
    assert sent == {
        '{"slot":0,"type":"wall-items"}',
        '{"slot":1,"type":"wall-items"}',
        "wall-digests",
        "wall-sync",
    }, "the overview and health pages changed; the ticker and other pages did not"
    assert len(json.dumps(third)) < 6_000


def test_alerts_list_offline_cameras_per_district_as_sql_counts(demo) -> None:  # noqa: F811
    app, store = demo
    with store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT d.code, COUNT(*) FROM assets a JOIN areas c ON c.code = a.area_code"
                " JOIN areas d ON d.code = c.parent_code"
                " WHERE a.domain = 'cameras' AND a.kind = 'camera' AND a.status = 'offline'"
                " GROUP BY d.code"
            )
        ).all()
    expected = dict(rows)
    with app.server.test_request_context():
        scope = Scope("94", Window.named("30d", FIXED_NOW))
        alerts = current_alerts(services().queries, scope, feed_states())
    found = {a.area: dict(a.params)["count"] for a in alerts if a.key.startswith("cameras:")}
    assert found == expected and expected
    ranks = [(a.severity != "critical") for a in alerts]
    assert ranks == sorted(ranks), "critical alerts come first"
    assert Counter(a.key for a in alerts).most_common(1)[0][1] == 1
