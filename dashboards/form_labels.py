"""The words of the feed form: each field's label and help text, each option's and each feed
type's name, looked up in the catalogs from the most specific key to the shared one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dashboards.feed_form import FormField
from feeds.outcome import REAL_FEED_PRIORITY
from i18n import has, t

FIELD = "form.field"
CHOICE = "form.choice"
HELP = "help"
# Defaults the help texts name, from where the code defines them (never copied into a text).
HELP_VALUES = {"real_priority": REAL_FEED_PRIORITY}
# Option values that are not words get a word for their key (a tab is invisible as text).
VALUE_SLUGS = {";": "semicolon", ",": "comma", "\t": "tab", "|": "pipe"}


def subpath(path: str) -> str:
    """A field's path inside its feed entry without the leading "options."."""
    return path.removeprefix("options.")


def label_keys(feed_type: str, path: str) -> tuple[str, ...]:
    """Where a field's label may be, most specific first: for the type and path
    (`form.field.http_json.pagination.size`), for the path in any type
    (`form.field.mapping.locale`), for the name in any type (`form.field.timeout_s`)."""
    inner = subpath(path)
    name = inner.rsplit(".", 1)[-1]
    keys = [f"{FIELD}.{feed_type}.{inner}", f"{FIELD}.{inner}"]
    if name != inner:
        keys.append(f"{FIELD}.{name}")
    return tuple(keys)


def label_key(feed_type: str, path: str) -> str | None:
    """The catalog key of a field's label, or None when it has none (a test forbids that)."""
    return next((k for k in label_keys(feed_type, path) if has(k)), None)


def field_label(feed_type: str, form_field: FormField, lang: str) -> str:
    key = label_key(feed_type, form_field.path)
    return t(key, lang) if key else form_field.title or form_field.name


def field_help(feed_type: str, form_field: FormField, lang: str) -> str | None:
    """A short explanation (units, what a JSON path is…) where the label is not enough."""
    for key in label_keys(feed_type, form_field.path):
        if has(f"{key}.{HELP}"):
            return t(f"{key}.{HELP}", lang, **HELP_VALUES)
    return None


def is_word(value: Any) -> bool:
    """Whether an option value is a word worth naming ("cursor", "epoch_ms"; not "GET" or
    "dd/mm/yyyy"), or one of the symbols named in VALUE_SLUGS."""
    if not isinstance(value, str):
        return False
    if value in VALUE_SLUGS:
        return True
    return value[:1].isalpha() and value.islower() and value.replace("_", "").isalnum()


def choice_keys(feed_type: str, path: str, value: Any) -> tuple[str, ...]:
    """Where an option's name may be: for the type and path, for the path in any type, for
    the field's name, shared by every field (`form.choice.reject`)."""
    slug = VALUE_SLUGS.get(value, value) if isinstance(value, str) else str(value)
    inner = subpath(path)
    name = inner.rsplit(".", 1)[-1]
    keys = [f"{CHOICE}.{feed_type}.{inner}.{slug}", f"{CHOICE}.{inner}.{slug}"]
    if name != inner:
        keys.append(f"{CHOICE}.{name}.{slug}")
    keys.append(f"{CHOICE}.{slug}")
    return tuple(keys)


def choice_key(feed_type: str, path: str, value: Any) -> str | None:
    return next((k for k in choice_keys(feed_type, path, value) if has(k)), None)


def choice_label(feed_type: str, path: str, value: Any, lang: str) -> str:
    """An option of the field at `path` as a select shows it: its name and, where that
    differs, the value itself as config.yaml writes it ("Theo số trang (page)")."""
    key = choice_key(feed_type, path, value) if is_word(value) else None
    if key is None:
        return str(value)
    name = t(key, lang)
    shown = "\\t" if value == "\t" else str(value)
    return name if name == shown else f"{name} ({shown})"


def type_label(feed_type: str, lang: str) -> str:
    """A feed type in the type picker: its name, its code and what it reads."""
    name = t(f"form.type_name.{feed_type}", lang)
    return f"{name} ({feed_type}) — {t(f'form.type.{feed_type}', lang)}"


# --- the contract: no option ships unlabelled --------------------------------------------------


def schema_properties(
    schema: Mapping[str, Any], prefix: str = "options"
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Every property a JSON Schema allows, at any depth, as (path, its enum values): list
    items and mapping values add no level (`options.cameras.id`), as in the form's keys."""
    defs = schema.get("$defs", {})

    def visit(node: Mapping[str, Any], path: str, seen: frozenset[str]) -> Iterator[Any]:
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                yield from visit(defs[name], path, seen | {name})
        for name, child in node.get("properties", {}).items():
            child_path = f"{path}.{name}" if path else name
            yield child_path, _values(child, defs)
            yield from visit(child, child_path, seen)
        for key in ("anyOf", "oneOf", "allOf"):
            for option in node.get(key, ()):
                yield from visit(option, path, seen)
        for key in ("items", "additionalProperties"):
            inner = node.get(key)
            if isinstance(inner, Mapping):
                yield from visit(inner, path, seen)

    found: dict[str, list[Any]] = {}
    for path, values in visit(schema, prefix, frozenset()):
        known = found.setdefault(path, [])
        known.extend(v for v in values if v not in known)
    for path, values in found.items():
        yield path, tuple(values)


def _values(node: Mapping[str, Any], defs: Mapping[str, Any]) -> tuple[Any, ...]:
    options = [node, *node.get("anyOf", ()), *node.get("oneOf", ())]
    values: list[Any] = []
    for option in options:
        ref = option.get("$ref")
        if isinstance(ref, str):
            option = defs[ref.rsplit("/", 1)[-1]]
        values.extend(option.get("enum") or ([option["const"]] if "const" in option else []))
    return tuple(values)


def unlabelled(feed_type: str, schema: Mapping[str, Any], prefix: str = "options") -> list[str]:
    """The properties of a schema without a label, and the word-like enum values without a
    name, as "path" and "path=value"; empty when every one has both."""
    missing = []
    for path, values in schema_properties(schema, prefix):
        if label_key(feed_type, path) is None:
            missing.append(path)
        missing.extend(
            f"{path}={value}"
            for value in values
            if is_word(value) and choice_key(feed_type, path, value) is None
        )
    return missing
