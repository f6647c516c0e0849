"""Station file names: `<province>_<facility>_<station>_<yyyyMMddHHmmss>.txt`, by tokens.

Only the last token (the time) has a fixed form; the others may be of any length and the
station code itself may contain the separator, so the station is found by matching the
registry's codes against the tokens that end the name before the time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from store.scope import LOCAL_TZ

_TIME = re.compile(r"\d{14}")
SEPARATORS = re.compile(r"[_\-]")


class Registered(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def province(self) -> str | None: ...
    @property
    def facility(self) -> str | None: ...


S = TypeVar("S", bound=Registered)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileName:
    """The tokens of a station file's name."""

    tokens: tuple[str, ...]  # before the time, in order
    time: datetime  # the name's time (local time of the logger), timezone-aware


class NameError_(ValueError):
    """A file name that is not a station file name; the message says why."""


def parse_name(name: str) -> FileName:
    """The tokens and time of a file name (any extension or suffix after the first dot)."""
    stem = name.split(".", 1)[0]
    parts = SEPARATORS.split(stem)
    if len(parts) < 2 or not parts[-1]:
        raise NameError_(f"{name!r}: no '_yyyyMMddHHmmss' time at the end of the name")
    stamp = parts[-1]
    if not _TIME.fullmatch(stamp):
        raise NameError_(f"{name!r}: the last token {stamp!r} is not a yyyyMMddHHmmss time")
    time = parse_time(stamp)
    if time is None:
        raise NameError_(f"{name!r}: {stamp!r} is not a valid date and time")
    tokens = tuple(parts[:-1])
    if not any(tokens):
        raise NameError_(f"{name!r}: no station code before the time")
    return FileName(tokens=tokens, time=time)


def parse_time(stamp: str) -> datetime | None:
    """A `yyyyMMddHHmmss` stamp as local (Asia/Ho_Chi_Minh) time, or None if impossible."""
    if not _TIME.fullmatch(stamp):
        return None
    year, month, day = int(stamp[0:4]), int(stamp[4:6]), int(stamp[6:8])
    hour, minute, second = int(stamp[8:10]), int(stamp[10:12]), int(stamp[12:14])
    try:  # by hand: strptime is the slowest step of indexing a long archive
        return datetime(year, month, day, hour, minute, second, tzinfo=LOCAL_TZ)
    except ValueError:
        return None


def registry_key(code: str) -> str:
    """How a station code is matched: upper case, '-' and '_' alike."""
    return SEPARATORS.sub("_", code).upper()


def station_of(name: FileName, registry: Mapping[str, S]) -> tuple[S | None, str]:
    """The registered station the name ends with (the longest match), or (None, reason).

    `registry` is keyed by `registry_key(code)`. A station that names its province or
    facility in the registry must be sent with those tokens before its code.
    """
    for start in range(len(name.tokens)):
        code = registry_key("_".join(name.tokens[start:]))
        station = registry.get(code)
        if station is None:
            continue
        before = [t.upper() for t in name.tokens[:start]]
        expected = [(station.province, 0), (station.facility, 1)]
        for token, index in expected:
            if token is not None and (len(before) <= index or before[index] != token.upper()):
                found = before[index] if len(before) > index else "nothing"
                what = "province" if index == 0 else "facility"
                return None, (
                    f"station {station.code}: the name gives {what} {found!r}, "
                    f"the registry says {token!r}"
                )
        return station, ""
    tried = "_".join(name.tokens)
    return None, f"unknown station: no registered station code ends {tried!r}"
