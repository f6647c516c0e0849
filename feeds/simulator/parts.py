"""One metric's values for one day as leaf parts, and how they roll up to districts and province."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from feeds.simulator.geography import Geography

Split = tuple[str, str, float]  # area code, dimension member, value


class Rollup(StrEnum):
    SUM = "sum"  # counts and stocks: an area holds its own part plus its children
    MAX = "max"  # peaks: the highest of its own part and its children
    WEIGHTED_MEAN = "weighted_mean"  # levels: children averaged by weight (area, portal count)


@dataclass(frozen=True, slots=True)
class Parts:
    """Leaf values of one metric on one day, before roll-up.

    `commune` holds the communes' values; `district` each district's own part (its offices,
    or its whole value when the metric has no commune level); `province` the province's own
    part. NaN means "no value here" (no station). Weights matter only for WEIGHTED_MEAN.
    Counts (decimals 0) hold whole numbers, so their sums need no rounding.
    `splits` are extra rows (area code, dimension member, value) that split an area's value
    by agency, portal, station...: values as reported (rounded, never NaN); a generator that
    splits a count accrues it itself (`exact`).
    """

    commune: np.ndarray | None = None
    district: np.ndarray | None = None
    province: float = 0.0
    rollup: Rollup = Rollup.SUM
    decimals: int = 0
    commune_weight: np.ndarray | None = None
    district_weight: np.ndarray | None = None
    province_weight: float = 0.0
    exact: bool = False  # already cut at `now` on a partial day: never scale again
    splits: tuple[Split, ...] = ()

    def scaled(self, fraction: float) -> Parts:
        """The part of the day's count accrued by `fraction` of the day (floored for counts)."""
        if self.exact or fraction >= 1.0:
            return self
        if self.splits:
            raise ValueError("a split count must be accrued by its generator (exact=True)")
        return replace(
            self,
            commune=None if self.commune is None else self._cut(self.commune * fraction),
            district=None if self.district is None else self._cut(self.district * fraction),
            province=float(self._cut(np.array([self.province * fraction]))[0]),
        )

    def _cut(self, values: np.ndarray) -> np.ndarray:
        return np.floor(values) if self.decimals == 0 else np.round(values, self.decimals)


def accrue(values: np.ndarray, fraction: float) -> np.ndarray:
    """The part of whole-day counts accrued by `fraction` of the day (floored)."""
    return values if fraction >= 1.0 else np.floor(values * fraction)


@dataclass(frozen=True, slots=True)
class LevelValues:
    """A metric's values at each level, aligned with the geography's codes."""

    commune: np.ndarray | None
    district: np.ndarray | None
    province: float


def roll_up(parts: Parts, geo: Geography) -> LevelValues:
    """District and province values from the leaf parts, by the part's roll-up rule."""
    if parts.rollup is Rollup.MAX:
        values = _max_up(parts, geo)
    elif parts.rollup is Rollup.WEIGHTED_MEAN:
        values = _mean_up(parts, geo)
    else:
        values = _sum_up(parts, geo)
        if parts.decimals == 0:  # sums and peaks of whole numbers are whole already
            return values
    return _rounded(values, parts.decimals)


def _sum_up(parts: Parts, geo: Geography) -> LevelValues:
    district = _zeros(geo) if parts.district is None else parts.district.astype(float)
    province = parts.province + float(district.sum())
    if parts.commune is not None:
        district = district + geo.sum_by_district(parts.commune)
        province += float(parts.commune.sum())
    return LevelValues(parts.commune, district, province)


def _max_up(parts: Parts, geo: Geography) -> LevelValues:
    district = np.full(len(geo.districts), np.nan) if parts.district is None else parts.district
    province = np.fmax.reduce(np.append(district, parts.province), initial=np.nan)
    if parts.commune is not None:
        inside = geo.commune_district >= 0
        district = district.copy()
        np.fmax.at(district, geo.commune_district[inside], parts.commune[inside])
        province = np.fmax(province, np.fmax.reduce(parts.commune, initial=np.nan))
    return LevelValues(parts.commune, district, float(province))


def _mean_up(parts: Parts, geo: Geography) -> LevelValues:
    district_w = _zeros(geo) if parts.district_weight is None else parts.district_weight
    district_total = _zeros(geo) if parts.district is None else parts.district * district_w
    outside_w = outside_total = 0.0
    if parts.commune is not None:
        weight = (
            np.ones(len(geo.communes)) if parts.commune_weight is None else parts.commune_weight
        )
        weighted = np.where(weight > 0, parts.commune * weight, 0.0)  # NaN: no value, no weight
        district_w = district_w + geo.sum_by_district(weight)
        district_total = district_total + geo.sum_by_district(weighted)
        outside = geo.commune_district < 0
        outside_w = float(weight[outside].sum())
        outside_total = float(weighted[outside].sum())
    district = np.divide(
        district_total, district_w, out=np.full_like(district_total, np.nan), where=district_w > 0
    )
    province_w = parts.province_weight + float(district_w.sum()) + outside_w
    province_total = parts.province * parts.province_weight + float(district_total.sum())
    province = (province_total + outside_total) / province_w if province_w else np.nan
    return LevelValues(parts.commune, district, float(province))


def _rounded(values: LevelValues, decimals: int) -> LevelValues:
    """Round every level the same way, so sums of rounded parts carry no float dust."""
    district = None if values.district is None else np.round(values.district, decimals)
    commune = None if values.commune is None else np.round(values.commune, decimals)
    return LevelValues(commune, district, round(values.province, decimals))


def _zeros(geo: Geography) -> np.ndarray:
    return np.zeros(len(geo.districts))
