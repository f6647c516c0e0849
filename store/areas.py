"""An in-memory index of the administrative tree: levels, parents, children, names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from geo.hierarchy import AdminUnit
from i18n.collation import natural_key


@dataclass(frozen=True, slots=True)
class AreaIndex:
    """The area tree, read once from the store; reference data that changes only on upgrade."""

    by_code: dict[str, AdminUnit]
    children_of: dict[str, tuple[str, ...]]

    @classmethod
    def build(cls, units: Iterable[AdminUnit]) -> AreaIndex:
        by_code = {u.code: u for u in units}
        children: dict[str, list[str]] = {}
        for unit in by_code.values():
            if unit.parent_code:
                children.setdefault(unit.parent_code, []).append(unit.code)
        ordered = {
            k: tuple(sorted(v, key=lambda c: natural_key(by_code[c].name_vi)))
            for k, v in children.items()
        }
        return cls(by_code, ordered)

    @property
    def root(self) -> str:
        return next(code for code, unit in self.by_code.items() if unit.parent_code is None)

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def get(self, code: str) -> AdminUnit:
        return self.by_code[code]

    def children(self, code: str) -> tuple[str, ...]:
        return self.children_of.get(code, ())

    def ancestors(self, code: str) -> list[str]:
        """The chain from the area up to the root, the area first."""
        chain = [code]
        while (parent := self.by_code[chain[-1]].parent_code) is not None:
            chain.append(parent)
        return chain

    def is_within(self, code: str, root: str) -> bool:
        return code in self.by_code and root in self.ancestors(code)

    def descendants(self, code: str) -> list[str]:
        """The area and everything below it."""
        found = [code]
        for child in self.children(code):
            found.extend(self.descendants(child))
        return found

    def at_level(self, level: str) -> tuple[str, ...]:
        return tuple(c for c, u in self.by_code.items() if u.level == level)

    def sorted_children(self, code: str, lang: str) -> tuple[str, ...]:
        """The children in natural order of their names in `lang` (Phường 2 before Phường 10)."""
        return tuple(sorted(self.children(code), key=lambda c: natural_key(self.name(c, lang))))

    def name(self, code: str, lang: str) -> str:
        unit = self.by_code[code]
        return unit.name_en if lang == "en" else unit.name_vi
