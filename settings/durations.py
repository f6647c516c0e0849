"""Durations in config.yaml (45, "30s", "5m", "1h", "1d") and short renderings of values."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

_DURATION = re.compile(r"\s*(\d+)\s*([smhd]?)\s*")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def describe(value: object) -> str:
    """A short YAML-flavoured rendering of a value for problem messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return repr(value)
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def format_seconds(seconds: int) -> str:
    """Seconds in the largest whole unit: 10 s, 5 min, 1 h, 1 d."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def parse_duration(value: object) -> int:
    """Whole seconds from an int or a string such as "45", "30s", "5m", "1h", "1d"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"must be seconds or a duration like 30s, 5m, 1h, got {describe(value)}")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def bounded(minimum: int, maximum: int) -> Callable[[object], int]:
    """A validator of durations between minimum and maximum seconds."""

    def check(value: object) -> int:
        seconds = parse_duration(value)
        if seconds < minimum:
            raise ValueError(f"must be at least {format_seconds(minimum)}")
        if seconds > maximum:
            raise ValueError(f"must be at most {format_seconds(maximum)}")
        return seconds

    return check
