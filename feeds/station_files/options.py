"""Options of the station_files feed: the drop folder and the station registry."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from feeds.base import FeedOptions
from feeds.station_files.names import registry_key

StationKind = Literal["air_station", "water_station", "salinity_station"]


class StationSpec(BaseModel):
    """One registered station: the code its files carry, and the asset it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
    name: str = Field(min_length=1, max_length=200)
    area: str = Field(min_length=1, max_length=16)  # the administrative unit it stands in
    kind: StationKind = "air_station"
    province: str | None = None  # when set, the file name's province token must match
    facility: str | None = None  # when set, the file name's facility token must match
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    readings_per_hour: int = Field(default=1, ge=1, le=60)  # 12 for 5-minute data


class StationFilesOptions(FeedOptions):
    folder: Path
    stations: tuple[StationSpec, ...] = Field(min_length=1)
    patterns: tuple[str, ...] = ("*.txt",)
    stability_seconds: float = Field(default=30.0, ge=0, le=3600)
    encoding: str = "auto"  # or a codec name every file is in, e.g. "cp1258"
    max_bytes: int = Field(default=1_000_000, ge=1, le=50_000_000)
    recompute_days: int = Field(default=2, ge=1, le=14)  # recent local days redone each run
    # At most the store's own tolerance (feeds.validate.FUTURE_TOLERANCE), so that a reading
    # accepted here is never refused as "in the future" when it is written.
    future_tolerance_minutes: int = Field(default=5, ge=0, le=5)

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, encoding: str) -> str:
        if encoding != "auto":
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ValueError(f"unknown encoding {encoding!r} (or 'auto')") from None
        return encoding

    @model_validator(mode="after")
    def _unique_codes(self) -> Self:
        seen: set[str] = set()
        for station in self.stations:
            key = registry_key(station.code)
            if key in seen:
                raise ValueError(f"station code {station.code!r} is registered twice")
            seen.add(key)
        return self

    def registry(self) -> dict[str, StationSpec]:
        return {registry_key(s.code): s for s in self.stations}
