"""The budget, exports, investment and the yearly plans and GRDP growth, grounded in Đề án 03."""

from __future__ import annotations

from datetime import date

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.parts import Parts
from feeds.simulator.streams import between, day_rng, stable_uniform
from feeds.simulator.world import Day, World

REVENUE_BN_PER_YEAR = 4_238.0  # 2021 actual
SPENDING_BN_PER_YEAR = 7_045.0
REVENUE_PROVINCE_SHARE = 0.42  # collected by provincial agencies
SPENDING_PROVINCE_SHARE = 0.55
CAPITAL_REVENUE_SHARE = 0.28  # of the districts' part: TP Sóc Trăng collects the most
BUDGET_DECIMALS = 3

PLAN_YEAR = 2026
REVENUE_PLAN_BN = 4_400.0  # the year's estimate (dự toán) in PLAN_YEAR; 2021 was 3,662
SPENDING_PLAN_BN = 8_500.0  # 2021: 8,054
REVENUE_PLAN_GROWTH = 0.07  # per year, to scale the estimate to other years
SPENDING_PLAN_GROWTH = 0.05
PLAN_DECIMALS = 1

EXPORTS_MUSD_PER_YEAR = 1_100.0  # shrimp and rice, mostly
EXPORT_SHARE = {"942": 0.30, "941": 0.18, "947": 0.14, "950": 0.12, "951": 0.09, "943": 0.05,
                "946": 0.04, "945": 0.02, "944": 0.02, "948": 0.02, "949": 0.02}  # fmt: skip
INVESTMENT_BN_PER_YEAR = 27_500.0  # total social investment realised
INVESTMENT_PROVINCE_SHARE = 0.35  # projects the province itself owns
FLOW_DECIMALS = 3

# GRDP growth by sector (%): the year's draw within these ranges; the total follows the
# sectors' weighted growth, placed within its own range.
GRDP_SECTORS = {"agriculture": (3.0, 4.0), "industry": (8.0, 10.0), "services": (7.0, 9.0)}
GRDP_WEIGHTS = {"agriculture": 0.30, "industry": 0.25, "services": 0.45}
GRDP_TOTAL = (6.5, 7.5)
# GRDP structure (% of GRDP): agriculture / industry-construction / services in 2020 per the
# province's digital-transformation plan (DOMAIN.md, `002_…:53`), product taxes the rest; each
# year agriculture gives up 0.4-1 point, which industry and services take up.
GRDP_SHARES_BASE_YEAR = 2020
GRDP_SHARES = {"agriculture": 45.1, "industry": 14.5, "services": 37.0}
GRDP_SHIFT = (0.4, 1.0)  # points of GRDP moving out of agriculture in a year
GRDP_TAKERS = {"industry": 0.45, "services": 0.55}


def economy(world: World, day: Day) -> dict[str, Parts]:
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
        **_flows(world, day.date),
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


# --- exports and investment ----------------------------------------------------------------------


def _flows(world: World, day: date) -> dict[str, Parts]:
    """Exports (by the districts' processing plants) and investment: lumpy, on office days."""
    rng = day_rng(world.seed, "flows", day)
    n = len(world.geo.districts)
    exports = EXPORTS_MUSD_PER_YEAR * almanac.share_of_year(day, "paperwork")
    invested = INVESTMENT_BN_PER_YEAR * almanac.share_of_year(day, "investment")
    export_lumps = rng.lognormal(-0.08, 0.4, n)
    invest_lumps = rng.lognormal(-0.08, 0.4, n + 1)
    own = invested * INVESTMENT_PROVINCE_SHARE * invest_lumps[0]
    districts = invested * (1 - INVESTMENT_PROVINCE_SHARE) * _revenue_split(world)
    return {
        "socio_economic.exports": Parts(
            district=np.round(exports * _export_split(world) * export_lumps, FLOW_DECIMALS),
            decimals=FLOW_DECIMALS,
        ),
        "socio_economic.investment": Parts(
            district=np.round(districts * invest_lumps[1:], FLOW_DECIMALS),
            province=round(own, FLOW_DECIMALS),
            decimals=FLOW_DECIMALS,
        ),
    }


def _export_split(world: World) -> np.ndarray:
    def compute() -> np.ndarray:
        geo = world.geo
        known = np.array([EXPORT_SHARE.get(code, np.nan) for code in geo.district_codes])
        share = np.where(np.isnan(known), geo.district_share * 0.1, known)
        return share / share.sum() if share.sum() else share

    return world.memo(("export-share",), compute)


# --- the year's plans and growth ----------------------------------------------------------------


def year_parts(world: World, year: int) -> dict[str, Parts]:
    """The yearly values: the budget estimates by area and GRDP growth by sector."""
    years = year - PLAN_YEAR
    revenue = REVENUE_PLAN_BN * (1 + REVENUE_PLAN_GROWTH) ** years
    spending = SPENDING_PLAN_BN * (1 + SPENDING_PLAN_GROWTH) ** years
    return {
        "socio_economic.budget_revenue_plan": _plan_parts(
            revenue, REVENUE_PROVINCE_SHARE, _revenue_split(world)
        ),
        "socio_economic.budget_spending_plan": _plan_parts(
            spending, SPENDING_PROVINCE_SHARE, world.geo.district_share
        ),
        "socio_economic.grdp_growth": _grdp_parts(world, year),
        "socio_economic.grdp_share": _share_parts(world, year),
    }


def _plan_parts(total: float, province_share: float, split: np.ndarray) -> Parts:
    return Parts(
        district=np.round(total * (1 - province_share) * split, PLAN_DECIMALS),
        province=round(total * province_share, PLAN_DECIMALS),
        decimals=PLAN_DECIMALS,
    )


def grdp_growth(world: World, year: int) -> dict[str, float]:
    """Growth by sector (%) and in total: one draw per year, sectors moving together."""
    boom = stable_uniform(world.seed, "grdp", str(year))
    found = {}
    for sector, (low, high) in GRDP_SECTORS.items():
        own = stable_uniform(world.seed, f"grdp-{sector}", str(year))
        found[sector] = round(float(between(0.6 * boom + 0.4 * own, low, high)), 2)
    found["total"] = round(float(between(_weighted_position(found), *GRDP_TOTAL)), 2)
    return found


def _weighted_position(growth: dict[str, float]) -> float:
    """Where the sectors' weighted growth lies between its lowest and highest possible value."""
    weight = sum(GRDP_WEIGHTS.values())
    value = sum(GRDP_WEIGHTS[s] * v for s, v in growth.items()) / weight
    low = sum(GRDP_WEIGHTS[s] * r[0] for s, r in GRDP_SECTORS.items()) / weight
    high = sum(GRDP_WEIGHTS[s] * r[1] for s, r in GRDP_SECTORS.items()) / weight
    return (value - low) / (high - low)


def grdp_shares(world: World, year: int) -> dict[str, float]:
    """Each sector's share of GRDP (%) in a year; product taxes are what the sectors leave."""
    moved = sum(
        float(between(stable_uniform(world.seed, "grdp-share", str(y)), *GRDP_SHIFT))
        for y in range(GRDP_SHARES_BASE_YEAR + 1, year + 1)
    )
    found = {"agriculture": round(GRDP_SHARES["agriculture"] - moved, 2)}
    for sector, part in GRDP_TAKERS.items():
        found[sector] = round(GRDP_SHARES[sector] + moved * part, 2)
    found["taxes"] = round(100.0 - sum(found.values()), 2)
    return found


def _share_parts(world: World, year: int) -> Parts:
    code = world.geo.province.code
    shares = grdp_shares(world, year)
    return Parts(
        province=100.0,
        decimals=2,
        splits=tuple((code, sector, value) for sector, value in shares.items()),
    )


def _grdp_parts(world: World, year: int) -> Parts:
    growth = grdp_growth(world, year)
    code = world.geo.province.code
    return Parts(
        province=growth["total"],
        decimals=2,
        splits=tuple((code, sector, value) for sector, value in growth.items()),
    )
