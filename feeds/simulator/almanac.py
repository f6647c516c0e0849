"""The Vietnamese calendar the demo follows: Tết, public holidays, school days and seasons."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

# First day of the lunar year (mùng 1 Tết), from published calendars.
TET_DAYS: dict[int, date] = {
    year: date.fromisoformat(text)
    for year, text in (
        (2015, "2015-02-19"), (2016, "2016-02-08"), (2017, "2017-01-28"), (2018, "2018-02-16"),
        (2019, "2019-02-05"), (2020, "2020-01-25"), (2021, "2021-02-12"), (2022, "2022-02-01"),
        (2023, "2023-01-22"), (2024, "2024-02-10"), (2025, "2025-01-29"), (2026, "2026-02-17"),
        (2027, "2027-02-06"), (2028, "2028-01-26"), (2029, "2029-02-13"), (2030, "2030-02-03"),
        (2031, "2031-01-23"), (2032, "2032-02-11"), (2033, "2033-01-31"), (2034, "2034-02-19"),
        (2035, "2035-02-08"), (2036, "2036-01-28"), (2037, "2037-02-15"), (2038, "2038-02-04"),
        (2039, "2039-01-24"), (2040, "2040-02-12"),
    )
}  # fmt: skip
TET_HOLIDAY = range(-2, 5)  # days around mùng 1 that offices close
TET_SCHOOL_BREAK = range(-6, 8)
TET_RUSH = range(-12, -2)  # offices busy before the break
HUNG_KINGS_AFTER_TET = 68  # 10/3 lunar, roughly (off by a month after a leap 2nd month)
OOC_OM_BOC_BEFORE_TET = 74  # 15/10 lunar, counted back from the next Tết
FIXED_HOLIDAYS = ((1, 1), (4, 30), (5, 1), (9, 1), (9, 2))
KHMER_NEW_YEAR = ((4, 14), (4, 15), (4, 16))  # Chôl Chnăm Thmây
SUMMER_BREAK_MONTHS = (6, 7, 8)
SCHOOL_YEAR_OPENING = date(2000, 9, 5)  # month and day only
WET_SEASON_BY_MONTH = (0.03, 0.02, 0.05, 0.15, 0.6, 0.9, 0.92, 0.95, 1.0, 0.95, 0.6, 0.18)
EXAM_RESULTS = (7, 16)  # national upper-secondary exam results: mid-July
ADMISSIONS_PEAK_DOY = 217  # early August: grades 1, 6 and 10 and kindergartens enrol
ADMISSIONS_HALF_WIDTH = 36  # from early July to early September
ADMISSIONS_TRICKLE = 0.01  # transfers the rest of the year, relative to the peak


def tet(year: int) -> date:
    """Mùng 1 Tết of a Gregorian year (an early-February guess outside the table)."""
    return TET_DAYS.get(year, date(year, 2, 5))


def days_from_tet(day: date) -> int:
    """Signed days from the nearest mùng 1 Tết (negative before it)."""
    candidates = (day - tet(day.year - 1), day - tet(day.year), day - tet(day.year + 1))
    return min((delta.days for delta in candidates), key=abs)


def is_tet_holiday(day: date) -> bool:
    return days_from_tet(day) in TET_HOLIDAY


def hung_kings_day(year: int) -> date:
    return tet(year) + timedelta(days=HUNG_KINGS_AFTER_TET)


def ooc_om_boc(year: int) -> date:
    """The Oóc Om Bóc festival (15/10 lunar) of a Gregorian year: mid-November to early December."""
    return tet(year + 1) - timedelta(days=OOC_OM_BOC_BEFORE_TET)


def is_public_holiday(day: date) -> bool:
    fixed = (day.month, day.day) in FIXED_HOLIDAYS
    return fixed or is_tet_holiday(day) or day == hung_kings_day(day.year)


def is_workday(day: date) -> bool:
    """A weekday on which state offices are open."""
    return day.weekday() < 5 and not is_public_holiday(day)


def is_school_day(day: date) -> bool:
    """Monday–Friday in term: not in the summer break, the Tết break or on a holiday."""
    if day.weekday() >= 5 or day.month in SUMMER_BREAK_MONTHS or is_public_holiday(day):
        return False
    if day.month == 9 and day.day < SCHOOL_YEAR_OPENING.day:
        return False
    return days_from_tet(day) not in TET_SCHOOL_BREAK


def exam_results_day(year: int) -> date:
    """The day the national exam results come out: mid-July, moved off a weekend."""
    day = date(year, *EXAM_RESULTS)
    return day + timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def school_year(day: date) -> int:
    """The calendar year in which the day's school year opened."""
    return day.year if day.month >= SCHOOL_YEAR_OPENING.month else day.year - 1


def is_festival(day: date, span: range = range(-2, 2)) -> bool:
    """Whether the day is within `span` days of Oóc Om Bóc."""
    return (day - ooc_om_boc(day.year)).days in span


def is_khmer_new_year(day: date) -> bool:
    return (day.month, day.day) in KHMER_NEW_YEAR


def bump(day: date, centre_doy: int, half_width: int) -> float:
    """A smooth seasonal bump in [0, 1]: 1 on day-of-year `centre_doy`, 0 beyond ±half_width."""
    distance = (day.timetuple().tm_yday - centre_doy + 182) % 365 - 182
    if abs(distance) >= half_width:
        return 0.0
    return 0.5 * (1.0 + math.cos(math.pi * distance / half_width))


def wet_season(day: date) -> float:
    """The rainy season (May–November) in [0, 1], fullest from June to October."""
    return WET_SEASON_BY_MONTH[day.month - 1]


def dry_season(day: date) -> float:
    """Salinity intrusion season in [0, 1]: rising from December, peaking February–May."""
    return bump(day, centre_doy=85, half_width=100) ** 1.3


def dengue_season(day: date) -> float:
    """Dengue transmission in [0, 1]: June–October, highest in August."""
    return bump(day, centre_doy=225, half_width=110)


@dataclass(frozen=True, slots=True)
class Trend:
    """A linear trend through two dated values, extrapolated and kept within [low, high]."""

    start: date
    end: date
    first: float
    last: float
    low: float
    high: float

    def at(self, day: date) -> float:
        progress = (day - self.start).days / (self.end - self.start).days
        return min(self.high, max(self.low, self.first + (self.last - self.first) * progress))


@lru_cache(maxsize=64)
def year_total(year: int, weight_name: str) -> float:
    """The sum of a named day-weight over a calendar year (to spread a yearly total by day)."""
    weight = DAY_WEIGHTS[weight_name]
    first = date(year, 1, 1)
    return sum(
        weight(first + timedelta(days=n)) for n in range((date(year + 1, 1, 1) - first).days)
    )


def office_weight(day: date) -> float:
    """Relative volume at the one-stop desks: weekdays, Saturday mornings, a pre-Tết rush."""
    if is_public_holiday(day) or day.weekday() == 6:
        return 0.02
    if day.weekday() == 5:
        return 0.25
    return 1.3 if days_from_tet(day) in TET_RUSH else 1.0


def paperwork_weight(day: date) -> float:
    """Relative volume of official documents: office days only."""
    return 1.0 if is_workday(day) else 0.03


def clinic_weight(day: date) -> float:
    """Relative outpatient volume: full on weekdays, lighter at weekends and holidays."""
    if is_tet_holiday(day):
        return 0.3
    if is_public_holiday(day) or day.weekday() == 6:
        return 0.35
    return 0.6 if day.weekday() == 5 else 1.0


def treasury_weight(day: date) -> float:
    """Relative budget revenue: office days, heavier at month, quarter and year ends."""
    if not is_workday(day):
        return 0.0
    weight = 1.0
    if (day + timedelta(days=4)).month != day.month:
        weight *= 2.5 if day.month % 3 else 3.5
    if day.month == 12:
        weight *= 1.4
    return weight


def payroll_weight(day: date) -> float:
    """Relative recurrent spending: salaries early in the month, settlement in December."""
    if not is_workday(day):
        return 0.0
    weight = 3.0 if day.day <= 7 else 1.0
    return weight * (1.5 if day.month == 12 else 1.0)


def tourism_weight(day: date) -> float:
    """Relative visitors province-wide: weekends, holidays and Tết (festivals come on top)."""
    from_tet = days_from_tet(day)
    if from_tet in range(1, 5):
        return 4.0
    if from_tet in TET_HOLIDAY:
        return 2.2
    if is_public_holiday(day):
        return 2.5
    if is_khmer_new_year(day):
        return 1.8
    return (0.8, 0.8, 0.8, 0.8, 0.9, 1.4, 1.5)[day.weekday()]


def admissions_weight(day: date) -> float:
    """Relative new enrolments: office days, nearly all from July to early September."""
    if not is_workday(day):
        return 0.0
    return ADMISSIONS_TRICKLE + bump(day, ADMISSIONS_PEAK_DOY, ADMISSIONS_HALF_WIDTH)


def investment_weight(day: date) -> float:
    """Relative investment realised: office days, gathering pace towards the year end."""
    if not is_workday(day):
        return 0.0
    weight = 0.6 + 0.8 * (day.month - 1) / 11
    return weight * (1.8 if (day + timedelta(days=4)).month != day.month else 1.0)


DAY_WEIGHTS = {
    "office": office_weight,
    "paperwork": paperwork_weight,
    "clinic": clinic_weight,
    "treasury": treasury_weight,
    "payroll": payroll_weight,
    "tourism": tourism_weight,
    "admissions": admissions_weight,
    "investment": investment_weight,
}


def share_of_year(day: date, weight_name: str) -> float:
    """The day's share of a yearly total spread by the named day-weight."""
    return DAY_WEIGHTS[weight_name](day) / year_total(day.year, weight_name)
