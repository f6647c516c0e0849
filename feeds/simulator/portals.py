"""The 32 web portals (1 main + 20 departments + 11 districts) and their daily probe results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from feeds.simulator.parts import Parts, Rollup
from feeds.simulator.streams import day_rng, stable_uniform
from feeds.simulator.world import Day, World
from geo.hierarchy import AdminUnit

CHECKS_PER_DAY = 288  # one probe every 5 minutes
MAIN_HOST = "soctrang.gov.vn"
DEPARTMENTS = (
    ("vpubnd", "Văn phòng UBND tỉnh"),
    ("snv", "Sở Nội vụ"),
    ("stp", "Sở Tư pháp"),
    ("skhdt", "Sở Kế hoạch và Đầu tư"),
    ("stc", "Sở Tài chính"),
    ("sct", "Sở Công Thương"),
    ("snnptnt", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("sgtvt", "Sở Giao thông vận tải"),
    ("sxd", "Sở Xây dựng"),
    ("stnmt", "Sở Tài nguyên và Môi trường"),
    ("stttt", "Sở Thông tin và Truyền thông"),
    ("sldtbxh", "Sở Lao động – Thương binh và Xã hội"),
    ("svhttdl", "Sở Văn hóa, Thể thao và Du lịch"),
    ("skhcn", "Sở Khoa học và Công nghệ"),
    ("sgddt", "Sở Giáo dục và Đào tạo"),
    ("syt", "Sở Y tế"),
    ("thanhtra", "Thanh tra tỉnh"),
    ("bdt", "Ban Dân tộc"),
    ("bqlkcn", "Ban Quản lý các khu công nghiệp"),
    ("vpdbqh", "Văn phòng Đoàn ĐBQH và HĐND tỉnh"),
)
TLS_RENEWAL_DAYS = 365  # yearly certificates


@dataclass(frozen=True, slots=True)
class Portal:
    source_id: str
    name: str
    url: str
    area: AdminUnit  # the province for its own portals, else the district
    district: int  # index of the district, -1 for the province's portals
    usual_ms: float
    outage_odds: float


@dataclass(frozen=True, slots=True)
class PortalDay:
    """One day of probes for every portal, in `portals()` order."""

    down_checks: np.ndarray  # checks that failed during the whole day
    outage_start: np.ndarray  # index of the first failed check
    response_ms: np.ndarray


def portals(world: World) -> tuple[Portal, ...]:
    return world.memo(("portals",), lambda: _build_portals(world))


def _build_portals(world: World) -> tuple[Portal, ...]:
    geo, seed = world.geo, world.seed
    found = [
        _portal(
            seed,
            "main",
            "Cổng thông tin điện tử tỉnh Sóc Trăng",
            MAIN_HOST,
            geo.province,
            -1,
            450.0,
        )
    ]
    for slug, department in DEPARTMENTS:
        host = f"{slug}.{MAIN_HOST}"
        found.append(_portal(seed, slug, f"Cổng TTĐT {department}", host, geo.province, -1, 0.0))
    for index, district in enumerate(geo.districts):
        slug = _district_slug(district)
        name = f"Cổng TTĐT {district.type_vi.lower()} {district.short_name_vi}"
        host = f"{slug}.{MAIN_HOST}"
        found.append(_portal(seed, slug, name, host, district, index, 0.0))
    return tuple(found)


def _portal(
    seed: int, slug: str, name: str, host: str, area: AdminUnit, district: int, usual_ms: float
) -> Portal:
    speed = stable_uniform(seed, "portal-ms", slug)
    if not usual_ms:
        usual_ms = 350 + 550 * speed if district < 0 else 500 + 800 * speed
    flaky = stable_uniform(seed, "portal-flaky", slug) < 0.12
    return Portal(
        f"portal-{slug}",
        name,
        f"https://{host}",
        area,
        district,
        usual_ms,
        0.10 if flaky else 0.025,
    )


def _district_slug(district: AdminUnit) -> str:
    prefix = {"Thành phố": "tp", "Thị xã": "tx"}.get(district.type_vi, "")
    return prefix + district.short_name_en.lower().replace(" ", "")


def portal_day(world: World, day: date) -> PortalDay:
    return world.memo(("portal-day", day), lambda: _probe_day(world, day))


def _probe_day(world: World, day: date) -> PortalDay:
    rng = day_rng(world.seed, "portals", day)
    found = portals(world)
    odds = np.array([p.outage_odds for p in found])
    short = np.where(rng.random(len(found)) < odds, rng.geometric(0.25, len(found)), 0)
    major = np.where(rng.random(len(found)) < 0.003, rng.integers(24, 97, len(found)), 0)
    down = np.minimum(short + major, CHECKS_PER_DAY)
    start = rng.integers(0, CHECKS_PER_DAY - down + 1)
    usual = np.array([p.usual_ms for p in found])
    slow_day = np.where(rng.random(len(found)) < 0.02, rng.uniform(2.0, 3.0, len(found)), 1.0)
    response = usual * rng.lognormal(0.0, 0.15, len(found)) * slow_day
    return PortalDay(down.astype(float), start.astype(float), np.round(response))


def is_down_at(state: PortalDay, checks_done: int) -> np.ndarray:
    """Whether each portal's latest probe (after `checks_done` checks today) failed."""
    latest = checks_done - 1
    return (
        (state.down_checks > 0)
        & (state.outage_start <= latest)
        & (latest < state.outage_start + state.down_checks)
    )


def portal_metrics(world: World, day: Day) -> dict[str, Parts]:
    found = portals(world)
    state = portal_day(world, day.date)
    up = CHECKS_PER_DAY - state.down_checks
    own = np.array([p.district < 0 for p in found])
    district_of = np.array([p.district for p in found])
    n_districts = len(world.geo.districts)

    def by_district(values: np.ndarray) -> np.ndarray:
        return np.bincount(district_of[~own], weights=values[~own], minlength=n_districts)

    counts = by_district(np.ones(len(found)))
    return {
        "portals.checks": Parts(
            district=counts * CHECKS_PER_DAY, province=float(own.sum() * CHECKS_PER_DAY)
        ),
        "portals.checks_up": Parts(district=by_district(up), province=float(up[own].sum())),
        "portals.response_ms": Parts(
            district=by_district(state.response_ms) / np.maximum(counts, 1),
            province=float(state.response_ms[own].mean()),
            rollup=Rollup.WEIGHTED_MEAN,
            district_weight=counts,
            province_weight=float(own.sum()),
        ),
    }


def tls_days_left(world: World, portal: Portal, day: date) -> int:
    """Days until the portal's certificate expires; renewed yearly on its own cycle."""
    phase = int(stable_uniform(world.seed, "portal-tls", portal.source_id) * TLS_RENEWAL_DAYS)
    return TLS_RENEWAL_DAYS - (day.toordinal() + phase) % TLS_RENEWAL_DAYS
