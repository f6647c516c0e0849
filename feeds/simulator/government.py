"""Public-service dossiers and official documents, grounded in the 2021 figures of Đề án 03."""

from __future__ import annotations

from datetime import date

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.parts import Parts
from feeds.simulator.streams import between, day_rng, stable_uniforms
from feeds.simulator.world import Day, World

DOSSIERS_PER_YEAR = 439_851
ONLINE_SHARE = almanac.Trend(
    start=date(2025, 11, 1), end=date(2026, 11, 1), first=0.086, last=0.175, low=0.05, high=0.45
)
ON_TIME_BASE = 0.999  # most communes; a few run lower (see _on_time_profile)
PENDING_WORKDAYS = 5.5  # dossiers in process ≈ this many days of intake

OUTGOING_PER_YEAR = 251_411
INCOMING_PER_OUTGOING = 1.6
WORK_DOSSIERS_PER_YEAR = 180_000
# Who writes the documents: the province's agencies, the district offices, the communes.
OUTGOING_SPLIT = {"province": 0.50, "district": 0.25, "commune": 0.25}
WORK_SPLIT = {"province": 0.62, "district": 0.22, "commune": 0.16}
SIGNED_SHARE = {"province": (0.94, 0.96), "district": (0.86, 0.93), "commune": (0.76, 0.88)}
WORK_ONLINE_SHARE = {"province": (0.94, 0.96), "district": (0.85, 0.93), "commune": (0.45, 0.65)}


# --- public services ---------------------------------------------------------------------------


def public_services(world: World, day: Day) -> dict[str, Parts]:
    rng = day_rng(world.seed, "public_services", day.date)
    intake = _daily_intake(world, day.date, rng)
    received = rng.poisson(intake)
    resolved = rng.poisson(intake * rng.normal(0.99, 0.05))
    on_time = rng.binomial(resolved, _on_time_probability(world, rng))
    online = rng.binomial(received, _online_probability(world, day.date))
    pending = rng.poisson(_weekday_intake(world, day.date) * PENDING_WORKDAYS * _backlog(day.date))
    return {
        "public_services.received": Parts(commune=received.astype(float)),
        "public_services.resolved": Parts(commune=resolved.astype(float)),
        "public_services.resolved_on_time": Parts(commune=on_time.astype(float)),
        "public_services.online_received": Parts(commune=online.astype(float)),
        "public_services.pending": Parts(commune=pending.astype(float)),
    }


def _intake_share(world: World) -> np.ndarray:
    """Each commune's share of the dossiers: by population, more per head in towns."""

    def compute() -> np.ndarray:
        geo = world.geo
        spread = world.profile("ps-share", geo.commune_codes, 0.8, 1.2)
        weight = geo.commune_population * np.where(geo.commune_urban, 1.3, 1.0) * spread
        return weight / weight.sum()

    return world.memo(("ps-share",), compute)


def _weekday_intake(world: World, day: date) -> np.ndarray:
    per_weekday = DOSSIERS_PER_YEAR / almanac.year_total(day.year, "office")
    return per_weekday * _intake_share(world)


def _daily_intake(world: World, day: date, rng: np.random.Generator) -> np.ndarray:
    busy = rng.lognormal(0.0, 0.08) * rng.lognormal(0.0, 0.12, len(world.geo.communes))
    return _weekday_intake(world, day) * almanac.office_weight(day) * busy


def _on_time_profile(world: World) -> np.ndarray:
    """Each commune's usual on-time probability: most near 99.8%, a few markedly lower."""

    def compute() -> np.ndarray:
        u = stable_uniforms(world.seed, "ps-on-time", world.geo.commune_codes)
        return np.select(
            [u < 0.05, u < 0.15], [between(u / 0.05, 0.972, 0.985), 0.992], ON_TIME_BASE
        )

    return world.memo(("ps-on-time",), compute)


def _on_time_probability(world: World, rng: np.random.Generator) -> np.ndarray:
    bad_day = rng.random(len(world.geo.communes)) < 0.008
    dip = rng.uniform(0.02, 0.10, len(world.geo.communes))
    return np.clip(_on_time_profile(world) - np.where(bad_day, dip, 0.0), 0.5, 1.0)


def _online_probability(world: World, day: date) -> np.ndarray:
    """The online share: a rising trend, higher in towns, most of what arrives on Sundays."""

    geo = world.geo
    uptake = world.profile("ps-online", geo.commune_codes, 0.6, 1.2) + 0.35 * geo.commune_urban
    share = ONLINE_SHARE.at(day) * uptake
    if almanac.office_weight(day) < 0.1:
        share = np.maximum(share, 0.8)
    return np.clip(share, 0.0, 0.95)


def _backlog(day: date) -> float:
    """Pending dossiers swell before Tết and stay up while offices are closed."""
    return 1.3 if almanac.days_from_tet(day) in range(-12, 8) else 1.0


# --- documents ---------------------------------------------------------------------------------


def documents(world: World, day: Day) -> dict[str, Parts]:
    rng = day_rng(world.seed, "documents", day.date)
    weight = almanac.share_of_year(day.date, "paperwork")
    outgoing = _by_level(world, rng, OUTGOING_PER_YEAR * weight, OUTGOING_SPLIT)
    incoming = _by_level(
        world, rng, OUTGOING_PER_YEAR * INCOMING_PER_OUTGOING * weight, OUTGOING_SPLIT
    )
    signed = _approved(world, rng, outgoing, SIGNED_SHARE, "signed")
    work_total = _by_level(world, rng, WORK_DOSSIERS_PER_YEAR * weight, WORK_SPLIT)
    work_online = _approved(world, rng, work_total, WORK_ONLINE_SHARE, "work-online")
    return {
        "documents.outgoing": _parts(outgoing),
        "documents.incoming": _parts(incoming),
        "documents.signed": _parts(signed),
        "documents.work_total": _parts(work_total),
        "documents.work_online": _parts(work_online),
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
    for count, level, codes in zip(counts, ("commune", "district", "province"), keys, strict=True):
        usual = world.profile(f"doc-{name}-{level}", codes, *shares[level])
        share = np.clip(usual + rng.normal(0.0, 0.02, len(codes)), 0.0, 1.0)
        result.append(rng.binomial(count, share))
    return result[0], result[1], result[2]


def _parts(counts: LevelCounts) -> Parts:
    commune, district, province = counts
    return Parts(
        commune=commune.astype(float), district=district.astype(float), province=float(province[0])
    )
