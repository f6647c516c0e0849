"""Parameters an MQTT sensor may report, their canonical units and the safe conversions.

A conversion is listed only where it needs no other measurement: °F → °C, m/mm → cm,
mg/L ↔ ‰ for salinity (1 ‰ = 1 g/kg ≈ 1 g/L at the density of brackish water, the
convention of the Mekong delta's salinity bulletins). Conductivity is *not* salinity: turning
µS/cm into ‰ needs the water temperature and a calibrated equation, so it is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Convert = Callable[[float], float]


class UnitProblem(ValueError):
    """A reading whose unit cannot be turned into the parameter's canonical unit."""


@dataclass(frozen=True, slots=True)
class Parameter:
    key: str
    unit: str  # canonical unit
    low: float  # plausibility bounds, in the canonical unit
    high: float
    metric: str | None = None  # a day-maximum metric fed by this parameter, if any
    attribute: str = ""  # the station asset's attribute holding the latest value
    units: dict[str, Convert] = field(default_factory=dict)  # accepted unit → to canonical


def _same(value: float) -> float:
    return value


CONDUCTIVITY_UNITS = frozenset({"us/cm", "µs/cm", "μs/cm", "ms/cm", "s/m", "ms/m"})
CONDUCTIVITY_REASON = (
    "conductivity is not salinity: converting {unit} to ‰ needs temperature and a calibrated "
    "equation, so the reading is refused"
)

PARAMETERS: dict[str, Parameter] = {
    p.key: p
    for p in (
        Parameter(
            "salinity",
            "‰",
            0.0,
            45.0,
            metric="environment.salinity_max",
            attribute="salinity_permille",
            units={
                "‰": _same,
                "ppt": _same,
                "psu": _same,
                "g/l": _same,
                "g/kg": _same,
                "mg/l": lambda v: v / 1000.0,
            },
        ),
        Parameter(
            "temperature",
            "°C",
            -5.0,
            50.0,
            attribute="temperature_c",
            units={
                "°c": _same,
                "c": _same,
                "degc": _same,
                "°f": lambda v: (v - 32.0) * 5.0 / 9.0,
                "f": lambda v: (v - 32.0) * 5.0 / 9.0,
                "degf": lambda v: (v - 32.0) * 5.0 / 9.0,
                "k": lambda v: v - 273.15,
            },
        ),
        Parameter(
            "water_level",
            "cm",
            -500.0,
            1000.0,
            metric="environment.water_level_max",
            attribute="water_level_cm",
            units={"cm": _same, "m": lambda v: v * 100.0, "mm": lambda v: v / 10.0},
        ),
        Parameter("do", "mg/L", 0.0, 20.0, attribute="do", units={"mg/l": _same}),
        Parameter("ph", "", 0.0, 14.0, attribute="ph", units={"": _same, "ph": _same}),
    )
}
ALIASES = {
    "salinity": "salinity",
    "sal": "salinity",
    "do_man": "salinity",
    "độ mặn": "salinity",
    "temperature": "temperature",
    "temp": "temperature",
    "water_temp": "temperature",
    "water_level": "water_level",
    "level": "water_level",
    "muc_nuoc": "water_level",
    "do": "do",
    "dissolved_oxygen": "do",
    "ph": "ph",
}
CONDUCTIVITY_NAMES = frozenset({"conductivity", "ec", "cond", "do_dan_dien"})


def _unit_key(unit: str) -> str:
    return unit.strip().lower().replace(" ", "").replace("‰", "‰")


def parameter_for(name: str) -> Parameter | None:
    """The parameter a reported name stands for (aliases included), or None."""
    key = ALIASES.get(name.strip().lower())
    return PARAMETERS.get(key) if key else None


def is_conductivity(name: str) -> bool:
    return name.strip().lower() in CONDUCTIVITY_NAMES


def to_canonical(parameter: Parameter, value: float, unit: str | None) -> float:
    """The value in the parameter's canonical unit; no unit means it is already canonical."""
    key = _unit_key(unit if unit is not None else parameter.unit)
    if parameter.key == "salinity" and key in CONDUCTIVITY_UNITS:
        raise UnitProblem(CONDUCTIVITY_REASON.format(unit=unit))
    convert = parameter.units.get(key) or (_same if key == _unit_key(parameter.unit) else None)
    if convert is None:
        known = ", ".join(sorted(parameter.units)) or "none"
        raise UnitProblem(
            f"unit {unit!r} cannot be converted safely to {parameter.unit or 'a bare number'}"
            f" for {parameter.key} (accepted: {known})"
        )
    return convert(value)
