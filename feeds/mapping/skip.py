"""Skip rules: totals, subtotals, column-number, note, signature and empty rows are not records."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from feeds.mapping.areas import fold
from feeds.mapping.numbers import is_null, is_null_text

LABEL_CELLS = 3  # a row's label sits in its first few text cells (STT, name, code)

TOTAL_WORDS = ("tong cong", "tong so", "tong", "cong", "total", "grand total", "sum")
PROVINCE_WORDS = ("toan tinh", "ca tinh", "tinh soc trang")
SUBTOTAL_PREFIXES = ("trong do", "chia ra", "bao gom", "of which", "including")
NOTE_PREFIXES = ("ghi chu", "nguon", "luu y", "chu thich", "chu y", "note", "source")
SIGNATURE_PREFIXES = (
    "nguoi lap bieu",
    "nguoi lap",
    "nguoi kiem tra",
    "thu truong don vi",
    "kt giam doc",
    "kt chu tich",
    "tm uy ban",
    "tm ubnd",
    "giam doc",
    "pho giam doc",
    "chu tich",
    "pho chu tich",
    "ke toan truong",
    "ky ghi ro ho ten",
    "ky ten",
    "ky dong dau",
)
_LETTER = re.compile(r"[^\W\d_]")
_SIGNED_DATE = re.compile(r"^(?:[a-z ]+ )?ngay \d{1,2} thang \d{1,2} nam \d{4}$")
_COLUMN_TOKEN = re.compile(r"\(?([0-9]{1,2}|[a-z])\)?")
_FORMULA = re.compile(r"\(?[0-9]{1,2}\)?(?:\s*[-+*/=x]\s*\(?[0-9]{1,2}\)?)+")


class ExtraRule(BaseModel):
    """An operator's own rule: a row whose label matches `pattern` (a regex) is skipped."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    pattern: str = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return pattern


class SkipRules(BaseModel):
    """Which non-data rows to skip. `province_is_data`: "Toàn tỉnh" is the province's own row."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    totals: bool = True
    subtotals: bool = True
    column_numbers: bool = True
    notes: bool = True
    signatures: bool = True
    empty: bool = True
    province_is_data: bool = False
    label_fields: tuple[str, ...] = ()  # where labels are; default: the first text cells
    extra: tuple[ExtraRule, ...] = ()


def record_labels(record: Mapping[str, Any], rules: SkipRules) -> list[Any]:
    """The cells skip_reason reads from a record: its label fields, or all its values."""
    names = rules.label_fields
    return [record.get(n) for n in names] if names else list(record.values())


def skip_reason(cells: Sequence[Any], rules: SkipRules) -> str | None:
    """The name of the rule that skips this row, or None when it is data.

    Names: empty, total, province_total, subtotal, column_numbers, note, signature, or an
    extra rule's name. A totals row is always skipped when `totals` is on.
    """
    filled, kinds = _filled_cells(cells)
    if not filled:
        return "empty" if rules.empty else None
    for name, _ in _RULES:
        if name in kinds and getattr(rules, name):
            return name.removesuffix("s")
    if "province" in kinds and not rules.province_is_data:
        return "province_total" if rules.totals else None
    if rules.column_numbers and _column_numbers(filled):
        return "column_numbers"
    return _extra(filled, rules.extra) if rules.extra else None


def _filled_cells(cells: Sequence[Any]) -> tuple[list[Any], list[str]]:
    """The row's filled cells, and the rule kinds of its labels (its first few text cells);
    one pass, as every record goes through it."""
    filled: list[Any] = []
    kinds: list[str] = []
    labels = 0
    for cell in cells:
        if isinstance(cell, str):
            if cell[:1].isdigit():  # a value ("1.234", "01/10/2026"): filled, never blank;
                # as a label it falls under a rule only with a letter (the unique values of a
                # report are not sent through the label caches)
                if labels < LABEL_CELLS:
                    labels += 1
                    if _LETTER.search(cell) is not None and (kind := label_kind(cell)):
                        kinds.append(kind)
                filled.append(cell)
                continue
            # "-" and "x" are blank values but still fill a row
            if is_null_text(cell) and cell.strip() not in ("-", "x", "X"):
                continue
            if labels < LABEL_CELLS:
                labels += 1
                kind = label_kind(cell)
                if kind is not None:
                    kinds.append(kind)
        elif is_null(cell):
            continue
        filled.append(cell)
    return filled, kinds


@functools.lru_cache(maxsize=65536)
def label_kind(label: str) -> str | None:
    """The rule a label text falls under; a label without a letter ("941", "01/10/2026",
    "1.234") matches no rule and is not folded."""
    return _folded_kind(fold(label)) if _LETTER.search(label) else None


def _is_total(label: str) -> bool:
    words = label.removeprefix("i ").removeprefix("a ")  # a Roman/letter STT before the word
    return any(words == w or words.startswith(w + " ") for w in TOTAL_WORDS[:2]) or (
        words in TOTAL_WORDS
    )


def _is_province(label: str) -> bool:
    return any(label == w or label.startswith(w + " ") for w in PROVINCE_WORDS[:2])


def _starts(prefixes: tuple[str, ...]) -> Any:
    return lambda label: any(label == p or label.startswith(p + " ") for p in prefixes)


def _is_signature(label: str) -> bool:
    return _starts(SIGNATURE_PREFIXES)(label) or bool(_SIGNED_DATE.match(label))


_RULES = (
    ("totals", _is_total),
    ("subtotals", _starts(SUBTOTAL_PREFIXES)),
    ("notes", _starts(NOTE_PREFIXES)),
    ("signatures", _is_signature),
)


@functools.lru_cache(maxsize=65536)
def _folded_kind(label: str) -> str | None:
    """Which rule a folded label falls under (totals, subtotals, …, province), if any."""
    for name, matches in _RULES:
        if matches(label):
            return name
    return "province" if _is_province(label) else None


def _column_numbers(cells: list[Any]) -> bool:
    """A row that only numbers the columns: "(1) (2) (3)", "A B 1 2", "(3)=(1)+(2)"."""
    numbers: list[int] = []
    tokens = 0
    for cell in cells:
        text = (
            str(int(cell)) if isinstance(cell, int | float) and float(cell).is_integer() else cell
        )
        if not isinstance(text, str):
            return False
        found = column_tokens(text)
        if found is None:
            return False
        tokens += found[0]
        numbers.extend(found[1])
    increasing = all(b > a for a, b in itertools.pairwise(numbers))
    return tokens >= 2 and increasing


@functools.lru_cache(maxsize=65536)
def column_tokens(text: str) -> tuple[int, tuple[int, ...]] | None:
    """How many column-number tokens a cell holds and the column numbers among them; None
    when it holds anything else."""
    numbers: list[int] = []
    tokens = 0
    for token in text.strip().lower().split():
        if _FORMULA.fullmatch(token):
            tokens += 1
            continue
        match = _COLUMN_TOKEN.fullmatch(token)
        if match is None:
            return None
        tokens += 1
        if match[1].isdigit():
            numbers.append(int(match[1]))
    return tokens, tuple(numbers)


def _extra(cells: list[Any], rules: Iterable[ExtraRule]) -> str | None:
    texts = [c for c in cells if isinstance(c, str)][:LABEL_CELLS]
    for rule in rules:
        pattern = re.compile(rule.pattern, re.IGNORECASE)
        if any(pattern.search(t) or pattern.search(fold(t)) for t in texts):
            return rule.name
    return None
