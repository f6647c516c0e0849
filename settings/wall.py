"""The `wall:` section: playlists of pages for the IOC video wall and district screens."""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from settings.durations import bounded

SPECIAL_PAGES = ("overview", "map", "camera_grid", "alerts")
MAX_SCREENS = 16
_PLAYLIST_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")

Dwell = Annotated[int, BeforeValidator(bounded(5, 3600))]
WallRefresh = Annotated[int, BeforeValidator(bounded(2, 600))]
MaxHold = Annotated[int, BeforeValidator(bounded(0, 3600))]
WindowName = Literal["today", "7d", "30d", "12m"]


@cache
def _domain_keys() -> tuple[str, ...]:
    from store.catalog import DOMAINS

    return tuple(d.key for d in DOMAINS)


@cache
def _area_codes() -> frozenset[str]:
    from geo.hierarchy import load_admin_units

    return frozenset(u.code for u in load_admin_units())


def check_area(code: str | None) -> str | None:
    if code is not None and code not in _area_codes():
        raise ValueError(f"unknown area code {code!r} (see geo/data/admin_units.csv)")
    return code


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WallPage(_Section):
    """One page of a playlist: what it shows, for how long, where."""

    page: str
    dwell: Dwell = 20
    area: str | None = None  # None: the playlist's (or the wall URL's) area
    window: WindowName | None = None  # None: the playlist's window
    metric: str | None = None  # the map page's metric (default: the overview's first)
    hold_on_critical: bool = True  # may hold the wall while its domain has a new critical alert

    @field_validator("page")
    @classmethod
    def _known_page(cls, page: str) -> str:
        known = (*SPECIAL_PAGES, *_domain_keys())
        if page not in known:
            raise ValueError(f"unknown page {page!r} (known: {', '.join(known)})")
        return page

    @field_validator("area")
    @classmethod
    def _known_area(cls, area: str | None) -> str | None:
        return check_area(area)

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, metric: str | None) -> str | None:
        from store.catalog import METRICS_BY_KEY

        if metric is not None and metric not in METRICS_BY_KEY:
            raise ValueError(f"unknown metric {metric!r}")
        return metric

    @model_validator(mode="after")
    def _metric_only_on_maps(self) -> WallPage:
        if self.metric is not None and self.page != "map":
            raise ValueError("metric: only a map page takes a metric")
        return self


class Playlist(_Section):
    """An ordered rotation of pages, optionally over several screens with pinned pages."""

    title: str | None = None
    area: str | None = None  # None: the province
    window: WindowName = "30d"
    screens: int = Field(default=1, ge=1, le=MAX_SCREENS)
    pinned: dict[int, WallPage] = Field(default_factory=dict)  # screen number -> fixed page
    pages: tuple[WallPage, ...]
    pause_on_critical: bool = True
    max_hold: MaxHold = 300  # the longest one new critical alert holds the rotation

    @field_validator("area")
    @classmethod
    def _known_area(cls, area: str | None) -> str | None:
        return check_area(area)

    @field_validator("pages")
    @classmethod
    def _not_empty(cls, pages: tuple[WallPage, ...]) -> tuple[WallPage, ...]:
        if not pages:
            raise ValueError("must list at least one page")
        return pages

    @model_validator(mode="after")
    def _pins_on_screens(self) -> Playlist:
        for screen in self.pinned:
            if not 1 <= screen <= self.screens:
                raise ValueError(f"pinned: screen {screen} is not among screens 1..{self.screens}")
        if len(self.pinned) >= self.screens and self.screens > 1:
            raise ValueError("pinned: every screen is pinned, nothing would rotate")
        return self

    def rotating_screens(self) -> tuple[int, ...]:
        return tuple(s for s in range(1, self.screens + 1) if s not in self.pinned)


def default_playlists() -> dict[str, Playlist]:
    """`default`: the province, the overview, every domain, the map, cameras and alerts."""
    pages = [WallPage(page="overview", dwell=30)]
    pages += [WallPage(page=key, dwell=20) for key in _domain_keys()]
    pages += [WallPage(page=p, dwell=20) for p in ("map", "camera_grid", "alerts")]
    return {"default": Playlist(pages=tuple(pages))}


def _playlist_name(name: str) -> str:
    if not _PLAYLIST_NAME.fullmatch(name):
        raise ValueError(
            f"playlist name {name!r} must be 1-40 lowercase letters, digits, '_' or '-'"
        )
    return name


PlaylistName = Annotated[str, AfterValidator(_playlist_name)]


class WallConfig(_Section):
    refresh_interval: WallRefresh = 10
    playlists: dict[PlaylistName, Playlist] = Field(default_factory=default_playlists)
