"""Read config.yaml into Settings, reporting every problem as one `<yaml path>: <reason>` line."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from settings.model import (
    DEFAULT_CONFIG_PATH,
    FeedConfig,
    Settings,
    describe,
    duplicate_feed_ids,
    registered_feed_options,
)

CONFIG_ENV = "IOC_CONFIG"
DATABASE_URL_ENV = "IOC_DATABASE_URL"
SECRET_KEYS = frozenset({"token", "password", "secret", "client_secret", "api_key"})
EXIT_INVALID = 2
# Bounds that keep a hostile or broken file from hanging start-up or filling memory.
MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 20  # mappings and lists nested inside each other
MAX_STRING = 4096  # characters in any key or text value, after ${VAR} expansion
HEADER = "Cấu hình không hợp lệ / invalid configuration ({path}):"

Loc = tuple[int | str, ...]
Problem = tuple[Loc, str]  # where in the YAML, and why

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_QUOTED = re.compile(r"'([^']*)'")
_MERGE_TAG = "tag:yaml.org,2002:merge"


class ConfigError(Exception):
    """The config file cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str], path: Path) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)
        self.path = path

    def __str__(self) -> str:
        return "\n".join(self.problems)


# --- entry points ----------------------------------------------------------------------------


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Validated settings from `path` (default: $IOC_CONFIG, then the repo's config.yaml)."""
    env = os.environ if env is None else env
    config_path = resolve_config_path(path, env)
    expansion = _Expansion(env)
    data = expansion.expand(_read_mapping(config_path), ())
    _override_database(data, env)
    too_long = _long_strings(data, ())
    if too_long:  # structural, like a YAML error: reported alone, never echoed into messages
        raise ConfigError(_lines(too_long, config_path.name), config_path)
    problems = expansion.problems + _reserved_key_problems(data) + _duplicate_problems(data)
    settings, invalid = _validate(data, config_path, skip=[loc for loc, _ in problems])
    problems += invalid
    if problems or settings is None:
        raise ConfigError(_lines(problems, config_path.name), config_path)
    return settings


def load_settings_or_exit(
    path: str | Path | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """load_settings, but on a bad config print the problems to stderr and exit with code 2."""
    try:
        return load_settings(path, env)
    except ConfigError as error:
        print(HEADER.format(path=error.path), file=sys.stderr)
        for line in error.problems:
            print(line, file=sys.stderr)
        sys.exit(EXIT_INVALID)


def resolve_config_path(path: str | Path | None, env: Mapping[str, str]) -> Path:
    """The absolute config file path: the argument, else $IOC_CONFIG, else config.yaml."""
    chosen = path if path is not None else env.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH
    return Path(chosen).expanduser().resolve()


# --- reading ---------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects a key written twice in one mapping (plain YAML keeps the last),
    any alias (`*name`: an alias bomb expands a few lines into gigabytes, and a config has no
    need of them) and nesting deeper than MAX_DEPTH."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            problem = f"aliases (*{event.anchor}) are not allowed in this config"
            raise yaml.composer.ComposerError(None, None, problem, event.start_mark)
        if self._depth >= MAX_DEPTH:
            problem = f"nested deeper than {MAX_DEPTH} levels"
            raise yaml.composer.ComposerError(None, None, problem, self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[object] = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            continue
        key = loader.construct_object(key_node)
        if isinstance(key, Hashable) and key in seen:
            problem = f"duplicate key {key!r}"
            raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def _read_mapping(path: Path) -> dict[Any, Any]:
    """The file's top-level mapping (an empty file counts as an empty mapping)."""
    raw = _parse_yaml(_read_text(path), path)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        kind = "list" if isinstance(raw, list) else describe(raw)
        raise ConfigError([f"{path.name}: must be a mapping of settings, got {kind}"], path)
    return raw


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)  # never more than the bound, whatever the file
        if len(raw) > MAX_FILE_BYTES:
            raise ConfigError([f"{path.name}: config file is larger than 1 MiB"], path)
        return raw.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found"], path) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: cannot read config file: not UTF-8 text"], path) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError([f"{path}: cannot read config file: {reason}"], path) from None


def _parse_yaml(text: str, path: Path) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        raise ConfigError([_yaml_problem(exc, path.name)], path) from None


def _yaml_problem(exc: yaml.YAMLError, name: str) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = _one_line(getattr(exc, "problem", None) or str(exc))
    where = f"{name}:{mark.line + 1}:{mark.column + 1}" if mark else name
    return f"{where}: invalid YAML: {problem}"


# --- environment -----------------------------------------------------------------------------


@dataclass
class _Expansion:
    """Replaces ${VAR} references from `env`, noting unset variables and literal secrets."""

    env: Mapping[str, str]
    problems: list[Problem] = field(default_factory=list)

    def expand(self, value: Any, loc: Loc) -> Any:
        """A copy of `value` with every string's references replaced."""
        if isinstance(value, dict):
            return {key: self._entry(key, item, loc) for key, item in value.items()}
        if isinstance(value, list):
            return [self.expand(item, (*loc, i)) for i, item in enumerate(value)]
        if isinstance(value, str):
            return _REFERENCE.sub(lambda match: self._lookup(match, loc), value)
        return value

    def _entry(self, key: Any, value: Any, loc: Loc) -> Any:
        here = (*loc, key)
        if isinstance(key, str) and key.lower() in SECRET_KEYS and _is_literal(value):
            self.problems.append((here, "secrets must come from the environment: write ${VAR}"))
        return self.expand(value, here)

    def _lookup(self, match: re.Match[str], loc: Loc) -> str:
        name, default = match.group(1), match.group(2)
        value = self.env.get(name)
        if default is not None and not value:  # like the shell: unset or empty takes the default
            return default
        if value is None:
            self.problems.append((loc, f"environment variable {name} is not set"))
            return match.group(0)
        return value


def _is_literal(value: Any) -> bool:
    """True for a secret written into the file rather than referenced from the environment."""
    if isinstance(value, str):
        return value != "" and _REFERENCE.fullmatch(value) is None
    return isinstance(value, int | float) and not isinstance(value, bool)


def _override_database(data: dict[Any, Any], env: Mapping[str, str]) -> None:
    url = env.get(DATABASE_URL_ENV)
    section = data.get("database")
    if url and (section is None or isinstance(section, dict)):
        data["database"] = {**(section or {}), "url": url}


# --- validation ------------------------------------------------------------------------------


def _long_strings(value: Any, loc: Loc) -> list[Problem]:
    """Every key or text longer than MAX_STRING (tighter bounds live on the fields)."""
    too_long = f"longer than {MAX_STRING} characters"
    if isinstance(value, str):
        return [(loc, too_long)] if len(value) > MAX_STRING else []
    found: list[Problem] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and len(key) > MAX_STRING:
                found.append((loc, f"a key is {too_long}"))
                continue
            found += _long_strings(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _long_strings(item, (*loc, i))
    return found


def _reserved_key_problems(data: dict[Any, Any]) -> list[Problem]:
    """config_path is a Settings field filled by the loader, never a key of the file."""
    if "config_path" not in data:
        return []
    return [(("config_path",), _unknown_key(Settings.yaml_keys()))]


def _duplicate_problems(data: dict[Any, Any]) -> list[Problem]:
    """Found on the raw list so they show even when other feed entries are invalid."""
    feeds = data.get("feeds")
    if not isinstance(feeds, list):
        return []
    ids = [feed.get("id") if isinstance(feed, dict) else None for feed in feeds]
    return [(("feeds", index, "id"), reason) for index, reason in duplicate_feed_ids(ids)]


def _validate(
    data: dict[Any, Any], config_path: Path, skip: list[Loc]
) -> tuple[Settings | None, list[Problem]]:
    """Settings, or the problems pydantic found; see _already_reported for `skip`."""
    feed_options = registered_feed_options() if data.get("feeds") else {}
    context = {"base_dir": config_path.parent, "feed_options": feed_options}
    try:
        settings = Settings.model_validate({**data, "config_path": config_path}, context=context)
    except ValidationError as exc:
        errors = [e for e in exc.errors() if not _already_reported(e, skip)]
        return None, [_problem(error, data, feed_options) for error in errors]
    return settings, []


def _already_reported(error: ErrorDetails, skip: list[Loc]) -> bool:
    """True for an error on a value reported already (unset ${VAR}, literal secret).

    Such a value is not also "not a number"; an unknown key is reported all the same.
    """
    loc = tuple(error["loc"])
    return error["type"] != "extra_forbidden" and any(loc[: len(s)] == s for s in skip)


def _lines(problems: list[Problem], file_name: str) -> list[str]:
    """One `path: reason` line per distinct problem, in the order found."""
    lines = [f"{_yaml_path(loc) or file_name}: {_one_line(reason)}" for loc, reason in problems]
    return list(dict.fromkeys(lines))


def _yaml_path(loc: Loc) -> str:
    """("feeds", 0, "options", "url") → "feeds[0].options.url"."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


# --- pydantic errors in plain English --------------------------------------------------------


def _problem(error: ErrorDetails, data: dict[Any, Any], feed_options: Mapping[str, Any]) -> Problem:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], data, feed_options)
        return loc, _unknown_key(allowed)
    return loc, _reason(error)


def _unknown_key(allowed: list[str] | None) -> str:
    return f"unknown key (allowed: {', '.join(allowed)})" if allowed else "unknown key"


def _got(error: ErrorDetails) -> str:
    last = error["loc"][-1] if error["loc"] else ""
    if isinstance(last, str) and last.lower() in SECRET_KEYS:
        return "a hidden value"
    return describe(error.get("input"))


def _choices(error: ErrorDetails) -> str:
    expected = str(error.get("ctx", {}).get("expected", ""))
    return ", ".join(_QUOTED.findall(expected)) or expected.replace(" or ", ", ")


def _length(error: ErrorDetails) -> str:
    minimum = error.get("ctx", {}).get("min_length", 1)
    return "must not be empty" if minimum == 1 else f"must have at least {minimum} characters"


def _bound(word: str, key: str) -> Callable[[ErrorDetails], str]:
    return lambda error: f"must be {word} {_number(error.get('ctx', {}).get(key))}"


def _number(value: object) -> str:
    """120.0 → "120", 0.05 → "0.05"."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _plain(error: ErrorDetails) -> str:
    """pydantic's own message without its boilerplate ("Value error, ", "Input should be")."""
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ")
    return message


_REASONS: dict[str, Callable[[ErrorDetails], str]] = {
    "missing": lambda e: "required",
    "literal_error": lambda e: f"must be one of: {_choices(e)}",
    "string_too_short": _length,
    "greater_than_equal": _bound("at least", "ge"),
    "less_than_equal": _bound("at most", "le"),
    "greater_than": _bound("more than", "gt"),
    "less_than": _bound("less than", "lt"),
    **dict.fromkeys(
        ("int_parsing", "int_type", "int_from_float"),
        lambda e: f"must be a whole number, got {_got(e)}",
    ),
    **dict.fromkeys(
        ("float_parsing", "float_type", "finite_number"),
        lambda e: f"must be a number, got {_got(e)}",
    ),
    **dict.fromkeys(
        ("bool_parsing", "bool_type"), lambda e: f"must be true or false, got {_got(e)}"
    ),
    "string_type": lambda e: f"must be text, got {_got(e)}",
    **dict.fromkeys(
        ("model_type", "model_attributes_type", "dict_type"),
        lambda e: f"must be a mapping of keys, got {_got(e)}",
    ),
    **dict.fromkeys(("list_type", "tuple_type"), lambda e: f"must be a list, got {_got(e)}"),
}


def _reason(error: ErrorDetails) -> str:
    return _REASONS.get(error["type"], _plain)(error)


# --- which keys a mapping allows, for "unknown key" ------------------------------------------


def _allowed_keys(loc: Loc, data: Any, feed_options: Mapping[str, Any]) -> list[str] | None:
    """The keys allowed in the mapping at `loc`, or None when that cannot be worked out."""
    node: Any = Settings
    raw: Any = data
    for part in loc:
        node = _child(node, part, raw, feed_options)
        raw = _index(raw, part)
    if node is Settings:
        return Settings.yaml_keys()
    if _is_model(node):
        return [info.alias or name for name, info in node.model_fields.items()]
    return None


def _child(node: Any, part: int | str, raw: Any, feed_options: Mapping[str, Any]) -> Any:
    """The type found one step below `node` (a model or container type) at `part`."""
    if node is FeedConfig and part == "options":
        return feed_options.get(str(raw.get("type"))) if isinstance(raw, dict) else None
    if _is_model(node) and isinstance(part, str):
        info = node.model_fields.get(part)
        return _unwrap(info.annotation) if info else None
    args = get_args(node)
    if get_origin(node) in (list, tuple) and isinstance(part, int) and args:
        return _unwrap(args[0])
    if get_origin(node) is dict and len(args) == 2:
        return _unwrap(args[1])
    return None


def _unwrap(annotation: Any) -> Any:
    """The model or container type inside Optional / Annotated / union wrappers."""
    if _is_model(annotation) or get_origin(annotation) in (list, tuple, dict):
        return annotation
    for arg in get_args(annotation):
        found = _unwrap(arg)
        if found is not None:
            return found
    return None


def _index(raw: Any, part: int | str) -> Any:
    if isinstance(raw, dict):
        return raw.get(part)
    if isinstance(raw, list) and isinstance(part, int) and 0 <= part < len(raw):
        return raw[part]
    return None


def _is_model(node: Any) -> bool:
    return isinstance(node, type) and issubclass(node, BaseModel)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# --- for the operator console: the same rules on one feed entry ------------------------------


def parse_yaml_text(text: str) -> Any:
    """A YAML text read as config.yaml is (no aliases, no duplicate keys, bounded depth);
    raises yaml.YAMLError."""
    return yaml.load(text, Loader=_StrictLoader)
