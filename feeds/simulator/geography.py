"""The simulator's view of the areas: communes, districts and the province as numpy arrays."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from feeds.base import FeedMisconfigured
from feeds.simulator.streams import stable_uniform
from geo.hierarchy import AdminUnit

URBAN_TYPES = ("Phường", "Thị trấn")
KM_PER_DEGREE = 111.32
MAX_JITTER_KM = 0.7


@dataclass(frozen=True)
class Geography:
    """The area tree, with communes and districts in a fixed order for vectorised models.

    `commune_district[i]` is the index of commune i's district, or -1 when the commune hangs
    directly under the province (the two-level structure in force since 1/7/2025).
    """

    province: AdminUnit
    districts: tuple[AdminUnit, ...]
    communes: tuple[AdminUnit, ...]
    commune_district: np.ndarray
    commune_population: np.ndarray
    commune_area_km2: np.ndarray
    commune_urban: np.ndarray
    district_index: dict[str, int] = field(default_factory=dict)
    commune_index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_areas(cls, areas: Mapping[str, AdminUnit]) -> Geography:
        province = _the_province(areas)
        districts = tuple(u for u in _sorted(areas) if u.level == "district")
        district_index = {u.code: i for i, u in enumerate(districts)}
        communes = tuple(u for u in _sorted(areas) if u.level == "commune")
        if not communes:
            raise FeedMisconfigured("the simulator needs communes in the area list")
        return cls(
            province=province,
            districts=districts,
            communes=communes,
            commune_district=np.array(
                [district_index.get(c.parent_code or "", -1) for c in communes]
            ),
            commune_population=_populations(communes),
            commune_area_km2=np.array([c.area_km2 or 1.0 for c in communes], dtype=float),
            commune_urban=np.array([c.type_vi in URBAN_TYPES for c in communes]),
            district_index=district_index,
            commune_index={u.code: i for i, u in enumerate(communes)},
        )

    @cached_property
    def commune_codes(self) -> list[str]:
        return [u.code for u in self.communes]

    @cached_property
    def district_codes(self) -> list[str]:
        return [u.code for u in self.districts]

    def owner(self, commune_index: int) -> AdminUnit:
        """The district a commune belongs to, or the province when it hangs right under it."""
        district = int(self.commune_district[commune_index])
        return self.province if district < 0 else self.districts[district]

    @property
    def district_population(self) -> np.ndarray:
        return self.sum_by_district(self.commune_population)

    @property
    def commune_share(self) -> np.ndarray:
        """Each commune's share of the population (sums to 1)."""
        return self.commune_population / self.commune_population.sum()

    @property
    def district_share(self) -> np.ndarray:
        population = self.district_population
        return population / population.sum() if population.sum() else population

    def sum_by_district(self, values: np.ndarray) -> np.ndarray:
        """Add commune values up per district (communes outside districts are left out)."""
        inside, index = self._inside
        weights = values if index is self.commune_district else values[inside]
        return np.bincount(index, weights=weights, minlength=len(self.districts))

    @cached_property
    def _inside(self) -> tuple[np.ndarray, np.ndarray]:
        """Communes inside a district, and their district indices (the same array when all are)."""
        inside = self.commune_district >= 0
        index = self.commune_district if inside.all() else self.commune_district[inside]
        return inside, index

    def children(self, district: AdminUnit) -> tuple[AdminUnit, ...]:
        return tuple(c for c in self.communes if c.parent_code == district.code)

    def seat(self, district: AdminUnit) -> AdminUnit:
        """The commune where a district's offices sit: its namesake town, a town, Phường 1."""
        children = self.children(district) or self.communes
        for matches in (
            lambda c: c.type_vi == "Thị trấn" and c.short_name_vi == district.short_name_vi,
            lambda c: c.type_vi == "Thị trấn",
            lambda c: c.type_vi == "Phường" and c.short_name_vi == "1",
        ):
            found = [c for c in children if matches(c)]
            if found:
                return found[0]
        return max(children, key=lambda c: c.population or 0)

    def capital(self) -> AdminUnit:
        """The commune where the provincial offices sit (in the city, when there is one)."""
        cities = [d for d in self.districts if d.type_vi == "Thành phố"]
        if cities or self.districts:
            return self.seat((cities or list(self.districts))[0])
        return max(self.communes, key=lambda c: c.population or 0)


def near(unit: AdminUnit, seed: int, key: str) -> tuple[float, float]:
    """A point within a few hundred metres of a unit's label point, stable for `key`.

    The radius shrinks for small wards so the point stays inside the commune.
    """
    size_km = math.sqrt(unit.area_km2 or 4.0)
    radius_km = min(MAX_JITTER_KM, 0.25 * size_km)
    distance = radius_km * math.sqrt(stable_uniform(seed, "jitter-r", key))
    angle = 2 * math.pi * stable_uniform(seed, "jitter-a", key)
    lat = unit.lat + distance * math.sin(angle) / KM_PER_DEGREE
    lon = unit.lon + distance * math.cos(angle) / (KM_PER_DEGREE * math.cos(math.radians(unit.lat)))
    return round(lat, 6), round(lon, 6)


def _the_province(areas: Mapping[str, AdminUnit]) -> AdminUnit:
    provinces = [u for u in areas.values() if u.level == "province"]
    if len(provinces) != 1:
        raise FeedMisconfigured(f"the simulator needs exactly one province, found {len(provinces)}")
    return provinces[0]


def _sorted(areas: Mapping[str, AdminUnit]) -> list[AdminUnit]:
    return sorted(areas.values(), key=lambda u: u.code)


def _populations(communes: tuple[AdminUnit, ...]) -> np.ndarray:
    """Commune populations; a missing one is taken as the median of the others."""
    known = [c.population for c in communes if c.population]
    fallback = float(np.median(known)) if known else 10_000.0
    return np.array([c.population or fallback for c in communes], dtype=float)
