"""Callback requests checked before Dash runs them: only declared callbacks, in their declared
shape, with bounded values of the declared kind. What a callback computes stays the server's
choice; the browser only picks among the options a page offers."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

MAX_DEPTH = 12  # a click's point data nests 4 deep, a table row 3
MAX_STRING = 4096
MAX_ITEMS = 2000  # list items or mapping keys in one value
MAX_NODES = 100_000  # values in one request body
LOGGED_CHARS = 160  # a rejected input is logged this long at most
WILDCARDS = ("MATCH", "ALL", "ALLSMALLER")
CALLBACK_PATH = "/_dash-update-component"

_SCALAR = (str, int, float, type(None))
# What each property a callback reads may hold; a property missing here is refused, so a new
# callback reading a new property has to say what it accepts.
PROPERTY_KINDS: dict[str, tuple[type, ...]] = {
    "value": _SCALAR,
    "n_intervals": (int, type(None)),
    "n_clicks": (int, type(None)),
    "clickData": (dict, type(None)),
    "cellClicked": (dict, type(None)),
    "virtualRowData": (list, type(None)),
    "filterModel": (dict, type(None)),
    "columnState": (list, type(None)),
    "is_open": (bool, type(None)),
    "start_date": (str, type(None)),
    "end_date": (str, type(None)),
    "pathname": (str, type(None)),
    "search": (str, type(None)),
    "data": (dict, list, *_SCALAR),
    "contents": (str, type(None)),  # dcc.Upload: the file as a data URL
    "filename": (str, type(None)),
}
# Properties whose value is a whole file: longer than MAX_STRING, bounded by the request
# body limit (MAX_CONTENT_LENGTH) instead, and only ever a base64 data URL.
FILE_PROPERTIES = frozenset({"contents"})


class Refused(Exception):
    """A request the app will not run: answered 400, logged once, truncated."""

    def __init__(self, reason: str, sample: Any = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sample = sample


def log_refusal(where: str, refusal: Refused) -> None:
    sample = "" if refusal.sample is None else f" [{shorten(refusal.sample)}]"
    log.warning("refused %s: %s%s", where[:80], refusal.reason, sample)


def shorten(value: Any) -> str:
    """A value as one bounded log excerpt (never the whole input)."""
    text = value if isinstance(value, str) else _json(value)
    text = text.replace("\n", " ").replace("\r", " ")
    return text if len(text) <= LOGGED_CHARS else text[:LOGGED_CHARS] + f"… ({len(text)} chars)"


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)[: LOGGED_CHARS * 2]
    except (TypeError, ValueError, RecursionError):
        return type(value).__name__


def check_bounds(value: Any) -> None:
    """Depth, string lengths, list lengths and total size of a decoded JSON body."""
    budget = [MAX_NODES]
    _walk(value, 0, budget)


def _walk(value: Any, depth: int, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise Refused(f"more than {MAX_NODES} values")
    if depth > MAX_DEPTH:
        raise Refused(f"nested deeper than {MAX_DEPTH}")
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise Refused(f"a string longer than {MAX_STRING}", value)
    elif isinstance(value, list | dict):
        if len(value) > MAX_ITEMS:
            raise Refused(f"a list or object of more than {MAX_ITEMS} items")
        if isinstance(value, dict):
            for key, item in value.items():
                _walk(key, depth + 1, budget)
                _walk(item, depth + 1, budget)
        else:
            for item in value:
                _walk(item, depth + 1, budget)
    elif isinstance(value, float) and value != value:  # NaN never comes from a component
        raise Refused("not a number")


def check_callback(body: Any, callback_map: Mapping[str, Any]) -> None:
    """The body names a server callback and matches its declared inputs, state and kinds."""
    if not isinstance(body, dict):
        raise Refused("the body is not a JSON object", body)
    check_bounds(_without_files(body))
    output = body.get("output")
    declared = callback_map.get(output) if isinstance(output, str) else None
    if declared is None or "callback" not in declared:
        raise Refused("no such server callback", output)
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        raise Refused("changedPropIds must be a list of strings", changed)
    for part in ("inputs", "state"):
        sent, wanted = body.get(part, []), declared.get(part) or []
        if not isinstance(sent, list) or len(sent) != len(wanted):
            raise Refused(f"{part}: expected {len(wanted)} items", sent)
        for item, want in zip(sent, wanted, strict=True):
            _check_dependency(item, want)
    _check_outputs(body.get("outputs"), declared["output"])


def _without_files(body: dict[str, Any]) -> dict[str, Any]:
    """The body with each file input's value checked as a data URL and left out of the
    string bounds (a file is the one long string a component sends)."""
    trimmed = dict(body)
    for part in ("inputs", "state"):
        items = body.get(part)
        if not isinstance(items, list):
            continue
        kept: list[Any] = []
        for item in items:
            if isinstance(item, dict) and item.get("property") in FILE_PROPERTIES:
                value = item.get("value")
                if value is not None and not (isinstance(value, str) and value.startswith("data:")):
                    raise Refused(f"{item['property']}: not a data URL", value)
                item = {**item, "value": None if value is None else ""}
            kept.append(item)
        trimmed[part] = kept
    return trimmed


def _check_dependency(item: Any, want: Mapping[str, str]) -> None:
    pattern = _pattern(want["id"])
    many = pattern is not None and any(v in (["ALL"], ["ALLSMALLER"]) for v in pattern.values())
    if many:
        if not isinstance(item, list):
            raise Refused(f"{want['property']}: expected a list of components", item)
        for one in item:
            _check_one(one, want, pattern)
    else:
        _check_one(item, want, pattern)


def _check_one(item: Any, want: Mapping[str, str], pattern: dict[str, Any] | None) -> None:
    _check_target(item, want, pattern)
    kinds = PROPERTY_KINDS.get(want["property"])
    if kinds is None:
        raise Refused(f"property {want['property']} is not accepted from a browser")
    value = item.get("value")
    if not isinstance(value, kinds):
        raise Refused(f"{want['property']}: wrong type {type(value).__name__}", value)
    if want["property"] == "pathname" and isinstance(value, str) and not value.startswith("/"):
        raise Refused("a path must start with /", value)


def _check_pattern_id(sent: Any, pattern: dict[str, Any]) -> None:
    if not isinstance(sent, dict) or set(sent) != set(pattern):
        raise Refused("component id does not match", sent)
    for key, wanted in pattern.items():
        got = sent[key]
        if isinstance(wanted, list) and wanted and wanted[0] in WILDCARDS:
            if not isinstance(got, str | int) or isinstance(got, bool):
                raise Refused(f"component id {key}: wrong type", got)
        elif got != wanted:
            raise Refused(f"component id {key} does not match", got)


def _check_outputs(sent: Any, declared: Any) -> None:
    """The outputs name the declared components (one list per wildcard output)."""
    many = isinstance(declared, list | tuple)
    wanted = list(declared) if many else [declared]
    items = sent if many else [sent]
    if not isinstance(items, list) or len(items) != len(wanted):
        raise Refused(f"outputs: expected {len(wanted)} items", sent)
    for item, output in zip(items, wanted, strict=True):
        text = output.component_id_str()
        dep = {"id": text, "property": output.component_property}
        pattern = _pattern(text)
        if pattern is not None and any(v in (["ALL"], ["ALLSMALLER"]) for v in pattern.values()):
            if not isinstance(item, list) or len(item) > MAX_ITEMS:
                raise Refused("outputs: expected a list of components", item)
            for one in item:
                _check_target(one, dep, pattern)
        else:
            _check_target(item, dep, pattern)


def _check_target(item: Any, want: Mapping[str, str], pattern: dict[str, Any] | None) -> None:
    prop = item.get("property") if isinstance(item, dict) else None
    # An allow_duplicate output is named "figure@<hash of its inputs>" by the browser.
    if not isinstance(prop, str) or prop.partition("@")[0] != want["property"]:
        raise Refused(f"expected {want['property']}", item)
    if pattern is None:
        if item.get("id") != want["id"]:
            raise Refused(f"expected output {want['id']}", item.get("id"))
    else:
        _check_pattern_id(item.get("id"), pattern)


def _pattern(component_id: str) -> dict[str, Any] | None:
    if not component_id.startswith("{"):
        return None
    parsed = json.loads(component_id)
    return parsed if isinstance(parsed, dict) else None
