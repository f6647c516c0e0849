"""The review queue's pure logic: reason families, numbers and periods as operators type them,
and the correction a rejected record's excerpt suggests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboards.review_forms import FormProblem, parse_period, parse_value, prefill
from geo.hierarchy import DEFAULT_UNITS_FILE, load_admin_units
from store.areas import AreaIndex
from store.review_models import QueueRecord, ReasonGroup, reason_family

AREAS = AreaIndex.build(load_admin_units(DEFAULT_UNITS_FILE))
SEEN = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
NAMES = [u.name_vi for u in AREAS.by_code.values()]
# a commune whose name no other unit has, so that its name alone names it
COMMUNE = next(
    c for c, u in AREAS.by_code.items() if u.level == "commune" and NAMES.count(u.name_vi) == 1
)


def _record(reason: str, raw: str) -> QueueRecord:
    return QueueRecord(
        id=1,
        run_id=1,
        feed_id="f",
        seen_at=SEEN,
        kind="rejected",
        reason=reason,
        family=reason_family(reason),
        raw_excerpt=raw,
        status="open",
        reviewed_by=None,
        reviewed_at=None,
    )


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("row 12: value 'x' is not a number", "row 7: value '1,5kg' is not a number"),
        ("unknown area code '94101'", 'unknown area code "99999"'),
        (
            "timestamp 2026-11-20T10:00:00+00:00 is in the future",
            "timestamp 2027-01-01 is in the future",
        ),
        ("$.items[3]: record is not an object", "$.items[41]: record is not an object"),
        ("item42 refused", "item7 refused"),
    ],
)
def test_numbers_and_quoted_values_do_not_split_a_family(one: str, other: str) -> None:
    assert reason_family(one) == reason_family(other)


def test_different_reasons_stay_different_families() -> None:
    assert reason_family("unknown area code '1'") != reason_family("unknown metric 'x'")
    assert reason_family("health.cases: bad") != reason_family("health.deaths: bad")


def test_a_trend_compares_the_last_week_with_the_week_before() -> None:
    def group(daily: tuple[int, ...]) -> ReasonGroup:
        return ReasonGroup(
            feed_id="f",
            family="x",
            kind="rejected",
            total=sum(daily),
            open=0,
            accepted=0,
            discarded=0,
            last_seen=SEEN,
            daily=daily,
        )

    assert group((5,) * 7 + (1,) * 7).trend == "better"
    assert group((1,) * 7 + (5,) * 7).trend == "worse"
    assert group((3,) * 14).trend == "steady"
    assert group((0,) * 14).trend == "quiet"


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("1.234,5", "vi", 1234.5),
        ("1.234", "vi", 1234.0),
        ("12,5", "vi", 12.5),
        ("12.5", "vi", 12.5),
        ("-3", "vi", -3.0),
        ("1 234", "vi", 1234.0),
        ("1,234.5", "en", 1234.5),
        ("1234", "en", 1234.0),
    ],
)
def test_numbers_as_operators_write_them(text: str, lang: str, value: float) -> None:
    assert parse_value(text, lang) == value


@pytest.mark.parametrize(
    ("text", "lang"), [("", "vi"), ("abc", "vi"), ("1,2,3", "vi"), ("1.2.3", "en")]
)
def test_what_is_not_a_number_is_refused(text: str, lang: str) -> None:
    with pytest.raises(FormProblem):
        parse_value(text, lang)


def test_periods_start_at_local_midnight() -> None:
    day = datetime(2026, 11, 19, 17, 0, tzinfo=UTC)  # 20/11/2026 00:00 in Sóc Trăng
    assert parse_period("20/11/2026", "day") == day
    assert parse_period("2026-11-20", "day") == day
    assert parse_period("11/2026", "month") == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert parse_period("20/11/2026", "month") == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert parse_period("2026", "year") == datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    with pytest.raises(FormProblem):
        parse_period("31/02/2026", "day")
    with pytest.raises(FormProblem):
        parse_period("11/2026", "day")


def test_an_observation_the_runner_refused_prefills_its_own_fields() -> None:
    raw = (
        f"Observation(metric='health.outpatient_visits', area='{COMMUNE}', period_start="
        "datetime.datetime(2026, 11, 19, 17, 0, tzinfo=datetime.timezone.utc), value=-12.5,"
        " period_kind='day', dim='', source_time=None)"
    )
    form = prefill(_record("value -12.5 is negative", raw), AREAS, "vi")
    assert (form.metric, form.area, form.period, form.value) == (
        "health.outpatient_visits",
        COMMUNE,
        "20/11/2026",
        "-12,5",
    )


def test_a_source_record_prefills_from_its_fields_and_the_reason() -> None:
    name = AREAS.get(COMMUNE).name_vi
    raw = f'{{"xa": "{name.upper()}", "ngay": "18/11/2026", "so_luot": "1.2x4"}}'
    reason = "row 3: health.outpatient_visits (field 'so_luot'): value '1.2x4' is not a number"
    form = prefill(_record(reason, raw), AREAS, "vi")
    assert form.metric == "health.outpatient_visits"
    assert form.area == COMMUNE
    assert (form.period, form.value) == ("18/11/2026", "1.2x4")


def test_an_excerpt_cut_short_still_prefills_what_it_holds() -> None:
    raw = f'{{"ma_xa": "{COMMUNE}", "ngay": "2026-11-18", "so_luot": "12", "ghi_chu": "dài…'
    form = prefill(_record("row 1: unknown metric", raw), AREAS, "vi")
    assert form.metric is None and form.value == "12" and form.period == "18/11/2026"
    assert form.area == COMMUNE
