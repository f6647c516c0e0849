"""The drop folder's life cycle on a real file system: stability, once per content, moves."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest

from feeds.base import FeedUnavailable
from feeds.tabular import DropFolder, read_tables
from tests.conftest import Clock
from tests.fixtures.reports import ONE_STOP_ROWS, csv_text, to_cp1258, tourism_workbook

WINDOW = 30.0


def _drop(folder: Path, relative: str, content: bytes, clock: Clock, age: float = 60.0) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    stamp = clock.now.timestamp() - age
    os.utime(path, (stamp, stamp))
    return path


def _folder(root: Path, clock: Clock, **kwargs: object) -> DropFolder:
    return DropFolder(root, now=clock, stability_seconds=WINDOW, **kwargs)  # type: ignore[arg-type]


def test_a_file_is_read_only_after_it_stopped_changing(tmp_path: Path, clock: Clock) -> None:
    path = _drop(tmp_path, "bao-cao.csv", b"a;b\r\n1;2\r\n", clock, age=5)
    scan = _folder(tmp_path, clock).scan()
    assert scan.ready == []
    assert scan.waiting == [path]
    clock.now += timedelta(seconds=WINDOW)
    [ready] = _folder(tmp_path, clock).scan().ready
    assert ready.path == path
    assert ready.read() == b"a;b\r\n1;2\r\n"


def test_accepted_files_move_to_processed_and_rejected_ones_get_a_reason(
    tmp_path: Path, clock: Clock
) -> None:
    good = to_cp1258(csv_text(ONE_STOP_ROWS))
    _drop(tmp_path, "mot-cua/thang-10.csv", good, clock)
    _drop(tmp_path, "du-lich/thang-10.xlsx", tourism_workbook(), clock)
    _drop(tmp_path, "hong.csv", b"\x81\x81;\x90\r\n", clock)
    folder = _folder(tmp_path, clock)
    scan = folder.scan()
    assert sorted(f.relative.as_posix() for f in scan.ready) == [
        "du-lich/thang-10.xlsx",
        "hong.csv",
        "mot-cua/thang-10.csv",
    ]
    for dropped in scan.ready:
        try:
            read_tables(dropped.read(), source=dropped.relative.as_posix())
        except Exception as error:
            folder.reject(dropped, str(error))
        else:
            folder.accept(dropped)
    assert (tmp_path / "processed/mot-cua/thang-10.csv").read_bytes() == good
    assert (tmp_path / "processed/du-lich/thang-10.xlsx").exists()
    reason = (tmp_path / "rejected/hong.csv.reason.txt").read_text(encoding="utf-8")
    assert "cannot decode the file as utf-8 (byte 0x81 at offset 0)" in reason
    assert (tmp_path / "rejected/hong.csv").exists()
    assert not (tmp_path / "hong.csv").exists()
    assert folder.scan().ready == []  # processed/ and rejected/ are not scanned again


def test_the_same_content_dropped_again_changes_nothing(tmp_path: Path, clock: Clock) -> None:
    content = csv_text(ONE_STOP_ROWS).encode()
    _drop(tmp_path, "thang-10.csv", content, clock)
    folder = _folder(tmp_path, clock)
    [first] = folder.scan().ready
    folder.accept(first)
    _drop(tmp_path, "thang-10.csv", content, clock)  # same name, same content
    _drop(tmp_path, "ban-sao/thang-10 (1).csv", content, clock)  # a copy elsewhere
    scan = _folder(tmp_path, clock).scan()  # a restarted process: the state file remembers
    assert scan.ready == []
    assert sorted(p.relative_to(tmp_path).as_posix() for p in scan.duplicates) == [
        "processed/ban-sao/thang-10 (1).csv",
        "processed/thang-10.20261120T033000Z.csv",  # the name was taken: timestamp suffix
    ]
    assert list(tmp_path.glob("*.csv")) == []


def test_name_clashes_in_processed_keep_every_file(tmp_path: Path, clock: Clock) -> None:
    folder = _folder(tmp_path, clock)
    for body in (b"a;b\r\n1;2\r\n", b"a;b\r\n1;3\r\n", b"a;b\r\n1;4\r\n"):
        _drop(tmp_path, "x.csv", body, clock)
        [dropped] = folder.scan().ready
        folder.accept(dropped)
    names = sorted(p.name for p in (tmp_path / "processed").iterdir())
    assert names == ["x.20261120T033000Z-2.csv", "x.20261120T033000Z.csv", "x.csv"]


def test_files_being_written_and_other_names_are_ignored(tmp_path: Path, clock: Clock) -> None:
    for name in (
        "~$bao-cao.xlsx",
        "bao-cao.xlsx.part",
        "bao-cao.csv.tmp",
        ".~lock.x.csv#",
        "ghi-chu.docx",
        ".an.csv",
    ):
        _drop(tmp_path, name, b"x", clock)
    _drop(tmp_path, "THANG-10.CSV", b"a;b\r\n", clock)
    scan = _folder(tmp_path, clock).scan()
    assert [f.relative.as_posix() for f in scan.ready] == ["THANG-10.CSV"]


def test_symlinks_are_never_followed(tmp_path: Path, clock: Clock) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "drop"
    _drop(outside, "secret.csv", b"a;b\r\n", clock)
    root.mkdir()
    (root / "link.csv").symlink_to(outside / "secret.csv")
    (root / "linked-folder").symlink_to(outside, target_is_directory=True)
    scan = _folder(root, clock).scan()
    assert scan.ready == [] and scan.waiting == []
    assert (outside / "secret.csv").exists()


def test_state_file_can_live_elsewhere_and_survives_restarts(tmp_path: Path, clock: Clock) -> None:
    root, state = tmp_path / "drop", tmp_path / "state" / "drop.json"
    state.parent.mkdir()
    _drop(root, "a.csv", b"a;b\r\n1;2\r\n", clock)
    folder = _folder(root, clock, state_path=state)
    folder.accept(folder.scan().ready[0])
    assert not (root / ".ioc-drop-state.json").exists()
    restarted = _folder(root, clock, state_path=state)
    _drop(root, "b.csv", b"a;b\r\n1;2\r\n", clock)
    assert restarted.scan().duplicates == [root / "processed" / "b.csv"]


def test_an_oversized_file_is_rejected_without_being_read(tmp_path: Path, clock: Clock) -> None:
    _drop(tmp_path, "lon.csv", b"x" * 2048, clock)
    scan = _folder(tmp_path, clock, max_bytes=1024).scan()
    assert scan.too_large == [tmp_path / "rejected" / "lon.csv"]
    assert "exceeds 1,024 bytes" in (tmp_path / "rejected/lon.csv.reason.txt").read_text()


def test_five_hundred_small_files(tmp_path: Path, clock: Clock) -> None:
    """Timing for the report: 500 CSV reports scanned, read, parsed and moved."""
    for i in range(500):
        rows = [*ONE_STOP_ROWS[:10], ["4", f"Xã {i}", str(i), "1", "2", "3", ""]]
        _drop(tmp_path, f"d{i % 10}/bao-cao-{i}.csv", csv_text(rows).encode(), clock)
    started = time.perf_counter()
    folder = _folder(tmp_path, clock)
    scan = folder.scan()
    rows_read = 0
    for dropped in scan.ready:
        tables, _ = read_tables(dropped.read(), source=dropped.relative.as_posix())
        rows_read += len(tables[0].rows)
        folder.accept(dropped)
    elapsed = time.perf_counter() - started
    print(f"500 drop-folder files: {elapsed:.2f} s ({rows_read} rows)")
    assert len(scan.ready) == 500
    assert rows_read == 500 * 5  # the column-number row, three districts, one commune
    assert len(list((tmp_path / "processed").rglob("*.csv"))) == 500
    assert elapsed < 60


def test_a_file_changed_after_the_scan_is_not_read(tmp_path: Path, clock: Clock) -> None:
    _drop(tmp_path, "a.csv", b"a;b\r\n1;2\r\n", clock)
    [dropped] = _folder(tmp_path, clock).scan().ready
    _drop(tmp_path, "a.csv", b"a;b\r\n1;3\r\n", clock)
    with pytest.raises(FeedUnavailable, match="changed after it was found stable"):
        dropped.read()
