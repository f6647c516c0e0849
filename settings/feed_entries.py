"""Feed entries as written in config.yaml (`${VAR}` references unresolved), and the same
reference rules for a feed entered in the console."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from settings.loader import SECRET_KEYS, Loc, _Expansion, _read_mapping

__all__ = ["SECRET_KEYS", "resolve_references", "written_feed_entries"]


def written_feed_entries(config_path: Path) -> dict[str, dict[str, Any]]:
    """The file's feed entries by id, exactly as written (a file already validated by
    load_settings, so every entry is a mapping with an id)."""
    feeds = _read_mapping(config_path).get("feeds") or []
    return {
        str(entry["id"]): dict(entry)
        for entry in feeds
        if isinstance(entry, Mapping) and "id" in entry
    }


def resolve_references(value: Any, env: Mapping[str, str]) -> tuple[Any, list[tuple[Loc, str]]]:
    """`value` with its ${VAR} references replaced from `env`, as config.yaml's are, and the
    problems found at their locations: unset variables and secrets written as literals."""
    expansion = _Expansion(env)
    return expansion.expand(value, ()), expansion.problems
