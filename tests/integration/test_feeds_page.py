"""The feed board on SQLite and PostgreSQL: states from stored health and runs, late and
failing first, lag against the interval, 7-day timelines bucketed by local day, the quality
score; the run history's filters and paging; operators only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboards import create_app, payloads
from dashboards.feed_board import BoardState
from dashboards.feed_summary import FeedStatus
from dashboards.pages import feeds_page
from dashboards.run_history import PAGE_SIZE, parse_history
from settings import load_settings
from store import Store
from store.feed_board import FeedBoard, RunFilter
from store.records import Rejection
from store.reference_writes import FeedSpec
from store.run_writes import KeptPayload, RunOutcome
from tests.conftest import FIXED_NOW, Clock
from tests.fixtures.auth import client_for

pytestmark = pytest.mark.integration
NOW = FIXED_NOW  # 2026-11-20 10:30 in Sóc Trăng


def _run(
    store: Store,
    feed: str,
    started: datetime,
    status: str,
    *,
    accepted: int = 3,
    rejected: int = 1,
    changed: int = 0,
    error: str = "HTTP 503",
    rejections: tuple[Rejection, ...] = (),
) -> int:
    run = store.writer.start_run(feed, started)
    failure = ("unavailable", error) if status == "failed" else (None, None)
    outcome = RunOutcome(
        status,
        0 if status == "failed" else accepted,
        rejected,
        changed,
        started + timedelta(seconds=3),
        3000.0,
        *failure,
    )
    store.writer.finish_run(run, feed, outcome, list(rejections))
    return run


@pytest.fixture
def feeds(store: Store) -> Store:
    store.writer.sync_feeds(
        [
            FeedSpec("fresh", "http_json", 60, True, False),
            FeedSpec("late", "http_json", 60, True, False),
            FeedSpec("broken", "http_json", 300, True, False),
            FeedSpec("off", "http_json", 60, False, False),
            FeedSpec("loading", "simulator", 60, True, True),
            FeedSpec("daily", "tabular_file", 86400, True, False),
        ]
    )
    _run(store, "fresh", NOW - timedelta(minutes=10), "ok", accepted=7, changed=5)
    _run(store, "fresh", NOW - timedelta(seconds=50), "ok", accepted=9, changed=7)
    _run(store, "late", NOW - timedelta(hours=2), "ok", changed=4)
    _run(store, "broken", NOW - timedelta(hours=1), "ok", changed=9)
    for minutes in (15, 10, 5):
        _run(store, "broken", NOW - timedelta(minutes=minutes), "failed", rejected=0)
    store.writer.start_run("loading", NOW - timedelta(seconds=20))  # its first run, still going
    # One run a day at 00:30 local time (17:30 UTC the day before) for the last 7 days, the
    # one three days ago failed: each lands on its local day, not its UTC day.
    for days_ago in range(6, -1, -1):  # oldest first, as they ran
        started = datetime(2026, 11, 19 - days_ago, 17, 30, tzinfo=UTC)
        if days_ago == 3:
            _run(store, "daily", started, "failed", rejected=0)
        else:
            _run(store, "daily", started, "ok", accepted=90, rejected=10)
    return store


def _app(store: Store, tmp_path: Path) -> Any:
    return create_app(_settings(tmp_path), store, clock=Clock(NOW))


def test_board_states_and_order_late_and_failing_first(feeds: Store, tmp_path: Path) -> None:
    app = _app(feeds, tmp_path)
    with app.server.test_request_context("/nguon-du-lieu"):
        rows = feeds_page.current_rows()
    assert [(r.feed_id, r.state) for r in rows] == [
        ("broken", BoardState.FAILING),
        ("late", BoardState.LATE),
        ("loading", BoardState.RUNNING),
        ("fresh", BoardState.ON_TIME),  # 0.8 of its interval since its last success
        ("daily", BoardState.ON_TIME),  # 0.4 of its interval
        ("off", BoardState.DISABLED),
    ]
    by_id = {r.feed_id: r for r in rows}
    assert by_id["loading"].summary.status is FeedStatus.FIRST_LOAD
    fresh, broken, late = by_id["fresh"].summary, by_id["broken"].summary, by_id["late"].summary
    assert (fresh.rows_accepted, fresh.rows_rejected, fresh.rows_changed) == (9, 1, 7)
    assert fresh.next_run == NOW - timedelta(seconds=47) + timedelta(minutes=1)
    assert broken.consecutive_failures == 3 and by_id["broken"].error == "HTTP 503"
    assert broken.rows_changed == 0  # its last finished run failed and wrote nothing
    assert late.lag == timedelta(hours=2) - timedelta(seconds=3)
    assert by_id["late"].lag_ratio == pytest.approx((7200 - 3) / 60)
    assert by_id["off"].summary.next_run is None


def test_timeline_buckets_runs_by_local_day(feeds: Store) -> None:
    board = {f.health.id: f for f in FeedBoard(feeds.engine).feeds(NOW)}
    daily = board["daily"].days
    assert [d.day.isoformat() for d in daily] == [f"2026-11-{n}" for n in range(14, 21)]
    # the run started 2026-11-19 17:30 UTC is 2026-11-20 00:30 local: today's cell
    assert [d.counts for d in daily] == [
        {"ok": 1},
        {"ok": 1},
        {"ok": 1},
        {"failed": 1},  # started 2026-11-16 17:30 UTC: the 17th in Sóc Trăng
        {"ok": 1},
        {"ok": 1},
        {"ok": 1},  # started 2026-11-19 17:30 UTC
    ]
    assert board["broken"].days[-1].counts == {"ok": 1, "failed": 3}
    assert board["loading"].days[-1].counts == {"running": 1}
    assert all(not d.counts for d in board["off"].days)


def test_quality_score_parts(feeds: Store, tmp_path: Path) -> None:
    app = _app(feeds, tmp_path)
    with app.server.test_request_context("/nguon-du-lieu"):
        rows = {r.feed_id: r for r in feeds_page.current_rows()}
    daily = rows["daily"].quality
    # 7 runs in the window: 6 stored 90 and rejected 10, one failed rejecting nothing
    assert daily.accepted == pytest.approx(540 / 600)
    # first run 2026-11-14 00:30 local; 6 days and 10 hours to now: 6 runs expected, 6 delivered
    assert (daily.runs_delivered, daily.runs_expected) == (6, 6)
    assert daily.timeliness == 1.0
    assert (daily.days_covered, daily.days_expected) == (6, 7)
    assert daily.score == pytest.approx((0.9 + 1.0 + 6 / 7) / 3)
    broken = rows["broken"].quality
    assert broken.accepted == pytest.approx(3 / 4)
    assert broken.runs_delivered == 1 and broken.runs_expected == 12  # 1 h at 5 min
    assert rows["off"].quality.score is None
    loading = rows["loading"].quality  # only its first run, still going: nothing to judge yet
    assert (loading.timeliness, loading.completeness, loading.score) == (None, None, None)


def test_the_first_render_holds_the_board(feeds: Store, tmp_path: Path) -> None:
    app = _app(feeds, tmp_path)
    with app.server.test_request_context("/nguon-du-lieu"):
        page = feeds_page.layout(feed="fresh")
    board = _find(page, lambda c: _prop(c, "data-testid") == "feed-board")[0]
    rows = _find(board, lambda c: _prop(c, "data-feed-id") is not None)
    assert [_prop(r, "data-state") for r in rows] == [
        "failing",
        "late",
        "running",
        "on_time",
        "on_time",
        "disabled",
    ]
    fresh = next(r for r in rows if _prop(r, "data-feed-id") == "fresh")
    assert "board-row-focus" in _prop(fresh, "className")
    text = " ".join(" ".join(_texts(fresh)).split())
    assert "9 lưu 1 loại 7 thay đổi" in text
    assert "từ tệp cấu hình" not in text  # "fresh" is not in this configuration file
    cells = _find(
        next(r for r in rows if _prop(r, "data-feed-id") == "daily"),
        lambda c: _prop(c, "data-tone") is not None,
    )
    assert [_prop(c, "data-tone") for c in cells] == [
        "ok",
        "ok",
        "ok",
        "failed",
        "ok",
        "ok",
        "ok",
    ]
    failed_day = "17/11/2026: 1 lần chạy — 0 thành công, 0 một phần, 1 thất bại"
    assert _prop(cells[3], "title") == failed_day
    cells = _find(fresh, lambda c: _prop(c, "data-tone") is not None)
    assert [_prop(c, "data-tone") for c in cells] == ["none"] * 6 + ["ok"]
    assert _prop(cells[0], "title") == "14/11/2026: không chạy lần nào"
    tests = _find(board, lambda c: _prop(c, "data-testid") == "feed-test")
    assert len(tests) == 6


def test_history_filters_and_paging(feeds: Store) -> None:
    reads = FeedBoard(feeds.engine)
    start = NOW - timedelta(days=40)
    for i in range(45):
        _run(feeds, "late", start + timedelta(minutes=i), "partial" if i % 3 else "ok")
    everything = reads.run_page("late", RunFilter(), 1, PAGE_SIZE)
    assert (everything.total, everything.pages) == (46, 3)
    assert len(everything.runs) == PAGE_SIZE
    assert everything.runs[0].run.started_at == NOW - timedelta(hours=2)  # newest first
    last = reads.run_page("late", RunFilter(), 99, PAGE_SIZE)
    assert last.page == 3 and len(last.runs) == 46 - 2 * PAGE_SIZE
    partial = reads.run_page("late", RunFilter(statuses=("partial",)), 1, PAGE_SIZE)
    assert partial.total == 30 and {d.run.status for d in partial.runs} == {"partial"}
    query = parse_history({"from": "2026-10-11", "to": "2026-10-11", "status": "ok"})
    day = reads.run_page("late", query.where, 1, PAGE_SIZE)
    assert day.total == 15 and all(d.run.status == "ok" for d in day.runs)
    assert {d.run.started_at.date().isoformat() for d in day.runs} == {"2026-10-11"}


def test_history_run_details_hold_rejections_and_payload(feeds: Store) -> None:
    bad = (Rejection("unknown area '99'", '{"area": "99"}'), Rejection("no value", "{}"))
    run = _run(feeds, "broken", NOW - timedelta(minutes=1), "partial", rejections=bad)
    feeds.writer.keep_payload(run, "broken", KeptPayload('{"area": "99"}', 14, False), NOW)
    page = FeedBoard(feeds.engine).run_page("broken", RunFilter(), 1, PAGE_SIZE)
    newest = page.runs[0]
    assert newest.run.run_id == run
    assert [r[1] for r in newest.rejected] == ["unknown area '99'", "no value"]
    assert newest.payload is not None and newest.payload[3] == '{"area": "99"}'
    assert page.runs[1].rejected == () and page.runs[1].payload is None


def test_history_page_says_what_is_wrong_with_bad_filters(feeds: Store, tmp_path: Path) -> None:
    app = _app(feeds, tmp_path)
    client = client_for(app, "operator")
    search = "?status=bogus&from=2026-13-45&to=x&page=99999999999999999999"
    response = client.post(
        "/_dash-update-component",
        json=payloads.router("/nguon-du-lieu/lich-su/broken", search),
    )
    assert response.status_code == 200
    text = _decoded(response)
    for fragment in ("bogus", "2026-13-45", 'kết thúc \\"x\\"', "99999999999999999999"):
        assert fragment in text
    beyond = client.post(
        "/_dash-update-component",
        json=payloads.router("/nguon-du-lieu/lich-su/broken", "?page=7"),
    )
    assert "Không có trang 7" in _decoded(beyond)
    unknown = client.post(
        "/_dash-update-component", json=payloads.router("/nguon-du-lieu/lich-su/nope", "")
    )
    assert unknown.status_code == 200
    assert "Không có nguồn dữ liệu" in _decoded(unknown)


@pytest.mark.parametrize(("role", "area"), [("leader", None), ("district", "941")])
def test_leader_and_district_users_get_403(
    feeds: Store, tmp_path: Path, role: str, area: str | None
) -> None:
    app = _app(feeds, tmp_path)
    client = client_for(app, role, area)
    assert client.get("/nguon-du-lieu").status_code == 403
    assert client.get("/nguon-du-lieu/lich-su/broken").status_code == 403
    assert client.get("/nguon-du-lieu/lich-su/broken?status=failed").status_code == 403
    test_click = {
        "output": "..feed-test-modal.is_open...feed-test-title.children..."
        "feed-test-body.children..",
        "outputs": [
            {"id": "feed-test-modal", "property": "is_open"},
            {"id": "feed-test-title", "property": "children"},
            {"id": "feed-test-body", "property": "children"},
        ],
        "inputs": [
            [
                {
                    "id": {"type": "feed-board-action", "action": "test", "row": 0},
                    "property": "n_clicks",
                    "value": 1,
                }
            ]
        ],
        "state": [{"id": "feed-board-rows", "property": "data", "value": ["broken"]}],
        "changedPropIds": ['{"action":"test","row":0,"type":"feed-board-action"}.n_clicks'],
    }
    assert client.post("/_dash-update-component", json=test_click).status_code == 403
    operator = client_for(app, "operator")
    assert operator.get("/nguon-du-lieu/lich-su/broken").status_code == 200


def _decoded(response: Any) -> str:
    """The text of a callback's JSON answer (its strings \\u-escaped)."""
    import json

    return json.dumps(response.get_json(), ensure_ascii=False)


def _settings(directory: Path) -> Any:
    path = directory / "config.yaml"
    path.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    return load_settings(path, env={})


def _prop(component: Any, name: str) -> Any:
    """A property of a Dash component, or of one the board sent as plain JSON."""
    if isinstance(component, dict):
        return component.get("props", {}).get(name)
    return getattr(component, name, None)


def _children(component: Any) -> list[Any]:
    kids = _prop(component, "children")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, list | tuple) else [kids]


def _find(component: Any, wanted: Any) -> list[Any]:
    found = [component] if wanted(component) else []
    for child in _children(component):
        if not isinstance(child, str):
            found.extend(_find(child, wanted))
    return found


def _texts(component: Any) -> list[str]:
    if isinstance(component, str):
        return [component]
    return [text for child in _children(component) for text in _texts(child)]


# -- actions through the board's callbacks ------------------------------------------------------
ACTION_CONFIG = (
    "version: 1\ngeography:\n  directory: null\nfeeds:\n"
    "  - {id: fresh, type: http_json, interval: 60,"
    " options: {url: 'http://127.0.0.1:9/x', mapping: {records: '', area: {code: a},"
    " period: {field: t, format: iso8601}, observations: [{metric_field: m, field: v}]}}}\n"
)


def _action_app(store: Store, tmp_path: Path) -> Any:
    from feeds.definitions import provision

    path = tmp_path / "config.yaml"
    path.write_text(ACTION_CONFIG, encoding="utf-8")
    settings = load_settings(path, env={})
    provision(store, settings)
    return create_app(settings, store, clock=Clock(NOW))


def _click(client: Any, app: Any, action: str, keys: list[dict[str, Any]], row: int) -> Any:
    """The board's update callback as the browser sends it when a row's button is clicked."""
    output = next(k for k in app.callback_map if "feed-board-notice" in k)

    def buttons(name: str) -> list[dict[str, Any]]:
        return [
            {
                "id": {"type": "feed-board-action", "action": name, "row": i},
                "property": "n_clicks",
                "value": 1 if (name == action and i == row) else 0,
            }
            for i in range(len(keys))
        ]

    confirm = action == "delete"
    body = {
        "output": output,
        "outputs": [
            {"id": "feed-board-body", "property": "children"},
            {"id": "feed-board-rows", "property": "data"},
            {"id": "feed-board-notice", "property": "children"},
        ],
        "inputs": [
            {"id": {"type": "refresh", "page": "feeds"}, "property": "n_intervals", "value": 0},
            buttons("run"),
            buttons("pause"),
            {"id": "feed-delete-confirm", "property": "n_clicks", "value": 1 if confirm else 0},
        ],
        "state": [
            {"id": "feed-board-rows", "property": "data", "value": keys},
            {"id": "feed-board-pending-delete", "property": "data", "value": keys[row]},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": [
            "feed-delete-confirm.n_clicks"
            if confirm
            else f'{{"action":"{action}","row":{row},"type":"feed-board-action"}}.n_clicks'
        ],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:400]
    return response.get_json()["response"]


def _keys(app: Any) -> list[dict[str, Any]]:
    with app.server.test_request_context("/nguon-du-lieu"):
        return feeds_page.row_keys(feeds_page.current_rows())


def test_run_now_pause_resume_and_delete_from_the_board(feeds: Store, tmp_path: Path) -> None:
    app = _action_app(feeds, tmp_path)
    client = client_for(app, "operator")
    keys = _keys(app)
    row = next(i for i, k in enumerate(keys) if k["id"] == "fresh")
    assert keys[row]["version"] is not None and not keys[row]["paused"]
    others = [k for k in keys if k["id"] != "fresh"]
    assert all(k["version"] is None for k in others)  # not in config.yaml: not defined here

    answer = _click(client, app, "run", keys, row)
    assert "fresh" in json.dumps(answer["feed-board-notice"], ensure_ascii=False)
    assert feeds.feed_defs.pending_runs() == {"fresh"}

    answer = _click(client, app, "pause", keys, row)
    assert feeds.feed_defs.get("fresh").paused  # type: ignore[union-attr]
    keys = answer["feed-board-rows"]["data"]
    row = next(i for i, k in enumerate(keys) if k["id"] == "fresh")
    assert keys[row]["paused"]
    assert '"data-state": "disabled"' in _row_json(answer, "fresh")

    answer = _click(client, app, "pause", keys, row)  # now a resume
    assert not feeds.feed_defs.get("fresh").paused  # type: ignore[union-attr]
    keys = answer["feed-board-rows"]["data"]
    row = next(i for i, k in enumerate(keys) if k["id"] == "fresh")

    answer = _click(client, app, "delete", keys, row)
    assert feeds.feed_defs.get("fresh").deleted  # type: ignore[union-attr]
    assert "fresh" not in [k["id"] for k in answer["feed-board-rows"]["data"]]
    kept = FeedBoard(feeds.engine).run_page("fresh", RunFilter(), 1, PAGE_SIZE)
    assert kept.total == 2  # a soft delete keeps the feed's runs


def test_a_stale_version_is_refused_and_says_who_changed_it(feeds: Store, tmp_path: Path) -> None:
    from access.audit import AuditLog
    from feeds import console
    from store.accounts import Accounts

    app = _action_app(feeds, tmp_path)
    client = client_for(app, "operator")
    keys = _keys(app)
    row = next(i for i, k in enumerate(keys) if k["id"] == "fresh")
    version = keys[row]["version"]
    console.pause_feed(
        feeds, AuditLog(Accounts(feeds.engine)), "lan", "fresh", expected_version=version
    )
    answer = _click(client, app, "pause", keys, row)  # drawn at the version before "lan"'s
    text = json.dumps(answer["feed-board-notice"], ensure_ascii=False)
    assert "board-stale" in text and "lan" in text and f"phiên bản {version + 1}" in text
    assert feeds.feed_defs.get("fresh").version == version + 1  # type: ignore[union-attr]
    assert feeds.feed_defs.get("fresh").paused  # type: ignore[union-attr]  (not resumed)


def _row_json(answer: dict[str, Any], feed_id: str) -> str:
    board = json.dumps(answer["feed-board-body"], ensure_ascii=False)
    start = board.index(f'"data-feed-id": "{feed_id}"')
    return board[start - 2000 : start + 200]


def test_a_source_marked_at_fault_and_its_open_rejects_show_on_its_row(
    feeds: Store, tmp_path: Path
) -> None:
    reject = Rejection("unknown area code '99999'", '{"ma": "99999"}')
    _run(feeds, "late", NOW - timedelta(minutes=30), "partial", rejections=(reject, reject))
    feeds.review.mark_at_fault("late", "Sở gửi sai mã xã", by="op.tran", now=NOW)
    app = _app(feeds, tmp_path)
    with app.server.test_request_context("/nguon-du-lieu"):
        page = feeds_page.layout()
    rows = _find(page, lambda c: _prop(c, "data-feed-id") is not None)
    late = next(r for r in rows if _prop(r, "data-feed-id") == "late")
    (fault,) = _find(late, lambda c: _prop(c, "data-testid") == "feed-at-fault")
    assert _texts(fault) == ["Nguồn có lỗi"]
    assert "op.tran" in _prop(fault, "title") and "Sở gửi sai mã xã" in _prop(fault, "title")
    assert _prop(fault, "href") == "/quan-tri/du-lieu-bi-loai?feed=late"
    assert "2 bản ghi chờ xử lý" in " ".join(_texts(late))
    fresh = next(r for r in rows if _prop(r, "data-feed-id") == "fresh")
    assert not _find(fresh, lambda c: _prop(c, "data-testid") == "feed-at-fault")
