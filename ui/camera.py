"""A camera's detail view: its live stream (relayed by the app) or latest still, facts, events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import dash_bootstrap_components as dbc
from dash import html

from i18n import label, t
from i18n.formatting import format_datetime_local, format_percent
from store.read_models import Place

RECENT_EVENTS = 8


def camera_detail(
    camera: Place, scope_area: str, area_name: str, events: Sequence[Place], version: str, lang: str
) -> html.Div:
    """The stream when the camera offers MJPEG, else its newest still; then what we know.
    Both come from the app, asked within the page's area (the browser never calls a camera)."""
    online = camera.status == "online"
    live = bool(camera.attributes.get("stream_url")) and online
    base = f"/camera/{camera.source_id}"
    media = html.Img(
        src=f"{base}/stream?area={scope_area}"
        if live
        else f"{base}/snapshot?area={scope_area}&v={version}",
        alt=camera.name,
        className="camera-media" + ("" if online else " offline"),
        **{"data-live": str(live).lower()},
    )
    badge = (
        dbc.Badge(t("camera.live", lang), color="danger", className="camera-live-badge")
        if live
        else dbc.Badge(t("camera.still", lang), color="secondary", className="camera-live-badge")
    )
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(html.Div([media, badge], className="camera-media-box"), lg=8),
                    dbc.Col(_facts(camera, area_name, lang), lg=4),
                ],
                className="g-3",
            ),
            html.H3(t("camera.recent_events", lang), className="h6 mt-3"),
            _events(events, lang),
        ],
        className="camera-detail",
        **{"data-camera": camera.source_id},
    )


def _facts(camera: Place, area_name: str, lang: str) -> html.Dl:
    attributes = camera.attributes
    last = attributes.get("last_online_at")
    uptime = attributes.get("uptime_30d")
    stream = (
        t("camera.stream_mjpeg", lang)
        if attributes.get("stream_url")
        else t("camera.stream_hls", lang)
        if attributes.get("stream") == "hls"
        else t("camera.rtsp_only", lang)
        if attributes.get("rtsp_only")
        else t("camera.stream_none", lang)
    )
    rows = [
        (t("table.area", lang), area_name),
        (
            t("camera.status", lang),
            html.Span(
                label("status", camera.status, lang),
                className=f"ioc-status ioc-status-{camera.status}",
            ),
        ),
        (
            t("camera.last_online", lang),
            format_datetime_local(_parse(last), lang) if last else t("gallery.unknown_time", lang),
        ),
        (
            t("camera.uptime", lang),
            format_percent(float(uptime), lang, 1) if uptime is not None else "—",
        ),
        (t("camera.purpose", lang), str(attributes.get("purpose") or "—")),
        (t("camera.stream", lang), stream),
        *_offline_facts(camera, lang),
    ]
    items: list[html.Dt | html.Dd] = []
    for name, value in rows:
        items += [html.Dt(name), html.Dd(value, **{"data-fact": name})]
    return html.Dl(items, className="camera-facts")


def _offline_facts(camera: Place, lang: str) -> list[tuple[str, str]]:
    """Why a camera fed by a real source is offline, and since when."""
    attributes = camera.attributes
    facts = []
    if camera.status == "offline" and attributes.get("reason"):
        facts.append((t("camera.offline_reason", lang), str(attributes["reason"])))
    since = attributes.get("offline_since")
    if camera.status == "offline" and isinstance(since, str):
        facts.append((t("camera.offline_since", lang), format_datetime_local(_parse(since), lang)))
    return facts


def _events(events: Sequence[Place], lang: str) -> html.Div:
    if not events:
        return html.Div(t("camera.no_events", lang), className="text-muted small")
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(format_datetime_local(e.time, lang), className="text-muted me-2"),
                    e.name,
                ],
                className="camera-event",
            )
            for e in events[:RECENT_EVENTS]
        ],
        className="camera-events list-unstyled mb-0",
    )


def _parse(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
