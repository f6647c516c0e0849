"""The `cameras:` section: which network the stream proxy may reach, and how many streams run."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from settings.durations import bounded

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Camera networks are private: loopback, link-local (cloud metadata 169.254.169.254) and
# everything public stay unreachable unless a config names them explicitly.
PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")

IdleTimeout = Annotated[int, BeforeValidator(bounded(1, 600))]
Lifetime = Annotated[int, BeforeValidator(bounded(10, 86400))]
ConnectTimeout = Annotated[int, BeforeValidator(bounded(1, 60))]


class CamerasConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed_networks: tuple[str, ...] = Field(default=PRIVATE_NETWORKS, max_length=256)
    # RTSP is never proxied (browsers cannot play it); only MJPEG over HTTP(S) is relayed.
    allowed_schemes: tuple[Literal["http", "https"], ...] = ("http", "https")
    max_streams_per_client: int = Field(default=4, ge=1, le=64)
    max_streams: int = Field(default=64, ge=1, le=1024)  # per web process
    idle_timeout: IdleTimeout = 15  # no upstream bytes this long: the relay ends
    max_lifetime: Lifetime = 3600  # a relay ends after this long; the <img> reconnects
    connect_timeout: ConnectTimeout = 5

    @field_validator("allowed_networks")
    @classmethod
    def _cidr(cls, networks: tuple[str, ...]) -> tuple[str, ...]:
        for network in networks:
            try:
                ipaddress.ip_network(network, strict=True)
            except ValueError as exc:
                raise ValueError(f"not a CIDR range such as 10.20.0.0/16: {network!r}") from exc
        return networks

    @property
    def networks(self) -> tuple[Network, ...]:
        """The allowed ranges as address networks."""
        return tuple(ipaddress.ip_network(network) for network in self.allowed_networks)
