"""The registry of feed types: config `type` → Feed class."""

from __future__ import annotations

from feeds.base import Feed, FeedOptions


def feed_types() -> dict[str, type[Feed]]:
    """All known feed types, imported on demand so settings validation stays light."""
    from feeds.camera.feed import CameraFeed
    from feeds.http_health.feed import HttpHealthFeed
    from feeds.http_json import HttpJsonFeed
    from feeds.mqtt.feed import MqttFeed
    from feeds.simulator import SimulatorFeed
    from feeds.station_files import StationFilesFeed

    kinds = (SimulatorFeed, HttpJsonFeed, StationFilesFeed, MqttFeed, HttpHealthFeed, CameraFeed)
    return {cls.type: cls for cls in kinds}


def options_model(feed_type: str) -> type[FeedOptions] | None:
    """The options model of a feed type, or None when the type is unknown."""
    cls = feed_types().get(feed_type)
    return cls.Options if cls else None
