"""The store on SQLite and PostgreSQL: schema, reference data, idempotent upserts, scoped reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from i18n.names import metric_name, metric_unit
from store import Store
from store.catalog import METRICS_BY_KEY
from store.comparison import Basis, Comparison, Kind
from store.models import Area, FeedRunRow, MetricRow, ObservationRow
from store.records import Asset, Event, Observation
from store.reference_writes import FeedSpec
from store.scope import ScopeError, Window, local_midnight_utc, scope_within
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.integration


def _feed(store: Store, feed_id: str = "test") -> str:
    store.writer.sync_feeds([FeedSpec(feed_id, "http_json", 60, True, False)])
    return feed_id


def _day(offset: int):
    return local_midnight_utc((FIXED_NOW + timedelta(hours=7)).date() - timedelta(days=offset))


def test_reference_data_loaded(store: Store) -> None:
    with store.engine.connect() as conn:
        levels = dict(conn.execute(select(Area.level, func.count()).group_by(Area.level)).all())
    assert levels == {"province": 1, "district": 11, "commune": 108}
    assert len(store.queries.areas.children("941")) == 9
    assert store.queries.areas.is_within("31498", "941")


def test_metric_rows_carry_the_catalog_names(store: Store) -> None:
    columns = (
        MetricRow.key,
        MetricRow.name_vi,
        MetricRow.name_en,
        MetricRow.unit_vi,
        MetricRow.unit_en,
    )
    with store.engine.connect() as conn:
        rows = conn.execute(select(*columns)).all()
    assert {r.key for r in rows} == set(METRICS_BY_KEY)
    for key, name_vi, name_en, unit_vi, unit_en in rows:
        assert (name_vi, name_en) == (metric_name(key, "vi"), metric_name(key, "en"))
        assert (unit_vi, unit_en) == (metric_unit(key, "vi"), metric_unit(key, "en"))
    assert ("health.outpatient_visits", "Lượt khám ngoại trú") in {(r[0], r[1]) for r in rows}


def test_sqlite_runs_in_wal_mode(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_upsert_is_idempotent_and_updates_changed_values(store: Store) -> None:
    feed = _feed(store)
    records = [Observation("public_services.received", "941", _day(d), 100.0 + d) for d in range(5)]
    assert store.writer.write_records(feed, records, FIXED_NOW) == 5
    assert store.writer.write_records(feed, records, FIXED_NOW + timedelta(minutes=1)) == 0
    changed = [Observation("public_services.received", "941", _day(0), 999.0)]
    assert store.writer.write_records(feed, changed, FIXED_NOW) == 1
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ObservationRow)).scalar() == 5


def test_events_and_assets_upsert_by_source_id(store: Store) -> None:
    feed = _feed(store)
    event = Event("feedback", "report", "PA-1", FIXED_NOW, "Đèn đường hư", area="31498")
    asset = Asset("cameras", "camera", "CAM-1", "Camera ngã tư", FIXED_NOW, area="31498")
    assert store.writer.write_records(feed, [event, asset], FIXED_NOW) == 2
    assert store.writer.write_records(feed, [event, asset], FIXED_NOW) == 0


def test_kpis_match_direct_sql(store: Store) -> None:
    feed = _feed(store)
    rows = []
    for d in range(40):
        rows += [
            Observation("public_services.resolved", "941", _day(d), 100.0),
            Observation("public_services.resolved_on_time", "941", _day(d), 99.0 - d % 2),
            Observation("public_services.pending", "941", _day(d), 50.0 + d),
        ]
    store.writer.write_records(feed, rows, FIXED_NOW)
    scope = scope_within("94", Window.named("30d", FIXED_NOW), "941")
    kpis = store.queries.kpis(scope, ["public_services.on_time_rate", "public_services.pending"])
    with store.engine.connect() as conn:
        on_time, resolved = conn.execute(
            text(
                "SELECT SUM(CASE WHEN m.key = 'public_services.resolved_on_time' THEN o.value END),"
                " SUM(CASE WHEN m.key = 'public_services.resolved' THEN o.value END)"
                " FROM observations o JOIN metrics m ON m.id = o.metric_id"
                " WHERE o.area_code = '941' AND o.period_start >= :s AND o.period_start < :e"
            ),
            {
                "s": scope.window.start.replace(tzinfo=None)
                if store.engine.dialect.name == "sqlite"
                else scope.window.start,
                "e": scope.window.end.replace(tzinfo=None)
                if store.engine.dialect.name == "sqlite"
                else scope.window.end,
            },
        ).one()
    assert kpis["public_services.on_time_rate"].value == pytest.approx(on_time / resolved * 100)
    assert kpis["public_services.pending"].value == 50.0  # the latest day's stock
    assert kpis["public_services.pending"].previous == 80.0
    assert kpis["public_services.on_time_rate"].feed_id == feed


def test_missing_data_is_none_not_zero(store: Store) -> None:
    scope = scope_within("94", Window.named("7d", FIXED_NOW))
    kpi = store.queries.kpis(scope, ["tourism.visitors"])["tourism.visitors"]
    assert kpi.value is None and kpi.previous is None
    assert kpi.comparison(METRICS_BY_KEY["tourism.visitors"], FIXED_NOW).kind is Kind.NONE


def test_area_values_by_child(store: Store) -> None:
    feed = _feed(store)
    store.writer.write_records(
        feed,
        [
            Observation("tourism.visitors", c, _day(1), 10.0 * i)
            for i, c in enumerate(["941", "942", "943"], 1)
        ],
        FIXED_NOW,
    )
    values = store.queries.area_values(
        scope_within("94", Window.named("7d", FIXED_NOW)), "tourism.visitors"
    )
    assert values == {"941": 10.0, "942": 20.0, "943": 30.0}


def test_scope_outside_permitted_area_is_refused(store: Store) -> None:
    window = Window.named("7d", FIXED_NOW)
    with pytest.raises(ScopeError, match="outside the permitted area"):
        store.queries.kpis(scope_within("941", window, "942"), ["tourism.visitors"])
    with pytest.raises(ScopeError, match="unknown area"):
        store.queries.kpis(scope_within("94", window, "99999"), ["tourism.visitors"])
    with pytest.raises(ScopeError):
        store.queries.area_values(scope_within("941", window, "94"), "tourism.visitors")


def test_runs_are_pruned_with_their_rejections(store: Store) -> None:
    feed = _feed(store)
    run_id = store.writer.start_run(feed, FIXED_NOW - timedelta(days=40))
    assert store.writer.prune_runs(FIXED_NOW - timedelta(days=30)) == 1
    with store.engine.connect() as conn:
        assert conn.execute(select(FeedRunRow).where(FeedRunRow.id == run_id)).first() is None


def test_a_total_is_not_compared_with_a_partly_covered_window(store: Store) -> None:
    feed = _feed(store)
    rows = [Observation("tourism.visitors", "94", _day(d), 100.0) for d in range(35)]
    store.writer.write_records(feed, rows, FIXED_NOW)
    visitors = METRICS_BY_KEY["tourism.visitors"]
    kpi = store.queries.kpis(
        scope_within("94", Window.named("30d", FIXED_NOW)), ["tourism.visitors"]
    )
    assert kpi["tourism.visitors"].value == 3000.0
    # only 5 of its 30 days have data
    assert kpi["tourism.visitors"].comparison(visitors, FIXED_NOW).kind is Kind.INSUFFICIENT
    week = store.queries.kpis(
        scope_within("94", Window.named("7d", FIXED_NOW)), ["tourism.visitors"]
    )
    assert week["tourism.visitors"].comparison(visitors, FIXED_NOW) == Comparison(
        Kind.PCT, 0.0, Basis.SETTLED
    )


def test_values_split_by_dimension_stay_out_of_the_totals(store: Store) -> None:
    feed = _feed(store)
    rows = [
        Observation("public_services.received", "94", _day(1), 100.0),
        Observation("public_services.received", "94", _day(1), 60.0, dim="stp"),
        Observation("public_services.received", "94", _day(1), 40.0, dim="syt"),
    ]
    store.writer.write_records(feed, rows, FIXED_NOW)
    scope = scope_within("94", Window.named("7d", FIXED_NOW))
    assert (
        store.queries.kpis(scope, ["public_services.received"])["public_services.received"].value
        == 100.0
    )
    assert store.queries.dim_values(scope, "public_services.received") == {"stp": 60.0, "syt": 40.0}


def test_migration_0002_keeps_existing_observations(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    from store.db import make_engine
    from store.migrate import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            text(
                "INSERT INTO areas (code, level, name_vi, name_en, short_name_vi,"
                " short_name_en, type_vi, lat, lon) VALUES ('94', 'province', 'T',"
                " 'T', 'T', 'T', 'Tỉnh', 9.6, 105.9)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO metrics (id, key, domain, name_vi, name_en, unit_vi,"
                " unit_en, aggregation, direction, targets, target_source) VALUES"
                " (1, 'tourism.visitors', 'tourism', 'a', 'a', 'a', 'a', 'sum',"
                " 'neutral', '{}', '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO feeds (id, type, interval_s, enabled, demo,"
                " consecutive_failures) VALUES ('f', 'x', 60, 1, 0, 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO observations VALUES (1, '94', 'day',"
                " '2026-11-01 17:00:00.000000', 5.0, 'f', '2026-11-02 00:00:00.000000')"
            )
        )
        command.upgrade(config, "head")
        row = conn.execute(text("SELECT dim, value FROM observations")).one()
    assert tuple(row) == ("", 5.0)
