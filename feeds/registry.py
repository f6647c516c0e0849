"""The registry of feed types: config `type` → Feed class, and what `feeds types` shows."""

from __future__ import annotations

from typing import Any

from feeds.base import Feed, FeedOptions


def feed_types() -> dict[str, type[Feed]]:
    """All known feed types, imported on demand so settings validation stays light."""
    from feeds.camera.feed import CameraFeed
    from feeds.http_health.feed import HttpHealthFeed
    from feeds.http_json import HttpJsonFeed
    from feeds.mqtt.feed import MqttFeed
    from feeds.simulator import SimulatorFeed
    from feeds.sql_query import SqlQueryFeed
    from feeds.station_files import StationFilesFeed
    from feeds.tabular_file import TabularFileFeed

    kinds = (
        SimulatorFeed,
        HttpJsonFeed,
        SqlQueryFeed,
        TabularFileFeed,
        StationFilesFeed,
        MqttFeed,
        HttpHealthFeed,
        CameraFeed,
    )
    return {cls.type: cls for cls in kinds}


def options_model(feed_type: str) -> type[FeedOptions] | None:
    """The options model of a feed type, or None when the type is unknown."""
    cls = feed_types().get(feed_type)
    return cls.Options if cls else None


def describe_types() -> list[dict[str, Any]]:
    """Every feed type: its name, a one-line description (the class docstring's first line),
    whether it is a demo source, and the JSON Schema of its options (for the console's forms)."""
    return [
        {
            "type": name,
            "description": _summary(cls.__doc__ or ""),
            "demo": cls.demo,
            "options_schema": cls.Options.model_json_schema(),
        }
        for name, cls in sorted(feed_types().items())
    ]


def _summary(doc: str) -> str:
    """The docstring's first paragraph on one line."""
    return " ".join(doc.strip().split("\n\n", 1)[0].split())
