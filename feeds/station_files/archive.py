"""The processed/ folder as the stations' history: which archived files cover a time range."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from feeds.station_files.files import StationFile, read_station_file
from feeds.station_files.names import NameError_, parse_name, station_of
from feeds.station_files.options import StationSpec

SIDECAR_SUFFIXES = (".reason.txt", ".notes.txt")


@dataclass(frozen=True, slots=True, kw_only=True)
class Archived:
    path: Path
    relative: str  # its path under processed/, as it was under the drop folder
    station: str  # the station's registered code
    named: datetime  # the time its name gives
    landed: datetime  # when it arrived (its modification time, kept by the move)


def archived_files(
    processed: Path, registry: Mapping[str, StationSpec], patterns: Sequence[str]
) -> list[Archived]:
    """Every station file under processed/ whose name resolves to a registered station,
    oldest name time first (then path), so later files override earlier ones."""
    found: list[Archived] = []
    for path in _walk(processed, [p.casefold() for p in patterns]):
        try:
            name = parse_name(path.name)
        except NameError_:
            continue
        station, _ = station_of(name, registry)
        if station is not None:
            landed = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            relative = path.relative_to(processed).as_posix()
            found.append(
                Archived(
                    path=path,
                    relative=relative,
                    station=station.code,
                    named=name.time,
                    landed=landed,
                )
            )
    found.sort(key=lambda a: (a.named, a.relative))
    return found


def reread(
    files: Sequence[Archived],
    registry: Mapping[str, StationSpec],
    *,
    wanted: Callable[[Archived], bool],
    tolerance: timedelta,
    encoding: str,
) -> Iterator[tuple[Archived, StationFile]]:
    """The `wanted` archived files, read again exactly as when they arrived (judged by their
    own arrival time, not by today's clock)."""
    for item in files:
        if not wanted(item):
            continue
        try:
            data = item.path.read_bytes()
        except FileNotFoundError:  # removed by an operator meanwhile
            continue
        result = read_station_file(
            item.path.name,
            data,
            registry,
            landed=item.landed,
            tolerance=tolerance,
            encoding=encoding,
        )
        if not isinstance(result, str):
            yield item, result


def _walk(root: Path, patterns: Sequence[str]) -> Iterator[Path]:
    if not root.is_dir():
        return
    for directory, subdirs, names in os.walk(root, followlinks=False):
        subdirs.sort()
        for name in sorted(names):
            folded = name.casefold()
            if folded.endswith(SIDECAR_SUFFIXES):
                continue
            if any(fnmatch.fnmatchcase(folded, p) for p in patterns):
                yield Path(directory) / name
