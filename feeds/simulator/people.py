"""Health, education and tourism: population-scaled, seasonal, adding up."""

from __future__ import annotations

from datetime import date

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.parts import Parts
from feeds.simulator.streams import day_rng
from feeds.simulator.world import Day, World
from store.scope import LOCAL_TZ

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
BIRTHS_PER_1000_YEAR = 13.5  # each birth cohort comes due for the full schedule once
VACCINATION_COVERAGE = (0.88, 0.98)

# --- education -----------------------------------------------------------------------------------
PUPILS = 250_000
PUPILS_PER_TEACHER = (17.0, 21.0)
PUPIL_GROWTH_PER_YEAR = 0.01
ROLL_CALL_HOUR = 8.0  # attendance is known once the morning roll call is done
ADMISSIONS_PER_PUPIL = 0.26  # kindergarten, grade 1, 6 and 10 intakes against all pupils
EXAM_CANDIDATES_PER_PUPIL = 0.048  # final-year pupils sitting the national exam
EXAM_PASS = (0.95, 0.99)
RESULTS_HOUR = 8.0

# --- tourism -------------------------------------------------------------------------------------
VISITORS_PER_YEAR = 1_800_000
TOURISM_SHARE = {"941": 0.35, "950": 0.12, "945": 0.08, "947": 0.08, "942": 0.06, "943": 0.06,
                 "944": 0.06, "951": 0.06, "946": 0.05, "948": 0.05, "949": 0.03}  # fmt: skip
FESTIVAL_LIFT = {"941": 5.0}  # Oóc Om Bóc races on the Maspero river in the city
FESTIVAL_LIFT_ELSEWHERE = 1.8
INTERNATIONAL_SHARE = (0.02, 0.05)
SPEND_MILLION_VND = (0.6, 1.2)
INTERNATIONAL_SPEND_FACTOR = 1.8
ROOMS = {"941": 1_200}  # hotel rooms: the city has most of them
ROOMS_ELSEWHERE = (50, 300)
OCCUPANCY = (0.45, 0.60)  # usual room occupancy by district
FESTIVAL_OCCUPANCY = {"941": 1.6}
FESTIVAL_OCCUPANCY_ELSEWHERE = 1.2


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
    due = rng.poisson(geo.commune_population * BIRTHS_PER_1000_YEAR / 1000 / 365)
    vaccinated = rng.binomial(due, _coverage(world, rng))
    return {
        "health.outpatient_visits": Parts(commune=visits.astype(float)),
        "health.digital_id_visits": Parts(commune=digital.astype(float)),
        "health.disease_cases": Parts(commune=cases.astype(float)),
        "health.beds": Parts(district=beds),
        "health.inpatients": Parts(district=inpatients),
        "health.vaccination_due": Parts(commune=due.astype(float)),
        "health.vaccinated": Parts(commune=vaccinated.astype(float)),
    }


def _coverage(world: World, rng: np.random.Generator) -> np.ndarray:
    """Full-schedule coverage by commune: a usual level per commune, a little noise."""
    usual = world.profile("vaccination", world.geo.commune_codes, *VACCINATION_COVERAGE)
    return np.clip(usual + rng.normal(0.0, 0.01, len(usual)), 0.5, 1.0)


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
    """Attendance on school days, enrolments on office days (exam results are per school
    year: `school_year_parts`)."""
    found: dict[str, Parts] = {}
    if almanac.is_school_day(day.date) and day.local_hour >= ROLL_CALL_HOUR:
        found.update(_attendance_parts(world, day))
    if almanac.is_workday(day.date):
        found["education.admitted"] = _admissions(world, day)
    return found


def results_published(world: World, opened: int) -> bool:
    """Whether the exam results of the school year that opened in `opened` are out by now:
    they come out on one morning in the July that ends it."""
    day = almanac.exam_results_day(opened + 1)
    local_now = world.now.astimezone(LOCAL_TZ)
    hour = local_now.hour + local_now.minute / 60
    return day < world.today or (day == world.today and hour >= RESULTS_HOUR)


def school_year_parts(world: World, opened: int) -> dict[str, Parts]:
    """The school year's values (the national exam results), once they are published."""
    if not results_published(world, opened):
        return {}
    return _exam_results(world, world.day(almanac.exam_results_day(opened + 1)))


def _attendance_parts(world: World, day: Day) -> dict[str, Parts]:
    rng = day_rng(world.seed, "education", day.date)
    enrolled = pupils(world, almanac.school_year(day.date))
    present = rng.binomial(enrolled.astype(int), _attendance(world, day.date, rng))
    return {
        "education.enrolled": Parts(commune=enrolled),
        "education.teachers": Parts(commune=np.round(enrolled / _pupils_per_teacher(world))),
        "education.present": Parts(commune=present.astype(float), exact=True),
    }


def _admissions(world: World, day: Day) -> Parts:
    """New pupils enrolled on the day: nearly all in the summer admission season."""
    rng = day_rng(world.seed, "admissions", day.date)
    per_pupil = ADMISSIONS_PER_PUPIL * almanac.share_of_year(day.date, "admissions")
    expected = pupils(world, almanac.school_year(day.date)) * per_pupil
    return Parts(commune=rng.poisson(expected).astype(float))


def _exam_results(world: World, day: Day) -> dict[str, Parts]:
    """Candidates by where they live, and how many passed: all published on one morning."""
    rng = day_rng(world.seed, "exam", day.date)
    geo = world.geo
    candidates = rng.poisson(pupils(world, day.date.year - 1) * EXAM_CANDIDATES_PER_PUPIL)
    usual = world.profile("exam-pass", geo.commune_codes, *EXAM_PASS)
    passed = rng.binomial(candidates, np.clip(usual + rng.normal(0.0, 0.005, len(usual)), 0, 1))
    return {
        "education.exam_candidates": Parts(commune=candidates.astype(float), exact=True),
        "education.exam_passed": Parts(commune=passed.astype(float), exact=True),
    }


def pupils(world: World, year: int) -> np.ndarray:
    """Pupils per commune in the school year that opened in `year`."""
    return world.memo(("pupils", year), lambda: _enrolled(world, year))


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
    rooms = hotel_rooms(world)
    occupied = rng.binomial(rooms.astype(int), _room_occupancy(world, day.date, rng))
    return {
        "tourism.visitors": Parts(district=visitors.astype(float)),
        "tourism.visitors_international": Parts(district=international.astype(float)),
        "tourism.revenue": Parts(district=revenue),
        "tourism.rooms_available": Parts(district=rooms, exact=True),  # tonight's rooms
        "tourism.rooms_occupied": Parts(district=occupied.astype(float), exact=True),
    }


def hotel_rooms(world: World) -> np.ndarray:
    """Rooms per district (one room-night per room and day): the city first."""

    def compute() -> np.ndarray:
        codes = world.geo.district_codes
        others = np.round(world.profile("rooms", codes, *ROOMS_ELSEWHERE))
        return np.array([ROOMS.get(c, o) for c, o in zip(codes, others, strict=True)], float)

    return world.memo(("rooms",), compute)


def _room_occupancy(world: World, day: date, rng: np.random.Generator) -> np.ndarray:
    """Occupancy: the district's usual level, fuller at weekends, at Tết and the festival."""
    codes = world.geo.district_codes
    demand = 0.7 + 0.3 * min(almanac.tourism_weight(day), 2.5)
    lift = np.ones(len(codes))
    if almanac.is_festival(day):
        lift = np.array([FESTIVAL_OCCUPANCY.get(c, FESTIVAL_OCCUPANCY_ELSEWHERE) for c in codes])
    noise = rng.normal(1.0, 0.05, len(codes))
    usual = world.profile("occupancy-rooms", codes, *OCCUPANCY)
    return np.clip(usual * demand * lift * noise, 0.1, 0.97)


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
