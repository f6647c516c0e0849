"""The validated configuration: frozen pydantic models of every config.yaml section."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializeAsAny,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from settings.cameras import CamerasConfig
from settings.durations import bounded, describe
from settings.session import SessionConfig
from settings.sso import SsoConfig
from settings.wall import WallConfig

if TYPE_CHECKING:
    from feeds.base import FeedOptions
else:  # settings must not import feeds at import time; options are checked by type
    FeedOptions = BaseModel

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG_PATH = REPO_ROOT / "config.yaml"
CONFIG_VERSION = 1

_FEED_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_SQLITE_URL = re.compile(r"(sqlite(?:\+\w+)?:///)([^?]*)(\?.*)?", re.DOTALL)
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


FeedInterval = Annotated[int, BeforeValidator(bounded(10, 86400))]
FeedTimeout = Annotated[int, BeforeValidator(bounded(1, 3600))]
RefreshInterval = Annotated[int, BeforeValidator(bounded(5, 3600))]
CacheTimeout = Annotated[int, BeforeValidator(bounded(1, 86400))]


def registered_feed_options() -> dict[str, type[FeedOptions]]:
    """Each registered feed type's options model; imports the feed modules on first use."""
    from feeds.registry import feed_types, options_model

    models = {name: options_model(name) for name in feed_types()}
    return {name: model for name, model in models.items() if model is not None}


def _context(info: ValidationInfo) -> Mapping[str, Any]:
    return info.context if isinstance(info.context, Mapping) else {}


def _base_dir(info: ValidationInfo) -> Path:
    """Where relative paths start: the config file's directory (the repo root in code)."""
    return Path(_context(info).get("base_dir", REPO_ROOT))


def _feed_options(info: ValidationInfo) -> Mapping[str, type[FeedOptions]]:
    known = _context(info).get("feed_options")
    return registered_feed_options() if known is None else known


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProvinceConfig(_Section):
    code: str = "94"
    name_vi: str = "Tỉnh Sóc Trăng"
    name_en: str = "Soc Trang Province"


class DatabaseConfig(_Section):
    url: str = Field(default="sqlite:///var/ioc.db", min_length=1, validate_default=True)

    @field_validator("url")
    @classmethod
    def _anchor_sqlite_path(cls, url: str, info: ValidationInfo) -> str:
        """Relative SQLite files live next to the config file, whatever the working directory."""
        match = _SQLITE_URL.fullmatch(url)
        if match is None:
            return url
        prefix, path, query = match.group(1), match.group(2), match.group(3) or ""
        if not path or path.startswith((":memory:", "file:", "/")):
            return url
        return f"{prefix}{(_base_dir(info) / path).resolve()}{query}"


class GeographyConfig(_Section):
    directory: Path | None = Field(default=Path("../shared/geo"), validate_default=True)
    districts_file: str = "districts.geojson"
    communes_file: str = "communes.geojson"
    simplify_tolerance: float = Field(default=0.0005, ge=0, le=0.05)

    @field_validator("directory")
    @classmethod
    def _absolute(cls, directory: Path | None, info: ValidationInfo) -> Path | None:
        return None if directory is None else (_base_dir(info) / directory).resolve()

    @property
    def districts_path(self) -> Path | None:
        """The district boundary file, or None when no geography directory is configured."""
        return None if self.directory is None else self.directory / self.districts_file

    @property
    def communes_path(self) -> Path | None:
        """The commune boundary file, or None when no geography directory is configured."""
        return None if self.directory is None else self.directory / self.communes_file


class UiConfig(_Section):
    language: Literal["vi", "en"] = "vi"
    refresh_interval: RefreshInterval = 30
    default_window: Literal["today", "7d", "30d", "12m"] = "30d"


class CacheConfig(_Section):
    redis_url: str | None = None
    default_timeout: CacheTimeout = 300

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis_scheme(cls, url: object) -> object:
        if url == "":
            return None  # lets `${REDIS_URL:-}` mean "no Redis"
        if isinstance(url, str) and not url.startswith(_REDIS_SCHEMES):
            raise ValueError(f"must start with redis://, rediss:// or unix://, got {url!r}")
        return url


class SchedulerConfig(_Section):
    embedded: bool = True


class FeedConfig(_Section):
    id: str
    type: str
    interval: FeedInterval
    enabled: bool = True
    timeout: FeedTimeout = 60
    retries: int = Field(default=2, ge=0, le=5)
    options: SerializeAsAny[FeedOptions] = Field(default_factory=dict, validate_default=True)

    @field_validator("id")
    @classmethod
    def _slug(cls, feed_id: str) -> str:
        if not _FEED_ID.fullmatch(feed_id):
            raise ValueError(
                "must be 1-64 lowercase letters, digits, '_' or '-', starting with a letter "
                f"or digit, got {feed_id!r}"
            )
        return feed_id

    @field_validator("type")
    @classmethod
    def _registered(cls, feed_type: str, info: ValidationInfo) -> str:
        known = _feed_options(info)
        if feed_type not in known:
            names = ", ".join(sorted(known)) or "none"
            raise ValueError(f"unknown feed type {feed_type!r} (known: {names})")
        return feed_type

    @field_validator("options", mode="before")
    @classmethod
    def _typed_options(cls, options: object, info: ValidationInfo) -> object:
        """Parse the options with the model of the feed's type (its errors nest under options)."""
        model = _feed_options(info).get(info.data.get("type", ""))
        if model is None:  # the type itself is wrong and already reported
            from feeds.base import FeedOptions as Unchecked

            return Unchecked()
        return model.model_validate({} if options is None else options)


class Settings(_Section):
    version: int
    # Defaults go through validation too, so relative paths resolve against the config file.
    province: ProvinceConfig = Field(default_factory=dict, validate_default=True)
    database: DatabaseConfig = Field(default_factory=dict, validate_default=True)
    geography: GeographyConfig = Field(default_factory=dict, validate_default=True)
    ui: UiConfig = Field(default_factory=dict, validate_default=True)
    cache: CacheConfig = Field(default_factory=dict, validate_default=True)
    scheduler: SchedulerConfig = Field(default_factory=dict, validate_default=True)
    wall: WallConfig = Field(default_factory=dict, validate_default=True)
    sso: SsoConfig = Field(default_factory=dict, validate_default=True)
    session: SessionConfig = Field(default_factory=dict, validate_default=True)
    cameras: CamerasConfig = Field(default_factory=dict, validate_default=True)
    feeds: tuple[FeedConfig, ...] = ()
    config_path: Path = DEFAULT_CONFIG_PATH  # the file these came from; not a YAML key

    @field_validator("version", mode="before")
    @classmethod
    def _supported(cls, version: object) -> int:
        if version != CONFIG_VERSION or isinstance(version, bool):
            raise ValueError(f"must be {CONFIG_VERSION}, got {describe(version)}")
        return CONFIG_VERSION

    @field_validator("feeds")
    @classmethod
    def _unique_ids(cls, feeds: tuple[FeedConfig, ...]) -> tuple[FeedConfig, ...]:
        duplicates = duplicate_feed_ids([feed.id for feed in feeds])
        if duplicates:
            errors = [_at_id(index, reason, feeds[index].id) for index, reason in duplicates]
            raise ValidationError.from_exception_data("feeds", errors)
        return feeds

    @classmethod
    def yaml_keys(cls) -> list[str]:
        """The top-level keys a config file may have."""
        return [name for name in cls.model_fields if name != "config_path"]

    @property
    def enabled_feeds(self) -> tuple[FeedConfig, ...]:
        """The feeds to schedule, in config order."""
        return tuple(feed for feed in self.feeds if feed.enabled)

    def feed(self, feed_id: str) -> FeedConfig:
        """The feed with this id; KeyError when there is none."""
        for feed in self.feeds:
            if feed.id == feed_id:
                return feed
        raise KeyError(feed_id)


def duplicate_feed_ids(ids: list[object]) -> list[tuple[int, str]]:
    """(index, reason) for each id already used by an earlier feed."""
    first: dict[object, int] = {}
    problems: list[tuple[int, str]] = []
    for index, feed_id in enumerate(ids):
        if not isinstance(feed_id, str):
            continue
        if feed_id in first:
            reason = f"duplicate feed id {feed_id!r} (first at feeds[{first[feed_id]}])"
            problems.append((index, reason))
        else:
            first[feed_id] = index
    return problems


def _at_id(index: int, reason: str, feed_id: str) -> InitErrorDetails:
    """A validation error placed on feeds[index].id (the field validator adds "feeds")."""
    error = PydanticCustomError("duplicate_feed_id", reason)
    return {"type": error, "loc": (index, "id"), "input": feed_id}
