"""Natural, Vietnamese-aware order of names: "Phường 2" before "Phường 10", "Đại" after "Dương"."""

from __future__ import annotations

import re
import unicodedata

_PARTS = re.compile(r"(\d+)")


def _base_letters(text: str) -> str:
    """The letters without tone and vowel marks, đ read as a letter after d (as dictionaries do)."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d\uffff"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


NaturalKey = tuple[tuple[tuple[int, int | str], ...], str]


def natural_key(name: str) -> NaturalKey:
    """A sort key comparing runs of digits as numbers and letters without their marks first
    (the marks break ties), so lists read the way a person orders them."""
    parts: list[tuple[int, int | str]] = []
    for index, part in enumerate(_PARTS.split(name)):
        if part:
            parts.append((0, int(part)) if index % 2 else (1, _base_letters(part)))
    return tuple(parts), unicodedata.normalize("NFC", name)
