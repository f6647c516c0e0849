"""Pydantic's validation errors as inline form messages in Vietnamese or English, each placed
on the field it is about (or on the nearest fieldset or text area that holds it)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from i18n import t
from settings.durations import describe

FORM_LEVEL = "@form"  # the path of messages about the whole form
_QUOTED = re.compile(r"'([^']*)'")
# Messages of our own validators (settings, feed options) that have a translation; anything
# else keeps the validator's English words after a translated lead-in.
_KNOWN_VALUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"must be at least (?P<bound>.+)"), "form.value.at_least"),
    (re.compile(r"must be at most (?P<bound>.+)"), "form.value.at_most"),
    (re.compile(r"must be seconds or a duration like .*, got (?P<got>.+)"), "form.value.duration"),
    (re.compile(r"must be an absolute http:// or https:// address"), "form.value.http_url"),
    (re.compile(r"must be 1-64 lowercase letters.*, got (?P<got>.+)"), "form.value.feed_id"),
    (re.compile(r"unknown feed type (?P<got>'[^']*').*"), "form.value.feed_type"),
    (re.compile(r"a body is sent only with method: POST"), "form.value.body_post"),
    (re.compile(r"cursor pagination needs next_cursor_path"), "form.value.cursor_path"),
    (re.compile(r"set header or query_param"), "form.value.header_or_query"),
    (re.compile(r"environment variable (?P<name>\w+) is not set"), "form.value.env_unset"),
    (re.compile(r"secrets must come from the environment.*"), "form.value.literal_secret"),
)


def _choices(error: Mapping[str, Any]) -> str:
    expected = str((error.get("ctx") or {}).get("expected", ""))
    return ", ".join(_QUOTED.findall(expected)) or expected


def _ctx(key: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    return lambda e: {"bound": _number((e.get("ctx") or {}).get(key))}


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _got(error: Mapping[str, Any]) -> dict[str, Any]:
    return {"got": describe(error.get("input"))}


_PARAMS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "greater_than": _ctx("gt"),
    "greater_than_equal": _ctx("ge"),
    "less_than": _ctx("lt"),
    "less_than_equal": _ctx("le"),
    "string_too_short": lambda e: {"bound": (e.get("ctx") or {}).get("min_length", 1)},
    "string_too_long": lambda e: {"bound": (e.get("ctx") or {}).get("max_length", "")},
    "too_short": lambda e: {"bound": (e.get("ctx") or {}).get("min_length", 1)},
    "too_long": lambda e: {"bound": (e.get("ctx") or {}).get("max_length", "")},
    "string_pattern_mismatch": lambda e: {"pattern": (e.get("ctx") or {}).get("pattern", "")},
    "literal_error": lambda e: {"choices": _choices(e)},
    "enum": lambda e: {"choices": _choices(e)},
    "union_tag_invalid": lambda e: {
        "choices": ", ".join(_QUOTED.findall(str((e.get("ctx") or {}).get("expected_tags"))))
    },
    "union_tag_not_found": lambda e: {
        "name": str((e.get("ctx") or {}).get("discriminator", "")).strip("'")
    },
    "url_parsing": lambda e: {"reason": str((e.get("ctx") or {}).get("error", ""))},
}
# Error types that share one message.
_ALIASES = {
    "int_type": "int_parsing",
    "int_from_float": "int_parsing",
    "float_type": "float_parsing",
    "finite_number": "float_parsing",
    "bool_type": "bool_parsing",
    "model_type": "dict_type",
    "model_attributes_type": "dict_type",
    "tuple_type": "list_type",
    "url_type": "url_parsing",
    "url_scheme": "url_parsing",
    "url_syntax_violation": "url_parsing",
    "missing_argument": "missing",
}
TRANSLATED = {
    "missing",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "string_pattern_mismatch",
    "literal_error",
    "enum",
    "url_parsing",
    "value_error",
    "assertion_error",
    "string_too_short",
    "string_too_long",
    "too_short",
    "too_long",
    "int_parsing",
    "float_parsing",
    "bool_parsing",
    "string_type",
    "dict_type",
    "list_type",
    "extra_forbidden",
    "union_tag_invalid",
    "union_tag_not_found",
}


def translate(error: Mapping[str, Any], lang: str) -> str:
    """One pydantic error (an `errors()` item) as a message in `lang`."""
    kind = _ALIASES.get(str(error.get("type")), str(error.get("type")))
    if kind in ("value_error", "assertion_error"):
        return _value_message(str(error.get("msg", "")), lang)
    if kind not in TRANSLATED:
        return t("form.error.other", lang, detail=_plain(str(error.get("msg", ""))))
    params = _PARAMS.get(kind, _got)(error)
    return t(f"form.error.{kind}", lang, **params)


def _value_message(msg: str, lang: str) -> str:
    detail = _plain(msg)
    for pattern, key in _KNOWN_VALUES:
        match = pattern.fullmatch(detail)
        if match:
            return t(key, lang, **match.groupdict())
    return t("form.error.value_error", lang, detail=detail)


def _plain(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg


def place(
    errors: Iterable[Mapping[str, Any]],
    paths: Iterable[str],
    unions: Mapping[str, Iterable[str]],
    lang: str,
) -> dict[str, list[str]]:
    """Messages by field path. `paths` are the rendered controls and fieldsets; `unions` maps
    a union fieldset's path to its variant names (pydantic puts the tag in the location). An
    error below a control (inside a YAML area) names the rest of its location."""
    known = set(paths)
    placed: dict[str, list[str]] = {}
    for error in errors:
        parts = _location(tuple(error.get("loc", ())), unions)
        where, rest = FORM_LEVEL, parts
        for cut in range(len(parts), 0, -1):
            candidate = ".".join(str(p) for p in parts[:cut])
            if candidate in known:
                where, rest = candidate, parts[cut:]
                break
        text = translate(error, lang)
        if rest:
            text = f"{_subpath(rest)}: {text}"
        placed.setdefault(where, []).append(text)
    return placed


def _location(loc: tuple[Any, ...], unions: Mapping[str, Iterable[str]]) -> tuple[Any, ...]:
    """The location without the union tags pydantic inserts (options.auth.bearer.token)."""
    kept: list[Any] = []
    skip = False
    for index, part in enumerate(loc):
        if skip:
            skip = False
            continue
        kept.append(part)
        here = ".".join(str(p) for p in kept)
        following = loc[index + 1] if index + 1 < len(loc) else None
        if here in unions and following in set(unions[here]):
            skip = True
    return tuple(kept)


def _subpath(parts: tuple[Any, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text
