"""A station file's lines checked into readings: status, parameter, unit, value, time, bounds."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from feeds.station_files.lines import Line, Lines
from feeds.station_files.names import parse_time
from feeds.station_files.parameters import Parameter, convert, parameter_for
from feeds.station_files.status import MEASURING, normalized_code, rejection_reason

_DOT_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_COMMA_NUMBER = re.compile(r"[+-]?\d+,\d+")

NOTE_DECIMAL_COMMA = "decimal commas read as decimal points"
NOTE_TIME_FROM_NAME = "empty time fields dated by the file name"
NOTE_UNIT_ASSUMED = "empty unit fields read as the parameter's only unit"


@dataclass(frozen=True, slots=True, kw_only=True)
class Reading:
    """One stored measurement: canonical parameter, UTC time, value in the canonical unit."""

    parameter: str
    time: datetime
    value: float


@dataclass(slots=True)
class Checked:
    """What a file's lines gave: readings, (line, reason, raw) rejections, status counts,
    notes, and how many lines were dated in the future."""

    readings: list[Reading] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    # the parameters each non-measuring code (01 calibrating, 02 device error, …) was given for
    held: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    future: int = 0

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


@dataclass(frozen=True, slots=True, kw_only=True)
class FileClock:
    """The times a file's lines are judged by: its name's time (for empty time fields) and
    the latest plausible time (when the file landed, plus the tolerance)."""

    named: datetime
    latest: datetime


def check_lines(lines: Lines, clock: FileClock) -> Checked:
    checked = Checked(problems=list(lines.problems))
    for text in lines.notes:
        checked.note(text)
    seen: set[tuple[str, datetime]] = set()
    for line in lines.lines:
        result = _check(line, clock, checked)
        if isinstance(result, str):
            checked.problems.append((line.number, result, line.raw))
            continue
        key = (result.parameter, result.time)
        if key in seen:
            checked.problems.append(
                (line.number, "a second reading of the same parameter and time", line.raw)
            )
            continue
        seen.add(key)
        checked.readings.append(result)
    return checked


def _check(line: Line, clock: FileClock, checked: Checked) -> Reading | str:
    """The line's reading, or why it is not stored."""
    code = MEASURING if line.status is None else normalized_code(line.status)
    checked.codes[code] += 1
    reason = rejection_reason(code)
    if reason is not None:
        known = parameter_for(line.parameter) if line.parameter else None
        name = known.label if known is not None else (line.parameter or "").strip()
        held = checked.held.setdefault(code, [])
        if name and name not in held:
            held.append(name)
        return reason
    if not line.parameter:
        return "no parameter name"
    parameter = parameter_for(line.parameter)
    if parameter is None:
        return f"unknown parameter {line.parameter!r}"
    time = _time(line, clock, checked)
    if isinstance(time, str):
        return time
    value = _number(line.value, checked)
    if isinstance(value, str):
        return value
    unit = _unit(parameter, line.unit, checked)
    if unit is None:
        accepted = ", ".join(u for u in parameter.units)
        return f"no unit for {parameter.label}: it could be any of {accepted}"
    canonical, problem = convert(parameter, value, unit)
    if canonical is None:
        return problem
    if not parameter.low <= canonical <= parameter.high:
        return (
            f"{parameter.label} {canonical:g} {parameter.unit} is outside the plausible range "
            f"{parameter.low:g}–{parameter.high:g}"
        )
    return Reading(parameter=parameter.key, time=time, value=canonical)


def _time(line: Line, clock: FileClock, checked: Checked) -> datetime | str:
    if line.time:
        local = parse_time(line.time)
        if local is None:
            return f"time {line.time!r} is not a valid yyyyMMddHHmmss"
    else:
        checked.note(NOTE_TIME_FROM_NAME)
        local = clock.named
    moment = local.astimezone(UTC)
    if moment > clock.latest:
        checked.future += 1
        return (
            f"time {line.time or 'of the file name'} is after the file arrived: "
            "the logger's clock is wrong; not stored"
        )
    return moment


def _number(text: str, checked: Checked) -> float | str:
    if not text:
        return "no value"
    if _COMMA_NUMBER.fullmatch(text):
        checked.note(NOTE_DECIMAL_COMMA)
        text = text.replace(",", ".")
    elif not _DOT_NUMBER.fullmatch(text):
        return f"value {text!r} is not a number"
    value = float(text)
    if not math.isfinite(value):
        return f"value {text!r} is not a number"
    return value


def _unit(parameter: Parameter, unit: str, checked: Checked) -> str | None:
    """The unit as written; an empty one is assumed only when the parameter has one unit."""
    if unit or parameter.unitless:
        return unit
    if len(parameter.units) == 1:
        checked.note(NOTE_UNIT_ASSUMED)
        return parameter.unit
    return None
