"""Station files processed per second: the station_files feed through the runner, one run.

Writes hourly air-station files (seven parameters each) for STATIONS stations into a fresh
drop folder (dated sub-folders), then measures in one run:
- the floor: reading and checking the same files' bytes alone (names, layout, status, units);
- a backlog run: every file new at once, through the runner into a fresh store (move to
  processed/, republish each day from the archive, upsert);
- a steady run: one new file per station on top of that archive (the scheduler's usual turn);
- a repeat run: nothing new, the recent days republished unchanged (changed must be 0).

Run: python -m bench.stations --stations 5 --hours 72 --db sqlite|postgresql
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.harness import PG_URL, ROOT
from feeds.runner import FeedRunner
from feeds.station_files.files import read_station_file
from feeds.station_files.options import StationFilesOptions
from settings import FeedConfig
from store import Store
from store.scope import LOCAL_TZ

COMMUNES = ("31510", "31498", "31501", "31504", "31507", "31513", "31516", "31519")
PG_SCHEMA = "ioc_bench_stations"
NOW = datetime(2026, 11, 20, 3, 30, tzinfo=UTC)


def stations(count: int) -> list[dict[str, Any]]:
    return [
        {"code": f"KK{i:02d}", "name": f"Trạm không khí {i}", "area": COMMUNES[i % len(COMMUNES)]}
        for i in range(count)
    ]


def write_file(folder: Path, code: str, moment: datetime) -> Path:
    local = moment.astimezone(LOCAL_TZ)
    when = local.strftime("%Y%m%d%H%M%S")
    lines = [
        ("PM-2.5", "35,2", "ug/m3"),
        ("PM10", "58.1", "µg/m³"),
        ("NO2", "20", "ppb"),
        ("SO2", "5", "ppb"),
        ("CO", "0.8", "ppm"),
        ("O3", "30", "ppb"),
        ("Temp", "29.5", "oC"),
    ]
    content = "".join(f"{p}\t{v}\t{u}\t{when}\t00\r\n" for p, v, u in lines)
    path = folder / local.strftime("%Y/%m/%d") / f"STG_STNMT_{code}_{when}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    landed = (moment + timedelta(minutes=1)).timestamp()
    os.utime(path, (landed, landed))
    return path


def open_store(database: str) -> Store:
    if database == "sqlite":
        path = ROOT / "var" / "bench" / "stations.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        for leftover in path.parent.glob("stations.db*"):
            leftover.unlink()
        return Store.open(f"sqlite:///{path}")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    admin.dispose()
    return Store.open(PG_URL, connect_args={"options": f"-csearch_path={PG_SCHEMA}"})


def floor(paths: list[Path], options: StationFilesOptions) -> float:
    """Seconds to read and check the files' bytes alone, nothing moved or stored."""
    registry = options.registry()
    started = time.perf_counter()
    for path in paths:
        result = read_station_file(
            path.name, path.read_bytes(), registry, landed=NOW, tolerance=timedelta(minutes=5)
        )
        assert not isinstance(result, str), result
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stations", type=int, default=5)
    parser.add_argument("--hours", type=int, default=72)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    folder = ROOT / "var" / "bench" / "station-drop"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    registry = stations(args.stations)
    first = NOW - timedelta(hours=args.hours)
    paths = [
        write_file(folder, s["code"], first + timedelta(hours=h))
        for h in range(args.hours)
        for s in registry
    ]
    config = FeedConfig.model_validate(
        {
            "id": "stations",
            "type": "station_files",
            "interval": 300,
            "timeout": 3600,
            "options": {"folder": str(folder), "stations": registry, "stability_seconds": 0},
        }
    )
    assert isinstance(config.options, StationFilesOptions)
    floor_s = floor(paths, config.options)
    store = open_store(args.db)
    runner = FeedRunner(store, [config], clock=lambda: NOW, sleep=lambda _s: None)
    started = time.perf_counter()
    backlog = runner.run("stations")
    backlog_s = time.perf_counter() - started
    for s in registry:
        write_file(folder, s["code"], NOW - timedelta(minutes=30))
    started = time.perf_counter()
    steady = runner.run("stations")
    steady_s = time.perf_counter() - started
    started = time.perf_counter()
    repeat = runner.run("stations")
    repeat_s = time.perf_counter() - started
    store.engine.dispose()
    n = len(paths)
    print(f"{args.db}: {args.stations} stations × {args.hours} hourly files = {n} files")
    print(f"floor (read + check only): {floor_s:.3f} s, {n / floor_s:,.0f} files/s")
    print(
        f"backlog run: {backlog_s:.3f} s, {n / backlog_s:,.0f} files/s "
        f"({backlog_s / floor_s:.1f}× floor), {backlog.accepted} rows, status {backlog.status}"
    )
    print(
        f"steady run ({args.stations} new files): {steady_s:.3f} s, "
        f"{args.stations / steady_s:,.1f} files/s, changed {steady.changed}"
    )
    print(f"repeat run (nothing new): {repeat_s:.3f} s, changed {repeat.changed}")


if __name__ == "__main__":
    main()
