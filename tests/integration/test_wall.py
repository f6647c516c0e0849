"""The wall over HTTP on SQLite and PostgreSQL: its pages render, a refresh sends everything once
and then only what changed, and its alerts agree with direct SQL over the store."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from dashboards import payloads
from dashboards.alerts import current_alerts
from dashboards.context import feed_states, services
from store.records import Asset, Observation
from store.run_writes import RunOutcome
from store.scope import Window, local_midnight_utc, scope_within
from tests.conftest import FIXED_NOW
from tests.fixtures.auth import client_for
from tests.integration.test_pages import demo  # noqa: F401  (the shared demo fixture)
from ui.wall import alert_text

pytestmark = pytest.mark.integration
SPEC = {"playlist": "default", "screen": 1, "area": "94", "lang": "vi"}


def _post(client: Any, body: dict[str, Any]) -> Any:
    return client.post("/_dash-update-component", json=body)


def _slots(app: Any) -> tuple[list[int], list[int]]:
    with app.server.app_context():
        pages = services().settings.wall.playlists["default"].pages
    items = list(range(len(pages)))  # a map page's items are its legend
    return items, [i for i, p in enumerate(pages) if p.page == "map"]


def test_wall_page_renders_with_its_test_hooks(demo) -> None:  # noqa: F811
    app, _store = demo
    client = client_for(app)
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
    response = _post(client_for(app), payloads.router(path)).get_json()
    body = json.dumps(response, ensure_ascii=False)
    assert message in body and "default" in body


def test_refresh_sends_all_once_then_only_the_changed_tile(demo) -> None:  # noqa: F811
    app, store = demo
    client = client_for(app)
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
        scope = scope_within("94", Window.named("30d", FIXED_NOW))
        alerts = current_alerts(services().queries, scope, feed_states())
    found = {a.area: dict(a.params)["count"] for a in alerts if a.key.startswith("cameras:")}
    assert found == expected and expected
    ranks = [(a.severity != "critical") for a in alerts]
    assert ranks == sorted(ranks), "critical alerts come first"
    assert Counter(a.key for a in alerts).most_common(1)[0][1] == 1


def test_a_station_above_the_intrusion_level_is_a_critical_salinity_alert(demo) -> None:  # noqa: F811
    app, store = demo
    station = Asset(
        "environment",
        "salinity_station",
        "TEST-MAN-01",
        "Trạm thử Đại Ngãi",
        FIXED_NOW,
        "947",
        9.6,
        106.07,
        "ok",
        {"salinity_permille": 4.6},
    )
    watch = Asset(
        "environment", "salinity_station", "TEST-MAN-02", "Trạm thử 2", FIXED_NOW, "947",
        attributes={"salinity_permille": 1.2},
    )  # fmt: skip
    store.writer.write_records("simulator", [station, watch], FIXED_NOW + timedelta(seconds=2))
    with app.server.test_request_context():
        services().queries.cache.clear()
        alerts = current_alerts(
            services().queries, scope_within("94", Window.named("30d", FIXED_NOW)), feed_states()
        )
    found = {a.key: a for a in alerts}
    assert found["salinity:TEST-MAN-01"].severity == "critical"
    assert found["salinity:TEST-MAN-02"].severity == "warn"
    with app.server.test_request_context():
        text_vi = alert_text(found["salinity:TEST-MAN-01"], "vi")
    assert text_vi == "Độ mặn 4,60 ‰ tại Trạm thử Đại Ngãi (ngưỡng 4 ‰)"


def test_a_new_critical_alert_holds_the_rotation_for_max_hold_only(demo) -> None:  # noqa: F811
    app, store = demo
    client = client_for(app)
    items, maps = _slots(app)
    with app.server.app_context():
        clock = services().clock
        services().queries.cache.clear()
    start = clock.now
    try:
        first = _post(client, payloads.wall_refresh(SPEC, items, maps)).get_json()
        assert first["response"]["wall-sync"]["data"]["hold"] is None  # already showing: not new

        clock.now = start + timedelta(minutes=1)
        _finish_run(app, store, "failed", clock.now)
        second = _post(client, payloads.wall_refresh(SPEC, items, maps, tick=1)).get_json()
        alerts_page = 13  # a failing feed has no domain page: the alerts page holds
        assert second["response"]["wall-sync"]["data"]["hold"] == alerts_page

        clock.now = start + timedelta(minutes=7)  # past max_hold (5 min)
        third = _post(client, payloads.wall_refresh(SPEC, items, maps, tick=2)).get_json()
        assert third["response"]["wall-sync"]["data"]["hold"] is None
    finally:
        clock.now = start
        _finish_run(app, store, "ok", start + timedelta(minutes=8))


def _finish_run(app: Any, store: Any, status: str, at: datetime) -> None:
    run = store.writer.start_run("simulator", at)
    error = ("source_unavailable", "HTTP 503 from the test") if status == "failed" else (None, None)
    outcome = RunOutcome(status, 0, 0, 0, at, 5.0, *error)
    store.writer.finish_run(run, "simulator", outcome, [])
    with app.server.app_context():
        services().queries.cache.delete("data-version")  # skip the 1 s wait for the new version
