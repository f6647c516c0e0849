"""Options of an mqtt feed: the broker, the session, the topics and their payload shapes."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from feeds.base import FeedOptions

Shape = Literal["nested", "flat", "array"]
TimeFormat = Literal["iso", "epoch_s", "epoch_ms"]


class Station(BaseModel):
    """A sensor station: the asset it shows as and the area it stands in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    area: str = Field(min_length=1)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    river: str | None = None


class Topic(BaseModel):
    """One subscription: a topic filter (with + and # wildcards) and how its payloads read.

    nested: {"time": .., "salinity": {"value": 4.2, "unit": "‰", "status": "ok"}, ..}
    flat:   {"time": .., "salinity": 4.2, "temperature": 29.5}  (units from `units`)
    array:  [{"parameter": "salinity", "value": 4.2, "unit": "‰", "time": ..}, ..]
    The station comes from a topic level (`station_level`, 0-based) or a payload field.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    filter: str = Field(min_length=1)
    shape: Shape
    time_format: TimeFormat = "iso"
    time_field: str = "time"
    station_level: int | None = Field(None, ge=0)
    station_field: str | None = None
    units: dict[str, str] = Field(default_factory=dict)  # flat shape: parameter → unit
    valid_status: tuple[str, ...] = ("ok", "good", "valid", "00", "0")

    @field_validator("filter")
    @classmethod
    def _valid_filter(cls, value: str) -> str:
        levels = value.split("/")
        for i, level in enumerate(levels):
            if "#" in level and (level != "#" or i != len(levels) - 1):
                raise ValueError("'#' must be a whole level and the last one")
            if "+" in level and level != "+":
                raise ValueError("'+' must be a whole level")
        return value

    @model_validator(mode="after")
    def _one_station_source(self) -> Self:
        if (self.station_level is None) == (self.station_field is None):
            raise ValueError("set exactly one of station_level or station_field")
        return self


class MqttOptions(FeedOptions):
    """Broker, persistent session and topics; the password is never shown."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    host: str = Field(min_length=1)
    port: int = Field(1883, ge=1, le=65535)
    client_id: str = Field(min_length=1, max_length=64)
    username: str | None = None
    password: SecretStr | None = None
    keepalive_s: int = Field(30, ge=5, le=3600)
    session_expiry_s: int = Field(86400, ge=0, le=7 * 86400)
    reconnect_min_s: int = Field(1, ge=1, le=60)
    reconnect_max_s: int = Field(60, ge=1, le=3600)
    flush_s: float = Field(1.0, ge=0.05, le=60)  # how often pending messages are stored
    max_payload_bytes: int = Field(65536, ge=64, le=16 * 1024 * 1024)
    max_pending: int = Field(100_000, ge=100, le=1_000_000)
    topics: tuple[Topic, ...] = Field(min_length=1)
    stations: dict[str, Station] = Field(min_length=1)

    @model_validator(mode="after")
    def _backoff_order(self) -> Self:
        if self.reconnect_max_s < self.reconnect_min_s:
            raise ValueError("reconnect_max_s must not be below reconnect_min_s")
        return self
