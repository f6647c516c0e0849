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
    root: Path  # processed/
    relative: str  # its path under processed/, as it was under the drop folder
    station: str  # the station's registered code
    named: datetime  # the time its name gives

    @property
    def path(self) -> Path:
        return self.root / self.relative

    def landed(self) -> datetime:
        """When it arrived: its modification time, which the move to processed/ keeps (read
        only when needed, so that a long archive costs one stat per file it reads)."""
        return datetime.fromtimestamp(self.path.stat().st_mtime, UTC)


def archived_files(
    processed: Path, registry: Mapping[str, StationSpec], patterns: Sequence[str]
) -> list[Archived]:
    """Every station file under processed/ whose name resolves to a registered station,
    oldest name time first (then path), so later files override earlier ones."""
    found: list[Archived] = []
    stations: dict[tuple[str, ...], str | None] = {}  # a station's names share their tokens
    for relative, name in _walk(processed, [p.casefold() for p in patterns]):
        try:
            parsed = parse_name(name)
        except NameError_:
            continue
        if parsed.tokens not in stations:
            station, _ = station_of(parsed, registry)
            stations[parsed.tokens] = station.code if station is not None else None
        code = stations[parsed.tokens]
        if code is not None:
            found.append(
                Archived(root=processed, relative=relative, station=code, named=parsed.time)
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
        path = item.path
        try:
            data = path.read_bytes()
            landed = item.landed()
        except FileNotFoundError:  # removed by an operator meanwhile
            continue
        result = read_station_file(
            path.name,
            data,
            registry,
            landed=landed,
            tolerance=tolerance,
            encoding=encoding,
        )
        if not isinstance(result, str):
            yield item, result


def _walk(root: Path, patterns: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(path under root, file name) of the matching files, as strings: a long archive is
    listed without building a Path for each of its files."""
    if not root.is_dir():
        return
    base = str(root)
    for directory, subdirs, names in os.walk(base, followlinks=False):
        subdirs.sort()
        prefix = os.path.relpath(directory, base)
        for name in sorted(names):
            folded = name.casefold()
            if folded.endswith(SIDECAR_SUFFIXES):
                continue
            if any(fnmatch.fnmatchcase(folded, p) for p in patterns):
                yield (name if prefix == "." else f"{prefix}/{name}"), name
