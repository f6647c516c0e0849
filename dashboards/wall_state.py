"""What a wall screen shows, computed once per (playlist, screen, area, language, data version,
minute) and shared by every client asking the same; each item carries a short digest so a
client is sent only the items that changed since its last refresh."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import plotly.utils

from dashboards.alerts import Alert, current_alerts, new_critical, with_onsets
from dashboards.callbacks import kpi_tiles
from dashboards.context import feed_states, narrowed, permitted_root, services
from dashboards.denials import record_denial
from dashboards.guard import Refused
from dashboards.map_view import map_view
from dashboards.specs import PAGES_BY_DOMAIN
from i18n import LANGUAGES, t
from i18n.collation import natural_key
from i18n.formatting import format_datetime_local
from i18n.names import domain_name, metric_name
from settings import Playlist, WallPage
from store.catalog import DOMAINS, DOMAINS_BY_KEY, METRICS_BY_KEY
from store.scope import LOCAL_TZ, Scope, Window, scope_within
from store.trend_reads import bucket_start
from ui.maps import map_legend, map_patch
from ui.wall import (
    WALL_BORDER,
    alert_counts,
    alert_item,
    camera_tile,
    more_alerts,
    no_alerts,
    nothing_permitted,
    ranking,
    with_sparkline,
)

HEADLINES = [d.headline for d in DOMAINS]
CAMERA_TILES = 9
ALERT_ROWS = 6  # what fits at 28 px with the counts above, even when every row wraps once
SPARK_MIN_DAYS = 7  # a sparkline of "today" shows the week up to it
SPARK_DAILY_DAYS = 62  # longer windows are drawn by week
TICKER_ITEMS = 40
STATE_CACHE_SIZE = 256
STATE_CACHE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class WallRequest:
    playlist: str
    screen: int
    area: str
    lang: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "playlist": self.playlist,
            "screen": self.screen,
            "area": self.area,
            "lang": self.lang,
        }

    @classmethod
    def from_dict(cls, data: Any) -> WallRequest:
        """The request a wall screen sends back (its layout's spec), if it names a configured
        playlist, one of its screens, a known area and language; else Refused."""
        svc = services()
        if not isinstance(data, dict):
            raise Refused("wall spec must be an object", data)
        name, screen, area, lang = (data.get(k) for k in ("playlist", "screen", "area", "lang"))
        playlist = svc.settings.wall.playlists.get(name) if isinstance(name, str) else None
        if playlist is None or not isinstance(screen, int) or not 1 <= screen <= playlist.screens:
            raise Refused("unknown wall playlist or screen", data)
        if not isinstance(area, str) or area not in svc.queries.areas or lang not in LANGUAGES:
            raise Refused("unknown wall area or language", data)
        return cls(str(name), screen, area, str(lang))


Entry = tuple[str, Any]  # (digest, component)


@dataclass(slots=True)
class ScreenState:
    items: dict[int, list[Entry]] = field(default_factory=dict)
    maps: dict[int, tuple[str, Any]] = field(default_factory=dict)
    ticker: list[Entry] = field(default_factory=list)
    hold: int | None = None
    now_ms: int = 0


def screen_pages(playlist: Playlist, screen: int) -> tuple[list[WallPage], int, bool]:
    """(the pages this screen cycles through, its offset in the rotation, pinned?)."""
    if screen in playlist.pinned:
        return [playlist.pinned[screen]], 0, True
    rotating = playlist.rotating_screens()
    return list(playlist.pages), rotating.index(screen) if screen in rotating else 0, False


def page_name(page: WallPage, lang: str) -> str:
    if page.page in DOMAINS_BY_KEY:
        return domain_name(page.page, lang)
    if page.page == "map":
        return t("wall.page.map", lang, metric=metric_name(page.metric or HEADLINES[0], lang))
    return t(f"wall.page.{page.page}", lang)


def digest(component: Any) -> str:
    raw = json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:10]


class StateCache:
    """A small LRU of computed screen states, bounded in entries and in bytes; one
    computation per key even under load, and a failed computation keeps nothing."""

    def __init__(self, size: int, max_bytes: int) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries: OrderedDict[tuple, tuple[ScreenState, int]] = OrderedDict()
        self.lock = threading.Lock()
        self.computing: dict[tuple, threading.Lock] = {}

    def get(self, key: tuple, compute: Callable[[], ScreenState]) -> ScreenState:
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key][0]
            gate = self.computing.setdefault(key, threading.Lock())
        with gate:
            with self.lock:
                if key in self.entries:
                    return self.entries[key][0]
            try:
                state = compute()
            finally:  # a failure releases its key: the next refresh computes again
                with self.lock:
                    self.computing.pop(key, None)
            self._keep(key, state, state_bytes(state))
            return state

    def _keep(self, key: tuple, state: ScreenState, size: int) -> None:
        with self.lock:
            if size > self.max_bytes:
                return  # larger than the whole budget: served, not kept
            if key in self.entries:
                self.bytes -= self.entries.pop(key)[1]
            self.entries[key] = (state, size)
            self.bytes += size
            while len(self.entries) > self.size or self.bytes > self.max_bytes:
                _old, (_state, freed) = self.entries.popitem(last=False)
                self.bytes -= freed


def state_bytes(state: ScreenState) -> int:
    """The size of a screen state as JSON (what it costs to hold, near enough)."""
    parts = [state.items, {k: v[1] for k, v in state.maps.items()}, state.ticker]
    return len(json.dumps(parts, cls=plotly.utils.PlotlyJSONEncoder))


_STATES = StateCache(STATE_CACHE_SIZE, STATE_CACHE_BYTES)


def screen_state(request: WallRequest) -> ScreenState:
    svc = services()
    now = svc.clock()
    freshness = tuple(sorted((f, s.freshness.value) for f, s in feed_states().items()))
    minute = now.replace(second=0, microsecond=0)
    allowed = permitted_root()  # from the session, never from what the screen sends
    if allowed is None:
        record_denial("wall", request.playlist, "nothing is permitted")
        notice = nothing_permitted(request.lang)
        return ScreenState(ticker=[(digest(notice), notice)])
    key = (request, allowed, svc.queries.version(), freshness, minute, id(svc))
    state = _STATES.get(key, lambda: _compute(request, allowed, now))
    return ScreenState(
        state.items, state.maps, state.ticker, state.hold, int(now.timestamp() * 1000)
    )


def _compute(request: WallRequest, allowed: str | None, now: datetime) -> ScreenState:
    svc = services()
    playlist = svc.settings.wall.playlists[request.playlist]
    pages, _offset, pinned = screen_pages(playlist, request.screen)
    base = narrowed(scope_within(allowed, Window.named(playlist.window, now)), request.area)
    alerts, onsets = _alerts(base, now)
    state = ScreenState(now_ms=int(now.timestamp() * 1000))
    for index, page in enumerate(pages):
        window = Window.named(page.window or playlist.window, now)
        scope = narrowed(base, page.area).during(window)
        if page.page == "map":  # the legend travels as the slot's items
            state.maps[index], state.items[index] = _map(page, scope, request.lang)
        else:
            state.items[index] = _page_items(page, scope, alerts, request.lang, now)
    ticker = [
        alert_item(a, _area_name(a.area, request.lang), request.lang) for a in alerts[:TICKER_ITEMS]
    ] or [no_alerts(request.lang)]
    state.ticker = [(digest(c), c) for c in ticker]
    state.hold = None if pinned else _hold(playlist, pages, alerts, onsets, now)
    return state


def _alerts(scope: Scope, now: datetime) -> tuple[list[Alert], dict[str, str]]:
    cache = services().queries.cache
    key = f"wall-onsets:{scope.allowed}:{scope.area}"
    found = current_alerts(services().queries, scope, feed_states())
    stamped, onsets = with_onsets(found, cache.get(key) or {}, now)
    cache.set(key, onsets, timeout=0)
    return stamped, onsets


def _hold(
    playlist: Playlist,
    pages: list[WallPage],
    alerts: list[Alert],
    onsets: dict[str, str],
    now: datetime,
) -> int | None:
    """The page the rotation holds on while a new critical alert is showing, if any."""
    if not playlist.pause_on_critical:
        return None
    for alert in new_critical(alerts, onsets, now, playlist.max_hold):
        for wanted in (alert.domain, "alerts"):
            for index, page in enumerate(pages):
                if page.page == wanted and page.hold_on_critical:
                    return index
    return None


def _page_items(
    page: WallPage, scope: Scope, alerts: list[Alert], lang: str, now: datetime
) -> list[Entry]:
    if page.page == "overview":
        components = _tiles(HEADLINES, scope, lang, now)
    elif page.page == "camera_grid":
        components = _cameras(scope, lang, now)
    elif page.page == "alerts":
        components = _alert_rows(alerts, scope, lang)
    else:
        spec = PAGES_BY_DOMAIN[page.page]
        components = [*_tiles(spec.kpis, scope, lang, now), _ranking(spec.map_metric, scope, lang)]
    return [(digest(c), c) for c in components]


def _tiles(keys: list[str] | tuple[str, ...], scope: Scope, lang: str, now: datetime) -> list[Any]:
    """The KPI tiles, each with the trend of its metric over the window (one read for all)."""
    window, grain = _spark_window(scope.window)
    # The screen state is itself cached per minute and data version: no second cache here.
    series = services().store.queries.series(scope.during(window), keys, grain)
    today = now.astimezone(LOCAL_TZ).date()
    tiles = kpi_tiles(keys, scope, lang, compact=True)
    out = []
    for key, tile in zip(keys, tiles, strict=True):
        points = series.get(key, [])
        unfinished = bool(points) and points[-1].period >= bucket_start(today, grain)
        out.append(with_sparkline(tile, [p.value for p in points], unfinished))
    return out


def _spark_window(window: Window) -> tuple[Window, str]:
    if window.length < timedelta(days=SPARK_MIN_DAYS):
        window = Window(window.end - timedelta(days=SPARK_MIN_DAYS), window.end)
    return window, "day" if window.length <= timedelta(days=SPARK_DAILY_DAYS) else "week"


def _alert_rows(alerts: list[Alert], scope: Scope, lang: str) -> list[Any]:
    """The counts by severity, as many rows as fit, then how many more there are."""
    inside = [a for a in alerts if services().queries.areas.is_within(a.area, scope.area)]
    if not inside:
        return [no_alerts(lang)]
    rows = [alert_item(a, _area_name(a.area, lang), lang, big=True) for a in inside[:ALERT_ROWS]]
    hidden = len(inside) - ALERT_ROWS
    return [alert_counts(inside, lang), *rows, *([more_alerts(hidden, lang)] if hidden > 0 else [])]


def _ranking(key: str, scope: Scope, lang: str) -> Any:
    queries = services().queries
    values = queries.area_values(scope, key)
    names = {code: queries.areas.name(code, lang) for code in values}
    level = queries.areas.get(next(iter(values))).level if values else None
    return ranking(values, names, METRICS_BY_KEY[key], lang, level)


def _cameras(scope: Scope, lang: str, now: datetime) -> list[Any]:
    queries = services().queries
    cameras = queries.assets(scope, "cameras", ("camera",))
    # Live pictures first; the wall pages through all of them, one group a minute.
    ordered = sorted(cameras, key=lambda c: (c.status != "online", natural_key(c.name)))
    groups = max(1, -(-len(ordered) // CAMERA_TILES))
    start = int(now.timestamp() // 60) % groups * CAMERA_TILES
    chosen = ordered[start : start + CAMERA_TILES]
    return [
        camera_tile(
            c.source_id,
            c.name,
            queries.areas.name(c.area, lang) if c.area else "",
            c.status == "online",
            str(int(c.time.timestamp())),
            _since(c.attributes.get("last_online_at"), lang),
            lang,
        )
        for c in chosen
    ]


def _since(value: object, lang: str) -> str | None:
    if not isinstance(value, str):
        return None
    return format_datetime_local(datetime.fromisoformat(value), lang)


def _map(page: WallPage, scope: Scope, lang: str) -> tuple[tuple[str, Any], list[Entry]]:
    """The map's value Patch with its digest, and its legend entries."""
    view = map_view(scope, page.metric or HEADLINES[0], lang)
    patch = map_patch(view, border=WALL_BORDER)
    return (digest(patch.to_plotly_json()), patch), [(digest(c), c) for c in map_legend(view)]


def _area_name(code: str, lang: str) -> str:
    return services().queries.areas.name(code, lang)
