"""The 32 web portals (1 main + 20 departments + 11 districts): probes, posts, certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.parts import Parts, Rollup, Split
from feeds.simulator.streams import between, day_rng, stable_uniform
from feeds.simulator.world import Day, World
from geo.hierarchy import AdminUnit
from store.scope import LOCAL_TZ

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
TLS_VALID_DAYS = 365  # yearly certificates
TLS_WARNING_DAYS = 30  # a certificate this close to expiry needs renewing
# Days before expiry at which a portal's certificate is renewed: most in good time, some late.
TLS_LEAD_DAYS = {"prompt": (30, 45), "late": (3, 20)}
TLS_LATE_SHARE = 0.2
STALE_DAYS = 7  # a portal whose latest post is older than this is stale
POST_LOOKBACK_DAYS = 120  # older posts are not looked for: the portal counts as stale
# Chance of at least one new post on an office day: the main portal always, others vary.
POST_ODDS = {"province": (0.15, 0.9), "district": (0.08, 0.6)}
WEEKEND_POSTING = 0.15


@dataclass(frozen=True, slots=True)
class Portal:
    source_id: str
    name: str
    url: str
    area: AdminUnit  # the province for its own portals, else the district
    district: int  # index of the district, -1 for the province's portals
    usual_ms: float
    outage_odds: float
    post_odds: float


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
    diligence = stable_uniform(seed, "portal-posts", slug)
    odds = POST_ODDS["province" if district < 0 else "district"]
    return Portal(
        f"portal-{slug}",
        name,
        f"https://{host}",
        area,
        district,
        usual_ms,
        0.10 if flaky else 0.025,
        1.0 if slug == "main" else float(between(diligence, *odds)),
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


def checks_done(day: Day) -> int:
    """Probes done by the day's cut-off (all of them on a finished day)."""
    return int(CHECKS_PER_DAY * day.fraction)


def checks_up(state: PortalDay, done: int) -> np.ndarray:
    """Each portal's successful probes among the first `done` of the day."""
    failed_before = np.clip(done - state.outage_start, 0, state.down_checks)
    return done - failed_before


def portal_metrics(world: World, day: Day) -> dict[str, Parts]:
    found = portals(world)
    state = portal_day(world, day.date)
    done = checks_done(day)
    latest_up = ~is_down_at(state, max(done, 1))
    stale = is_stale(world, day.cutoff)
    expiring = np.array([tls_days_left(world, p, day.date) < TLS_WARNING_DAYS for p in found])
    return {
        "portals.checks": _parts(world, np.full(len(found), float(done)), split=True),
        "portals.checks_up": _parts(world, checks_up(state, done), split=True),
        "portals.response_ms": _mean_parts(world, state.response_ms),
        "portals.total": _parts(world, np.ones(len(found))),
        "portals.up": _parts(world, latest_up.astype(float)),
        "portals.stale_content": _parts(world, stale.astype(float)),
        "portals.tls_expiring": _parts(world, expiring.astype(float)),
    }


def _owners(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Which portals the province owns, and each district portal's district index."""

    def compute() -> tuple[np.ndarray, np.ndarray]:
        district_of = np.array([p.district for p in portals(world)], dtype=int)
        return district_of < 0, district_of[district_of >= 0]

    return world.memo(("portal-owners",), compute)


def _parts(world: World, per_portal: np.ndarray, split: bool = False) -> Parts:
    """Counts summed per owner (the province, a district); split by portal at the owner."""
    own, district_of = _owners(world)
    by_district = np.bincount(
        district_of, weights=per_portal[~own], minlength=len(world.geo.districts)
    )
    return Parts(
        district=by_district,
        province=float(per_portal[own].sum()),
        exact=True,
        splits=_portal_splits(world, per_portal) if split else (),
    )


def _mean_parts(world: World, per_portal: np.ndarray) -> Parts:
    own, district_of = _owners(world)
    n = len(world.geo.districts)
    counts = np.bincount(district_of, minlength=n).astype(float)
    totals = np.bincount(district_of, weights=per_portal[~own], minlength=n)
    return Parts(
        district=totals / np.maximum(counts, 1),
        province=float(per_portal[own].mean()) if own.any() else 0.0,
        rollup=Rollup.WEIGHTED_MEAN,
        district_weight=counts,
        province_weight=float(own.sum()),
        splits=_portal_splits(world, per_portal),
    )


def _portal_splits(world: World, per_portal: np.ndarray) -> tuple[Split, ...]:
    keys = world.memo(
        ("portal-keys",), lambda: [(p.area.code, p.source_id) for p in portals(world)]
    )
    return tuple(
        (area, source_id, value)
        for (area, source_id), value in zip(keys, per_portal.tolist(), strict=True)
    )


# --- content and certificates --------------------------------------------------------------------


def post_times(world: World, day: date) -> np.ndarray:
    """Each portal's new post of the day as POSIX seconds, NaN when nothing was posted."""
    return world.memo(("portal-posts", day), lambda: _draw_posts(world, day))


def _draw_posts(world: World, day: date) -> np.ndarray:
    rng = day_rng(world.seed, "portal-posts", day)
    found = portals(world)
    odds = np.array([p.post_odds for p in found])
    if not almanac.is_workday(day):
        odds = np.where(odds >= 1.0, 0.9, odds * WEEKEND_POSTING)
    posted = rng.random(len(found)) < odds
    hour = rng.uniform(7.0, 18.0, len(found))
    return np.where(posted, world.day(day).start.timestamp() + hour * 3600.0, np.nan)


def last_post(world: World, moment: datetime) -> np.ndarray:
    """Each portal's latest post at `moment` (POSIX seconds), NaN if none for months."""
    latest = np.full(len(portals(world)), np.nan)
    day = moment.astimezone(LOCAL_TZ).date()
    limit = moment.timestamp()
    for back in range(POST_LOOKBACK_DAYS):
        times = post_times(world, day - timedelta(days=back))
        latest = np.where(np.isnan(latest) & (times <= limit), times, latest)
        if not np.isnan(latest).any():
            break
    return latest


def is_stale(world: World, moment: datetime) -> np.ndarray:
    """Portals whose latest post is older than STALE_DAYS at `moment`."""
    age = moment.timestamp() - last_post(world, moment)
    return ~(age <= STALE_DAYS * 86400.0)  # NaN (no post found) counts as stale


def tls_days_left(world: World, portal: Portal, day: date) -> int:
    """Days until the portal's certificate expires: each is renewed, for a year, a fixed
    number of days before it would expire (late renewers let it come close)."""
    lead, phase = world.memo(("tls", portal.source_id), lambda: _tls_cycle(world, portal))
    cycle = TLS_VALID_DAYS - lead
    return lead + cycle - (day.toordinal() + phase) % cycle


def _tls_cycle(world: World, portal: Portal) -> tuple[int, int]:
    late = stable_uniform(world.seed, "portal-tls-late", portal.source_id) < TLS_LATE_SHARE
    low, high = TLS_LEAD_DAYS["late" if late else "prompt"]
    lead = round(
        float(between(stable_uniform(world.seed, "portal-tls-lead", portal.source_id), low, high))
    )
    phase = int(
        stable_uniform(world.seed, "portal-tls", portal.source_id) * (TLS_VALID_DAYS - lead)
    )
    return lead, phase
