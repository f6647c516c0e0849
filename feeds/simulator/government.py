"""Official documents and work dossiers by level of government, grounded in Đề án 03 (2021)."""

from __future__ import annotations

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.parts import Parts, accrue
from feeds.simulator.streams import day_rng
from feeds.simulator.world import Day, World

OUTGOING_PER_YEAR = 251_411
INCOMING_PER_OUTGOING = 1.6
WORK_DOSSIERS_PER_YEAR = 180_000
# Who writes the documents: the province's agencies, the district offices, the communes.
OUTGOING_SPLIT = {"province": 0.50, "district": 0.25, "commune": 0.25}
WORK_SPLIT = {"province": 0.62, "district": 0.22, "commune": 0.16}
SIGNED_SHARE = {"province": (0.94, 0.96), "district": (0.86, 0.93), "commune": (0.76, 0.88)}
WORK_ONLINE_SHARE = {"province": (0.94, 0.96), "district": (0.85, 0.93), "commune": (0.45, 0.65)}
LEVELS = ("commune", "district", "province")


def documents(world: World, day: Day) -> dict[str, Parts]:
    """Counts by who wrote them; outgoing and signed also split by level at the province."""
    rng = day_rng(world.seed, "documents", day.date)
    weight = almanac.share_of_year(day.date, "paperwork")
    outgoing = _by_level(world, rng, OUTGOING_PER_YEAR * weight, OUTGOING_SPLIT)
    incoming = _by_level(
        world, rng, OUTGOING_PER_YEAR * INCOMING_PER_OUTGOING * weight, OUTGOING_SPLIT
    )
    signed = _approved(world, rng, outgoing, SIGNED_SHARE, "signed")
    work_total = _by_level(world, rng, WORK_DOSSIERS_PER_YEAR * weight, WORK_SPLIT)
    work_online = _approved(world, rng, work_total, WORK_ONLINE_SHARE, "work-online")
    f = day.fraction
    return {
        "documents.outgoing": _parts(world, outgoing, f, split=True),
        "documents.incoming": _parts(world, incoming, f),
        "documents.signed": _parts(world, signed, f, split=True),
        "documents.work_total": _parts(world, work_total, f),
        "documents.work_online": _parts(world, work_online, f),
    }


LevelCounts = tuple[np.ndarray, np.ndarray, np.ndarray]  # commune, district own, province own


def _by_level(
    world: World, rng: np.random.Generator, total: float, split: dict[str, float]
) -> LevelCounts:
    """Counts written by each commune, each district office and the province's agencies."""
    geo = world.geo
    district_share = 0.5 * geo.district_share + 0.5 / max(len(geo.districts), 1)
    busy = rng.lognormal(0.0, 0.1)
    return (
        rng.poisson(total * split["commune"] * geo.commune_share * busy),
        rng.poisson(total * split["district"] * district_share * busy),
        rng.poisson([total * split["province"] * busy]),
    )


def _approved(
    world: World,
    rng: np.random.Generator,
    counts: LevelCounts,
    shares: dict[str, tuple[float, float]],
    name: str,
) -> LevelCounts:
    """The part of each level's counts done digitally, at that level's usual share."""
    geo = world.geo
    keys = (geo.commune_codes, geo.district_codes, [geo.province.code])
    result = []
    for count, level, codes in zip(counts, LEVELS, keys, strict=True):
        usual = world.profile(f"doc-{name}-{level}", codes, *shares[level])
        share = np.clip(usual + rng.normal(0.0, 0.02, len(codes)), 0.0, 1.0)
        result.append(rng.binomial(count, share))
    return result[0], result[1], result[2]


def _parts(world: World, counts: LevelCounts, fraction: float, split: bool = False) -> Parts:
    """Accrued to the cut-off here, so the level split adds up to the province exactly."""
    commune, district, province = (accrue(c.astype(float), fraction) for c in counts)
    totals = (float(commune.sum()), float(district.sum()), float(province[0]))
    code = world.geo.province.code
    return Parts(
        commune=commune,
        district=district,
        province=float(province[0]),
        exact=True,
        splits=tuple((code, lv, t) for lv, t in zip(LEVELS, totals, strict=True)) if split else (),
    )
