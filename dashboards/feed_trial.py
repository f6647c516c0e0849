"""A filled-in feed form checked and tested before it is saved: validation messages placed on
its fields, then a bounded dry run whose first records are shown as they would be stored."""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dashboards.feed_form import (
    FormField,
    Problem,
    chosen_variants,
    collect,
    common_fields,
    literal_secrets,
    option_fields,
    walk,
)
from dashboards.form_errors import place
from feeds.console import validate_feed
from feeds.dry_run import dry_run
from feeds.redact import MIN_SECRET, redact
from feeds.registry import describe_types
from geo.hierarchy import AdminUnit
from i18n import label, t
from i18n.formatting import format_date_local, format_datetime_local
from settings import FeedConfig

TEST_TIMEOUT_S = 10  # the longest a test waits for its source, whatever the feed's timeout
TEST_BUDGET_S = 8.0  # normalising stops here: a two-year backfill is shown in part
SHOWN_RECORDS = 10
SHOWN_REJECTED = 20
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True, kw_only=True)
class FormSpec:
    """The form of one feed type: the common fields, then its options'."""

    feed_type: str
    description: str
    common: tuple[FormField, ...]
    options: tuple[FormField, ...]

    @property
    def fields(self) -> tuple[FormField, ...]:
        return (*self.common, *self.options)

    def controls(self, variant: Mapping[str, str]) -> list[FormField]:
        return list(walk(self.fields, variant))

    def unions(self) -> dict[str, tuple[str, ...]]:
        return {f.path: tuple(f.variants) for f in _all(self.fields) if f.kind == "union"}

    def find(self, path: str) -> FormField | None:
        return next((f for f in _all(self.fields) if f.path == path), None)


def _all(fields: tuple[FormField, ...]) -> Iterator[FormField]:
    for form_field in fields:
        yield form_field
        yield from _all(form_field.children)
        for variant in form_field.variants.values():
            yield from _all(variant)


def feed_type_names() -> tuple[str, ...]:
    return tuple(_form_specs())


def form_spec(feed_type: str) -> FormSpec | None:
    """The form of a registered feed type (None for anything else)."""
    return _form_specs().get(feed_type)


@functools.cache
def _form_specs() -> dict[str, FormSpec]:
    """Every type's form, built once (the schemas are the code's, not the user's)."""
    common = common_fields(FeedConfig.model_json_schema())
    return {
        described["type"]: FormSpec(
            feed_type=described["type"],
            description=described["description"],
            common=common,
            options=option_fields(described["options_schema"]),
        )
        for described in describe_types()
    }


@dataclass(frozen=True, kw_only=True)
class Checked:
    """The entry as entered (references kept), the validated feed, and messages by path."""

    config: dict[str, Any]
    feed: FeedConfig | None
    messages: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.feed is not None and not self.messages


def check(
    spec: FormSpec, values: Mapping[str, Any], lang: str, env: Mapping[str, str] | None = None
) -> Checked:
    """Read the form, refuse literal secrets, then validate as config.yaml's feeds are."""
    config, problems = collect(spec.feed_type, spec.fields, values)
    problems += literal_secrets(spec.options, config)
    messages: dict[str, list[str]] = {}
    for problem in problems:
        messages.setdefault(problem.path, []).append(_problem_text(problem, lang))
    variant = chosen_variants(spec.fields, values)
    paths = [f.path for f in spec.controls(variant)]
    paths += [f.path for f in _all(spec.fields) if f.container]
    checked = validate_feed(config) if env is None else _validate_in(config, env)
    if isinstance(checked, list):
        placed = place(checked, paths, spec.unions(), lang)
        for path, texts in placed.items():
            if path not in messages:  # a YAML area that did not parse is not also "required"
                messages[path] = texts
        return Checked(config=config, feed=None, messages=messages)
    return Checked(config=config, feed=checked, messages=messages)


def _validate_in(config: Mapping[str, Any], env: Mapping[str, str]) -> Any:
    from feeds.definitions import check_feed

    return check_feed(config, env)


def _problem_text(problem: Problem, lang: str) -> str:
    return t(problem.key, lang, **problem.params)


@dataclass(frozen=True, kw_only=True)
class Trial:
    """What a test found: the first records as stored, the rejected ones and why."""

    records: list[dict[str, Any]]
    rejected: list[dict[str, str]]
    warnings: list[dict[str, str]]
    error: dict[str, str] | None
    total_records: int
    total_rejected: int
    truncated: bool
    seconds: float


def trial(
    feed: FeedConfig,
    entered: Mapping[str, Any],
    areas: Mapping[str, AdminUnit],
    lang: str,
    env: Mapping[str, str] | None = None,
) -> Trial:
    """Dry-run the validated feed within TEST_TIMEOUT_S; nothing is written. The values of
    the environment variables it references are masked wherever they would show."""
    bounded = feed.model_copy(update={"timeout": min(feed.timeout, TEST_TIMEOUT_S)})
    started = time.perf_counter()
    result = dry_run(bounded, limit=SHOWN_RECORDS, areas=areas, budget_s=TEST_BUDGET_S)
    seconds = time.perf_counter() - started
    secrets = referenced_values(entered, os.environ if env is None else env)
    return Trial(
        records=[_shown(r, areas, lang, secrets) for r in result.records],
        rejected=[_masked(r, secrets) for r in result.rejected[:SHOWN_REJECTED]],
        warnings=[_masked(r, secrets) for r in result.warnings[:SHOWN_REJECTED]],
        error=None if result.error is None else _masked(result.error, secrets),
        total_records=result.total_records,
        total_rejected=result.total_rejected,
        truncated=result.truncated,
        seconds=seconds,
    )


def referenced_values(entered: Any, env: Mapping[str, str]) -> set[str]:
    """The values of every environment variable the entry references."""
    names: set[str] = set()
    _references(entered, names)
    return {env[n] for n in names if len(env.get(n, "")) >= MIN_SECRET}


def _references(value: Any, names: set[str]) -> None:
    if isinstance(value, str):
        names.update(_REFERENCE.findall(value))
    elif isinstance(value, Mapping):
        for item in value.values():
            _references(item, names)
    elif isinstance(value, list | tuple):
        for item in value:
            _references(item, names)


def _masked(row: Mapping[str, str], secrets: set[str]) -> dict[str, str]:
    return {k: redact(str(v), secrets) for k, v in row.items()}


def _shown(
    record: Mapping[str, Any], areas: Mapping[str, AdminUnit], lang: str, secrets: set[str]
) -> dict[str, Any]:
    """A stored record in the table's columns: metric, area, period, value, dimension (an
    asset or an event shows its name, time, status and source id in the same columns)."""
    kind = str(record.get("record", ""))
    area = record.get("area")
    unit = areas.get(area) if isinstance(area, str) else None
    area_name = (unit.name_en if lang == "en" else unit.name_vi) if unit else (area or "")
    if kind == "observation":
        what, value, dim = record["metric"], record["value"], record.get("dim", "")
        start = datetime.fromisoformat(record["period_start"])
        grain = label("form.period", str(record["period_kind"]), lang)
        period = f"{format_date_local(start, lang)} ({grain})"
    else:
        name = record.get("name") or record.get("title") or record.get("source_id", "")
        what = f"{record.get('domain', '')}.{record.get('kind', '')}: {name}"
        moment = record.get("occurred_at") or record.get("last_seen") or record.get("taken_at")
        period = format_datetime_local(datetime.fromisoformat(moment), lang) if moment else ""
        value, dim = record.get("status", ""), record.get("source_id", "")
    shown = {
        "record": kind,
        "metric": what,
        "area": area_name,
        "period": period,
        "value": value,
        "dim": dim,
    }
    return {k: redact(v, secrets) if isinstance(v, str) else v for k, v in shown.items()}
