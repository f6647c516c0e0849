"""The station_files feed end to end: real files in a temporary drop folder, the real runner, a
real SQLite and PostgreSQL store."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dashboards.alerts import Alert, current_alerts
from feeds.base import FeedContext
from feeds.runner import FeedRunner, RunReport
from feeds.station_files import StationFilesFeed
from geo.hierarchy import load_admin_units
from store import Store
from store.models import AssetRow, MetricRow, ObservationRow, RejectedRecordRow
from store.records import Observation, Rejection
from store.scope import LOCAL_TZ, Window, local_midnight_utc, scope_within
from tests.conftest import Clock
from tests.fixtures.station_files import (
    AIR,
    AIR_AREA,
    WATER,
    WATER_AREA,
    air_lines,
    body,
    drop,
    feed_config,
    file_name,
    hourly_air_files,
    stamp,
)
from ui.wall import alert_text

pytestmark = pytest.mark.integration

DAY = date(2026, 11, 19)  # a whole local day of hourly files
FIRST_HOUR = local_midnight_utc(DAY)
NOW = FIRST_HOUR + timedelta(hours=30)  # 06:00 local on the 20th


def runner(store: Store, folder: Path, clock: Clock, **options: Any) -> FeedRunner:
    return FeedRunner(store, [feed_config(folder, **options)], clock=clock, sleep=lambda _s: None)


def values(store: Store, key: str, day: date = DAY) -> dict[tuple[str, str], float]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(ObservationRow.area_code, ObservationRow.dim, ObservationRow.value)
            .join(MetricRow, MetricRow.id == ObservationRow.metric_id)
            .where(MetricRow.key == key, ObservationRow.period_start == local_midnight_utc(day))
        ).all()
    return {(area, dim): value for area, dim, value in rows}


def asset(store: Store, code: str) -> Any:
    """The station's asset row (its columns by name), or None."""
    with store.engine.connect() as conn:
        return conn.execute(select(AssetRow).where(AssetRow.source_id == code)).first()


def reasons(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(RejectedRecordRow.reason)).scalars())


def remaining(folder: Path) -> list[str]:
    """Station files still waiting in the drop folder (outside processed/ and rejected/)."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*.txt")
        if p.relative_to(folder).parts[0] not in ("processed", "rejected")
    )


def station_alerts(store: Store) -> dict[str, Alert]:
    """The ticker's current station-state alerts for the province."""
    scope = scope_within("94", Window.named("7d", NOW))
    return {
        a.key: a for a in current_alerts(store.queries, scope, {}) if a.key.startswith("station:")
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "ftp"
    path.mkdir()
    return path


def test_a_day_of_hourly_files_publishes_values_aqi_and_the_station(
    store: Store, folder: Path
) -> None:
    clock = Clock(NOW)
    hourly_air_files(folder, FIRST_HOUR, 30)
    report = runner(store, folder, clock).run("stations")
    assert (report.status, report.rejected) == ("ok", 0)
    assert remaining(folder) == []
    assert len(list((folder / "processed" / "2026" / "11" / "19").glob("*.txt"))) == 24
    pm25 = values(store, "environment.pm25")
    for area in (AIR_AREA, "941", "94"):  # the station's ward, its city, the province
        assert pm25[(area, "")] == 35.0
        assert pm25[(area, AIR)] == 35.0
    assert values(store, "environment.no2")[(AIR_AREA, "")] == pytest.approx(
        20 * 46.0055 / 24.45, abs=0.01
    )
    # PM2.5 35 µg/m³ → 50 + 50·10/25 = 70, the highest part: the day's VN_AQI.
    assert values(store, "environment.aqi_max")[(AIR_AREA, "")] == 70
    row = asset(store, AIR)
    assert row is not None and row.status == "ok" and row.kind == "air_station"
    assert row.attributes["aqi"] == 70  # the NowCast of a steady 35 µg/m³
    assert row.attributes["band"] == "moderate"
    assert row.attributes["aqi_daily"] == 70
    assert row.attributes["co"] == pytest.approx(0.8 * 1000 * 28.010 / 24.45, abs=0.01)


def test_running_again_and_resending_files_change_nothing(store: Store, folder: Path) -> None:
    clock = Clock(NOW)
    paths = hourly_air_files(folder, FIRST_HOUR, 24, dated=False)
    kept = {p.name: p.read_bytes() for p in paths[:3]}
    feed = runner(store, folder, clock)
    first = feed.run("stations")
    assert first.changed > 0
    again = feed.run("stations")
    assert (again.changed, again.rejected) == (0, 0)
    # The same content again (re-sent by the logger), and again once the seen-list is gone.
    for name, data in kept.items():
        drop(folder, name, data, NOW - timedelta(minutes=5))
    assert feed.run("stations").changed == 0
    (folder / ".ioc-drop-state.json").unlink()
    for name, data in kept.items():
        drop(folder, name, data, NOW - timedelta(minutes=5), subfolder="resent")
    resent = feed.run("stations")
    assert (resent.changed, resent.status) == (0, "ok")
    assert remaining(folder) == []


def test_a_calibrating_station_is_a_warning_on_the_ticker_until_it_measures(
    store: Store, folder: Path
) -> None:
    clock = Clock(NOW)
    at = NOW - timedelta(hours=2)
    lines = [["PM2,5", "", "µg/m3", stamp(at), "01"], ["PM10", "", "µg/m3", stamp(at), "01"]]
    drop(folder, file_name(AIR, at), body(lines), at + timedelta(minutes=1))
    feed = runner(store, folder, clock)
    feed.run("stations")
    ticker = station_alerts(store)
    assert list(ticker) == [f"station:{AIR}:calibrating"]
    assert dict(ticker[f"station:{AIR}:calibrating"].params)["parameters"] == "PM10, PM2.5"
    later = NOW - timedelta(hours=1)
    drop(folder, file_name(AIR, later), body(air_lines(later)), later + timedelta(minutes=1))
    feed.run("stations")
    assert asset(store, AIR).status == "ok" and station_alerts(store) == {}


def test_a_file_from_an_unknown_station_is_rejected_whole(store: Store, folder: Path) -> None:
    clock = Clock(NOW)
    name = f"STG_STNMT_KK_HCM09_{stamp(NOW - timedelta(hours=1))}.txt"
    drop(folder, name, body(air_lines(NOW - timedelta(hours=1))), NOW - timedelta(minutes=30))
    report = runner(store, folder, clock).run("stations")
    assert report.accepted == 0 and report.rejected == 1
    moved = folder / "rejected" / name
    assert moved.exists()
    reason = (folder / "rejected" / (name + ".reason.txt")).read_text(encoding="utf-8")
    assert "unknown station" in reason
    assert asset(store, "KK_HCM09") is None and asset(store, AIR) is None
    assert any("file rejected: unknown station" in r for r in reasons(store))


def test_device_states_are_counted_not_stored_and_shown_on_the_station(
    store: Store, folder: Path
) -> None:
    clock = Clock(NOW)
    at = NOW - timedelta(hours=2)
    lines = [
        ["Salinity", "2,8", "‰", stamp(at), "00"],
        ["DO", "4.1", "mg/l", stamp(at), "02"],
        ["pH", "7.1", "", stamp(at), "01"],
    ]
    drop(folder, file_name(WATER, at), body(lines), at + timedelta(minutes=1))
    feed = runner(store, folder, clock)
    report = feed.run("stations")
    assert (report.rejected, report.status) == (2, "partial")
    row = asset(store, WATER)
    assert row is not None and row.status == "device_error"
    assert row.attributes["status_counts"] == {"00": 1, "01": 1, "02": 1}
    assert row.attributes["salinity_permille"] == 2.8
    assert "do" not in row.attributes and "ph" not in row.attributes
    assert values(store, "environment.do", at.astimezone(LOCAL_TZ).date()) == {}
    # the station's state reaches the alert ticker, naming the station and the parameter
    ticker = station_alerts(store)
    assert list(ticker) == [f"station:{WATER}:device_error"]
    alert = ticker[f"station:{WATER}:device_error"]
    assert alert.severity == "warn" and alert.area == WATER_AREA
    assert dict(alert.params) == {"station": row.name, "parameters": "DO"}
    assert alert_text(alert, "vi") == f"Trạm {row.name}: lỗi thiết bị, không nhận số liệu DO"
    assert alert_text(alert, "en") == f"Station {row.name}: device error, no values for DO"
    assert row.attributes["status_parameters"] == {"01": ["pH"], "02": ["DO"]}
    later = NOW - timedelta(hours=1)
    fixed = [
        ["Salinity", "3.0", "‰", stamp(later), "00"],
        ["DO", "4.5", "mg/L", stamp(later), "00"],
    ]
    drop(folder, file_name(WATER, later), body(fixed), later + timedelta(minutes=1))
    feed.run("stations")
    row = asset(store, WATER)
    assert row is not None and row.status == "ok" and row.attributes["do"] == 4.5
    assert station_alerts(store) == {}  # valid data again: the warning is gone
    day = later.astimezone(LOCAL_TZ).date()
    assert values(store, "environment.salinity_max", day)[(WATER_AREA, "")] == 3.0


def test_future_times_are_rejected_and_never_move_freshness(store: Store, folder: Path) -> None:
    clock = Clock(NOW)
    good = NOW - timedelta(hours=1)
    drop(folder, file_name(AIR, good), body(air_lines(good)), good + timedelta(minutes=1))
    feed = runner(store, folder, clock)
    feed.run("stations")
    ahead = NOW + timedelta(days=2)  # the logger's clock runs two days fast
    drop(folder, file_name(AIR, ahead), body(air_lines(ahead)), NOW - timedelta(minutes=1))
    report = feed.run("stations")
    assert report.rejected == len(air_lines(ahead))
    assert all("clock is wrong" in r for r in reasons(store)[-report.rejected :])
    row = asset(store, AIR)
    assert row is not None
    assert row.attributes["last_reading_at"] == good.replace(minute=0).isoformat()
    assert row.status == "clock_fault"  # its newest file holds nothing but future times
    clock.now = ahead + timedelta(hours=1)  # once that time has come, the lines stay refused
    feed.run("stations")
    row = asset(store, AIR)
    assert row is not None
    assert row.attributes["last_reading_at"] == good.replace(minute=0).isoformat()


def test_every_layout_gets_its_documented_outcome(store: Store, folder: Path) -> None:
    clock = Clock(NOW)
    at = NOW - timedelta(hours=3)
    when = stamp(at)
    legacy = body([["Salinity", "1.5", "ppt", when]])  # 2022 layout: no status
    spaced = body([["Salinity", "1.6", "‰", when, "00"]], separator=" ")
    cut = "Salinity\t1.7\t‰\t" + when + "\t00\r\nDO\t5,"  # cut during transfer
    vietnamese = "Độ mặn\t1,8\t‰\t" + when + "\t00\r\n"
    files = {
        file_name(WATER, at - timedelta(minutes=4)): legacy.encode(),
        file_name(WATER, at - timedelta(minutes=3)): spaced.encode(),
        file_name(WATER, at - timedelta(minutes=2)): cut.encode(),
        file_name(WATER, at - timedelta(minutes=1)): vietnamese.encode("utf-16"),
        file_name(WATER, at): b"",
    }
    for name, data in files.items():
        drop(folder, name, data, at + timedelta(minutes=5), subfolder="2026-11-20")
    report = runner(store, folder, clock).run("stations")
    assert report.rejected == 2  # the cut line and the empty file
    processed = folder / "processed" / "2026-11-20"
    notes = {p.name: p.read_text(encoding="utf-8") for p in processed.glob("*.notes.txt")}
    names = list(files)
    assert "legacy 4-field layout" in notes[names[0] + ".notes.txt"]
    assert "separated by spaces" in notes[names[1] + ".notes.txt"]
    assert "decimal commas" in notes[names[3] + ".notes.txt"]
    empty = folder / "rejected" / "2026-11-20" / (names[4] + ".reason.txt")
    assert "empty file" in empty.read_text(encoding="utf-8")
    assert any("incomplete last line" in r for r in reasons(store))
    # The newest readable file (sorted by the names' times) holds the 1.8 ‰ reading.
    row = asset(store, WATER)
    assert row is not None and row.attributes["salinity_permille"] == 1.8


@pytest.mark.parametrize(("hours", "published"), [(17, False), (18, True)])
def test_no_daily_aqi_without_18_hours_of_pm(
    store: Store, folder: Path, hours: int, published: bool
) -> None:
    clock = Clock(NOW)
    hourly_air_files(folder, FIRST_HOUR, hours)
    runner(store, folder, clock).run("stations")
    aqi = values(store, "environment.aqi_max")
    assert ((AIR_AREA, "") in aqi) is published
    assert values(store, "environment.pm25")[(AIR_AREA, "")] == 35.0  # means are kept


def test_without_pm_no_aqi_is_published(store: Store, folder: Path) -> None:
    clock = Clock(NOW)
    for i in range(24):
        at = FIRST_HOUR + timedelta(hours=i)
        gases = [line for line in air_lines(at) if not line[0].startswith("PM")]
        drop(folder, file_name(AIR, at), body(gases), at + timedelta(minutes=1))
    runner(store, folder, clock).run("stations")
    assert values(store, "environment.aqi_max") == {}
    row = asset(store, AIR)
    assert row is not None and "aqi" not in row.attributes
    assert values(store, "environment.no2")[(AIR_AREA, "")] > 0


def test_a_corrected_resend_replaces_the_reading(store: Store, folder: Path) -> None:
    clock = Clock(NOW)
    at = NOW - timedelta(hours=2)
    name = file_name(WATER, at)
    drop(folder, name, body([["Salinity", "2.0", "‰", stamp(at), "00"]]), at)
    feed = runner(store, folder, clock)
    feed.run("stations")
    corrected = "STG_STNMT_" + WATER + "_" + stamp(at + timedelta(seconds=1)) + ".txt"
    drop(folder, corrected, body([["Salinity", "2.4", "‰", stamp(at), "00"]]), at)
    report: RunReport = feed.run("stations")
    assert report.changed > 0
    row = asset(store, WATER)
    assert row is not None and row.attributes["salinity_permille"] == 2.4


def test_a_missing_folder_or_an_unknown_area_is_a_configuration_error(
    store: Store, tmp_path: Path
) -> None:
    clock = Clock(NOW)
    report = runner(store, tmp_path / "nowhere", clock).run("stations")
    assert (report.status, report.error_kind) == ("failed", "misconfigured")
    assert "does not exist" in (report.error_text or "")
    stations = [{"code": "X1", "name": "X", "area": "99999"}]
    report = runner(store, tmp_path, clock, stations=stations).run("stations")
    assert "unknown areas: X1" in (report.error_text or "")


def test_processed_archive_survives_a_lost_database(
    store: Store, folder: Path, tmp_path: Path
) -> None:
    """The archive is the history: a fresh store rebuilt from processed/ alone matches."""
    clock = Clock(NOW)
    hourly_air_files(folder, FIRST_HOUR, 24)
    runner(store, folder, clock).run("stations")
    before = values(store, "environment.aqi_max")
    fresh = Store.open(f"sqlite:///{tmp_path / 'rebuilt.db'}")
    try:
        clock.now = NOW + timedelta(hours=1)
        recompute = {"recompute_days": 3}
        runner(fresh, folder, clock, **recompute).run("stations")
        assert values(fresh, "environment.aqi_max") == before
    finally:
        fresh.engine.dispose()
    shutil.rmtree(folder / "processed")


def test_stamps_are_local_time() -> None:
    assert stamp(datetime(2026, 11, 19, 17, 0, tzinfo=UTC)) == "20261120000000"


def test_reading_without_storing_moves_nothing(folder: Path) -> None:
    """A dry run (fetch and normalize, no commit) leaves every file where it was."""
    paths = hourly_air_files(folder, FIRST_HOUR, 3)
    drop(
        folder, "STG_X_NOPE_20261119100000.txt", "PM2.5\t1\tug/m3\t20261119100000\t00\n", FIRST_HOUR
    )
    config = feed_config(folder)
    context = FeedContext(areas={u.code: u for u in load_admin_units()}, now=lambda: NOW)
    feed = StationFilesFeed("stations", config.options, context)
    items = list(feed.normalize(feed.fetch()))
    assert any(isinstance(i, Rejection) and "unknown station" in i.reason for i in items)
    assert sum(isinstance(i, Observation) for i in items) > 0
    assert all(p.exists() for p in paths)
    assert not (folder / "processed").exists() and not (folder / "rejected").exists()


def test_when_the_dust_analyser_stops_the_current_hour_has_no_aqi(
    store: Store, folder: Path
) -> None:
    clock = Clock(NOW)
    hourly_air_files(folder, NOW - timedelta(hours=12), 10)  # hours −12 … −3
    last = NOW - timedelta(hours=1)  # PM in device error, the gases still measured
    lines = [
        line if not line[0].startswith("PM") else [*line[:4], "02"] for line in air_lines(last)
    ]
    drop(folder, file_name(AIR, last), body(lines), last + timedelta(minutes=1))
    runner(store, folder, clock).run("stations")
    row = asset(store, AIR)
    assert row is not None and row.status == "device_error"
    assert "aqi" not in row.attributes  # never an index from the gases alone
    hourly = row.attributes["aqi_hourly"]
    # Hours −11 … −2 have 2 of their 3 latest PM hours; −12 (its first) and −1 do not.
    assert len(hourly) == 10 and set(hourly.values()) == {70}
