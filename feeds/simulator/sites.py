"""Placing the demo's assets: the area an asset belongs to, and a stable point near a unit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from feeds.simulator.geography import near
from feeds.simulator.world import World
from geo.hierarchy import AdminUnit
from store.records import Asset


@dataclass(frozen=True, slots=True)
class Site:
    """Where an asset is: the area it belongs to and the unit whose label point it sits near."""

    area: AdminUnit
    near: AdminUnit


def make_asset(
    world: World,
    identity: tuple[str, str, str],
    name: str,
    site: Site,
    status: str = "ok",
    attributes: dict[str, Any] | None = None,
) -> Asset:
    """An asset as it stands at `now`; `identity` is (domain, kind, source_id)."""
    domain, kind, source_id = identity
    lat, lon = near(site.near, world.seed, source_id)
    return Asset(
        domain=domain,
        kind=kind,
        source_id=source_id,
        name=name,
        last_seen=world.now,
        area=site.area.code,
        lat=lat,
        lon=lon,
        status=status,
        attributes={**(attributes or {}), "demo": True},
    )
