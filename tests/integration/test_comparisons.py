"""Over a store with a deliberately short history (11 simulated days), on SQLite and PostgreSQL:
no page shows a change whose comparison period is not covered, every slow metric shows its
latest period whatever the window, and what is compared is checked against direct SQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from dashboards import create_app, payloads
from dashboards.specs import PAGES, PAGES_BY_DOMAIN
from dashboards.wall_state import HEADLINES
from feeds.runner import FeedRunner
from i18n.names import metric_unit
from settings import FeedConfig, load_settings
from store import Store
from store.catalog import METRICS_BY_KEY, Metric
from store.comparison import ACCRUING, is_slow
from store.scope import Window, scope_within
from tests.conftest import FIXED_NOW, PG_URL, Clock
from tests.fixtures.auth import client_for

pytestmark = pytest.mark.integration
BACKFILL_DAYS = 10  # today and the 10 days before: no 7-day window has a covered previous one
INSUFFICIENT = "chưa đủ dữ liệu để so sánh"
NO_DATA = "Không có dữ liệu"
PAGE_KEYS = [("overview", HEADLINES)] + [(s.domain_key, list(s.kpis)) for s in PAGES]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def short(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Store]]:
    schema = f"ioc_short_{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('short') / 'ioc.db'}")
    else:
        request.getfixturevalue("pg_server")
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        store = Store.open(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    config = FeedConfig.model_validate(
        {
            "id": "simulator",
            "type": "simulator",
            "interval": 60,
            "timeout": 600,
            "options": {"backfill_days": BACKFILL_DAYS},
        }
    )
    assert FeedRunner(store, [config], clock=Clock()).run("simulator").status == "ok"
    path = tmp_path_factory.mktemp("cfg") / "config.yaml"
    path.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    yield create_app(load_settings(path, env={}), store, clock=Clock()), store
    store.engine.dispose()
    if request.param == "postgresql":
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _post(app: Any, body: dict[str, Any]) -> Any:
    response = client_for(app).post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return next(iter(json.loads(response.data)["response"].values()))


def _text(children: Any) -> str:
    if isinstance(children, str):
        return children
    if isinstance(children, list):
        return "".join(_text(c) for c in children)
    if isinstance(children, dict):
        return _text(children.get("props", {}).get("children", ""))
    return ""


def tiles(app: Any, page: str, keys: list[str], area: str, window: str) -> dict[str, dict]:
    """data-kpi → the tile's value text, change text and change kind, as the page renders."""
    client = client_for(app)
    slug = "/" if page == "overview" else f"/{PAGES_BY_DOMAIN[page].domain.slug}"
    client.post("/_dash-update-component", json=payloads.router(slug))
    bodies = [payloads.kpis(page, area, window)]
    if page != "overview" and PAGES_BY_DOMAIN[page].medians:
        scope = [payloads.param(page, "area", area), payloads.param(page, "window", window)]
        bodies.append(
            payloads.matched("medians", page, "children", [*scope, payloads.refresh(page)])
        )
    found = {}
    for body in bodies:
        for tile in _post(app, body)["children"]:
            parts = {
                c["props"].get("className", "").split()[0]: c
                for c in tile["props"]["children"]
                if c
            }
            change = parts["kpi-change"]["props"]
            found[tile["props"]["data-kpi"]] = {
                "value": _text(parts["kpi-value"]["props"]["children"]),
                "change": _text(change["children"]).strip("\u00a0 "),
                "kind": change["data-change"],
            }
    return found


def areas(store: Store) -> list[str]:
    district = "947"
    return ["94", district, store.queries.areas.children(district)[0]]


@pytest.mark.parametrize("window", ["7d", "30d"])
@pytest.mark.parametrize(("page", "keys"), PAGE_KEYS, ids=[p for p, _ in PAGE_KEYS])
def test_no_change_is_shown_over_an_uncovered_period(short, page, keys, window) -> None:  # type: ignore[no-untyped-def]
    """11 days of history: the window before a 7- or 30-day window is never covered, and no
    slow metric has the period before its latest, so every tile with a value says so."""
    app, store = short
    for area in areas(store):
        for key, tile in tiles(app, page, keys, area, window).items():
            assert tile["kind"] in ("insufficient", "none"), (area, key, tile)
            if tile["value"] != NO_DATA:
                assert tile["change"] == INSUFFICIENT, (area, key, tile)
            assert "%" not in tile["change"], (area, key, tile)


@pytest.mark.parametrize(("page", "keys"), PAGE_KEYS, ids=[p for p, _ in PAGE_KEYS])
def test_today_compares_rates_with_a_covered_yesterday_and_never_counts(short, page, keys) -> None:  # type: ignore[no-untyped-def]
    """On the "today" window yesterday is covered: rates and levels show a change (checked
    against direct SQL for the days each side holds); counts and peaks of a running day don't."""
    app, store = short
    window = Window.named("today", FIXED_NOW)
    shown = candidates = 0
    for area in areas(store):
        for key, tile in tiles(app, page, keys, area, "today").items():
            metric = METRICS_BY_KEY.get(key)
            if metric is None or tile["value"] == NO_DATA:
                continue  # a median: not a stored metric
            if is_slow(metric) or metric.aggregation in ACCRUING:
                assert tile["kind"] in ("insufficient", "none"), (area, key, tile)
                continue
            candidates += 1
            if tile["kind"] in ("pct", "pp"):
                shown += 1
                assert covered(store, metric, area, window), (area, key, tile)
                assert tile["change"].endswith("so với kỳ trước")
                assert ("điểm %" in tile["change"]) == (metric_unit(metric, "vi") == "%"), (
                    key,
                    tile,
                )
            elif tile["change"] == "kỳ trước bằng 0":  # covered, but no percent of zero
                assert covered(store, metric, area, window) and metric_unit(metric, "vi") != "%"
            else:
                assert not covered(store, metric, area, window), (area, key, tile)
    if candidates:  # a page of rates or levels shows some change: the rule is not "never"
        assert shown, page


def covered(store: Store, metric: Metric, area: str, window: Window) -> bool:
    """Whether, by direct SQL, the window before has data on as many days as this one, for
    every stored component of the metric."""
    sql = text(
        "SELECT COUNT(*) FROM observations o JOIN metrics m ON m.id = o.metric_id"
        " WHERE m.key = :k AND o.area_code = :a AND o.dim = '' AND o.period_kind = 'day'"
        " AND o.period_start >= :s AND o.period_start < :e"
    )
    naive = store.engine.dialect.name == "sqlite"

    def days(key: str, w: Window) -> int:
        bounds = {"s": w.start, "e": w.end}
        if naive:
            bounds = {k: v.replace(tzinfo=None) for k, v in bounds.items()}
        with store.engine.connect() as conn:
            return int(conn.execute(sql, {"k": key, "a": area, **bounds}).scalar() or 0)

    return all(
        days(c, window) > 0 and days(c, window.previous()) >= days(c, window)
        for c in metric.components
    )


@pytest.mark.parametrize(
    ("page", "key", "label"),
    [
        ("education", "education.exam_pass_rate", "năm học 2025–2026"),
        ("socio_economic", "socio_economic.grdp_growth", "năm 2026"),
    ],
)
def test_slow_metrics_show_their_latest_period_in_a_short_window(short, page, key, label) -> None:  # type: ignore[no-untyped-def]
    """Exam results came out in July, GRDP growth is yearly: a 7-day window in November still
    shows their latest period, named, instead of "no data"."""
    app, store = short
    spec = PAGES_BY_DOMAIN[page]
    levels = METRICS_BY_KEY[key].levels
    for area in areas(store):
        if store.queries.areas.get(area).level not in levels:
            continue
        tile = tiles(app, page, list(spec.kpis), area, "7d")[key]
        assert tile["value"] != NO_DATA and tile["value"].endswith(label), (area, tile)
        assert tile["change"] == INSUFFICIENT  # the period before it is not in the store


def test_trend_draws_no_last_year_and_marks_the_running_day(short) -> None:  # type: ignore[no-untyped-def]
    app, _store = short
    for spec in PAGES:
        page = spec.domain_key
        client = client_for(app)
        client.post("/_dash-update-component", json=payloads.router(f"/{spec.domain.slug}"))
        body = next(b for b in payloads.domain_page(app, spec, "94", "30d") if "trend" in str(b))
        figure = _post(app, body)["figure"]
        if not figure["data"]:
            continue  # "no data" for this trend metric
        last_year, current, *rest = figure["data"]
        assert all(v is None for v in last_year["y"]), page
        running = next((t for t in rest if t.get("text")), None)
        assert running is not None and running["text"][-1] == "đến 10:30", page
        assert current["y"][-1] is None  # the running day is not drawn as a whole one


def test_plans_table_says_last_year_is_not_covered(short) -> None:  # type: ignore[no-untyped-def]
    app, _store = short
    spec = PAGES_BY_DOMAIN["socio_economic"]
    client = client_for(app)
    client.post("/_dash-update-component", json=payloads.router(f"/{spec.domain.slug}"))
    grid = next(b for b in payloads.domain_page(app, spec, "94", "30d") if "rowData" in str(b))
    response = client.post("/_dash-update-component", json=grid)
    rows = json.loads(response.data)["response"][
        json.dumps({"page": "socio_economic", "type": "grid"}, separators=(",", ":"))
    ]["rowData"]
    assert [r["change"] for r in rows] == [INSUFFICIENT, INSUFFICIENT]
    assert all(r["last_year"] is None and r["plan"] and r["actual"] for r in rows)


def test_today_window_ends_now(short) -> None:  # type: ignore[no-untyped-def]
    """The premise of the running-day checks: the demo clock stands inside today's window."""
    window = Window.named("today", FIXED_NOW)
    assert window.start <= FIXED_NOW < window.end and window.end - window.start == timedelta(days=1)


def test_slow_metrics_by_area_and_member_are_their_latest_period(short) -> None:  # type: ignore[no-untyped-def]
    """Maps, rankings and tables read a slow metric the way its tile does: the exam pass rate
    per district in a 7-day window is each district's latest school year; GRDP growth per
    sector in the first days of 2027 is still 2026's (no 2027 value is out yet)."""

    _app, store = short
    queries = store.queries
    week = Window.named("7d", FIXED_NOW)
    key = "education.exam_pass_rate"
    by_area = queries.area_values(scope_within("94", week), key)
    districts = queries.areas.children("94")
    assert set(by_area) == set(districts)
    for code in districts:
        assert by_area[code] == queries.kpis(scope_within("94", week, code), [key])[key].value
    level = queries.level_values(scope_within("94", week), key, "commune")
    assert len(level) == len(queries.areas.descendants("94")) - len(districts) - 1
    january = Window.parse("2027-01-01..2027-01-05", FIXED_NOW)
    growth = queries.kpis(scope_within("94", january), ["socio_economic.grdp_growth"])
    assert growth["socio_economic.grdp_growth"].period.year == 2026
    sectors = queries.dim_values(scope_within("94", january), "socio_economic.grdp_growth")
    assert sectors == queries.dim_values(scope_within("94", week), "socio_economic.grdp_growth")
    assert {"agriculture", "industry", "services"} <= set(sectors)


def test_a_slow_metric_compares_its_latest_period_with_the_one_before(store: Store) -> None:
    """Written directly: GRDP growth for 2025 and 2026, exam results for two school years
    (one source dates them 1 January): the tile's value is the latest period in any window,
    compared in points with the period before it, and named by it."""
    from datetime import date

    from store.comparison import Basis, Comparison, Kind
    from store.records import Observation
    from store.reference_writes import FeedSpec
    from store.scope import local_midnight_utc
    from ui.changes import basis_text

    store.writer.sync_feeds([FeedSpec("src", "http_json", 3600, True, False)])

    def year(y: int) -> Any:
        return local_midnight_utc(date(y, 1, 1))

    def school(y: int) -> Any:
        return local_midnight_utc(date(y, 9, 1))

    rows = [
        Observation("socio_economic.grdp_growth", "94", year(2025), 6.8, "year"),
        Observation("socio_economic.grdp_growth", "94", year(2026), 7.1, "year"),
        Observation("education.exam_candidates", "94", school(2024), 100.0, "year"),
        Observation("education.exam_passed", "94", school(2024), 96.0, "year"),
        Observation("education.exam_candidates", "94", year(2026), 200.0, "year"),  # 2025–2026
        Observation("education.exam_passed", "94", year(2026), 195.0, "year"),
    ]
    store.writer.write_records("src", rows, FIXED_NOW)
    keys = ["socio_economic.grdp_growth", "education.exam_pass_rate"]
    for name in ("today", "7d", "30d", "12m"):
        kpis = store.queries.kpis(scope_within("94", Window.named(name, FIXED_NOW)), keys)
        growth, exam = (kpis[k] for k in keys)
        assert (growth.value, growth.period) == (7.1, date(2026, 1, 1)), name
        assert (exam.value, exam.period) == (97.5, date(2025, 9, 1)), name
        found = growth.comparison(METRICS_BY_KEY[keys[0]], FIXED_NOW)
        assert found == Comparison(
            Kind.PP, pytest.approx(0.3), Basis.PERIOD, period=date(2025, 1, 1)
        )
        passed = exam.comparison(METRICS_BY_KEY[keys[1]], FIXED_NOW)
        assert (passed.kind, passed.period) == (Kind.PP, date(2024, 9, 1))
        assert passed.value == pytest.approx(1.5)
        assert basis_text(passed, METRICS_BY_KEY[keys[1]], "vi") == "so với năm học 2024–2025"
