"""Health, education, tourism and the budget: population-scaled, seasonal, adding up."""

from __future__ import annotations

from datetime import date

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.parts import Parts
from feeds.simulator.streams import day_rng
from feeds.simulator.world import Day, World

# --- health --------------------------------------------------------------------------------------
VISITS_PER_PERSON_YEAR = 4.0  # one outpatient visit per person every ~3 months
DIGITAL_ID_SHARE = almanac.Trend(
    start=date(2025, 11, 1), end=date(2026, 11, 1), first=0.40, last=0.75, low=0.25, high=0.92
)
DISEASE_PER_100K_DAY = 0.22
DENGUE_LIFT = 4.0
BEDS_PER_1000 = 1.3  # district health centres
PROVINCIAL_HOSPITAL_BEDS = 1_700  # provincial hospitals, all in the provincial capital
CAPITAL_OCCUPANCY = (0.86, 0.92)
DISTRICT_OCCUPANCY = (0.70, 0.88)

# --- education -----------------------------------------------------------------------------------
PUPILS = 250_000
PUPILS_PER_TEACHER = (17.0, 21.0)
PUPIL_GROWTH_PER_YEAR = 0.01
ROLL_CALL_HOUR = 8.0  # attendance is known once the morning roll call is done

# --- tourism -------------------------------------------------------------------------------------
VISITORS_PER_YEAR = 1_800_000
TOURISM_SHARE = {"941": 0.35, "950": 0.12, "945": 0.08, "947": 0.08, "942": 0.06, "943": 0.06,
                 "944": 0.06, "951": 0.06, "946": 0.05, "948": 0.05, "949": 0.03}  # fmt: skip
FESTIVAL_LIFT = {"941": 5.0}  # Oóc Om Bóc races on the Maspero river in the city
FESTIVAL_LIFT_ELSEWHERE = 1.8
INTERNATIONAL_SHARE = (0.02, 0.05)
SPEND_MILLION_VND = (0.6, 1.2)
INTERNATIONAL_SPEND_FACTOR = 1.8

# --- budget --------------------------------------------------------------------------------------
REVENUE_BN_PER_YEAR = 4_238.0
SPENDING_BN_PER_YEAR = 7_045.0
REVENUE_PROVINCE_SHARE = 0.42  # collected by provincial agencies
SPENDING_PROVINCE_SHARE = 0.55
CAPITAL_REVENUE_SHARE = 0.28  # of the districts' part: TP Sóc Trăng collects the most
BUDGET_DECIMALS = 3


def health(world: World, day: Day) -> dict[str, Parts]:
    rng = day_rng(world.seed, "health", day.date)
    geo = world.geo
    per_day = VISITS_PER_PERSON_YEAR * almanac.share_of_year(day.date, "clinic")
    season = 1.0 + 0.08 * almanac.dengue_season(day.date)
    visits = rng.poisson(
        geo.commune_population
        * per_day
        * season
        * _clinic_pull(world)
        * rng.lognormal(0.0, 0.06, len(geo.communes))
    )
    digital = rng.binomial(visits, _digital_id_share(world, day.date))
    cases = rng.poisson(_disease_rate(world, day.date))
    beds = planned_beds(world)
    inpatients = np.round(beds * _occupancy(world, day.date, rng))
    return {
        "health.outpatient_visits": Parts(commune=visits.astype(float)),
        "health.digital_id_visits": Parts(commune=digital.astype(float)),
        "health.disease_cases": Parts(commune=cases.astype(float)),
        "health.beds": Parts(district=beds),
        "health.inpatients": Parts(district=inpatients),
    }


def _clinic_pull(world: World) -> np.ndarray:
    return world.profile("clinic-pull", world.geo.commune_codes, 0.85, 1.15)


def _digital_id_share(world: World, day: date) -> np.ndarray:
    geo = world.geo
    readiness = world.profile("vssid", geo.commune_codes, 0.85, 1.05) + 0.08 * geo.commune_urban
    return np.clip(DIGITAL_ID_SHARE.at(day) * readiness, 0.0, 0.97)


def _disease_rate(world: World, day: date) -> np.ndarray:
    hotspots = np.exp(world.profile("disease-hotspot", world.geo.commune_codes, -0.5, 0.5))
    season = 1.0 + DENGUE_LIFT * almanac.dengue_season(day)
    reporting = 0.6 if day.weekday() >= 5 else 1.15
    per_person = DISEASE_PER_100K_DAY / 100_000 * season * reporting
    return world.geo.commune_population * per_person * hotspots


def planned_beds(world: World) -> np.ndarray:
    """Planned beds per district: its health centre, plus the provincial hospitals in the city."""

    def compute() -> np.ndarray:
        geo = world.geo
        beds = np.round(geo.district_population * BEDS_PER_1000 / 1000 / 10) * 10
        capital = geo.capital().parent_code
        if capital in geo.district_index:
            beds[geo.district_index[capital]] += PROVINCIAL_HOSPITAL_BEDS
        return beds

    return world.memo(("beds",), compute)


def _occupancy(world: World, day: date, rng: np.random.Generator) -> np.ndarray:
    season = 1.0 + 0.07 * almanac.dengue_season(day)
    calendar = 0.75 if almanac.is_tet_holiday(day) else (0.97 if day.weekday() >= 5 else 1.0)
    noise = rng.normal(1.0, 0.03, len(world.geo.districts))
    return _usual_occupancy(world) * season * calendar * noise


def _usual_occupancy(world: World) -> np.ndarray:
    """Bed occupancy by district: the city, with the provincial hospitals, runs fullest."""
    geo = world.geo
    capital = geo.capital().parent_code
    is_capital = np.array([code == capital for code in geo.district_codes], dtype=bool)
    city = world.profile("occupancy-city", geo.district_codes, *CAPITAL_OCCUPANCY)
    others = world.profile("occupancy", geo.district_codes, *DISTRICT_OCCUPANCY)
    return np.where(is_capital, city, others)


# --- education -----------------------------------------------------------------------------------


def education(world: World, day: Day) -> dict[str, Parts]:
    """School days only: no observations at weekends, on holidays and in the breaks."""
    if not almanac.is_school_day(day.date) or day.local_hour < ROLL_CALL_HOUR:
        return {}
    rng = day_rng(world.seed, "education", day.date)
    enrolled = _enrolled(world, almanac.school_year(day.date))
    present = rng.binomial(enrolled.astype(int), _attendance(world, day.date, rng))
    return {
        "education.enrolled": Parts(commune=enrolled),
        "education.teachers": Parts(commune=np.round(enrolled / _pupils_per_teacher(world))),
        "education.present": Parts(commune=present.astype(float), exact=True),
    }


def _enrolled(world: World, year: int) -> np.ndarray:
    geo = world.geo
    weight = geo.commune_population * world.profile("pupils", geo.commune_codes, 0.9, 1.1)
    growth = 1.0 + PUPIL_GROWTH_PER_YEAR * (year - 2025)
    return np.round(PUPILS * weight / weight.sum() * growth)


def _pupils_per_teacher(world: World) -> np.ndarray:
    return world.profile("pupils-per-teacher", world.geo.commune_codes, *PUPILS_PER_TEACHER)


def _attendance(world: World, day: date, rng: np.random.Generator) -> np.ndarray:
    geo = world.geo
    usual = world.profile("attendance", geo.commune_codes, 0.955, 0.978) + 0.004 * geo.commune_urban
    after_tet = 0.025 if almanac.days_from_tet(day) in range(8, 15) else 0.0
    monday = 0.004 if day.weekday() == 0 else 0.0
    rainy = 0.008 * almanac.wet_season(day) * rng.random()
    noise = rng.normal(0.0, 0.004, len(geo.communes))
    return np.clip(usual - after_tet - monday - rainy + noise, 0.85, 0.995)


# --- tourism -------------------------------------------------------------------------------------


def tourism(world: World, day: Day) -> dict[str, Parts]:
    rng = day_rng(world.seed, "tourism", day.date)
    geo = world.geo
    base = VISITORS_PER_YEAR * almanac.share_of_year(day.date, "tourism")
    expected = base * _tourism_share(world) * _festival_lift(world, day.date)
    visitors = rng.poisson(expected * rng.lognormal(0.0, 0.12, len(geo.districts)))
    intl_share = _international_share(world) * (1.5 if almanac.is_festival(day.date) else 1.0)
    international = rng.binomial(visitors, np.clip(intl_share, 0.0, 0.2))
    spend = _spend(world) * rng.normal(1.0, 0.05, len(geo.districts))
    domestic_spend = (visitors - international) * spend
    revenue = np.round(domestic_spend + international * spend * INTERNATIONAL_SPEND_FACTOR)
    return {
        "tourism.visitors": Parts(district=visitors.astype(float)),
        "tourism.visitors_international": Parts(district=international.astype(float)),
        "tourism.revenue": Parts(district=revenue),
    }


def _tourism_share(world: World) -> np.ndarray:
    def compute() -> np.ndarray:
        geo = world.geo
        known = np.array([TOURISM_SHARE.get(code, np.nan) for code in geo.district_codes])
        share = np.where(np.isnan(known), geo.district_share * 0.5, known)
        return share / share.sum() if share.sum() else share

    return world.memo(("tourism-share",), compute)


def _festival_lift(world: World, day: date) -> np.ndarray:
    if not almanac.is_festival(day):
        return np.ones(len(world.geo.districts))
    lifts = [FESTIVAL_LIFT.get(code, FESTIVAL_LIFT_ELSEWHERE) for code in world.geo.district_codes]
    return np.array(lifts)


def _international_share(world: World) -> np.ndarray:
    return world.profile("tourism-intl", world.geo.district_codes, *INTERNATIONAL_SHARE)


def _spend(world: World) -> np.ndarray:
    """Million VND spent per visitor, by district."""
    return world.profile("tourism-spend", world.geo.district_codes, *SPEND_MILLION_VND)


# --- budget --------------------------------------------------------------------------------------


def budget(world: World, day: Day) -> dict[str, Parts]:
    rng = day_rng(world.seed, "budget", day.date)
    revenue = REVENUE_BN_PER_YEAR * almanac.share_of_year(day.date, "treasury")
    spending = SPENDING_BN_PER_YEAR * almanac.share_of_year(day.date, "payroll")
    return {
        "socio_economic.budget_revenue": _budget_parts(
            world, rng, revenue, REVENUE_PROVINCE_SHARE, _revenue_split(world)
        ),
        "socio_economic.budget_spending": _budget_parts(
            world, rng, spending, SPENDING_PROVINCE_SHARE, world.geo.district_share
        ),
    }


def _revenue_split(world: World) -> np.ndarray:
    """The districts' shares of their part of the revenue: the city first, then by population."""
    geo = world.geo
    capital = geo.capital().parent_code
    is_capital = np.array([code == capital for code in geo.district_codes])
    if not is_capital.any():
        return geo.district_share
    others = np.where(is_capital, 0.0, geo.district_share)
    return np.where(
        is_capital, CAPITAL_REVENUE_SHARE, others / others.sum() * (1 - CAPITAL_REVENUE_SHARE)
    )


def _budget_parts(
    world: World, rng: np.random.Generator, total: float, province_share: float, split: np.ndarray
) -> Parts:
    """A day's total split between the province's own part and its districts, with lumps."""
    lumps = rng.lognormal(-0.03, 0.25, len(world.geo.districts) + 1)
    districts = total * (1 - province_share) * split * lumps[1:]
    return Parts(
        district=np.round(districts, BUDGET_DECIMALS),
        province=round(total * province_share * lumps[0], BUDGET_DECIMALS),
        decimals=BUDGET_DECIMALS,
    )
