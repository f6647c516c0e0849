"""A feed's form, generated from its type's options JSON Schema: the fields, their initial
values, and the config entry the filled-in form stands for (before pydantic validates it)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from settings.loader import parse_yaml_text

COMMON = ("id", "interval", "enabled", "timeout", "retries", "priority")
SECRET_WORDS = ("password", "passwd", "token", "secret", "api_key", "apikey")
_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
_SCALAR_TYPES = ("string", "integer", "number", "boolean")
MAX_FIELDSET_DEPTH = 2  # deeper structures are edited as YAML text
MAX_KEY_DEPTH = 4  # how deep the key reference of a YAML area goes


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True, kw_only=True)
class FormField:
    """One control of the form (or a fieldset of them).

    kind: text | integer | number | duration | bool | select | scalar (a union of scalar
    types, read like a YAML scalar) | yaml (a text area holding a mapping or a list) |
    group (a fieldset) | union (a fieldset whose fields depend on its `type` select) |
    key (not a control: one key a YAML area may hold, with its `choices` and nested `keys`)."""

    path: str
    name: str
    kind: str
    title: str = ""
    description: str = ""
    required: bool = False
    default: Any = MISSING
    choices: tuple[Any, ...] = ()
    secret: bool = False
    nullable: bool = False
    children: tuple[FormField, ...] = ()
    discriminator: str = ""
    variants: Mapping[str, tuple[FormField, ...]] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    keys: tuple[FormField, ...] = ()  # a YAML area's keys (kind "key"), as a reference

    @property
    def container(self) -> bool:
        return self.kind in ("group", "union")


@dataclass(frozen=True, kw_only=True)
class Problem:
    """Something wrong with one field before validation (YAML that does not parse, a literal
    secret): the field's path, a translation key and its parameters."""

    path: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


# --- schema → fields -------------------------------------------------------------------------


def option_fields(schema: Mapping[str, Any]) -> tuple[FormField, ...]:
    """The fields of a feed type's options (paths start with "options.")."""
    walker = _Walker(schema.get("$defs", {}))
    return walker.properties(schema, "options", 0)


def common_fields(schema: Mapping[str, Any]) -> tuple[FormField, ...]:
    """The fields every feed has (id, interval, …), from FeedConfig's JSON Schema; durations
    are text so that "5m" works as in config.yaml."""
    walker = _Walker(schema.get("$defs", {}))
    fields = {f.name: f for f in walker.properties(schema, "", 0)}
    chosen = []
    for name in COMMON:
        found = fields[name]
        if name in ("interval", "timeout"):
            found = FormField(**{**_as_dict(found), "kind": "duration"})
        chosen.append(found)
    return tuple(chosen)


def _as_dict(form_field: FormField) -> dict[str, Any]:
    return {name: getattr(form_field, name) for name in FormField.__dataclass_fields__}


class _Walker:
    def __init__(self, defs: Mapping[str, Any]) -> None:
        self.defs = defs

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            node = {**self.defs[node["$ref"].rsplit("/", 1)[-1]], **_without(node, "$ref")}
        return node

    def properties(
        self, schema: Mapping[str, Any], prefix: str, depth: int
    ) -> tuple[FormField, ...]:
        schema = self.resolve(schema)
        required = set(schema.get("required", ()))
        return tuple(
            self.field(name, node, _join(prefix, name), name in required, depth)
            for name, node in schema.get("properties", {}).items()
        )

    def field(
        self, name: str, node: Mapping[str, Any], path: str, required: bool, depth: int
    ) -> FormField:
        node = self.resolve(node)
        options = [self.resolve(o) for o in node.get("anyOf", ())]
        nullable = any(o.get("type") == "null" for o in options)
        rest = [o for o in options if o.get("type") != "null"]
        base = {
            "path": path,
            "name": name,
            "title": node.get("title") or name,
            "description": node.get("description", ""),
            "required": required,
            "default": node.get("default", MISSING),
            "nullable": nullable,
            "secret": _secret_name(name) or node.get("writeOnly") is True,
        }
        if len(rest) == 1:
            inner = {**rest[0], **_without(node, "anyOf")}
            return self._typed(inner, base, depth)
        if rest and all(o.get("type") in _SCALAR_TYPES and "enum" not in o for o in rest):
            return FormField(**base, kind="scalar")
        return self._typed(node if not rest else rest[0] | {"anyOf": rest}, base, depth)

    def _typed(self, node: Mapping[str, Any], base: dict[str, Any], depth: int) -> FormField:
        kind = node.get("type")
        if "oneOf" in node and "discriminator" in node:
            return self._union(node, base, depth)
        if "enum" in node or "const" in node:
            values = tuple(node.get("enum") or (node["const"],))
            return FormField(**base, kind="select", choices=values)
        if kind == "object" and "properties" in node:
            if self._simple(node, depth):
                children = self.properties(node, base["path"], depth + 1)
                desc = base["description"] or node.get("description", "")
                return FormField(**{**base, "description": desc}, kind="group", children=children)
            return self._yaml(node, base)
        if kind in ("integer", "number"):
            low = node.get("minimum", node.get("exclusiveMinimum"))
            high = node.get("maximum", node.get("exclusiveMaximum"))
            return FormField(**base, kind=kind, minimum=low, maximum=high)
        if kind == "boolean":
            return FormField(**base, kind="bool")
        if kind == "string":
            return FormField(**base, kind="text")
        return self._yaml(node, base)  # objects, lists and anything else

    def _yaml(self, node: Mapping[str, Any], base: dict[str, Any]) -> FormField:
        return FormField(**base, kind="yaml", keys=self._keys(node, base["path"], 0))

    def _keys(self, node: Mapping[str, Any], path: str, depth: int) -> tuple[FormField, ...]:
        """The keys of the objects a YAML area holds (itself, its list items or its mapping's
        values), each with its enum values and its own keys: a list item's key `id` under
        `cameras` has the path `options.cameras.id`."""
        found = self._object(node)
        if found is None or depth >= MAX_KEY_DEPTH:
            return ()
        required = set(found.get("required", ()))
        keys = []
        for name, child in found.get("properties", {}).items():
            resolved = self.resolve(child)
            keys.append(
                FormField(
                    path=_join(path, name),
                    name=name,
                    kind="key",
                    title=resolved.get("title") or name,
                    required=name in required,
                    default=resolved.get("default", MISSING),
                    choices=_enum(self, resolved),
                    keys=self._keys(resolved, _join(path, name), depth + 1),
                )
            )
        return tuple(keys)

    def _object(self, node: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The object schema beneath a node: the node, its items, its mapping's values, or the
        first such among its options."""
        node = self.resolve(node)
        if "properties" in node:
            return node
        inner = node.get("items") or node.get("additionalProperties")
        if isinstance(inner, Mapping):
            return self._object(inner)
        for option in node.get("anyOf", ()):
            found = self._object(option)
            if found is not None:
                return found
        return None

    def _union(self, node: Mapping[str, Any], base: dict[str, Any], depth: int) -> FormField:
        tag = node["discriminator"]["propertyName"]
        variants: dict[str, tuple[FormField, ...]] = {}
        for option in node["oneOf"]:
            resolved = self.resolve(option)
            value = resolved["properties"][tag].get("const")
            fields = self.properties(resolved, base["path"], depth + 1)
            variants[str(value)] = tuple(f for f in fields if f.name != tag)
        return FormField(**base, kind="union", discriminator=tag, variants=variants)

    def _simple(self, node: Mapping[str, Any], depth: int) -> bool:
        """Whether an object reads well as a fieldset: scalar fields, shallow nesting."""
        if depth >= MAX_FIELDSET_DEPTH:
            return False
        for name, child in node.get("properties", {}).items():
            built = self.field(name, child, name, False, depth + 1)
            if built.kind == "yaml":
                return False
        return True


def _enum(walker: _Walker, node: Mapping[str, Any]) -> tuple[Any, ...]:
    """The values a key may take when the schema lists them (Literal, Enum, optional ones)."""
    values: list[Any] = []
    for option in (node, *(walker.resolve(o) for o in node.get("anyOf", ()))):
        listed = option.get("enum") or (() if "const" not in option else (option["const"],))
        values.extend(v for v in listed if v not in values)
    return tuple(values)


def _without(node: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k != key}


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _secret_name(name: str) -> bool:
    """password, api_key, access_token, client_secret… (token_url is an address, not one)."""
    lowered = name.lower()
    return lowered.endswith(SECRET_WORDS)


def walk(fields: tuple[FormField, ...], variant: Mapping[str, str]) -> Iterator[FormField]:
    """Every control (not fieldsets), with the fields of each union's chosen variant;
    `variant` maps a union's path to its chosen type."""
    for form_field in fields:
        if form_field.kind == "group":
            yield from walk(form_field.children, variant)
        elif form_field.kind == "union":
            yield FormField(
                path=f"{form_field.path}.{form_field.discriminator}",
                name=form_field.discriminator,
                kind="select",
                title=form_field.discriminator,
                choices=tuple(form_field.variants),
            )
            yield from walk(form_field.variants.get(variant.get(form_field.path, ""), ()), variant)
        else:
            yield form_field


# --- config → values (editing an existing feed) -----------------------------------------------


def initial_values(fields: tuple[FormField, ...], config: Mapping[str, Any]) -> dict[str, Any]:
    """Each control's value for an existing entry: what the entry says, never its default."""
    values: dict[str, Any] = {}
    for form_field in fields:
        found = _lookup(config, form_field.path)
        if form_field.kind == "group":
            values.update(initial_values(form_field.children, config))
        elif form_field.kind == "union":
            chosen = found.get(form_field.discriminator) if isinstance(found, Mapping) else None
            values[f"{form_field.path}.{form_field.discriminator}"] = chosen
            values.update(initial_values(form_field.variants.get(str(chosen), ()), config))
        elif found is not MISSING:
            values[form_field.path] = shown(form_field, found)
    return values


def shown(form_field: FormField, value: Any) -> Any:
    """A stored value as its control shows it."""
    if form_field.kind == "yaml":
        return yaml_text(value)
    if form_field.kind in ("scalar", "duration") and not isinstance(value, str):
        return json.dumps(value) if isinstance(value, bool) else str(value)
    if form_field.kind == "text" and value is not None and not isinstance(value, str):
        return str(value)
    return value


def yaml_text(value: Any) -> str:
    if value is None:
        return ""
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=False)


def _lookup(config: Mapping[str, Any], path: str) -> Any:
    node: Any = config
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return MISSING
        node = node[part]
    return node


def chosen_variants(fields: tuple[FormField, ...], values: Mapping[str, Any]) -> dict[str, str]:
    """Each union's chosen type, from the values of its select."""
    chosen: dict[str, str] = {}
    for form_field in fields:
        if form_field.kind == "group":
            chosen.update(chosen_variants(form_field.children, values))
        elif form_field.kind == "union":
            picked = values.get(f"{form_field.path}.{form_field.discriminator}")
            if isinstance(picked, str) and picked in form_field.variants:
                chosen[form_field.path] = picked
    return chosen


# --- values → config (the filled-in form) ----------------------------------------------------


def collect(
    feed_type: str,
    fields: tuple[FormField, ...],
    values: Mapping[str, Any],
) -> tuple[dict[str, Any], list[Problem]]:
    """The config entry the form stands for, and what could not be read. Empty controls are
    left out (pydantic applies the defaults); an optional fieldset left empty is left out."""
    problems: list[Problem] = []
    config: dict[str, Any] = {"type": feed_type}
    variant = chosen_variants(fields, values)
    _fill(fields, values, variant, config, problems)
    config.setdefault("options", {})
    return config, problems


def _fill(
    fields: tuple[FormField, ...],
    values: Mapping[str, Any],
    variant: Mapping[str, str],
    config: dict[str, Any],
    problems: list[Problem],
) -> None:
    for form_field in fields:
        if form_field.kind == "group":
            _fill(form_field.children, values, variant, config, problems)
            continue
        if form_field.kind == "union":
            picked = variant.get(form_field.path)
            if picked is None:
                continue
            _put(config, f"{form_field.path}.{form_field.discriminator}", picked)
            _fill(form_field.variants[picked], values, variant, config, problems)
            continue
        value = _read(form_field, values.get(form_field.path), problems)
        if value is not MISSING:
            _put(config, form_field.path, value)


def _read(form_field: FormField, raw: Any, problems: list[Problem]) -> Any:
    """A control's value as config.yaml would hold it, or MISSING when it is empty."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return MISSING
    if form_field.kind == "bool":
        if not isinstance(raw, bool):
            problems.append(Problem(path=form_field.path, key="form.problem.not_bool"))
            return MISSING
        return MISSING if raw == form_field.default else raw
    if form_field.kind == "yaml":
        return _yaml_value(form_field, raw, problems)
    if form_field.kind == "scalar":
        return _scalar(raw)
    if form_field.kind in ("integer", "number") and isinstance(raw, float | int):
        if isinstance(raw, float) and not math.isfinite(raw):
            return str(raw)  # pydantic says why
        return raw
    if form_field.kind == "duration" and isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return raw.strip() if isinstance(raw, str) else raw


def _yaml_value(form_field: FormField, raw: Any, problems: list[Problem]) -> Any:
    if not isinstance(raw, str):
        problems.append(Problem(path=form_field.path, key="form.problem.not_text"))
        return MISSING
    try:
        return parse_yaml_text(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = str(getattr(exc, "problem", None) or type(exc).__name__)
        line = mark.line + 1 if mark is not None else 1
        params = {"line": line, "reason": reason}
        problems.append(Problem(path=form_field.path, key="form.problem.yaml", params=params))
        return MISSING


def _scalar(raw: Any) -> Any:
    """ "true" → True, "12" → 12, anything else stays text (as a YAML scalar reads)."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _put(config: dict[str, Any], path: str, value: Any) -> None:
    node = config
    *parents, last = path.split(".")
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value


# --- secrets: references only -----------------------------------------------------------------


def literal_secrets(fields: tuple[FormField, ...], config: Mapping[str, Any]) -> list[Problem]:
    """Secrets written out instead of referenced as ${NAME}: fields named or typed as secrets,
    every value of a headers mapping, and secret-named values inside YAML areas."""
    problems = []
    variant = {
        f.path: str(_lookup(config, f"{f.path}.{f.discriminator}"))
        for f in _containers(fields)
        if f.kind == "union"
    }
    for form_field in walk(fields, variant):
        value = _lookup(config, form_field.path)
        if value is MISSING or value is None:
            continue
        if form_field.name == "headers" and isinstance(value, Mapping):
            leaks = [str(k) for k, v in value.items() if not _is_reference(v)]
        elif form_field.secret:
            leaks = [] if _is_reference(value) else [form_field.name]
        elif form_field.kind == "yaml":
            leaks = [name for name, v in _secret_leaves(value, "") if not _is_reference(v)]
        else:
            continue
        if leaks:
            problems.append(
                Problem(
                    path=form_field.path,
                    key="form.problem.literal_secret",
                    params={"name": leaks[0]},
                )
            )
    return problems


def _containers(fields: tuple[FormField, ...]) -> Iterator[FormField]:
    for form_field in fields:
        if form_field.container:
            yield form_field
        if form_field.kind == "group":
            yield from _containers(form_field.children)


def _secret_leaves(value: Any, name: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            key_text = str(key)
            if key_text.lower() == "headers" and isinstance(item, Mapping):
                yield from ((f"{key_text}.{k}", v) for k, v in item.items())
            elif _secret_name(key_text) and not isinstance(item, Mapping | list):
                yield key_text, item
            else:
                yield from _secret_leaves(item, key_text)
    elif isinstance(value, list):
        for item in value:
            yield from _secret_leaves(item, name)


def _is_reference(value: Any) -> bool:
    """A whole `${NAME}` reference (an empty value is not a secret)."""
    if value is None or value == "":
        return True
    return isinstance(value, str) and _REFERENCE.fullmatch(value.strip()) is not None
