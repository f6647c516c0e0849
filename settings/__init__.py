"""The IOC configuration: load and validate config.yaml into frozen Settings."""

from settings.durations import parse_duration
from settings.loader import (
    CONFIG_ENV,
    DATABASE_URL_ENV,
    ConfigError,
    load_settings,
    load_settings_or_exit,
    resolve_config_path,
)
from settings.model import (
    DEFAULT_CONFIG_PATH,
    CacheConfig,
    DatabaseConfig,
    FeedConfig,
    GeographyConfig,
    ProvinceConfig,
    SchedulerConfig,
    Settings,
    UiConfig,
)
from settings.sso import SsoConfig
from settings.wall import Playlist, WallConfig, WallPage

__all__ = [
    "CONFIG_ENV",
    "DATABASE_URL_ENV",
    "DEFAULT_CONFIG_PATH",
    "CacheConfig",
    "ConfigError",
    "DatabaseConfig",
    "FeedConfig",
    "GeographyConfig",
    "Playlist",
    "ProvinceConfig",
    "SchedulerConfig",
    "Settings",
    "SsoConfig",
    "UiConfig",
    "WallConfig",
    "WallPage",
    "load_settings",
    "load_settings_or_exit",
    "parse_duration",
    "resolve_config_path",
]
