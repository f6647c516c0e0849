"""Citizen feedback reports, one by one, and the daily counts that follow from them exactly."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.parts import Parts, Split
from feeds.simulator.streams import day_rng
from feeds.simulator.world import Day, World, block_days, block_start

HOUR_S = 3600.0
DEADLINE_S = 10 * 24 * HOUR_S  # reports are due within 10 days
LATE_MEAN_S = 4 * 24 * HOUR_S
MAX_DELAY_S = 50 * 24 * HOUR_S
LOOKBACK_DAYS = 51  # every report is resolved within 50 days
WEEKLY_REPORTS = (0.5, 3.0)  # per commune: quiet villages to busy wards
ON_TIME_SHARE = (0.85, 0.96)
RATED_SHARE = 0.6  # of resolved reports, the citizen leaves a rating
SATISFIED = {"on_time": 0.92, "late": 0.6}
RESOLUTION_DECIMALS = 1


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    name_vi: str
    title_vi: str
    severity: str
    weight: float


CATEGORIES = (
    Category("lighting", "Chiếu sáng công cộng", "Đèn đường hư hỏng", "info", 0.14),
    Category("waste", "Vệ sinh môi trường", "Rác thải tồn đọng", "info", 0.14),
    Category("roads", "Giao thông", "Mặt đường hư hỏng, ổ gà", "info", 0.14),
    Category("urban_order", "Trật tự đô thị", "Lấn chiếm lòng lề đường", "info", 0.10),
    Category("public_services", "Thủ tục hành chính", "Chậm giải quyết hồ sơ", "info", 0.08),
    Category("flooding", "Thoát nước", "Ngập nước sau mưa", "warning", 0.07),
    Category("water", "Cấp nước", "Mất nước sinh hoạt", "warning", 0.07),
    Category("noise", "Tiếng ồn", "Tiếng ồn kéo dài ban đêm", "info", 0.06),
    Category("power", "Điện", "Mất điện kéo dài", "warning", 0.06),
    Category("security", "An ninh trật tự", "Tụ tập gây mất an ninh trật tự", "warning", 0.06),
    Category("trees", "Cây xanh", "Cây xanh có nguy cơ ngã đổ", "warning", 0.04),
    Category("pollution", "Ô nhiễm môi trường", "Xả thải gây ô nhiễm kênh rạch", "warning", 0.04),
)
CHANNELS = (("hotline", 0.40), ("zalo", 0.30), ("portal", 0.15), ("direct", 0.15))  # codes of
# the catalog's "channel" dimension


@dataclass(frozen=True, slots=True)
class Reports:
    """The reports received on one day, ordered by arrival; times are POSIX seconds."""

    day: date
    commune: np.ndarray
    received: np.ndarray
    resolved: np.ndarray
    category: np.ndarray
    channel: np.ndarray
    rated: np.ndarray
    satisfied: np.ndarray

    @property
    def due(self) -> np.ndarray:
        return self.received + DEADLINE_S

    @property
    def on_time(self) -> np.ndarray:
        return self.resolved <= self.due

    def __len__(self) -> int:
        return len(self.commune)


def reports(world: World, day: date) -> Reports:
    """The feedback reports of one day (the whole day, whatever the clock says)."""
    return world.memo(("reports", day), lambda: _draw_reports(world, day))


def _draw_reports(world: World, day: date) -> Reports:
    rng = day_rng(world.seed, "feedback", day)
    counts = rng.poisson(_weekly_rate(world) / 7.0 * _day_factor(day))
    commune = np.repeat(np.arange(len(counts)), counts)
    n = len(commune)
    hour = np.clip(rng.normal(13.0, 4.0, n), 0.0, 23.99)
    received = world.day(day).start.timestamp() + hour * HOUR_S
    late = rng.random(n) > _on_time_share(world)[commune]
    on_time_delay = (2.0 + 236.0 * rng.beta(1.3, 3.0, n)) * HOUR_S
    late_delay = np.minimum(DEADLINE_S + rng.exponential(LATE_MEAN_S, n), MAX_DELAY_S)
    order = np.argsort(received, kind="stable")
    category = rng.choice(len(CATEGORIES), n, p=[c.weight for c in CATEGORIES])
    channel = rng.choice(len(CHANNELS), n, p=[w for _, w in CHANNELS])
    rated = rng.random(n) < RATED_SHARE
    satisfied = rated & (rng.random(n) < np.where(late, SATISFIED["late"], SATISFIED["on_time"]))
    return Reports(
        day=day,
        commune=commune[order],
        received=received[order],
        resolved=(received + np.where(late, late_delay, on_time_delay))[order],
        category=category[order],
        channel=channel[order],
        rated=rated[order],
        satisfied=satisfied[order],
    )


def _weekly_rate(world: World) -> np.ndarray:
    """Reports per commune per week: more in populous communes and in towns."""

    def compute() -> np.ndarray:
        geo = world.geo
        size = np.clip(geo.commune_population / 25_000, 0.0, 1.0)
        busy = 0.5 * size + 0.4 * geo.commune_urban
        jitter = world.profile("feedback-rate", geo.commune_codes, 0.0, 0.1)
        return WEEKLY_REPORTS[0] + (WEEKLY_REPORTS[1] - WEEKLY_REPORTS[0]) * (busy + jitter)

    return world.memo(("feedback-rate",), compute)


def _on_time_share(world: World) -> np.ndarray:
    return world.profile("feedback-on-time", world.geo.commune_codes, *ON_TIME_SHARE)


def _day_factor(day: date) -> float:
    if almanac.is_tet_holiday(day):
        return 0.5
    return (1.1, 1.1, 1.1, 1.1, 1.1, 0.85, 0.6)[day.weekday()]


def recent_reports(world: World, day: date) -> Reports:
    """Every report received from LOOKBACK_DAYS before `day` on, as one table (with some
    received after `day`, in its block of days: mask by time)."""
    first = block_start(day)
    return world.memo(
        ("reports-block", first), lambda: _concat(world, block_days(first, LOOKBACK_DAYS))
    )


def _concat(world: World, days: list[date]) -> Reports:
    parts = [reports(world, d) for d in days]
    return Reports(
        day=days[-1],
        commune=np.concatenate([p.commune for p in parts]),
        received=np.concatenate([p.received for p in parts]),
        resolved=np.concatenate([p.resolved for p in parts]),
        category=np.concatenate([p.category for p in parts]),
        channel=np.concatenate([p.channel for p in parts]),
        rated=np.concatenate([p.rated for p in parts]),
        satisfied=np.concatenate([p.satisfied for p in parts]),
    )


def feedback_metrics(world: World, day: Day) -> dict[str, Parts]:
    """Counts up to the day's cut-off, so a partial day already matches its events.

    Open reports are either in progress or overdue; ratings count on the day of resolution."""
    start, cutoff = day.start.timestamp(), day.cutoff.timestamp()
    recent = recent_reports(world, day.date)
    n = len(world.geo.communes)

    def per_commune(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        chosen = None if weights is None else weights[mask]
        return np.bincount(recent.commune[mask], weights=chosen, minlength=n).astype(float)

    received = (recent.received >= start) & (recent.received < cutoff)
    resolved = (recent.resolved >= start) & (recent.resolved < cutoff)
    open_ = (recent.received < cutoff) & (recent.resolved >= cutoff)
    overdue = open_ & (recent.due < cutoff)
    taken = np.round((recent.resolved - recent.received) / HOUR_S, RESOLUTION_DECIMALS)
    hours = np.round(per_commune(resolved, taken), RESOLUTION_DECIMALS)
    return {
        "feedback.received": Parts(
            commune=per_commune(received), exact=True, splits=_splits(world, recent, received)
        ),
        "feedback.resolved": Parts(commune=per_commune(resolved), exact=True),
        "feedback.resolved_on_time": Parts(
            commune=per_commune(resolved & recent.on_time), exact=True
        ),
        "feedback.overdue": Parts(commune=per_commune(overdue), exact=True),
        "feedback.in_progress": Parts(commune=per_commune(open_ & ~overdue), exact=True),
        "feedback.rated": Parts(commune=per_commune(resolved & recent.rated), exact=True),
        "feedback.satisfied": Parts(commune=per_commune(resolved & recent.satisfied), exact=True),
        "feedback.resolution_hours": Parts(commune=hours, exact=True, decimals=RESOLUTION_DECIMALS),
    }


def _splits(world: World, recent: Reports, mask: np.ndarray) -> tuple[Split, ...]:
    """Received reports by category and by channel, at every area (non-zero members only)."""
    found: list[Split] = []
    for prefix, members, codes in (
        ("category", recent.category, [c.key for c in CATEGORIES]),
        ("channel", recent.channel, [code for code, _ in CHANNELS]),
    ):
        found.extend(_member_counts(world, recent.commune[mask], members[mask], prefix, codes))
    return tuple(found)


def _member_counts(
    world: World, communes: np.ndarray, members: np.ndarray, prefix: str, codes: list[str]
) -> Iterator[Split]:
    """(area, "prefix:code", count) for every area with such reports: communes, districts and
    the province, which add the counts of their communes."""
    geo = world.geo
    counts = np.zeros((len(geo.communes), len(codes)))
    np.add.at(counts, (communes, members), 1.0)
    district = np.zeros((len(geo.districts), len(codes)))
    inside = geo.commune_district >= 0
    np.add.at(district, geo.commune_district[inside], counts[inside])
    rows = (
        (geo.commune_codes, counts),
        (geo.district_codes, district),
        ([geo.province.code], counts.sum(axis=0, keepdims=True)),
    )
    for area_codes, table in rows:
        for area_index, member_index in zip(*np.nonzero(table), strict=True):
            dim = f"{prefix}:{codes[int(member_index)]}"
            yield area_codes[int(area_index)], dim, float(table[area_index, member_index])
