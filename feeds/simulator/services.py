"""Public-service dossiers at the communes and the provincial agencies, and the late ones."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.agencies import AGENCIES, COMMUNE_PROCEDURES, dossier_shares
from feeds.simulator.geography import near
from feeds.simulator.parts import Parts, accrue
from feeds.simulator.streams import between, day_rng, stable_uniforms
from feeds.simulator.world import Day, World
from geo.hierarchy import AdminUnit
from store.records import Event

DOSSIERS_PER_YEAR = 439_851
PROVINCE_SHARE = 0.25  # filed with the provincial agencies at the provincial one-stop centre
ONLINE_SHARE = almanac.Trend(
    start=date(2025, 11, 1), end=date(2026, 11, 1), first=0.086, last=0.175, low=0.05, high=0.45
)
PROVINCIAL_ONLINE_UPTAKE = 1.4  # businesses file provincial procedures online more often
ON_TIME_BASE = 0.999  # most communes; a few run lower (see _on_time_profile)
PENDING_WORKDAYS = 5.5  # dossiers in process ≈ this many days of intake
FEE_SHARE = 0.45  # dossiers that carry a fee or charge
ONLINE_PAYMENT_SHARE = almanac.Trend(
    start=date(2025, 11, 1), end=date(2026, 11, 1), first=0.20, last=0.35, low=0.10, high=0.80
)
LATE_EVENT_DAYS = 30  # late dossiers become events for the last month only
OFFICE_HOURS = (7.0, 17.0)
MEAN_DAYS_LATE = 3.0


@dataclass(frozen=True, slots=True)
class ServiceDay:
    """One day's dossiers per unit (the communes, then the provincial agencies), accrued to the
    day's cut-off; `late_full` is the whole day's late dossiers, known in advance."""

    received: np.ndarray
    resolved: np.ndarray
    on_time: np.ndarray
    online: np.ndarray
    pending: np.ndarray
    payments: np.ndarray
    payments_online: np.ndarray
    late_full: np.ndarray

    @property
    def late(self) -> np.ndarray:
        return self.resolved - self.on_time


def public_services(world: World, day: Day) -> dict[str, Parts]:
    state = service_day(world, day)
    return {
        "public_services.received": _parts(world, state.received, split=True),
        "public_services.resolved": _parts(world, state.resolved, split=True),
        "public_services.resolved_on_time": _parts(world, state.on_time, split=True),
        "public_services.resolved_late": _parts(world, state.late, split=True),
        "public_services.online_received": _parts(world, state.online),
        "public_services.pending": _parts(world, state.pending),
        "public_services.payments": _parts(world, state.payments),
        "public_services.payments_online": _parts(world, state.payments_online),
    }


def _parts(world: World, per_unit: np.ndarray, split: bool = False) -> Parts:
    """Communes as leaves; the agencies make the province's own part (and its split)."""
    n = len(world.geo.communes)
    agencies = per_unit[n:]
    code = world.geo.province.code
    splits = (
        tuple((code, a.code, float(v)) for a, v in zip(AGENCIES, agencies.tolist(), strict=True))
        if split
        else ()
    )
    return Parts(
        commune=per_unit[:n].astype(float),
        province=float(agencies.sum()),
        exact=True,
        splits=splits,
    )


def service_day(world: World, day: Day) -> ServiceDay:
    return world.memo(("services", day.date), lambda: _draw_day(world, day))


def _draw_day(world: World, day: Day) -> ServiceDay:
    rng = day_rng(world.seed, "public_services", day.date)
    intake = _daily_intake(world, day.date, rng)
    received = rng.poisson(intake)
    resolved = rng.poisson(intake * rng.normal(0.99, 0.05))
    on_time = rng.binomial(resolved, _on_time_probability(world, rng))
    online = rng.binomial(received, _online_probability(world, day.date))
    pending = rng.poisson(_weekday_intake(world, day.date) * PENDING_WORKDAYS * _backlog(day.date))
    payments = rng.binomial(received, FEE_SHARE)
    paid_online = rng.binomial(payments, _online_payment_probability(world, day.date))
    f = day.fraction
    return ServiceDay(
        received=accrue(received, f),
        resolved=accrue(resolved, f),
        on_time=accrue(on_time, f),
        online=accrue(online, f),
        pending=pending.astype(float),
        payments=accrue(payments, f),
        payments_online=accrue(paid_online, f),
        late_full=resolved - on_time,
    )


def _unit_share(world: World) -> np.ndarray:
    """Each unit's share of the dossiers: communes by population (more per head in towns),
    the agencies by their usual share of the provincial part."""

    def compute() -> np.ndarray:
        geo = world.geo
        spread = world.profile("ps-share", geo.commune_codes, 0.8, 1.2)
        weight = geo.commune_population * np.where(geo.commune_urban, 1.3, 1.0) * spread
        communes = weight / weight.sum() * (1 - PROVINCE_SHARE)
        return np.concatenate([communes, dossier_shares() * PROVINCE_SHARE])

    return world.memo(("ps-share",), compute)


def _weekday_intake(world: World, day: date) -> np.ndarray:
    per_weekday = DOSSIERS_PER_YEAR / almanac.year_total(day.year, "office")
    return per_weekday * _unit_share(world)


def _daily_intake(world: World, day: date, rng: np.random.Generator) -> np.ndarray:
    busy = rng.lognormal(0.0, 0.08) * rng.lognormal(0.0, 0.12, _units(world))
    return _weekday_intake(world, day) * almanac.office_weight(day) * busy


def _units(world: World) -> int:
    return len(world.geo.communes) + len(AGENCIES)


def _on_time_profile(world: World) -> np.ndarray:
    """Each unit's usual on-time probability: most communes near 99.9%, a few markedly lower;
    the agencies as they usually do (land records slowest)."""

    def compute() -> np.ndarray:
        u = stable_uniforms(world.seed, "ps-on-time", world.geo.commune_codes)
        communes = np.select(
            [u < 0.05, u < 0.15], [between(u / 0.05, 0.972, 0.985), 0.992], ON_TIME_BASE
        )
        return np.concatenate([communes, [a.on_time for a in AGENCIES]])

    return world.memo(("ps-on-time",), compute)


def _on_time_probability(world: World, rng: np.random.Generator) -> np.ndarray:
    n = _units(world)
    bad_day = rng.random(n) < 0.008
    dip = rng.uniform(0.02, 0.10, n)
    return np.clip(_on_time_profile(world) - np.where(bad_day, dip, 0.0), 0.5, 1.0)


def _uptake(world: World) -> np.ndarray:
    """How readily each unit's applicants go online: towns more, businesses most."""

    def compute() -> np.ndarray:
        geo = world.geo
        communes = (
            world.profile("ps-online", geo.commune_codes, 0.6, 1.2) + 0.35 * geo.commune_urban
        )
        return np.concatenate([communes, np.full(len(AGENCIES), PROVINCIAL_ONLINE_UPTAKE)])

    return world.memo(("ps-uptake",), compute)


def _online_probability(world: World, day: date) -> np.ndarray:
    """The online share: a rising trend, by uptake, most of what arrives on Sundays."""
    share = ONLINE_SHARE.at(day) * _uptake(world)
    if almanac.office_weight(day) < 0.1:
        share = np.maximum(share, 0.8)
    return np.clip(share, 0.0, 0.95)


def _online_payment_probability(world: World, day: date) -> np.ndarray:
    return np.clip(ONLINE_PAYMENT_SHARE.at(day) * _uptake(world) / 1.1, 0.0, 0.95)


def _backlog(day: date) -> float:
    """Pending dossiers swell before Tết and stay up while offices are closed."""
    return 1.3 if almanac.days_from_tet(day) in range(-12, 8) else 1.0


# --- late dossiers -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Handler:
    """Who handled a dossier, its procedures, the area it is filed under and where it sits."""

    agency: str
    agency_vi: str
    procedures: tuple[str, ...]
    area: AdminUnit
    place: AdminUnit


@dataclass(frozen=True, slots=True)
class LateDraws:
    """What is drawn per late dossier of a day, in unit order (stable whatever the clock)."""

    days_late: np.ndarray
    procedure: np.ndarray  # uniforms picking the procedure
    applicant: np.ndarray  # uniforms picking the applicant's district
    offset: np.ndarray  # uniforms placing the resolution within its slot


def late_dossier_events(world: World, day: date) -> Iterator[Event]:
    """One event per dossier resolved late (or late and still open) on a recent day."""
    if (world.today - day).days >= LATE_EVENT_DAYS:
        return
    the_day = world.day(day)
    state = service_day(world, the_day)
    late_full = state.late_full.astype(int)
    draws = _late_draws(world, day, int(late_full.sum()))
    sequence = 0
    for unit in np.flatnonzero(late_full).tolist():
        resolved_so_far = int(state.late[unit])
        for n in range(int(late_full[unit])):
            resolved_at = (
                _resolution_time(the_day, n, resolved_so_far, float(draws.offset[sequence]))
                if n < resolved_so_far
                else None
            )
            yield _late_event(world, day, unit, sequence, draws, resolved_at)
            sequence += 1


def _late_draws(world: World, day: date, count: int) -> LateDraws:
    rng = day_rng(world.seed, "late-dossiers", day)
    return LateDraws(
        days_late=1 + rng.geometric(1 / MEAN_DAYS_LATE, count),
        procedure=rng.random(count),
        applicant=rng.random(count),
        offset=rng.random(count),
    )


def _resolution_time(day: Day, n: int, count: int, offset: float) -> datetime:
    """The n-th of `count` late resolutions so far: spread over the office hours elapsed."""
    first = day.start + timedelta(hours=OFFICE_HOURS[0])
    last = min(day.cutoff, day.start + timedelta(hours=OFFICE_HOURS[1]))
    if last <= first:
        first, last = day.start, day.cutoff
    return first + (last - first) * ((n + offset) / count)


def _late_event(
    world: World,
    day: date,
    unit: int,
    sequence: int,
    draws: LateDraws,
    resolved_at: datetime | None,
) -> Event:
    days_late = int(draws.days_late[sequence])
    due_at = world.day(day - timedelta(days=days_late)).start + timedelta(hours=OFFICE_HOURS[1])
    source_id = f"HS-{day.timetuple().tm_yday:03d}{sequence:03d}.{day.year}"
    handler = _handler(world, unit, float(draws.applicant[sequence]))
    procedure = _pick(handler.procedures, float(draws.procedure[sequence]))
    lat, lon = near(handler.place, world.seed, source_id)
    return Event(
        domain="public_services",
        kind="late_dossier",
        source_id=source_id,
        occurred_at=due_at,
        title=f"{procedure} – trễ {days_late} ngày",
        area=handler.area.code,
        lat=lat,
        lon=lon,
        status="resolved_late" if resolved_at is not None else "late",
        severity="warning" if days_late >= 5 else "info",
        attributes={
            "agency": handler.agency,
            "agency_vi": handler.agency_vi,
            "procedure": procedure,
            "due_at": due_at.isoformat(),
            "resolved_at": resolved_at.isoformat() if resolved_at is not None else None,
            "days_late": days_late,
            "demo": True,
        },
    )


def _handler(world: World, unit: int, applicant: float) -> Handler:
    """Commune dossiers stay at the commune; a provincial agency's dossier is filed under the
    applicant's district (drawn by population) and shown at that district's seat."""
    geo = world.geo
    if unit < len(geo.communes):
        commune = geo.communes[unit]
        name = f"UBND {commune.name_vi}"
        return Handler(f"ubnd-{commune.code}", name, COMMUNE_PROCEDURES, commune, commune)
    agency = AGENCIES[unit - len(geo.communes)]
    if not geo.districts:
        commune = geo.communes[_pick_index(geo.commune_share, applicant)]
        return Handler(agency.code, agency.name_vi, agency.procedures, commune, commune)
    district = geo.districts[_pick_index(geo.district_share, applicant)]
    return Handler(agency.code, agency.name_vi, agency.procedures, district, geo.seat(district))


def _pick(options: tuple[str, ...], u: float) -> str:
    return options[min(int(u * len(options)), len(options) - 1)]


def _pick_index(shares: np.ndarray, u: float) -> int:
    index = int(np.searchsorted(np.cumsum(shares), u * shares.sum(), side="right"))
    return min(index, len(shares) - 1)
