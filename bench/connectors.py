"""Connectors: 100,000 records from each connector through the whole runner, against a raw
bulk insert of the same rows in the same run; the memory of refusing a 25 MB response; a drop
folder of 500 report files.

Per database (SQLite, PostgreSQL), in fresh stores:
- floor: the same observation rows written by the driver's plainest bulk path (executemany on
  SQLite, binary COPY on PostgreSQL), 100k-row transactions; the goal (≥ 0.5×) is set
  against it. On SQLite the runner's upsert binds 99 rows per statement, which no one-row
  executemany matches: a second, stricter floor writes plain INSERTs of as many rows per
  statement, and every connector's ratio to it is printed too;
- http_json: a loopback API in its own process, paged 10 × 10,000 records (JSON, Vietnamese
  numbers, dd/mm/yyyy);
- sql_query: one SELECT of 100,000 rows from a PostgreSQL source table;
- tabular_file: one 100,000-row CSV (UTF-8 with BOM, `;`);
each end to end: fetch, parse, map, check, upsert, run record.
Then: the peak Python memory (tracemalloc) while http_json refuses a 25 MB body sent without
Content-Length, and with it; and the seconds to process 500 files dropped in a folder.

Run: python -m bench.connectors [--records 100000] [--files 500] [--db sqlite postgresql]
     [--repeat 3]
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.harness import PG_URL
from bench.ingest import fresh_store, write_floor
from feeds.base import FeedBadData, FeedContext
from feeds.http_json import HttpJsonFeed
from feeds.runner import CHUNK_ROWS, FeedRunner
from settings import FeedConfig
from store import Store
from store.record_writes import SQLITE_ROWS_PER_STATEMENT, column_stamper, observation_rows
from store.records import Observation
from store.scope import LOCAL_TZ
from tests.fixtures.http_server import Route, free_port, serve

METRIC = "tourism.visitors"
PAGE = 10_000
SOURCE_SCHEMA = "ioc_bench_source"
MAPPING: dict[str, Any] = {
    "records": "data",
    "area": {"code": "ma"},
    "period": {"field": "ngay", "format": "dd/mm/yyyy"},
    "observations": [{"metric": METRIC, "field": "khach"}],
}


def source_rows(store: Store, count: int, today: date) -> list[dict[str, str]]:
    """`count` records with distinct (area, day) keys, as a provincial API writes them."""
    areas = sorted(store.queries.areas.by_code)
    days = -(-count // len(areas))
    rows = []
    for back in range(1, days + 1):
        day = (today - timedelta(days=back)).strftime("%d/%m/%Y")
        for code in areas:
            value = f"{(back * 7919 + int(code)) % 1_000_000:,}".replace(",", ".")
            rows.append({"ma": code, "ngay": day, "khach": value})
    return rows[:count]


def floor_seconds(
    database: str, rows: list[dict[str, str]], now: datetime, rows_per_statement: int = 1
) -> float:
    """The raw bulk insert of the same observations (parsed ahead, untimed)."""
    with fresh_store(database) as store:
        observations = [
            Observation(METRIC, r["ma"], _local_day(r["ngay"]), float(r["khach"].replace(".", "")))
            for r in rows
        ]
        stamp = column_stamper(store.engine)
        table = observation_rows(
            observations, store.writer._metric_id, stamp, "simulator", stamp(now), numbered=False
        )
        return write_floor(store, sorted(table), CHUNK_ROWS, rows_per_statement)


def _local_day(text_day: str) -> datetime:
    d, m, y = (int(p) for p in text_day.split("/"))
    return datetime(y, m, d, tzinfo=LOCAL_TZ).astimezone(UTC)


def feed_config(feed_id: str, feed_type: str, options: dict[str, Any]) -> FeedConfig:
    return FeedConfig.model_validate(
        {"id": feed_id, "type": feed_type, "interval": 3600, "timeout": 3600, "options": options}
    )


def runner_seconds(database: str, config: FeedConfig, expected: int) -> float:
    with fresh_store(database) as store:
        runner = FeedRunner(store, [config])
        started = time.perf_counter()
        report = runner.run(config.id)
        elapsed = time.perf_counter() - started
    if report.status != "ok" or report.accepted != expected:
        raise SystemExit(f"{config.id}: {report.status} {report.accepted}: {report.error_text}")
    return elapsed


@contextmanager
def paged_api(rows: list[dict[str, str]], folder: Path) -> Iterator[str]:
    """The records as a paged API served by its own process (bench/page_server.py)."""
    pages = folder / "pages"
    pages.mkdir(exist_ok=True)
    for number, start in enumerate(range(0, len(rows), PAGE), start=1):
        page = json.dumps({"data": rows[start : start + PAGE]}, ensure_ascii=False)
        (pages / f"page-{number}.json").write_bytes(page.encode())
    port = free_port()
    command = [sys.executable, "-m", "bench.page_server", str(pages), str(port)]
    server = subprocess.Popen(command, cwd=Path(__file__).resolve().parents[1])
    try:
        _wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}/api/thong-ke"
    finally:
        server.terminate()
        server.wait(10)


def _wait_for_port(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and server.poll() is None:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"the page server on port {port} did not start")


@contextmanager
def pg_source(rows: list[dict[str, str]]) -> Iterator[str]:
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SOURCE_SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SOURCE_SCHEMA}"'))
        conn.execute(text(f"CREATE TABLE {SOURCE_SCHEMA}.so_lieu (ma text, ngay text, khach text)"))
    raw: Any = engine.raw_connection()
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {SOURCE_SCHEMA}.so_lieu (ma, ngay, khach) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((row["ma"], row["ngay"], row["khach"]))
    raw.commit()
    raw.close()
    try:
        yield f"SELECT ma, ngay, khach FROM {SOURCE_SCHEMA}.so_lieu"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{SOURCE_SCHEMA}" CASCADE'))
        engine.dispose()


def csv_file(folder: Path, rows: list[dict[str, str]]) -> Path:
    path = folder / "bao-cao.csv"
    lines = ["Mã;Ngày;Lượt khách"] + [f"{r['ma']};{r['ngay']};{r['khach']}" for r in rows]
    path.write_bytes(codecs.BOM_UTF8 + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


TABLE_MAPPING = {
    "area": {"code": "Mã"},
    "period": {"field": "Ngày", "format": "dd/mm/yyyy"},
    "observations": [{"metric": METRIC, "field": "Lượt khách"}],
}


def best_of(repeat: int, measure: Callable[[], float]) -> float:
    """The fastest of `repeat` measurements (each in its own fresh store): this machine's
    timings wander by half between runs, and the floor and each connector get the same
    treatment."""
    return min(measure() for _ in range(repeat))


def connectors(
    database: str, count: int, now: datetime, folder: Path, repeat: int = 3
) -> list[str]:
    with fresh_store(database) as store:
        rows = source_rows(store, count, now.astimezone(LOCAL_TZ).date())
    floor = best_of(repeat, lambda: floor_seconds(database, rows, now))
    lines = [_line(f"{database}: raw bulk insert (floor)", count, floor)]
    strict: float | None = None  # SQLite: the floor with as many rows per statement as the runner
    if database == "sqlite":
        per = SQLITE_ROWS_PER_STATEMENT
        strict = best_of(repeat, lambda: floor_seconds(database, rows, now, per))
        lines.append(_line(f"{database}: raw insert, {per} rows/statement", count, strict))
    with paged_api(rows, folder) as url:
        pagination = {"type": "page", "size": PAGE, "max_pages": 1000}
        options = {"url": url, "mapping": MAPPING, "pagination": pagination, "timeout_s": 60}
        cfg = feed_config("dvc", "http_json", options)
        seconds = best_of(repeat, lambda: runner_seconds(database, cfg, count))
        lines.append(_line(f"{database}: http_json", count, seconds, floor, strict))
    with pg_source(rows) as query:
        options = {"url": PG_URL, "query": query, "mapping": {**MAPPING, "records": ""}}
        sql = feed_config("csdl", "sql_query", {**options, "row_limit": count})
        seconds = best_of(repeat, lambda: runner_seconds(database, sql, count))
        lines.append(_line(f"{database}: sql_query", count, seconds, floor, strict))
    path = csv_file(folder, rows)
    table = feed_config("bao_cao", "tabular_file", {"path": str(path), "mapping": TABLE_MAPPING})
    seconds = best_of(repeat, lambda: runner_seconds(database, table, count))
    lines.append(_line(f"{database}: tabular_file", count, seconds, floor, strict))
    return lines


def refusal_memory() -> list[str]:
    """Peak traced memory while a 25 MB body is refused at the default 20 MB limit."""
    body = b'{"data": [' + b'{"ma": "941", "ngay": "01/01/2026", "khach": "1"},' * 520_000
    body += b"{}]}"
    routes = {"/len": Route(200, body), "/stream": Route(200, body, send_length=False)}
    context = FeedContext(areas={}, now=lambda: datetime.now(UTC))
    out = []
    with serve(routes) as server:
        for path, how in (("/stream", "streamed, no Content-Length"), ("/len", "declared")):
            options = HttpJsonFeed.Options.model_validate(
                {"url": server.url(path), "mapping": MAPPING, "timeout_s": 60}
            )
            tracemalloc.start()
            try:
                HttpJsonFeed("big", options, context).fetch()
            except FeedBadData as exc:
                refused = str(exc)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            out.append(
                f"  refusing a {len(body) / 1e6:.1f} MB body ({how}): peak {peak / 1e6:.1f} MB"
                f" traced — {refused}"
            )
    return out


def drop_folder(database: str, files: int, now: datetime, folder: Path) -> str:
    """Seconds to read, map, store and move `files` monthly district reports."""
    root = folder / f"drop-{database}"
    settled = now.timestamp() - 3600
    with fresh_store(database) as store:
        areas = sorted(store.queries.areas.by_code)
    for n in range(files):
        month = date(2026, 10, 1) - timedelta(days=31 * (n // len(areas)))
        path = root / f"{n % 7}" / f"bao-cao-{n:03d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = [
            "UBND TỈNH SÓC TRĂNG",
            f"Kỳ báo cáo: Tháng {month.month}/{month.year}",
            "",
            "Mã địa bàn;Lượt khách",
            f"{areas[n % len(areas)]};{n * 13 % 9000 + 1}",
            "Tổng cộng;1",
            "Người lập biểu",
        ]
        path.write_bytes(("\r\n".join(rows) + "\r\n").encode("utf-8"))
        os.utime(path, (settled, settled))
    mapping = {
        "document": {"ky": {"row_starting": "Kỳ báo cáo"}},
        "area": {"code": "Mã địa bàn"},
        "period": {"field": "ky", "format": "mm/yyyy"},
        "observations": [{"metric": METRIC, "field": "Lượt khách"}],
    }
    cfg = feed_config("tha_thu_muc", "tabular_file", {"drop_folder": str(root), "mapping": mapping})
    with fresh_store(database) as store:
        started = time.perf_counter()
        report = FeedRunner(store, [cfg]).run(cfg.id)
        elapsed = time.perf_counter() - started
    moved = sum(1 for _ in (root / "processed").rglob("*.csv"))
    return (
        f"  {database}: drop folder of {files} files: {elapsed:.1f} s ({files / elapsed:.0f}"
        f" files/s), {report.accepted} records, {moved} moved to processed/, {report.status}"
    )


def _line(
    name: str, rows: int, seconds: float, floor: float | None = None, strict: float | None = None
) -> str:
    rate = rows / seconds
    ratio = f"   {floor / seconds:4.2f}× floor" if floor else ""
    if strict:
        ratio += f", {strict / seconds:4.2f}× the multi-row floor"
    return f"  {name:<38} {rows:>8,} records {seconds:7.2f} s {rate:>9,.0f} records/s{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=3, help="best of N for every timing")
    args = parser.parse_args()
    now = datetime.now(UTC)
    print(
        f"connectors bench: {args.records:,} records per connector (best of {args.repeat});"
        f" {args.files} dropped files"
    )
    with tempfile.TemporaryDirectory(prefix="ioc-bench-") as tmp:
        folder = Path(tmp)
        for database in args.db:
            for text_line in connectors(database, args.records, now, folder, args.repeat):
                print(text_line, flush=True)
        for text_line in refusal_memory():
            print(text_line, flush=True)
        for database in args.db:
            print(drop_folder(database, args.files, now, folder), flush=True)


if __name__ == "__main__":
    main()
