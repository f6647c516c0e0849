"""Each domain page's callbacks, rendered over HTTP for the province and a district on SQLite and
PostgreSQL, show KPI values equal to what independent SQL over the store computes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from dashboards import create_app, payloads
from dashboards.specs import PAGES
from feeds.runner import FeedRunner
from i18n.formatting import format_value
from i18n.names import metric_unit
from settings import FeedConfig, load_settings
from store import Store
from store.catalog import METRICS_BY_KEY, Aggregation, Metric
from store.comparison import is_slow
from store.scope import LOCAL_TZ, Window, scope_within
from tests.conftest import FIXED_NOW, PG_URL, Clock
from tests.fixtures.auth import client_for
from ui.changes import period_label

pytestmark = pytest.mark.integration
YEAR = timedelta(days=366)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Store]]:
    """A store with 35 simulated days on each database, and the app over it."""
    schema = f"ioc_pages_{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('pages') / 'ioc.db'}")
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
            "options": {"backfill_days": 35},
        }
    )
    assert FeedRunner(store, [config], clock=Clock()).run("simulator").status == "ok"
    settings = _settings(tmp_path_factory)
    yield create_app(settings, store, clock=Clock()), store
    store.engine.dispose()
    if request.param == "postgresql":
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _settings(factory: pytest.TempPathFactory) -> Any:
    path = factory.mktemp("cfg") / "config.yaml"
    path.write_text("version: 1\ngeography:\n  directory: null\n", encoding="utf-8")
    return load_settings(path, env={})


def latest_period(store: Store, metric: Metric, area: str, end: Any) -> tuple[Any, float] | None:
    """A slow metric's newest period starting before `end` that all its components have, and
    its value, straight from the observation rows."""
    sql = text(
        "SELECT o.period_start, o.value FROM observations o JOIN metrics m ON m.id = o.metric_id"
        " WHERE m.key = :k AND o.area_code = :a AND o.dim = '' AND o.period_kind = :pk"
        " AND o.period_start < :e"
    )
    bound = end.replace(tzinfo=None) if store.engine.dialect.name == "sqlite" else end
    rows: dict[str, dict[Any, float]] = {}
    with store.engine.connect() as conn:
        for key in metric.components:
            params = {"k": key, "a": area, "pk": metric.period_kind, "e": bound}
            rows[key] = {local_date(start): v for start, v in conn.execute(sql, params)}
    common = sorted(set.intersection(*(set(r) for r in rows.values())))
    if not common:
        return None
    start = common[-1]
    if metric.aggregation is Aggregation.RATIO:
        num, den = rows[metric.numerator or ""][start], rows[metric.denominator or ""][start]
        return start, num / den * metric.scale
    return start, rows[metric.key][start]


def sql_value(store: Store, metric: Metric, area: str, window: Window) -> float | None:
    """The metric computed straight from the observation rows, independently of store.queries."""
    if metric.aggregation is Aggregation.RATIO:
        num = _sums(store, metric.numerator or "", area, window)
        den = _sums(store, metric.denominator or "", area, window)
        return num[0] / den[0] * metric.scale if num[1] and den[1] and den[0] else None
    total, count, peak, last = _sums(store, metric.key, area, window)
    if not count:
        return None
    return {
        Aggregation.SUM: total,
        Aggregation.MEAN: total / count,
        Aggregation.MAX: peak,
        Aggregation.LAST: last,
    }[metric.aggregation]


def _sums(store: Store, key: str, area: str, window: Window) -> tuple[Any, int, Any, Any]:
    kind = METRICS_BY_KEY[key].period_kind
    since = window.start - YEAR if kind == "year" else window.start
    naive = store.engine.dialect.name == "sqlite"
    bounds = {"s": since, "e": window.end}
    if naive:
        bounds = {k: v.replace(tzinfo=None) for k, v in bounds.items()}
    where = (
        (
            "FROM observations o JOIN metrics m ON m.id = o.metric_id WHERE m.key = :k AND"
            " o.area_code = :a AND o.dim = '' AND o.period_kind = :pk AND o.period_start > :s"
            " AND o.period_start < :e"
        )
        if kind == "year"
        else (
            "FROM observations o JOIN metrics m ON m.id = o.metric_id WHERE m.key = :k AND"
            " o.area_code = :a AND o.dim = '' AND o.period_kind = :pk AND o.period_start >= :s"
            " AND o.period_start < :e"
        )
    )
    params = {"k": key, "a": area, "pk": kind, **bounds}
    with store.engine.connect() as conn:
        total, count, peak = conn.execute(
            text(f"SELECT SUM(o.value), COUNT(*), MAX(o.value) {where}"), params
        ).one()
        last = conn.execute(
            text(f"SELECT o.value {where} ORDER BY o.period_start DESC LIMIT 1"), params
        ).scalar()
    return total, count, peak, last


def tile_values(response: dict[str, Any]) -> dict[str, str]:
    """data-kpi → the text of its .kpi-value, from a KPI callback's JSON response."""
    tiles = next(iter(response["response"].values()))["children"]
    found = {}
    for tile in tiles:
        props = tile["props"]
        value = next(
            c for c in props["children"] if c and "kpi-value" in c["props"].get("className", "")
        )
        found[props["data-kpi"]] = _text(value["props"]["children"])
    return found


def _text(children: Any) -> str:
    """The text a component's children render (strings, nested components, lists)."""
    if isinstance(children, str):
        return children
    if isinstance(children, list):
        return "".join(_text(c) for c in children)
    if isinstance(children, dict):
        return _text(children.get("props", {}).get("children", ""))
    return ""


@pytest.mark.parametrize("area", ["94", "947"])
@pytest.mark.parametrize("spec", PAGES, ids=lambda s: s.domain_key)
def test_page_renders_and_kpis_equal_direct_sql(demo, spec, area) -> None:  # type: ignore[no-untyped-def]
    app, store = demo
    client = client_for(app)
    layout = client.post("/_dash-update-component", json=payloads.router(f"/{spec.domain.slug}"))
    assert layout.status_code == 200
    responses = [
        client.post("/_dash-update-component", json=body)
        for body in payloads.domain_page(app, spec, area, "30d")
    ]
    assert [r.status_code for r in responses] == [200] * len(responses)
    shown = tile_values(json.loads(responses[0].data))
    window = Window.named("30d", FIXED_NOW)
    for key in spec.kpis:
        metric = METRICS_BY_KEY[key]
        label = ""
        if is_slow(metric):  # its latest period, named under the value, whatever the window
            found = latest_period(store, metric, area, window.end)
            expected = found[1] if found else None
            label = period_label(found[0], metric.cadence, "vi") if found else ""
        else:
            expected = sql_value(store, metric, area, window)
        text_expected = (
            "Không có dữ liệu"
            if expected is None
            else format_value(expected, metric_unit(metric, "vi"), "vi", metric.decimals) + label
        )
        assert shown[key] == text_expected, (key, area)


def local_date(stored: Any) -> Any:
    """The local date of a stored period start (SQLite hands back naive UTC text)."""
    moment = datetime.fromisoformat(stored) if isinstance(stored, str) else stored
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


def test_portal_rows_carry_their_daily_response_times(demo) -> None:  # type: ignore[no-untyped-def]
    """The sparkline of each of the 32 portals is its own daily rows, in order (direct SQL)."""
    from dashboards.rows import table_rows
    from dashboards.specs import PAGES_BY_DOMAIN

    app, store = demo
    spec = PAGES_BY_DOMAIN["portals"]
    window = Window.named("30d", FIXED_NOW)
    with app.server.test_request_context():
        columns, rows = table_rows(spec.tables[0], "portals", scope_within("94", window), "vi")
    assert "response_trend" in [c.field for c in columns]
    assert len(rows) == 32
    naive = store.engine.dialect.name == "sqlite"
    bounds = {"s": window.start, "e": window.end}
    if naive:
        bounds = {k: v.replace(tzinfo=None) for k, v in bounds.items()}
    sql = text(
        "SELECT o.value FROM observations o JOIN metrics m ON m.id = o.metric_id"
        " WHERE m.key = 'portals.response_ms' AND o.dim = :d AND o.period_kind = 'day'"
        " AND o.period_start >= :s AND o.period_start < :e ORDER BY o.period_start"
    )
    with store.engine.connect() as conn:
        for row in rows:
            expected = [round(v) for (v,) in conn.execute(sql, {"d": row["id"], **bounds})]
            assert row["response_trend"] == expected and len(expected) >= 29, row["name"]
    uptime = {}  # one area at a time, as the rows used to be built
    for home in ("94", *store.queries.areas.children("94")):
        uptime.update(
            store.queries.dim_values(scope_within("94", window, home), "portals.uptime_rate")
        )
    assert {row["id"]: row["uptime"] for row in rows} == uptime
    with pytest.raises(ValueError, match="one area at a time"):
        store.queries.dim_values(
            scope_within("94", window), "socio_economic.grdp_growth", ["94", "941"]
        )


@pytest.mark.parametrize("area", ["94", "947"])
def test_median_resolution_time_is_the_median_of_the_resolved_reports(demo, area) -> None:  # type: ignore[no-untyped-def]
    """Computed from the report events resolved in the window, not from the stored daily means;
    compared with the same question asked straight of the events table. The same reports give
    the stored mean, so their mean must match it while the median differs."""
    import statistics
    from datetime import UTC, datetime

    from dashboards.specs import PAGES_BY_DOMAIN

    app, store = demo
    spec = PAGES_BY_DOMAIN["feedback"]
    client = client_for(app)
    client.post("/_dash-update-component", json=payloads.router(f"/{spec.domain.slug}"))
    body = next(b for b in payloads.domain_page(app, spec, area, "30d") if "medians" in str(b))
    response = json.loads(client.post("/_dash-update-component", json=body).data)
    tiles = next(iter(response["response"].values()))["children"]
    assert [t["props"]["data-kpi"] for t in tiles] == ["feedback.median_resolution_days"]
    shown = next(
        _text(c["props"]["children"])
        for c in tiles[0]["props"]["children"]
        if c and "kpi-value" in c["props"].get("className", "")
    )
    window = Window.named("30d", FIXED_NOW)
    communes = store.queries.areas.descendants(area)
    sql = text(
        "SELECT occurred_at, attributes, area_code FROM events"
        " WHERE domain = 'feedback' AND kind = 'report'"
    )
    days = []
    with store.engine.connect() as conn:
        for occurred, attributes, code in conn.execute(sql):
            attrs = json.loads(attributes) if isinstance(attributes, str) else attributes
            if code not in communes or not attrs.get("resolved_at"):
                continue
            resolved = datetime.fromisoformat(attrs["resolved_at"])
            if not window.start <= resolved < window.end:
                continue
            occurred = (  # SQLite hands back text
                datetime.fromisoformat(occurred) if isinstance(occurred, str) else occurred
            )
            start = occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC)
            days.append((resolved - start).total_seconds() / 86400)
    assert shown == format_value(statistics.median(days), "ngày", "vi", 1)
    mean = store.queries.kpis(scope_within("94", window, area), ["feedback.mean_resolution_days"])[
        "feedback.mean_resolution_days"
    ].value
    assert mean == pytest.approx(statistics.mean(days), abs=0.01)  # the same reports
    assert abs(statistics.median(days) - mean) > 0.1  # and the median is not the mean


@pytest.mark.parametrize("area", ["94", "947"])
def test_seasonality_sums_each_calendar_month(demo, area) -> None:  # type: ignore[no-untyped-def]
    """The tourism month-of-year chart: this year's bars are the months' sums of the daily
    rows (direct SQL over local calendar months); months without data are gaps, not zeros."""
    from datetime import date

    from dashboards.specs import PAGES_BY_DOMAIN
    from store.scope import local_midnight_utc

    app, store = demo
    spec = PAGES_BY_DOMAIN["tourism"]
    client = client_for(app)
    client.post("/_dash-update-component", json=payloads.router(f"/{spec.domain.slug}"))
    body = next(b for b in payloads.domain_page(app, spec, area, "30d") if "season" in str(b))
    figure = next(
        iter(
            json.loads(client.post("/_dash-update-component", json=body).data)["response"].values()
        )
    )["figure"]
    last_year, this_year = figure["data"]
    assert (last_year["name"], this_year["name"]) == ("2025", "2026")
    assert all(v is None for v in last_year["y"])  # the demo holds 35 days: nothing in 2025
    start = local_midnight_utc(date(2026, 11, 1))
    end = Window.named("30d", FIXED_NOW).end
    expected = sql_value(store, METRICS_BY_KEY["tourism.visitors"], area, Window(start, end))
    assert this_year["y"][10] == pytest.approx(expected)  # November so far, marked as such
    assert (
        this_year["text"][10] == "đến 10:30"
        and this_year["marker"]["color"][10] != (this_year["marker"]["color"][9])
    )
    # October holds only the 16 days since the demo began: not a whole month, no bar
    assert this_year["y"][9] is None
    assert this_year["y"][0] is None and this_year["y"][11] is None


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_dimension_members_are_named_in_the_page_language(demo, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Categories, channels and government levels carry their catalog names, not their codes."""
    from dashboards.rows import table_rows
    from dashboards.specs import PAGES_BY_DOMAIN
    from i18n.names import member_name
    from store.catalog import DIMENSIONS

    app, _store = demo
    scope = scope_within("94", Window.named("30d", FIXED_NOW))
    tables = {t.key: t for t in PAGES_BY_DOMAIN["feedback"].tables}
    named = {
        f"{d}:{m}": member_name(d, m, lang) for d in ("category", "channel") for m in DIMENSIONS[d]
    }
    with app.server.test_request_context():
        _, members = table_rows(tables["categories"], "feedback", scope, lang)
        _, reports = table_rows(tables["reports"], "feedback", scope, lang)
        levels = next(t for t in PAGES_BY_DOMAIN["documents"].tables if t.dimension == "level")
        _, by_level = table_rows(levels, "documents", scope, lang)
    shown = {r["member_name"] for r in members}
    assert shown <= set(named.values())
    assert shown & {named[f"channel:{m}"] for m in DIMENSIONS["channel"]}
    assert shown & {named[f"category:{m}"] for m in DIMENSIONS["category"]}
    assert reports and {r["channel_name"] for r in reports} <= set(named.values())
    assert {r["category_name"] for r in reports} <= set(named.values())
    expected = {member_name("level", m, lang) for m in DIMENSIONS["level"]}
    assert {r["member_name"] for r in by_level} == expected
    assert ("Hotline 1022" in named.values()) == (lang == "en")


@pytest.mark.parametrize("area", ["94", "941"])
def test_table_cells_carry_the_status_of_the_one_rule(demo, area: str) -> None:  # type: ignore[no-untyped-def]
    """Each judged metric's cell has the status value_status gives its area's value and level;
    metrics without thresholds carry none; rows come in natural order of their names."""
    from dashboards.rows import table_rows
    from dashboards.specs import PAGES_BY_DOMAIN
    from i18n.collation import natural_key
    from store.catalog import METRICS_BY_KEY
    from ui.status import judged, value_status
    from ui.table import field_id, tone_field

    app, store = demo
    scope = scope_within("94", Window.named("30d", FIXED_NOW), area)
    table = next(t for t in PAGES_BY_DOMAIN["public_services"].tables if t.source == "areas")
    with app.server.test_request_context():
        _, rows = table_rows(table, "public_services", scope, "vi")
    assert [r["area_name"] for r in rows] == sorted((r["area_name"] for r in rows), key=natural_key)
    level = store.queries.areas.get(store.queries.areas.children(area)[0]).level
    coloured = 0
    for key in table.metrics:
        metric = METRICS_BY_KEY[key]
        for row in rows:
            tone = row.get(tone_field(field_id(key)))
            if judged(metric, level):
                assert tone == value_status(metric, row[field_id(key)], level), (key, row)
                coloured += 1
            else:
                assert tone is None, key
    assert coloured >= len(rows)  # the on-time rate at least is judged everywhere
