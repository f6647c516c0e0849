"""CSV as Windows tools deliver it: BOMs, legacy code pages, `;` or tab delimiters, truncation."""

from __future__ import annotations

import codecs
import csv
import io
import operator
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import cast

from feeds.base import FeedBadData, FeedMisconfigured
from feeds.tabular.grid import Cell, Grid

# Tried, in this order, after the BOM and strict UTF-8 (see `decode`).
DEFAULT_FALLBACKS: tuple[str, ...] = ("cp1258", "cp1252")
DELIMITERS: tuple[str, ...] = (";", ",", "\t")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Letters outside Latin-1 that Vietnamese uses; U+1EA0-U+1EF9 are its tone-marked vowels.
_VIETNAMESE_EXTRA = set("ăĂđĐĩĨũŨơƠưƯ")
_SNIFF_LINES = 40


@dataclass(frozen=True, kw_only=True)
class Decoded:
    text: str
    encoding: str  # the codec that decoded the bytes, e.g. "utf-8-sig", "cp1258"
    cut_character: bool = False  # the bytes end inside a multi-byte character (a cut file)


def decode(
    data: bytes, encoding: str = "auto", fallbacks: Sequence[str] = DEFAULT_FALLBACKS
) -> Decoded:
    """Decode a file's bytes to NFC text.

    A declared `encoding` is the only one tried. With "auto": a BOM decides (UTF-8, UTF-16
    LE/BE); else strict UTF-8 (valid UTF-8 with a few bad bytes is refused, not read as a
    code page); else the `fallbacks` in order, except that when both cp1258
    and cp1252 are candidates the text decides between them (`_vietnamese`): cp1252 decodes
    almost every byte, so "first that does not fail" would never pick cp1258.
    Raises FeedBadData naming every encoding tried and the offset of the first bad byte.
    """
    if encoding != "auto":
        return _decode_strict(data, [_known_codec(encoding)])
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode_strict(data, [codec])
    if _damaged_utf8(data):
        return _decode_strict(
            data, ["utf-8"], "; the rest is valid UTF-8, so no code page was tried"
        )
    candidates = ["utf-8", *(_known_codec(name) for name in fallbacks)]
    return _decode_strict(data, _order_legacy(data, candidates))


def _damaged_utf8(data: bytes) -> bool:
    """UTF-8 text with a few bad bytes (a mixed or damaged file): read as a code page it would
    become mojibake ("SÃ³c"), so it is refused instead. Legacy Vietnamese text almost never
    forms valid multi-byte UTF-8 sequences, so more valid ones than bad bytes tells them apart."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return 0 < bad < valid


def _known_codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise FeedMisconfigured(f"unknown encoding {name!r}") from None


def _order_legacy(data: bytes, candidates: list[str]) -> list[str]:
    """Put cp1252 before cp1258 unless the cp1258 reading is Vietnamese text."""
    if "cp1258" not in candidates or "cp1252" not in candidates:
        return candidates
    try:
        as_1258 = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return candidates
    if _vietnamese(as_1258):
        return candidates
    rest = [c for c in candidates if c not in ("cp1258", "cp1252")]
    return [*rest[:1], "cp1252", "cp1258", *rest[1:]]


def _vietnamese(text: str) -> bool:
    """Text with tone-marked vowels (ế, ộ, ử...) and no letter beyond Latin-1 that Vietnamese
    lacks; a cp1252 file read as cp1258 leaves stray marks or odd letters (ṛ), or has no
    tone-marked vowel at all ("São" becomes "Săo")."""
    toned = False
    for ch in text:
        if "\u1ea0" <= ch <= "\u1ef9":
            toned = True
            continue
        foreign = ord(ch) > 0xFF and ch.isalpha() and ch not in _VIETNAMESE_EXTRA
        if foreign or unicodedata.combining(ch):
            return False
    return toned


def _decode_strict(data: bytes, codecs_to_try: Sequence[str], why: str = "") -> Decoded:
    failures: list[str] = []
    for codec in codecs_to_try:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as error:
            if _cut_at_end(error, len(data)):
                head = unicodedata.normalize("NFC", data[: error.start].decode(codec))
                return Decoded(text=head, encoding=codec, cut_character=True)
            failures.append(f"{codec} (byte 0x{data[error.start]:02x} at offset {error.start})")
            continue
        return Decoded(text=unicodedata.normalize("NFC", text), encoding=codec)
    raise FeedBadData("cannot decode the file as " + ", ".join(failures) + why)


def _cut_at_end(error: UnicodeDecodeError, size: int) -> bool:
    """A multi-byte character missing its last bytes at the very end: truncation, not a
    wrong encoding (only UTF-8 and UTF-16 report this)."""
    return error.reason in ("unexpected end of data", "truncated data") and error.end == size


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently.

    For each candidate, the most common non-zero field count per line, how many lines have
    it, and the count itself: decimal commas in a `;` file vary per line, the real
    delimiter does not. Ties go to the larger count, then to `;`, tab, `,`.
    """
    lines = text.splitlines()[:_SNIFF_LINES]
    best: tuple[int, int, int] = (0, 0, 0)
    chosen = DELIMITERS[0]
    for rank, delimiter in enumerate(DELIMITERS):
        counts = Counter(row_len - 1 for row_len in _field_counts(lines, delimiter) if row_len > 1)
        if not counts:
            continue
        width, lines_with_it = counts.most_common(1)[0]
        score = (lines_with_it, width, -rank)
        if score > best:
            best, chosen = score, delimiter
    return chosen


def _field_counts(lines: list[str], delimiter: str) -> list[int]:
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    try:
        return [len(row) for row in reader]
    except csv.Error:
        return []


def read_csv(
    data: bytes,
    *,
    source: str,
    encoding: str = "auto",
    fallbacks: Sequence[str] = DEFAULT_FALLBACKS,
    delimiter: str | None = None,
) -> Grid:
    """Parse a CSV (or Excel "Unicode text") file into a grid of NFC text cells.

    Empty cells are None; no cell is converted to a number (the mapping's locale decides).
    A last record cut off mid-way (an open quote at the end, or fewer fields than the
    others and no final newline) is dropped and named in `notes`.
    """
    decoded = decode(data, encoding, fallbacks)
    text = decoded.text
    chosen = delimiter or sniff_delimiter(text)
    rows, truncated = _parse(text, chosen)
    notes = [f"encoding {decoded.encoding}, delimiter {chosen!r}"]
    if decoded.cut_character:
        notes.append("the file ends inside a character")
    if truncated is not None:
        notes.append(f"truncated last line at row {truncated}: dropped")
    return Grid(source=source, rows=rows, notes=tuple(notes))


def _parse(text: str, delimiter: str) -> tuple[list[list[Cell]], int | None]:
    """The rows, and the 1-based number of a truncated last row if there was one."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    read: list[list[str]] = []
    try:
        read.extend(reader)
    except csv.Error:
        # strict mode only fails at the end on an unclosed quote: the record was cut off.
        return _stripped(read), len(read) + 1
    rows = _as_cells(read) if _kept_as_read(read) else _stripped(read)
    if rows and not text.endswith(("\n", "\r")) and _short_last_row(rows):
        return rows[:-1], len(rows)
    return rows, None


def _stripped(rows: list[list[str]]) -> list[list[Cell]]:
    """The cells without surrounding whitespace, an empty one as None (the text is NFC
    already: see `decode`)."""
    return [[value.strip() or None for value in row] for row in rows]


def _as_cells(rows: list[list[str]]) -> list[list[Cell]]:
    """The rows as they are: text cells are cells (list is invariant, so mypy needs this)."""
    return cast(list[list[Cell]], rows)


def _kept_as_read(rows: list[list[str]]) -> bool:
    """True when every cell is already as `_parse` keeps it: no whitespace at its edges,
    not empty (tested column-free in C over all cells, not one strip per cell in Python)."""
    cells = list(chain.from_iterable(rows))
    return all(cells) and all(map(operator.eq, cells, map(str.strip, cells)))


def _short_last_row(rows: list[list[Cell]]) -> bool:
    widths = Counter(len(row) for row in rows[:-1] if len(row) > 1)
    if not widths:
        return False
    usual = widths.most_common(1)[0][0]
    return 1 < len(rows[-1]) < usual or (
        len(rows[-1]) == 1 and usual > 1 and rows[-1][0] is not None
    )
