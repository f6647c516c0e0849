"""The http_health feed: one probe per portal per slot, with bounded concurrency, written as
the portal assets and the day's checks, uptime and response time the portals page shows.

A portal's day so far (checks, checks up, summed response time) lives in its asset's
attributes; a second run in the same slot probes only the portals not probed yet, so a
re-run changes nothing and a restart never floods a portal."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feeds.base import Feed
from feeds.http_health.options import HttpHealthOptions, Portal
from feeds.http_health.probe import ProbeResult, probe
from store.records import Asset, Item, Observation
from store.scope import LOCAL_TZ, local_midnight_utc

ASSET = ("portals", "portal")


@dataclass(frozen=True, slots=True)
class Cycle:
    slot: int
    day: str  # local date, ISO
    results: dict[str, ProbeResult]  # portal id → this slot's new probe
    stored: Mapping[str, Mapping[str, Any]]  # portal id → its asset's attributes before


class HttpHealthFeed(Feed):
    type = "http_health"
    Options = HttpHealthOptions
    options: HttpHealthOptions

    def fetch(self) -> Cycle:
        now = self.context.now()
        slot = int(now.timestamp()) // self.options.slot_s
        day = now.astimezone(LOCAL_TZ).date().isoformat()
        stored = self.context.own_assets(*ASSET)
        due = [
            p
            for p in self.options.portals
            if (stored.get(p.id) or {}).get("slot") != slot
            or (stored.get(p.id) or {}).get("day") != day
        ]
        with ThreadPoolExecutor(self.options.concurrency, "portal-probe") as pool:
            found = list(pool.map(lambda p: probe(p, self.options, now), due))
        return Cycle(slot, day, {r.portal: r for r in found}, stored)

    def normalize(self, raw: Cycle) -> Iterator[Item]:
        now = self.context.now()
        tallies: dict[str, Mapping[str, Any]] = {}
        for portal in self.options.portals:
            result = raw.results.get(portal.id)
            before = raw.stored.get(portal.id)
            if result is None:
                if before is not None:
                    tallies[portal.id] = before
                continue
            attributes = self._attributes(portal, result, before, raw, now)
            tallies[portal.id] = attributes
            yield Asset(
                *ASSET,
                source_id=portal.id,
                name=portal.name,
                last_seen=now,
                area=portal.area,
                status="up" if result.up else "down",
                attributes=attributes,
            )
        yield from self._observations(raw.day, tallies)

    def _attributes(
        self,
        portal: Portal,
        result: ProbeResult,
        before: Mapping[str, Any] | None,
        cycle: Cycle,
        now: datetime,
    ) -> dict[str, Any]:
        tally = _day_tally(before, cycle.day)
        days = result.tls_days_left
        level = self.context.areas[portal.area].level if portal.area in self.context.areas else ""
        return {
            "url": portal.url,
            "level": "province" if level == "province" else "district",
            "up": result.up,
            "result": result.kind,
            "reason": result.reason,
            "http_status": result.http_status,
            "response_ms": None if result.response_ms is None else int(result.response_ms),
            "redirects": result.redirects,
            "final_url": result.final_url,
            "tls_days_left": None if days is None else int(days),
            "tls_expiring": days is not None and days < self.options.tls_warn_days,
            "tls_state": _tls_state(days, self.options),
            "checked_at": now.isoformat(),
            "day": cycle.day,
            "slot": cycle.slot,
            "checks": tally["checks"] + 1,
            "checks_up": tally["checks_up"] + int(result.up),
            "response_total_ms": tally["response_total_ms"] + (result.response_ms or 0.0),
            "responses": tally["responses"] + int(result.response_ms is not None),
        }

    def _observations(
        self, day: str, tallies: Mapping[str, Mapping[str, Any]]
    ) -> Iterator[Observation]:
        start = local_midnight_utc(datetime.fromisoformat(day).date())
        today = {pid: t for pid, t in tallies.items() if t.get("day") == day}
        members: dict[str, list[str]] = {}
        for portal in self.options.portals:
            if portal.id not in today:
                continue
            yield from _portal_rows(portal, today[portal.id], start)
            for area in self._chain(portal.area):
                members.setdefault(area, []).append(portal.id)
        for area, ids in sorted(members.items()):
            yield from _area_rows(area, [today[i] for i in ids], start)

    def _chain(self, code: str) -> list[str]:
        """The area and its ancestors (the levels a portal's counts roll up to)."""
        chain, current = [], self.context.areas.get(code)
        while current is not None:
            chain.append(current.code)
            current = self.context.areas.get(current.parent_code or "")
        return chain


def _day_tally(before: Mapping[str, Any] | None, day: str) -> dict[str, float]:
    """The day's counts before this slot's probe (a new day starts from zero)."""
    empty = {"checks": 0, "checks_up": 0, "response_total_ms": 0.0, "responses": 0}
    if not before or before.get("day") != day:
        return empty
    return {k: before.get(k) or v for k, v in empty.items()}


def _tls_state(days: float | None, options: HttpHealthOptions) -> str | None:
    if days is None:
        return None
    if days < options.tls_critical_days:
        return "critical"
    return "warn" if days < options.tls_warn_days else "ok"


def _mean_ms(tally: Mapping[str, Any]) -> float | None:
    responses = tally.get("responses") or 0
    return tally["response_total_ms"] / responses if responses else None


def _portal_rows(
    portal: Portal, tally: Mapping[str, Any], start: datetime
) -> Iterator[Observation]:
    yield Observation("portals.checks", portal.area, start, tally["checks"], "day", portal.id)
    yield Observation("portals.checks_up", portal.area, start, tally["checks_up"], "day", portal.id)
    mean = _mean_ms(tally)
    if mean is not None:
        yield Observation(
            "portals.response_ms", portal.area, start, round(mean, 1), "day", portal.id
        )


def _area_rows(
    area: str, tallies: list[Mapping[str, Any]], start: datetime
) -> Iterator[Observation]:
    means = [m for m in map(_mean_ms, tallies) if m is not None]
    values = {
        "portals.checks": sum(t["checks"] for t in tallies),
        "portals.checks_up": sum(t["checks_up"] for t in tallies),
        "portals.total": len(tallies),
        "portals.up": sum(1 for t in tallies if t.get("up")),
        "portals.tls_expiring": sum(1 for t in tallies if t.get("tls_expiring")),
    }
    if means:
        values["portals.response_ms"] = round(sum(means) / len(means), 1)
    for metric, value in values.items():
        yield Observation(metric, area, start, float(value), "day")
