"""The administrative hierarchy (GSO codes, names, population, label points) shipped as data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DEFAULT_UNITS_FILE = Path(__file__).parent / "data" / "admin_units.csv"
LEVELS = ("province", "district", "commune")
# English names in one form everywhere: the unit's name without marks, then its kind in English
# ("Chau Thanh District", "Phu Tam Commune"); numbered wards read "Ward 5".
ENGLISH_TYPES = {
    "Tỉnh": "Province",
    "Thành phố": "City",
    "Thị xã": "Town",
    "Huyện": "District",
    "Phường": "Ward",
    "Thị trấn": "Township",
    "Xã": "Commune",
}


def english_name(type_vi: str, short_name_en: str) -> str:
    """The English name of a unit from its kind and its unmarked short name."""
    kind = ENGLISH_TYPES.get(type_vi)
    if kind is None:
        return short_name_en
    return f"{kind} {short_name_en}" if short_name_en.isdigit() else f"{short_name_en} {kind}"


@dataclass(frozen=True, slots=True)
class AdminUnit:
    code: str
    level: str
    parent_code: str | None
    name_vi: str
    name_en: str
    short_name_vi: str
    short_name_en: str
    type_vi: str
    population: int | None
    area_km2: float | None
    lat: float
    lon: float


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


def _unit(row: dict[str, str]) -> AdminUnit:
    population = row.get("population", "").strip()
    short_en = row.get("short_name_en", "").strip() or row["name_en"].strip()
    type_vi = row.get("type_vi", "").strip()
    return AdminUnit(
        code=row["code"].strip(),
        level=row["level"].strip(),
        parent_code=row["parent_code"].strip() or None,
        name_vi=row["name_vi"].strip(),
        name_en=english_name(type_vi, short_en) if type_vi else row["name_en"].strip(),
        short_name_vi=row.get("short_name_vi", "").strip() or row["name_vi"].strip(),
        short_name_en=short_en,
        type_vi=type_vi,
        population=int(population) if population else None,
        area_km2=_float(row.get("area_km2", "")) or _float(row.get("area_km2_gis", "")),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
    )


def load_admin_units(path: Path = DEFAULT_UNITS_FILE) -> list[AdminUnit]:
    """Read the units CSV, parents before children; raise ValueError naming a bad row."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    units = []
    for line, row in enumerate(rows, start=2):
        try:
            units.append(_unit(row))
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{path.name}:{line}: bad administrative unit row: {exc}") from exc
    _check_tree(units, path)
    return sorted(units, key=lambda u: LEVELS.index(u.level))


def _check_tree(units: list[AdminUnit], path: Path) -> None:
    codes = {u.code for u in units}
    for unit in units:
        if unit.level not in LEVELS:
            raise ValueError(f"{path.name}: unit {unit.code}: unknown level {unit.level!r}")
        if unit.parent_code and unit.parent_code not in codes:
            raise ValueError(f"{path.name}: unit {unit.code}: parent {unit.parent_code} missing")
