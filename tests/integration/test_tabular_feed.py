"""tabular_file through the runner: real CSV (cp1258, UTF-8 with BOM, UTF-16) and xlsx files,
a path, a drop folder and a URL, into SQLite and PostgreSQL."""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from feeds.runner import FeedRunner
from settings import FeedConfig
from store import Store
from store.models import ObservationRow
from tests.conftest import Clock
from tests.fixtures.http_server import Route, serve
from tests.fixtures.reports import ONE_STOP_ROWS, csv_text, to_cp1258, tourism_workbook

pytestmark = pytest.mark.integration

OCTOBER = datetime(2026, 9, 30, 17, 0, tzinfo=UTC)
ONE_STOP = {
    "document": {"ky": {"row_starting": "Kỳ báo cáo"}},
    "area": {"name": "Đơn vị", "level": "district"},
    "period": {"field": "ky", "format": "mm/yyyy"},
    "computed": {"nhan": "[Số hồ sơ nhận / Trực tuyến] + [Số hồ sơ nhận / Trực tiếp]"},
    "observations": [
        {"metric": "public_services.received", "field": "nhan", "dim": ""},
        {"metric": "public_services.resolved_late", "field": "Đã giải quyết / Quá hạn", "dim": ""},
    ],
}
TOURISM = {
    "document": {"ky": {"row_starting": "Kỳ báo cáo"}},
    "area": {"name": "Địa bàn", "level": "district"},
    "period": {"field": "ky", "format": "mm/yyyy"},
    "source_time": {"field": "Ngày cập nhật", "format": "excel"},
    "observations": [
        {"metric": "tourism.visitors_international", "field": "Lượt khách / Quốc tế"},
        {"metric": "tourism.revenue", "field": "Doanh thu (triệu đồng)", "scale": 1_000_000},
    ],
}
# TP. Sóc Trăng 1.234 + 567; H. Kế Sách 2.001 + 45 ("-" late is blank); Mỹ Tú "..." + 30 is
# blank, its late count 0. The totals, "Trong đó", note and signature rows are never stored.
ONE_STOP_VALUES = {
    ("public_services.received", "941"): 1801.0,
    ("public_services.resolved_late", "941"): 12.0,
    ("public_services.received", "943"): 2046.0,
    ("public_services.resolved_late", "944"): 0.0,
}


def config(feed_id: str = "bao_cao", **options: Any) -> FeedConfig:
    return FeedConfig.model_validate(
        {"id": feed_id, "type": "tabular_file", "interval": 3600, "timeout": 60, "options": options}
    )


def stored(store: Store) -> dict[tuple[str, str], float]:
    ids = {v: k for k, v in store.queries.metric_ids.items()}
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(ObservationRow.metric_id, ObservationRow.area_code, ObservationRow.value)
        ).all()
    return {(ids[m], a): v for m, a, v in rows}


ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "cp1258": to_cp1258,
    "utf-8-sig": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16": lambda text: text.encode("utf-16"),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_a_one_stop_csv_in_each_windows_encoding(
    store: Store, clock: Clock, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "bao-cao-thang-10.csv"
    path.write_bytes(ENCODINGS[encoding](csv_text(ONE_STOP_ROWS)))
    runner = FeedRunner(store, [config(path=str(path), mapping=ONE_STOP)], clock=clock)
    first = runner.run("bao_cao")
    second = runner.run("bao_cao")
    assert (first.status, first.accepted, first.rejected) == ("ok", 4, 0)
    assert (second.accepted, second.changed) == (4, 0)
    assert stored(store) == ONE_STOP_VALUES


def test_an_undecodable_file_is_rejected_naming_the_encoding(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    path = tmp_path / "hong.csv"
    path.write_bytes(to_cp1258(csv_text(ONE_STOP_ROWS)))
    options = {"path": str(path), "mapping": ONE_STOP, "encoding": "utf-8"}
    report = FeedRunner(store, [config(**options)], clock=clock).run("bao_cao")
    assert (report.status, report.error_kind) == ("failed", "bad_data")
    assert "cannot decode the file as utf-8 (byte 0x" in (report.error_text or "")


def _drop(folder: Path, name: str, content: bytes, clock: Clock) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    settled = clock().timestamp() - 120  # older than the stability window
    os.utime(path, (settled, settled))
    return path


def test_a_drop_folder_processes_each_content_once(
    store: Store, clock: Clock, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    workbook = tourism_workbook()
    _drop(folder, "du-lich/thang-10.xlsx", workbook, clock)
    _drop(
        folder,
        "sai.xlsx",
        b"<html><body>Phi\xc3\xaan h\xe1\xba\xbft h\xe1\xba\xa1n</body></html>",
        clock,
    )
    options = {"drop_folder": str(folder), "mapping": TOURISM, "sheets": ["Tháng *"]}
    runner = FeedRunner(store, [config(**options)], clock=clock)

    first = runner.run("bao_cao")
    assert first.status == "partial" and first.accepted == 4
    assert (folder / "processed" / "du-lich" / "thang-10.xlsx").exists()
    assert (folder / "rejected" / "sai.xlsx").exists()
    reason = (folder / "rejected" / "sai.xlsx.reason.txt").read_text(encoding="utf-8")
    assert "an HTML/XML page, not a CSV or xlsx file" in reason
    assert stored(store) == {
        ("tourism.visitors_international", "941"): 1250.0,
        ("tourism.revenue", "941"): 15_234_500_000.0,
        ("tourism.visitors_international", "943"): 12.0,
        ("tourism.revenue", "943"): 1_234_250_000.0,
    }
    before = stored(store)

    # the same content dropped again, under another name: moved aside, nothing changes
    _drop(folder, "gui-lai/ban-sao.xlsx", workbook, clock)
    second = runner.run("bao_cao")
    assert (second.status, second.accepted, second.changed) == ("ok", 0, 0)
    assert (folder / "processed" / "gui-lai" / "ban-sao.xlsx").exists()
    assert stored(store) == before


def test_a_file_still_being_written_waits(store: Store, clock: Clock, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    path = folder / "moi.csv"
    folder.mkdir()
    path.write_bytes(to_cp1258(csv_text(ONE_STOP_ROWS)))
    fresh = clock().timestamp() - 5  # within the 30 s stability window
    os.utime(path, (fresh, fresh))
    options = {"drop_folder": str(folder), "mapping": ONE_STOP}
    report = FeedRunner(store, [config(**options)], clock=clock).run("bao_cao")
    assert (report.status, report.accepted) == ("ok", 0)
    assert path.exists() and not (folder / "processed").exists()


def test_a_report_from_a_url(store: Store, clock: Clock) -> None:
    with serve(
        {"/bao-cao.xlsx": Route(200, tourism_workbook(), content_type="application/vnd.ms-excel")}
    ) as server:
        options = {"url": server.url("/bao-cao.xlsx"), "mapping": TOURISM, "sheets": ["Tháng 10"]}
        report = FeedRunner(store, [config(**options)], clock=clock).run("bao_cao")
    assert (report.status, report.accepted) == ("ok", 4)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "exactly one of path, drop_folder or url"),
        ({"path": "a.csv", "url": "https://x.vn/a.csv"}, "exactly one of"),
        ({"url": "ftp://x.vn/a.csv"}, "http:// or https://"),
        ({"path": "a.csv", "delimiter": "#"}, "delimiter"),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        config(**options, mapping=ONE_STOP)
