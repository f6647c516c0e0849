"""The camera wall: each camera's latest still, refreshed; an offline one greyed with its time."""

from __future__ import annotations

from dataclasses import dataclass

from dash import html

from i18n import t
from i18n.formatting import format_datetime_local


@dataclass(frozen=True, slots=True)
class Tile:
    camera: str
    name: str
    area: str
    online: bool
    version: str  # changes when a new image may exist: busts the browser's image cache
    last_online: str | None = None  # ISO time, for offline cameras
    live: bool = False  # the camera offers a stream the detail view plays
    has_still: bool = True  # False: no picture yet (a stream-only camera, a new one)


def gallery(tiles: list[Tile], total: int, lang: str, page: str) -> html.Div:
    """Clicking a tile opens the camera's detail view on `page` (assets/50_app/camera.js)."""
    cards = [_card(tile, lang) for tile in tiles]
    note = t("gallery.shown", lang, shown=len(tiles), total=total) if total > len(tiles) else ""
    return html.Div(
        [
            html.Div(cards, className="snapshot-grid", **{"data-page": page}),
            html.Div(note, className="small text-muted mt-2"),
        ]
    )


def _card(tile: Tile, lang: str) -> html.Figure:
    caption = [
        html.B(tile.name, className="ioc-source-text"),
        html.Span(tile.area, className="text-muted"),
    ]
    if not tile.online:
        when = (
            format_datetime_local(_parse(tile.last_online), lang)
            if tile.last_online
            else t("gallery.unknown_time", lang)
        )
        caption.append(
            html.Span(t("gallery.offline_since", lang, time=when), className="snapshot-offline")
        )
    badge = html.Span(t("camera.live", lang), className="snapshot-live") if tile.live else None
    return html.Figure(
        [
            badge,
            html.Img(
                src=f"/camera/{tile.camera}/snapshot?v={tile.version}",
                alt=tile.name,
                className="snapshot-img",
            )
            if tile.has_still
            else html.Div(t("gallery.no_still", lang), className="snapshot-img snapshot-none"),
            html.Figcaption(caption),
        ],
        className="snapshot-card camera-open" + ("" if tile.online else " offline"),
        title=t("camera.open", lang),
        **{"data-camera": tile.camera, "data-online": str(tile.online).lower()},
    )


def _parse(value: str):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
