"""The layouts of a station file's lines: fields split, headers and cut last lines found."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CURRENT_FIELDS = 5  # parameter, value, unit, yyyyMMddHHmmss, status (Circular 10/2021)
LEGACY_FIELDS = 4  # the 2022 importer's layout: no status field
_STAMP = re.compile(r"\d{14}")
_STATUS = re.compile(r"\d{1,2}")
_DIGIT = re.compile(r"\d")

NOTE_LEGACY = "legacy 4-field layout (no status): read as status 00"
NOTE_SPACES = "fields separated by spaces instead of tabs"
NOTE_SEMICOLONS = "fields separated by ';' instead of tabs"
NOTE_HEADER = "header line skipped"
INCOMPLETE = "incomplete last line (the file ends inside it): not stored"


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """One data line's fields as text (stripped; may be empty); status None when absent."""

    number: int  # 1-based line number in the file
    raw: str
    parameter: str
    value: str
    unit: str
    time: str
    status: str | None


@dataclass(slots=True)
class Lines:
    """A file's data lines, the lines it could not split (number, reason, raw), and notes."""

    lines: list[Line] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def split_lines(text: str) -> Lines:
    """Split decoded text into lines of fields. Blank lines are counted in the notes; the
    first line is a header when neither its value nor its time field holds a digit."""
    found = Lines()
    rows = text.splitlines()
    ends_cleanly = text.endswith(("\n", "\r"))
    blank = 0
    for index, raw in enumerate(rows):
        number = index + 1
        if not raw.strip():
            blank += 1
            continue
        fields, note = _fields(raw)
        last = index == len(rows) - 1 and not ends_cleanly
        if fields is None:
            reason = INCOMPLETE if last else _layout_problem(raw)
            found.problems.append((number, reason, raw))
            continue
        if not found.lines and not found.problems and _is_header(fields):
            found.note(NOTE_HEADER)
            continue
        if last and not _complete(fields):
            found.problems.append((number, INCOMPLETE, raw))
            continue
        if note:
            found.note(note)
        if len(fields) == LEGACY_FIELDS:
            found.note(NOTE_LEGACY)
        found.lines.append(_line(number, raw, fields))
    if blank:
        found.note(f"{blank} blank line(s) ignored")
    return found


def _fields(raw: str) -> tuple[list[str] | None, str]:
    """The line's fields and a note on its separator, or None when no layout fits."""
    if "\t" in raw:
        fields = [f.strip() for f in raw.split("\t")]
        while len(fields) > CURRENT_FIELDS and fields[-1] == "":
            fields.pop()  # trailing tabs
        return (fields if len(fields) in (CURRENT_FIELDS, LEGACY_FIELDS) else None), ""
    if ";" in raw:
        fields = [f.strip() for f in raw.split(";")]
        while len(fields) > CURRENT_FIELDS and fields[-1] == "":
            fields.pop()
        if len(fields) in (CURRENT_FIELDS, LEGACY_FIELDS):
            return fields, NOTE_SEMICOLONS
        return None, ""
    fields = raw.split()
    if len(fields) in (CURRENT_FIELDS, LEGACY_FIELDS):
        return fields, NOTE_SPACES
    return None, ""


def _layout_problem(raw: str) -> str:
    if "\t" in raw:
        count = len(raw.rstrip("\t").split("\t"))
        return f"{count} tab-separated fields; expected 5 (or 4 in the legacy layout)"
    return "no tab-separated fields (parameter, value, unit, time, status)"


def _is_header(fields: list[str]) -> bool:
    return not _DIGIT.search(fields[1]) and not _DIGIT.search(fields[3])


def _complete(fields: list[str]) -> bool:
    """A last line without a newline is complete when its time and status have their form."""
    if fields[3] and not _STAMP.fullmatch(fields[3]):
        return False
    status = fields[4] if len(fields) == CURRENT_FIELDS else None
    return status is None or bool(_STATUS.fullmatch(status))


def _line(number: int, raw: str, fields: list[str]) -> Line:
    return Line(
        number=number,
        raw=raw,
        parameter=fields[0],
        value=fields[1],
        unit=fields[2],
        time=fields[3],
        status=fields[4] if len(fields) == CURRENT_FIELDS else None,
    )
