"""Areas by GSO code or by name in every form reports write, matched through the geography."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from feeds.mapping.errors import ParseError, shown
from geo.hierarchy import AdminUnit

# A unit's kind, from its type_vi; a prefix or suffix in a report names one or more kinds.
KIND_OF_TYPE = {
    "tinh": "province",
    "thanh pho": "city",
    "huyen": "rural_district",
    "thi xa": "town",
    "phuong": "ward",
    "xa": "commune",
    "thi tran": "township",
}
_DISTRICT_KINDS = frozenset({"city", "rural_district", "town"})
# Longest first so "thi tran" wins over "thi" and "thanh pho" over "tp".
_PREFIXES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    sorted(
        {
            **{name: frozenset({kind}) for name, kind in KIND_OF_TYPE.items()},
            "t": frozenset({"province"}),
            "tp": frozenset({"city"}),
            "h": frozenset({"rural_district"}),
            "tx": frozenset({"town"}),
            "p": frozenset({"ward"}),
            "x": frozenset({"commune"}),
            "tt": frozenset({"township"}),
            "province": frozenset({"province"}),
            "city": frozenset({"city"}),
            "district": _DISTRICT_KINDS,
            "town": frozenset({"town", "township"}),
            "ward": frozenset({"ward"}),
            "commune": frozenset({"commune"}),
        }.items(),
        key=lambda item: -len(item[0]),
    )
)
_SUFFIXES: tuple[tuple[str, frozenset[str]], ...] = (
    ("province", frozenset({"province"})),
    ("city", frozenset({"city"})),
    ("district", _DISTRICT_KINDS),
    ("town", frozenset({"town", "township"})),
    ("township", frozenset({"township"})),
    ("ward", frozenset({"ward"})),
    ("commune", frozenset({"commune"})),
)
_PROVINCE_ALIASES = ("toan tinh", "ca tinh", "tong cong toan tinh")
_PUNCTUATION = re.compile(r"[.,;:()*_\-–—/\\'\"]+")
_LEADING_ZEROS = re.compile(r"\b0+(\d)")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_TRAILING_ROMAN = re.compile(r" (iii|ii|iv|i)$")


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case ASCII words without diacritics or punctuation: "TP. Sóc Trăng" → "tp soc trang".

    Any normalisation (NFC/NFD, old or new tone placement) folds to the same text.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _PUNCTUATION.sub(" ", plain.casefold()).split()
    return _LEADING_ZEROS.sub(r"\1", " ".join(words))


def split_kind(folded: str) -> tuple[frozenset[str] | None, str]:
    """The kinds a prefix or suffix names ("h ke sach" → rural_district) and the bare name."""
    for prefix, kinds in _PREFIXES:
        if folded.startswith(prefix + " "):
            return kinds, _arabic(folded[len(prefix) + 1 :])
    for suffix, kinds in _SUFFIXES:
        if folded.endswith(" " + suffix):
            return kinds, _arabic(folded[: -len(suffix) - 1])
    return None, _arabic(folded)


def _arabic(bare: str) -> str:
    """A trailing Roman numeral as digits: "hoa tu ii" and "hoa tu 2" are one commune."""
    return _TRAILING_ROMAN.sub(lambda m: f" {_ROMAN[m[1]]}", bare)


class AreaError(ParseError):
    """An area that is unknown or ambiguous; the message names it and the candidates."""


@dataclass(frozen=True, slots=True)
class _Entry:
    unit: AdminUnit
    kind: str


class AreaIndex:
    """Look areas up by code or name; build once per run from FeedContext.areas."""

    def __init__(self, units: Iterable[AdminUnit]) -> None:
        self.units: dict[str, AdminUnit] = {u.code: u for u in units}
        self._by_name: dict[str, list[_Entry]] = defaultdict(list)
        self._found: dict[tuple[Any, str | None, str | None], AdminUnit] = {}
        self._coded: dict[Any, AdminUnit] = {}  # raw code → unit, for codes found
        for unit in self.units.values():
            kind = KIND_OF_TYPE.get(fold(unit.type_vi), unit.level)
            for name in {unit.short_name_vi, unit.short_name_en, unit.name_vi, unit.name_en}:
                _, bare = split_kind(fold(name))
                if _Entry(unit, kind) not in self._by_name[bare]:
                    self._by_name[bare].append(_Entry(unit, kind))

    @classmethod
    def from_context(cls, areas: Mapping[str, AdminUnit]) -> AreaIndex:
        return cls(areas.values())

    def by_code(self, raw: Any) -> AdminUnit:
        """The unit with GSO code `raw` ("941", 941 or 941.0)."""
        if type(raw) is str and (unit := self._coded.get(raw)) is not None:
            return unit
        code = _code_text(raw)
        unit = self.units.get(code) if code else None
        if unit is None:
            raise AreaError(f"unknown area code {shown(raw)}", raw)
        if type(raw) is str:
            self._coded[raw] = unit
        return unit

    def by_name(
        self, raw: Any, *, parent: AdminUnit | None = None, level: str | None = None
    ) -> AdminUnit:
        """The unit named `raw`, narrowed by its parent or level when the name is shared."""
        if not isinstance(raw, str) or not raw.strip():
            raise AreaError(f"area name {shown(raw)} is not text", raw)
        folded = fold(raw)
        if folded in _PROVINCE_ALIASES:
            folded = "tinh " + fold(self._province_name())
        kinds, bare = split_kind(folded)
        found = [e for e in self._by_name.get(bare, ()) if kinds is None or e.kind in kinds]
        found = [e for e in found if _fits(e.unit, parent, level)]
        if len(found) == 1:
            return found[0].unit
        if not found:
            where = f" in {parent.name_vi}" if parent else ""
            raise AreaError(f"unknown area name {shown(raw)}{where}", raw)
        names = ", ".join(self._described(e.unit) for e in found)
        raise AreaError(
            f"ambiguous area name {shown(raw)}: could be {names}; "
            "declare area.parent or area.level",
            raw,
        )

    def lookup(
        self, raw: Any, *, parent: AdminUnit | None = None, level: str | None = None
    ) -> AdminUnit:
        """By code when `raw` looks like one (digits), else by name; found units are
        remembered, since a report names the same few areas on every row."""
        key = (raw, parent.code if parent else None, level)
        try:
            return self._found[key]
        except KeyError:
            unit = self._found[key] = self._lookup(raw, parent, level)
            return unit
        except TypeError:  # unhashable raw value
            return self._lookup(raw, parent, level)

    def _lookup(self, raw: Any, parent: AdminUnit | None, level: str | None) -> AdminUnit:
        if _code_text(raw) is not None:
            unit = self.by_code(raw)
            if not _fits(unit, parent, level):
                raise AreaError(f"area code {shown(raw)} is not {_wanted(parent, level)}", raw)
            return unit
        return self.by_name(raw, parent=parent, level=level)

    def _described(self, unit: AdminUnit) -> str:
        parent = self.units.get(unit.parent_code or "")
        return f"{unit.name_vi} ({unit.code}{', ' + parent.name_vi if parent else ''})"

    def _province_name(self) -> str:
        provinces = [u for u in self.units.values() if u.level == "province"]
        return provinces[0].short_name_vi if len(provinces) == 1 else ""


def _code_text(raw: Any) -> str | None:
    """The code as text when `raw` is one: digits, or a whole number (941.0 from Excel)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and raw >= 0:
        return str(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        return raw.strip()
    return None


def _fits(unit: AdminUnit, parent: AdminUnit | None, level: str | None) -> bool:
    return (parent is None or unit.parent_code == parent.code) and (
        level is None or unit.level == level
    )


def _wanted(parent: AdminUnit | None, level: str | None) -> str:
    parts = [f"a {level}"] if level else []
    parts += [f"in {parent.name_vi}"] if parent else []
    return " ".join(parts)
