"""The raw shape every tabular reader returns: a grid of cells, its merged ranges, its notes."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time

Cell = str | int | float | datetime | date | time | bool | None


@dataclass(frozen=True, kw_only=True, slots=True)
class Merge:
    """A merged range, 1-based inclusive, as Excel shows it (A5:A6 is rows 5-6, column 1)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass(frozen=True, kw_only=True)
class Grid:
    """One sheet (or one CSV file) as rows of cells; rows[0] is source row 1.

    `source` names the file and, for a workbook, the sheet ("report.xlsx#Tháng 10");
    `notes` say what the reader noticed but did not refuse (a truncated last line).
    """

    source: str
    rows: list[list[Cell]]
    merges: tuple[Merge, ...] = ()
    notes: tuple[str, ...] = field(default=())
    sheet: str | None = None


def clean_text(value: str) -> str | None:
    """NFC-normalised text without surrounding whitespace; an empty cell becomes None."""
    text = unicodedata.normalize("NFC", value).strip()
    return text or None
