"""One station file read whole: its name, its encoding, its lines; or why it is refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from feeds.base import FeedError
from feeds.station_files.lines import split_lines
from feeds.station_files.names import NameError_, parse_name, station_of
from feeds.station_files.options import StationSpec
from feeds.station_files.readings import Checked, FileClock, check_lines
from feeds.tabular import Decoded, decode

PLAIN_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "ascii")  # Unicode: nothing to flag


@dataclass(frozen=True, slots=True, kw_only=True)
class StationFile:
    """A readable station file: its station, the time its name gives and its checked lines."""

    name: str
    station: StationSpec
    named: datetime
    landed: datetime
    checked: Checked


def read_station_file(
    name: str,
    data: bytes,
    registry: Mapping[str, StationSpec],
    *,
    landed: datetime,
    tolerance: timedelta,
    encoding: str = "auto",
) -> StationFile | str:
    """The file's readings, or the reason it is refused whole (and moved to rejected/).

    `landed` is when the file arrived (its modification time, or now if earlier): a line
    dated after it plus `tolerance` comes from a wrong clock.
    """
    try:
        parsed = parse_name(name)
    except NameError_ as error:
        return str(error)
    station, why = station_of(parsed, registry)
    if station is None:
        return why
    if not data.strip():
        return "empty file: no lines to read"
    if encoding == "auto" and data.isascii():  # most files: nothing to detect
        decoded = Decoded(text=data.decode("ascii"), encoding="ascii")
    else:
        try:
            decoded = decode(data, encoding)
        except FeedError as error:
            return str(error)
    lines = split_lines(decoded.text)
    if not lines.lines:
        first = lines.problems[0][1] if lines.problems else "no data lines"
        return f"no line in a recognised layout (first: {first})"
    clock = FileClock(named=parsed.time, latest=landed.astimezone(UTC) + tolerance)
    checked = check_lines(lines, clock)
    if decoded.encoding not in PLAIN_ENCODINGS:
        checked.note(f"legacy encoding {decoded.encoding}")
    if decoded.cut_character:
        checked.note("the file ends inside a character")
    return StationFile(
        name=name, station=station, named=parsed.time, landed=landed, checked=checked
    )
