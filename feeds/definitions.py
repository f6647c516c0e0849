"""From stored feed definitions to validated FeedConfigs (references resolved from the
environment), and provisioning config.yaml's feeds at start."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

from pydantic import ValidationError

from settings import FeedConfig, Settings
from settings.feed_entries import SECRET_KEYS, resolve_references, written_feed_entries
from settings.model import registered_feed_options
from store import Store
from store.feed_defs import FeedDefinition

log = logging.getLogger(__name__)

Loc = tuple[int | str, ...]


class FieldProblem(TypedDict):
    """One problem with an entered feed, in pydantic's error shape (`errors()` items)."""

    loc: Loc
    type: str
    msg: str
    ctx: dict[str, Any]
    input: NotRequired[Any]  # the value as entered: a "${VAR}" reference, never its value


class InvalidDefinition(Exception):
    """A stored definition that does not validate here (e.g. a variable unset in this
    process's environment); `problems` say where."""

    def __init__(self, feed_id: str, problems: list[FieldProblem]) -> None:
        where = "; ".join(
            f"{'.'.join(str(p) for p in problem['loc']) or feed_id}: {problem['msg']}"
            for problem in problems
        )
        super().__init__(f"feed {feed_id}: invalid definition: {where}")
        self.feed_id = feed_id
        self.problems = problems
        self.version: int | None = None  # the definition's, when read from the store


def check_feed(
    config: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> FeedConfig | list[FieldProblem]:
    """The entry validated exactly as config.yaml's feeds are (FeedConfig with the feed
    type's options model, ${VAR} references resolved from `env`), or its problems."""
    if not isinstance(config, Mapping):
        return [
            FieldProblem(loc=(), type="dict_type", msg="Input should be a valid dictionary", ctx={})
        ]
    entry = dict(config)
    resolved, unresolved = resolve_references(entry, os.environ if env is None else env)
    problems = [_reference_problem(entry, loc, reason) for loc, reason in unresolved]
    skip = [loc for loc, _ in unresolved]
    try:
        feed = FeedConfig.model_validate(
            resolved, context={"feed_options": registered_feed_options()}
        )
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            if error["type"] != "extra_forbidden" and any(loc[: len(s)] == s for s in skip):
                continue  # an unset variable is not also "not a number"
            problem = FieldProblem(
                loc=loc, type=error["type"], msg=error["msg"], ctx=_plain(error.get("ctx"))
            )
            _add_input(problem, entry)
            problems.append(problem)
    if problems:
        return problems
    return feed


def config_of(definition: FeedDefinition, env: Mapping[str, str] | None = None) -> FeedConfig:
    """The definition's FeedConfig as this process runs it (paused: enabled false)."""
    checked = check_feed(definition.config, env)
    if isinstance(checked, list):
        raise InvalidDefinition(definition.id, checked)
    return checked.model_copy(update={"enabled": False}) if definition.paused else checked


def effective_feeds(store: Store, env: Mapping[str, str] | None = None) -> list[FeedConfig]:
    """The feeds to schedule, from the store: not deleted; a paused one has enabled false;
    one that does not validate here is left out, with a warning."""
    feeds, invalid = read_definitions(store, env)
    for exc in invalid:
        log.warning("%s; not scheduled", exc)
    return feeds


def read_definitions(
    store: Store, env: Mapping[str, str] | None = None
) -> tuple[list[FeedConfig], list[InvalidDefinition]]:
    """The definitions that are not deleted: those that validate here as FeedConfigs, and
    the problems of those that do not."""
    feeds: list[FeedConfig] = []
    invalid: list[InvalidDefinition] = []
    for definition in store.feed_defs.all():
        try:
            feeds.append(config_of(definition, env))
        except InvalidDefinition as exc:
            exc.version = definition.version
            invalid.append(exc)
    return feeds, invalid


def provision(store: Store, settings: Settings) -> None:
    """Provision config.yaml's feeds into the store (at start, in the process that owns the
    schedule: `python app.py` or `python -m feeds`)."""
    path = settings.config_path
    entries = written_feed_entries(path) if path.is_file() else {}
    store.feed_defs.provision(settings.feeds, entries=entries)


def _reference_problem(entry: Mapping[str, Any], loc: Loc, reason: str) -> FieldProblem:
    problem = FieldProblem(
        loc=loc, type="value_error", msg=f"Value error, {reason}", ctx={"error": reason}
    )
    _add_input(problem, entry)
    return problem


def _add_input(problem: FieldProblem, entry: Mapping[str, Any]) -> None:
    """The value at the problem's location as entered (references unresolved); none for a
    secret's key (a literal secret is not echoed back)."""
    names = [part for part in problem["loc"] if isinstance(part, str)]
    if names and names[-1].lower() in SECRET_KEYS:
        return
    found, value = _at(entry, problem["loc"])
    if found:
        problem["input"] = value


def _at(value: Any, loc: Loc) -> tuple[bool, Any]:
    """The value at `loc`; a part that names no key is skipped (pydantic puts a tagged
    union's tag in the location)."""
    for part in loc:
        if isinstance(value, Mapping):
            if part in value:
                value = value[part]
            continue
        if isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
            continue
        return False, None
    return True, value


def _plain(ctx: Mapping[str, Any] | None) -> dict[str, Any]:
    """The error's context, JSON-typed (pydantic puts the raised exception in `error`)."""
    plain: dict[str, Any] = {}
    for key, value in (ctx or {}).items():
        plain[key] = (
            value if isinstance(value, str | int | float | bool) or value is None else str(value)
        )
    return plain
