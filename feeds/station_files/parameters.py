"""Station parameters: aliases to canonical names, units to canonical units, plausible bounds."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from feeds.aqi import gas_to_ugm3

UGM3: Final = "µg/m³"
_SPACES = re.compile(r"[\s_\-]+")


def fold_name(name: str) -> str:
    """A parameter name folded for matching: case, spaces, '_', '-' and decimal commas."""
    return _SPACES.sub("", name.casefold().replace(",", "."))


@dataclass(frozen=True, slots=True, kw_only=True)
class Parameter:
    """A quantity a station measures, in its canonical unit.

    `units` maps each accepted unit (canonical spelling) to its conversion into `unit`;
    `metric` is the catalogued daily metric it feeds (None: kept on the station only);
    `attribute` is the station attribute showing its latest value; `unitless` says an empty
    unit field is unambiguous (pH).
    """

    key: str
    label: str
    unit: str
    aliases: tuple[str, ...]
    low: float
    high: float
    units: Mapping[str, Callable[[float], float]]
    metric: str | None = None
    attribute: str = ""
    unitless: bool = False
    aliases_folded: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        folded = frozenset(fold_name(a) for a in (self.key, self.label, *self.aliases))
        object.__setattr__(self, "aliases_folded", folded)


def _same(value: float) -> float:
    return value


def _times(factor: float) -> Callable[[float], float]:
    return lambda value: value * factor


def _gas(key: str) -> dict[str, Callable[[float], float]]:
    return {
        UGM3: _same,
        "mg/m³": _times(1000.0),
        "ppb": lambda value: gas_to_ugm3(key, value, "ppb"),
        "ppm": lambda value: gas_to_ugm3(key, value, "ppm"),
    }


_DUST_UNITS = {UGM3: _same, "mg/m³": _times(1000.0)}

PARAMETERS: Final[tuple[Parameter, ...]] = (
    Parameter(
        key="pm25",
        label="PM2.5",
        unit=UGM3,
        aliases=("PM2,5", "PM2_5", "PM-2.5", "Bụi PM2.5"),
        low=0,
        high=1000,
        units=_DUST_UNITS,
        metric="environment.pm25",
        attribute="pm25",
    ),
    Parameter(
        key="pm10",
        label="PM10",
        unit=UGM3,
        aliases=("PM-10", "PM_10", "Bụi PM10"),
        low=0,
        high=2000,
        units=_DUST_UNITS,
        metric="environment.pm10",
        attribute="pm10",
    ),
    Parameter(
        key="no2",
        label="NO2",
        unit=UGM3,
        aliases=("NO₂",),
        low=0,
        high=5000,
        units=_gas("no2"),
        metric="environment.no2",
        attribute="no2",
    ),
    Parameter(
        key="so2",
        label="SO2",
        unit=UGM3,
        aliases=("SO₂",),
        low=0,
        high=5000,
        units=_gas("so2"),
        metric="environment.so2",
        attribute="so2",
    ),
    Parameter(
        key="co",
        label="CO",
        unit=UGM3,
        aliases=(),
        low=0,
        high=200_000,
        units=_gas("co"),
        metric="environment.co",
        attribute="co",
    ),
    Parameter(
        key="o3",
        label="O3",
        unit=UGM3,
        aliases=("O₃",),
        low=0,
        high=2000,
        units=_gas("o3"),
        metric="environment.o3",
        attribute="o3",
    ),
    Parameter(
        key="temperature",
        label="Temp",
        unit="°C",
        aliases=("Temperature", "Nhiet do", "Nhiệt độ", "T"),
        low=-10,
        high=60,
        units={"°C": _same},
        attribute="temperature_c",
    ),
    Parameter(
        key="humidity",
        label="RH",
        unit="%",
        aliases=("Humidity", "Do am", "Độ ẩm"),
        low=0,
        high=100,
        units={"%": _same},
        attribute="humidity_pct",
    ),
    Parameter(
        key="salinity",
        label="Salinity",
        unit="‰",
        aliases=("SAL", "Do man", "Độ mặn"),
        low=0,
        high=45,
        units={"‰": _same, "ppt": _same, "psu": _same, "mg/L": _times(0.001)},
        metric="environment.salinity_max",
        attribute="salinity_permille",
    ),
    Parameter(
        key="water_level",
        label="Level",
        unit="cm",
        aliases=("WL", "Water level", "Muc nuoc", "Mực nước", "H"),
        low=-500,
        high=1000,
        units={"cm": _same, "m": _times(100.0), "mm": _times(0.1)},
        metric="environment.water_level_max",
        attribute="water_level_cm",
    ),
    Parameter(
        key="do",
        label="DO",
        unit="mg/L",
        aliases=("Dissolved oxygen", "Oxy hoa tan", "Ôxy hòa tan"),
        low=0,
        high=20,
        units={"mg/L": _same},
        metric="environment.do",
        attribute="do",
    ),
    Parameter(
        key="ph",
        label="pH",
        unit="",
        aliases=(),
        low=0,
        high=14,
        units={"": _same},
        metric="environment.ph",
        attribute="ph",
        unitless=True,
    ),
    Parameter(
        key="ec",
        label="EC",
        unit="µS/cm",
        aliases=("Conductivity", "Do dan dien", "Độ dẫn điện"),
        low=0,
        high=100_000,
        units={"µS/cm": _same, "mS/cm": _times(1000.0)},
        attribute="ec_uscm",
    ),
    Parameter(
        key="tss",
        label="TSS",
        unit="mg/L",
        aliases=("SS",),
        low=0,
        high=5000,
        units={"mg/L": _same},
        attribute="tss",
    ),
    Parameter(
        key="cod",
        label="COD",
        unit="mg/L",
        aliases=(),
        low=0,
        high=5000,
        units={"mg/L": _same},
        attribute="cod",
    ),
    Parameter(
        key="nh4",
        label="N-NH4",
        unit="mg/L",
        aliases=("NH4", "NH4+", "Amoni"),
        low=0,
        high=500,
        units={"mg/L": _same},
        attribute="nh4",
    ),
)
BY_KEY: Final = {p.key: p for p in PARAMETERS}
_BY_ALIAS: Final = {alias: p for p in PARAMETERS for alias in p.aliases_folded}

# Unit spellings loggers write, folded (see `fold_unit`), to the canonical spelling.
UNIT_ALIASES: Final[Mapping[str, str]] = {
    "µg/m³": UGM3,
    "ug/m³": UGM3,
    "mcg/m³": UGM3,
    "µg/nm³": UGM3,
    "ug/nm³": UGM3,
    "mg/m³": "mg/m³",
    "mg/nm³": "mg/m³",
    "ppb": "ppb",
    "ppm": "ppm",
    "mg/l": "mg/L",
    "°c": "°C",
    "oc": "°C",
    "degc": "°C",
    "c": "°C",
    "%": "%",
    "%rh": "%",
    "‰": "‰",
    "o/oo": "‰",
    "ppt": "ppt",
    "psu": "psu",
    "cm": "cm",
    "m": "m",
    "mm": "mm",
    "µs/cm": "µS/cm",
    "us/cm": "µS/cm",
    "ms/cm": "mS/cm",
    "": "",
    "-": "",
    "ph": "",
}


def fold_unit(unit: str) -> str:
    """A unit folded for matching: case, spaces, Greek mu as micro sign, m3 as m³."""
    text = unit.strip().replace(" ", "").casefold().replace("μ", "µ")
    return text.replace("m3", "m³")


def parameter_for(name: str) -> Parameter | None:
    return _BY_ALIAS.get(fold_name(name))


def canonical_unit(unit: str) -> str | None:
    """The canonical spelling of a unit, or None when it is not one we know."""
    return _UNITS.get(fold_unit(unit))


def convert(parameter: Parameter, value: float, unit: str) -> tuple[float | None, str]:
    """The value in the parameter's canonical unit, or (None, reason)."""
    canonical = canonical_unit(unit)
    if canonical is None:
        return None, f"unknown unit {unit!r} for {parameter.label}"
    conversion = parameter.units.get(canonical)
    if conversion is None:
        known = ", ".join(u or "(none)" for u in parameter.units)
        return None, f"unit {unit!r} is not a unit of {parameter.label} (accepted: {known})"
    return conversion(value), ""


_UNITS: Final = {fold_unit(spelling): canonical for spelling, canonical in UNIT_ALIASES.items()}
