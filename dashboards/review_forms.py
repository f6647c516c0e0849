"""The review queue's correction form as plain logic: what a rejected record's excerpt says
(to prefill the form) and the operator's entries read back (vi or en numbers, periods)."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from store.areas import AreaIndex
from store.catalog import DIMENSIONS, METRICS_BY_KEY, Metric, stored_metrics
from store.review_models import Correction, QueueRecord
from store.scope import LOCAL_TZ, local_midnight_utc


class FormProblem(ValueError):
    """An entry the form cannot use; `key` is the i18n key of the message, `params` its values."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True, slots=True, kw_only=True)
class Prefill:
    """What the form starts with; "" or None where the excerpt says nothing usable."""

    metric: str | None
    area: str | None
    period: str  # as the operator would type it: 20/11/2026, 11/2026 or 2026
    value: str
    dim: str = ""


STORED_KEYS = frozenset(m.key for m in stored_metrics())
_OBSERVATION_FIELDS = {
    "metric": re.compile(r"metric='([^']+)'"),
    "area": re.compile(r"area='([^']+)'"),
    "value": re.compile(r"value=([-+\w.]+)"),
    "period_kind": re.compile(r"period_kind='(\w+)'"),
    "dim": re.compile(r"dim='([^']*)'"),
}
_PERIOD_START = re.compile(r"period_start=datetime\.datetime\((\d+), (\d+), (\d+)(?:, (\d+))?")
_FIELD_IN_REASON = re.compile(r"\(field '([^']+)'\)")
_WORD = re.compile(r"[\w.]+")
_JSON_PAIR = re.compile(r'"([^"]+)"\s*:\s*("(?:[^"\\]|\\.)*"|[-+\d.,eE]+)')
_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{1,2})[/.-](\d{4})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"(\d{4})")
_VI_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
_EN_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


# -- reading what the operator typed ----------------------------------------------------------
def parse_value(text: Any, lang: str) -> float:
    """A number as the operator writes it: in Vietnamese 1.234,5 (dots group, comma is the
    decimal mark; a single dot not followed by three digits is read as a decimal point, as
    in 12.5); in English 1,234.5. Plain digits in both."""
    raw = _SPACES.sub("", str(text or "")).strip()
    if not raw:
        raise FormProblem("review.problem.value_missing")
    if lang == "en":
        if _EN_NUMBER.fullmatch(raw) is None:
            raise FormProblem("review.problem.value_bad", value=raw)
        number = float(raw.replace(",", ""))
    elif _VI_NUMBER.fullmatch(raw) is not None:
        number = float(raw.replace(".", "").replace(",", "."))
    elif re.fullmatch(r"[-+]?\d+\.\d+", raw):
        number = float(raw)
    else:
        raise FormProblem("review.problem.value_bad", value=raw)
    if not math.isfinite(number):
        raise FormProblem("review.problem.value_bad", value=raw)
    return number


def parse_period(text: Any, kind: str) -> datetime:
    """The UTC start (local midnight) of the `kind` period the text names: a day as
    20/11/2026 or 2026-11-20, a month as 11/2026 or 2026-11, a year as 2026 (a longer date
    names the month or year holding it)."""
    raw = str(text or "").strip()
    day = _read_day(raw)
    if kind == "day":
        if day is None:
            raise FormProblem("review.problem.period_day", period=raw)
        return local_midnight_utc(day)
    if kind == "month":
        month = _read_month(raw) or (day.replace(day=1) if day else None)
        if month is None:
            raise FormProblem("review.problem.period_month", period=raw)
        return local_midnight_utc(month)
    found = _YEAR.fullmatch(raw) or _YEAR.search(raw)
    if found is None or not 1900 <= int(found.group(1)) <= 2199:
        raise FormProblem("review.problem.period_year", period=raw)
    return local_midnight_utc(date(int(found.group(1)), 1, 1))


def correction_from(
    areas: AreaIndex,
    metric: Any,
    area: Any,
    period: Any,
    value: Any,
    dim: Any,
    lang: str,
) -> Correction:
    """The form's entries as a correction; FormProblem names the first entry it cannot use."""
    chosen = METRICS_BY_KEY.get(str(metric or ""))
    if chosen is None or chosen.key not in STORED_KEYS:
        raise FormProblem("review.problem.metric")
    if not isinstance(area, str) or area not in areas:
        raise FormProblem("review.problem.area")
    member = str(dim or "").strip()
    if chosen.dimension is None and member:
        raise FormProblem("review.problem.dim_none")
    if len(member) > 40:
        raise FormProblem("review.problem.dim_long")
    return Correction(
        metric=chosen.key,
        area=area,
        period_start=parse_period(period, chosen.period_kind),
        period_kind=chosen.period_kind,
        value=parse_value(value, lang),
        dim=member,
    )


def period_text(start: datetime, kind: str) -> str:
    """A period start as the form shows it (local dates)."""
    local = start.astimezone(LOCAL_TZ).date()
    if kind == "year":
        return f"{local.year}"
    if kind == "month":
        return f"{local.month:02d}/{local.year}"
    return f"{local.day:02d}/{local.month:02d}/{local.year}"


def dimension_members(metric: Metric | None, stored: list[str]) -> list[str]:
    """The members a dimension of the metric may take: declared ones, then stored ones."""
    if metric is None or metric.dimension is None:
        return []
    declared = list(DIMENSIONS.get(metric.dimension, ()))
    return declared + [m for m in stored if m not in declared]


# -- reading what the excerpt says ------------------------------------------------------------
def prefill(record: QueueRecord, areas: AreaIndex, lang: str) -> Prefill:
    """The correction the excerpt suggests: an Observation's own fields when the runner
    refused one, else what a source record's fields and the reason name."""
    excerpt = record.raw_excerpt
    if excerpt.startswith("Observation("):
        return _from_observation(excerpt, record, areas, lang)
    fields = _fields(excerpt)
    metric = _metric_in(record.reason) or next(
        (str(v) for v in fields.values() if str(v) in STORED_KEYS), None
    )
    area = _area_in(fields, areas)
    kind = METRICS_BY_KEY[metric].period_kind if metric else "day"
    moment = _period_in(fields) or local_midnight_utc(record.seen_at.astimezone(LOCAL_TZ).date())
    named = _FIELD_IN_REASON.search(record.reason)
    value = ""
    if named and named.group(1) in fields:
        value = str(fields[named.group(1)])
    else:
        value = next((str(v) for v in fields.values() if _numeric(v) and str(v) != area), "")
    dim = _dim_in(fields, METRICS_BY_KEY.get(metric or ""))
    return Prefill(metric=metric, area=area, period=period_text(moment, kind), value=value, dim=dim)


def _from_observation(excerpt: str, record: QueueRecord, areas: AreaIndex, lang: str) -> Prefill:
    found = {k: p.search(excerpt) for k, p in _OBSERVATION_FIELDS.items()}
    metric = found["metric"].group(1) if found["metric"] else None
    metric = metric if metric in STORED_KEYS else None
    area = found["area"].group(1) if found["area"] else None
    start = _PERIOD_START.search(excerpt)
    kind = METRICS_BY_KEY[metric].period_kind if metric else "day"
    if start:
        moment = datetime(
            int(start.group(1)),
            int(start.group(2)),
            int(start.group(3)),
            int(start.group(4) or 0),
            tzinfo=UTC,
        )
    else:
        moment = local_midnight_utc(record.seen_at.astimezone(LOCAL_TZ).date())
    value = found["value"].group(1) if found["value"] else ""
    return Prefill(
        metric=metric,
        area=area if area in areas else None,
        period=period_text(moment, kind),
        value=_shown_number(value, lang),
        dim=found["dim"].group(1) if found["dim"] else "",
    )


def _fields(excerpt: str) -> dict[str, Any]:
    """A JSON object's scalar fields, flattened one level; a cut excerpt is read pair by pair."""
    try:
        parsed = json.loads(excerpt)
    except ValueError:
        return {k: _unquoted(v) for k, v in _JSON_PAIR.findall(excerpt)}
    if not isinstance(parsed, Mapping):
        return {}
    flat: dict[str, Any] = {}
    for key, value in parsed.items():
        if isinstance(value, Mapping):
            flat.update({f"{key}.{k}": v for k, v in value.items() if _scalar(v)})
        elif _scalar(value):
            flat[str(key)] = value
    return flat


def _unquoted(text: str) -> Any:
    if text.startswith('"'):
        try:
            return json.loads(text)
        except ValueError:
            return text.strip('"')
    return text


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _numeric(value: Any) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    text = str(value).strip()
    return bool(text) and (_VI_NUMBER.fullmatch(text) or _EN_NUMBER.fullmatch(text)) is not None


def _metric_in(reason: str) -> str | None:
    return next((w for w in _WORD.findall(reason) if w in STORED_KEYS), None)


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).casefold().split())


def _area_in(fields: Mapping[str, Any], areas: AreaIndex) -> str | None:
    names: dict[str, str] = {}
    for code, unit in areas.by_code.items():
        for name in (unit.name_vi, unit.short_name_vi, unit.name_en, unit.short_name_en):
            # a short name may be a bare number ("5" for Phường 5): never read a value as one
            if name and len(name) >= 3 and any(c.isalpha() for c in name):
                names.setdefault(_fold(name), code)
    for value in fields.values():
        text = str(value).strip()
        if text in areas:
            return text
    for value in fields.values():
        code = names.get(_fold(str(value)))
        if code is not None:
            return code
    return None


def _period_in(fields: Mapping[str, Any]) -> datetime | None:
    for value in fields.values():
        if not isinstance(value, str):
            continue
        day = _read_day(value.strip()[:10]) or _read_day(value.strip())
        if day is not None:
            return local_midnight_utc(day)
    return None


def _read_day(raw: str) -> date | None:
    for pattern, order in ((_DAY, (3, 2, 1)), (_ISO_DAY, (1, 2, 3))):
        found = pattern.fullmatch(raw)
        if found:
            try:
                return date(*(int(found.group(i)) for i in order))
            except ValueError:
                return None
    return None


def _read_month(raw: str) -> date | None:
    for pattern, order in ((_MONTH, (2, 1)), (_ISO_MONTH, (1, 2))):
        found = pattern.fullmatch(raw)
        if found:
            year, month = (int(found.group(i)) for i in order)
            if 1 <= month <= 12:
                return date(year, month, 1)
    return None


def _dim_in(fields: Mapping[str, Any], metric: Metric | None) -> str:
    if metric is None or metric.dimension is None:
        return ""
    members = set(DIMENSIONS.get(metric.dimension, ()))
    return next((str(v) for v in fields.values() if str(v) in members), "")


def _shown_number(text: str, lang: str) -> str:
    """A Python float's text as the form reads it back: 12.5 → 12,5 in Vietnamese; -3.0 → -3."""
    try:
        number = float(text)
    except ValueError:
        return ""
    if not math.isfinite(number):
        return ""
    if number.is_integer():
        return str(int(number))
    return repr(number) if lang == "en" else repr(number).replace(".", ",")
