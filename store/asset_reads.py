"""Place reads: assets, events, event durations and camera stills inside a scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select

from store.expressions import attribute_text, epoch_seconds, iso_seconds
from store.models import AssetRow, EventRow, SnapshotRow
from store.read_base import ReaderBase
from store.read_models import Place
from store.records import LIVE_KEY
from store.scope import Scope


class AssetReads(ReaderBase):
    """Assets, events, event durations and camera stills inside a scope."""

    def feed_assets(self, feed_id: str, domain: str, kind: str) -> dict[str, dict[str, Any]]:
        """The attributes of the assets of one kind a feed wrote, by source id: what a feed
        that accumulates state (a day's maximum, a day's probe counts) starts from."""
        query = select(AssetRow.source_id, AssetRow.attributes).where(
            AssetRow.feed_id == feed_id, AssetRow.domain == domain, AssetRow.kind == kind
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return {r.source_id: flat_attributes(r.attributes) for r in rows}

    def assets(self, scope: Scope, domain: str, kinds: Sequence[str] = ()) -> list[Place]:
        """The domain's assets inside the scope's area (its whole subtree)."""
        self.check(scope)
        query = select(AssetRow.__table__).where(
            AssetRow.domain == domain, AssetRow.area_code.in_(self.areas.descendants(scope.area))
        )
        if kinds:
            query = query.where(AssetRow.kind.in_(kinds))
        with self._connect() as conn:
            rows = conn.execute(query.order_by(AssetRow.name)).all()
        return [
            Place(
                r.kind,
                r.source_id,
                r.name,
                r.area_code,
                r.lat,
                r.lon,
                r.status,
                "info",
                r.last_seen,
                flat_attributes(r.attributes),
            )
            for r in rows
        ]

    def events(
        self, scope: Scope, domain: str, kinds: Sequence[str] = (), limit: int = 500
    ) -> list[Place]:
        """The domain's events in the scope's area and window, newest first."""
        self.check(scope)
        query = select(EventRow.__table__).where(
            EventRow.domain == domain,
            EventRow.area_code.in_(self.areas.descendants(scope.area)),
            EventRow.occurred_at >= scope.window.start,
            EventRow.occurred_at < scope.window.end,
        )
        if kinds:
            query = query.where(EventRow.kind.in_(kinds))
        query = query.order_by(EventRow.occurred_at.desc()).limit(limit)
        with self._connect() as conn:
            rows = conn.execute(query).all()
        return [
            Place(
                r.kind,
                r.source_id,
                r.title,
                r.area_code,
                r.lat,
                r.lon,
                r.status,
                r.severity,
                r.occurred_at,
                dict(r.attributes or {}),
            )
            for r in rows
        ]

    def durations(
        self,
        scope: Scope,
        domain: str,
        kinds: Sequence[str],
        end_attribute: str,
        max_age: timedelta,
    ) -> tuple[list[float], list[float]]:
        """Seconds from each event's time to the time in its `end_attribute` (e.g. a report's
        resolution) for the domain's events in the scope's area that ended in the window, and
        those that ended in the window before it, in one read; none lasts longer than
        `max_age`, which bounds the events read (an end time that is no time is left out)."""
        self.check(scope)
        window, before = scope.window, scope.window.previous()
        dialect = self.engine.dialect.name
        end = attribute_text(dialect, EventRow.attributes, end_attribute)
        query = select(epoch_seconds(dialect, EventRow.occurred_at), end).where(
            EventRow.domain == domain,
            EventRow.kind.in_(kinds),
            EventRow.area_code.in_(self.areas.descendants(scope.area)),
            EventRow.occurred_at >= before.start - max_age,
            EventRow.occurred_at < window.end,
            end.is_not(None),
        )
        with self._connect() as conn:
            rows = conn.execute(query).all()
        spans = [
            (w.start.timestamp(), w.end.timestamp(), (w.start - max_age).timestamp())
            for w in (window, before)
        ]
        found: tuple[list[float], list[float]] = ([], [])
        for started, ended in rows:
            moment = iso_seconds(ended) if ended else None
            if moment is None:
                continue
            for into, (first, last, earliest) in zip(found, spans, strict=True):
                if first <= moment < last and started >= earliest:
                    into.append(moment - started)
        return found

    def snapshot(self, scope: Scope, camera: str) -> tuple[datetime, str, bytes] | None:
        """A camera's newest image, if the camera lies inside the scope's area."""
        self.check(scope)
        query = (
            select(SnapshotRow.taken_at, SnapshotRow.content_type, SnapshotRow.content)
            .join(
                AssetRow,
                and_(AssetRow.source_id == SnapshotRow.camera, AssetRow.domain == "cameras"),
            )
            .where(
                SnapshotRow.camera == camera,
                AssetRow.area_code.in_(self.areas.descendants(scope.area)),
            )
        )
        with self._connect() as conn:
            row = conn.execute(query).first()
        return (row[0], row[1], bytes(row[2])) if row else None

    def snapshot_times(self, scope: Scope) -> dict[str, datetime]:
        """When each camera inside the scope's area took its newest still (cameras without
        one are absent)."""
        self.check(scope)
        query = (
            select(SnapshotRow.camera, SnapshotRow.taken_at)
            .join(
                AssetRow,
                and_(AssetRow.source_id == SnapshotRow.camera, AssetRow.domain == "cameras"),
            )
            .where(AssetRow.area_code.in_(self.areas.descendants(scope.area)))
        )
        with self._connect() as conn:
            return {str(camera): taken for camera, taken in conn.execute(query).all()}


def flat_attributes(stored: dict[str, Any] | None) -> dict[str, Any]:
    """An asset's attributes as written, its `live` ones among them."""
    attributes = dict(stored or {})
    live = attributes.pop(LIVE_KEY, None)
    if isinstance(live, dict):
        attributes.update(live)
    return attributes
