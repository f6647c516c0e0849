"""Current warnings and critical states of a scope, for the wall's ticker and alerts page.

Sources: metric thresholds (per area), salinity stations against the 1‰ / 4‰ alert levels,
monitoring stations in device error or calibrating, offline cameras, overdue dossiers and
failing or stale feeds. Everything is read through the
scoped (and cached) query layer; this module only applies rules and orders the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from store.catalog import METRICS, Metric
from store.read_models import KpiValue, Place
from store.scope import Scope
from ui.status import FeedState, Freshness, value_status

SEVERITY_RANK = {"critical": 0, "warn": 1}
SALINITY_WATCH, SALINITY_INTRUSION = 1.0, 4.0  # ‰, DOMAIN.md
CAMERA_CRITICAL_SHARE = 0.5  # half of an area's cameras down is critical
# Metrics whose state a more specific source reports (per station, per camera group).
COVERED_ELSEWHERE = frozenset({"environment.salinity_max", "cameras.offline"})


class AlertQueries(Protocol):
    areas: Any

    def kpis(self, scope: Scope, keys: Sequence[str]) -> dict[str, KpiValue]: ...
    def assets(self, scope: Scope, domain: str, kinds: Sequence[str] = ()) -> list[Place]: ...
    def events(
        self, scope: Scope, domain: str, kinds: Sequence[str] = (), limit: int = 500
    ) -> list[Place]: ...


@dataclass(frozen=True, slots=True)
class Alert:
    key: str  # stable identity while the state lasts
    severity: str  # critical | warn
    domain: str  # a domain key, or "feeds"
    area: str
    message: str  # i18n key of the text
    params: tuple[tuple[str, Any], ...] = ()
    time: datetime | None = None  # when it happened, if the data say; else when first seen
    first_seen: datetime | None = field(default=None, compare=False)

    @property
    def shown_time(self) -> datetime | None:
        return self.time or self.first_seen


FEED_BOARD_LINK = "/nguon-du-lieu?feed={feed}"


def alert_link(alert: Alert) -> str | None:
    """Where an alert's cause is looked at: a feed's alert opens its row on the feed board."""
    feed = dict(alert.params).get("feed")
    if alert.domain == "feeds" and isinstance(feed, str):
        return FEED_BOARD_LINK.format(feed=quote(feed, safe=""))
    return None


def alert_metrics() -> tuple[Metric, ...]:
    return tuple(
        m
        for m in METRICS
        if m.tile
        and (m.warn is not None or m.critical is not None or m.limits_by_level)
        and m.key not in COVERED_ELSEWHERE
    )


def current_alerts(
    queries: AlertQueries, scope: Scope, feeds: Mapping[str, FeedState]
) -> list[Alert]:
    """Every current alert inside the scope, most severe and newest first."""
    found = [
        *threshold_alerts(queries, scope),
        *salinity_alerts(queries, scope),
        *station_state_alerts(queries, scope),
        *camera_alerts(queries, scope),
        *dossier_alerts(queries, scope),
        *feed_alerts(feeds, scope.at_root().area),
    ]
    return ordered(found)


def ordered(alerts: Iterable[Alert]) -> list[Alert]:
    def rank(alert: Alert) -> tuple[int, float, str]:
        moment = alert.shown_time
        return (SEVERITY_RANK[alert.severity], -(moment.timestamp() if moment else 0), alert.key)

    return sorted(alerts, key=rank)


SINCE = "_since"  # when the tracker first looked: alerts already showing then are not new


def with_onsets(
    alerts: Sequence[Alert], known: Mapping[str, str], now: datetime
) -> tuple[list[Alert], dict[str, str]]:
    """Stamp each alert with when it was first seen (kept while it lasts, forgotten after).

    The returned mapping is the tracker's next state; its SINCE entry is when tracking began.
    """
    onsets = {SINCE: known.get(SINCE, now.isoformat())}
    onsets.update({a.key: known.get(a.key, now.isoformat()) for a in alerts})
    stamped = [
        Alert(
            a.key,
            a.severity,
            a.domain,
            a.area,
            a.message,
            a.params,
            a.time,
            datetime.fromisoformat(onsets[a.key]),
        )
        for a in alerts
    ]
    return ordered(stamped), onsets


def new_critical(
    alerts: Sequence[Alert], onsets: Mapping[str, str], now: datetime, within_s: int
) -> list[Alert]:
    """Critical alerts that appeared (after tracking began) less than `within_s` ago, newest
    first: what may hold a wall's rotation."""
    since = datetime.fromisoformat(onsets.get(SINCE, now.isoformat()))
    fresh = [
        a
        for a in alerts
        if a.severity == "critical"
        and a.first_seen is not None
        and since < a.first_seen
        and (now - a.first_seen).total_seconds() < within_s
    ]
    return sorted(fresh, key=lambda a: a.first_seen or now, reverse=True)


def threshold_alerts(queries: AlertQueries, scope: Scope) -> Iterator[Alert]:
    metrics = alert_metrics()
    keys = [m.key for m in metrics]
    for area in (scope.area, *queries.areas.children(scope.area)):
        level = queries.areas.get(area).level
        values = queries.kpis(scope.at(area), keys)
        for metric in metrics:
            if level not in metric.levels:
                continue
            value = values[metric.key].value
            status = value_status(metric, value, level)
            if status in SEVERITY_RANK:
                warn, critical = metric.limits(level)
                limit = critical if status == "critical" else warn
                yield Alert(
                    f"metric:{metric.key}:{area}",
                    status,
                    metric.domain,
                    area,
                    "alert.metric",
                    (("metric", metric.key), ("value", value), ("limit", limit)),
                )


def salinity_alerts(queries: AlertQueries, scope: Scope) -> Iterator[Alert]:
    for station in queries.assets(scope, "environment", ("salinity_station",)):
        value = station.attributes.get("salinity_permille")
        if not isinstance(value, int | float) or value < SALINITY_WATCH:
            continue
        critical = value >= SALINITY_INTRUSION
        yield Alert(
            f"salinity:{station.source_id}",
            "critical" if critical else "warn",
            "environment",
            station.area or queries.areas.root,
            "alert.salinity",
            (
                ("station", station.name),
                ("value", value),
                ("limit", SALINITY_INTRUSION if critical else SALINITY_WATCH),
            ),
            station.time,
        )


# Station states (feeds/station_files/status.py) that hold a monitoring station's values back,
# with the device status code whose parameters the alert names.
HELD_STATES = {"device_error": "02", "calibrating": "01"}


def station_state_alerts(queries: AlertQueries, scope: Scope) -> Iterator[Alert]:
    """A monitoring station whose newest file says device error or calibrating: a warning
    naming it and the parameters held back, gone once it reports valid data again."""
    for station in queries.assets(scope, "environment"):
        code = HELD_STATES.get(station.status)
        if code is None:
            continue
        held = station.attributes.get("status_parameters") or {}
        parameters = held.get(code) if isinstance(held, dict) else None
        yield Alert(
            f"station:{station.source_id}:{station.status}",
            "warn",
            "environment",
            station.area or queries.areas.root,
            f"alert.station_{station.status}",
            (("station", station.name), ("parameters", ", ".join(parameters or ()) or "—")),
            station.time,
        )


def camera_alerts(queries: AlertQueries, scope: Scope) -> Iterator[Alert]:
    cameras = queries.assets(scope, "cameras", ("camera",))
    groups: dict[str, list[Place]] = {}
    for camera in cameras:
        groups.setdefault(_group_area(queries, scope, camera.area), []).append(camera)
    for area, members in sorted(groups.items()):
        offline = [c for c in members if c.status == "offline"]
        if not offline:
            continue
        share = len(offline) / len(members)
        since = [_parse_time(c.attributes.get("last_online_at")) for c in offline]
        yield Alert(
            f"cameras:{area}",
            "critical" if share >= CAMERA_CRITICAL_SHARE else "warn",
            "cameras",
            area,
            "alert.cameras_offline",
            (("count", len(offline)), ("total", len(members))),
            max((s for s in since if s is not None), default=None),
        )


def dossier_alerts(queries: AlertQueries, scope: Scope) -> Iterator[Alert]:
    late = [
        e
        for e in queries.events(scope, "public_services", ("late_dossier",), limit=5000)
        if e.status == "late"
    ]
    groups: dict[str, list[Place]] = {}
    for dossier in late:
        groups.setdefault(_group_area(queries, scope, dossier.area), []).append(dossier)
    for area, members in sorted(groups.items()):
        worst = max(int(d.attributes.get("days_late") or 0) for d in members)
        yield Alert(
            f"dossiers:{area}",
            "critical" if worst >= 5 else "warn",
            "public_services",
            area,
            "alert.dossiers_overdue",
            (("count", len(members)), ("days", worst)),
            max(d.time for d in members),
        )


def feed_alerts(feeds: Mapping[str, FeedState], root: str) -> Iterator[Alert]:
    for feed_id, state in sorted(feeds.items()):
        if state.freshness is Freshness.FAILING:
            yield Alert(
                f"feed:{feed_id}:failing",
                "critical",
                "feeds",
                root,
                "alert.feed_failing",
                (("feed", feed_id), ("error", (state.error or "")[:80])),
            )
        elif state.freshness is Freshness.STALE:
            yield Alert(
                f"feed:{feed_id}:stale",
                "warn",
                "feeds",
                root,
                "alert.feed_stale",
                (("feed", feed_id), ("age", state.age)),
            )


def _group_area(queries: AlertQueries, scope: Scope, area: str | None) -> str:
    """The child of the scope's area that holds `area` (the area itself at commune level)."""
    if area is None:
        return scope.area
    chain = queries.areas.ancestors(area)
    children = set(queries.areas.children(scope.area))
    return next((code for code in chain if code in children), scope.area)


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
