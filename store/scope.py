"""Scope: the area and time window every read is limited to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from store.catalog import METRICS_BY_KEY

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
WINDOW_DAYS = {"today": 1, "7d": 7, "30d": 30, "12m": 365}
MAX_CUSTOM_DAYS = 5 * 366
# Custom ranges stay within these dates, so a window, the one before it and last year's are
# all representable (9999-12-31 + 1 day or 0001-01-01 in UTC would overflow).
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)
MAX_WINDOW_CHARS = 32
CUSTOM = "custom"


class ScopeError(ValueError):
    """A request for an area or window outside what the caller may see."""


def local_midnight_utc(day: date) -> datetime:
    """The UTC instant at which the local (Asia/Ho_Chi_Minh) calendar day starts."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open time interval [start, end) of whole local days, in UTC."""

    start: datetime
    end: datetime
    name: str = "custom"

    @classmethod
    def last_days(cls, days: int, now: datetime, name: str | None = None) -> Window:
        today = now.astimezone(LOCAL_TZ).date()
        start = local_midnight_utc(today - timedelta(days=days - 1))
        end = local_midnight_utc(today + timedelta(days=1))
        return cls(start, end, name or f"{days}d")

    @classmethod
    def named(cls, name: str, now: datetime) -> Window:
        if name not in WINDOW_DAYS:
            raise ScopeError(f"unknown window {name!r} (known: {', '.join(WINDOW_DAYS)})")
        return cls.last_days(WINDOW_DAYS[name], now, name)

    @classmethod
    def parse(cls, value: str, now: datetime) -> Window:
        """A named window ("30d") or a custom range of local dates "2026-11-01..2026-11-15"."""
        if value in WINDOW_DAYS:
            return cls.named(value, now)
        if len(value) > MAX_WINDOW_CHARS:
            raise ScopeError("window text is too long")
        first, sep, last = value.partition("..")
        try:
            start, end = date.fromisoformat(first), date.fromisoformat(last)
        except ValueError:
            raise ScopeError(f"window {value!r} is neither a name nor FROM..TO dates") from None
        if not sep or start > end:
            raise ScopeError(f"window {value!r}: the start must not be after the end")
        if start < FIRST_DATE or end > LAST_DATE:
            raise ScopeError(f"window {value!r} is outside {FIRST_DATE}..{LAST_DATE}")
        if end - start > timedelta(days=MAX_CUSTOM_DAYS):
            raise ScopeError(f"window {value!r} is longer than {MAX_CUSTOM_DAYS} days")
        return cls(local_midnight_utc(start), local_midnight_utc(end + timedelta(days=1)), value)

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    def previous(self) -> Window:
        """The window of the same length just before this one."""
        return Window(self.start - self.length, self.start, f"{self.name}-prev")


NOWHERE = ""  # the area of a scope that permits nothing: no area has this code


@dataclass(frozen=True, slots=True)
class Scope:
    """What a read may see: one area (with its descendants) and one time window.

    `allowed` is the root of what the caller may see: the province's own code for the whole
    province, a district's code for that district and its communes, None for nothing at all
    (every read is refused). Build one only with `scope_within`; elsewhere derive with
    `at` / `during`, which keep `allowed`, so a read outside it is still refused.
    """

    area: str
    window: Window
    allowed: str | None

    @property
    def permits_nothing(self) -> bool:
        return self.allowed is None

    def at(self, area: str) -> Scope:
        """The same scope moved to another area; the queries refuse it outside `allowed`."""
        return replace(self, area=area)

    def at_root(self) -> Scope:
        """The same scope at the root of what it permits (refused when it permits nothing)."""
        if self.allowed is None:
            raise ScopeError("nothing is permitted")
        return replace(self, area=self.allowed)

    def during(self, window: Window) -> Scope:
        """The same scope over another time window."""
        return replace(self, window=window)

    def province_context(self, keys: Iterable[str]) -> ProvinceContext:
        """The province's own aggregates of `keys` over this scope's window, which any caller
        with a permitted area may read as context (a district centre's tiles show the province
        total beside their own). Refused when the scope permits nothing or when any key is not
        a metric the catalog marks public: a non-public province total never leaves the store
        for a district user."""
        if self.allowed is None:
            raise ScopeError("nothing is permitted")
        return ProvinceContext(window=self.window, keys=tuple(keys))


@dataclass(frozen=True, slots=True, kw_only=True)
class ProvinceContext:
    """A read of province-level aggregates limited to public metrics, and nothing else.

    Not a Scope: it names no area and permits no other read. Build one with
    `Scope.province_context`; only the store turns it into the province-wide scope it reads
    with (`province_scope`, called from `store.province_context` alone)."""

    window: Window
    keys: tuple[str, ...]

    def __post_init__(self) -> None:
        private = [k for k in self.keys if not _is_public(k)]
        if private:
            raise ScopeError(f"not public at province level: {', '.join(map(repr, private))}")


def _is_public(key: object) -> bool:
    metric = METRICS_BY_KEY.get(key) if isinstance(key, str) else None
    return metric is not None and metric.public


def scope_within(allowed: str | None, window: Window, area: str | None = None) -> Scope:
    """The one constructor of a Scope: the caller's permitted root folded in (the province's
    code for all of it, None for nothing), looking at `area` (default: that root)."""
    if allowed is None:
        return Scope(NOWHERE, window, None)
    return Scope(area or allowed, window, allowed)


def province_scope(context: ProvinceContext, province: str) -> Scope:
    """The province-wide scope a `ProvinceContext` is read with. Store-only: the contract test
    allows calling it from `store.province_context` alone, which reads the context's keys, all
    public, at the province's own code and nothing else with it."""
    keys = tuple(context.keys)
    if not all(_is_public(k) for k in keys):  # a context is checked when built; twice is cheap
        raise ScopeError("not public at province level")
    return Scope(province, context.window, province)
