"""The station-file parser: names by tokens, line layouts, the status, unit and time policies."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from feeds.station_files.aggregate import hourly
from feeds.station_files.files import StationFile, read_station_file
from feeds.station_files.lines import INCOMPLETE, NOTE_HEADER, NOTE_LEGACY, split_lines
from feeds.station_files.names import NameError_, parse_name, registry_key, station_of
from feeds.station_files.options import StationFilesOptions, StationSpec
from feeds.station_files.parameters import PARAMETERS, parameter_for
from feeds.station_files.publish import area_chain, observations
from feeds.station_files.readings import (
    NOTE_DECIMAL_COMMA,
    NOTE_TIME_FROM_NAME,
    FileClock,
    Reading,
    check_lines,
)
from geo.hierarchy import load_admin_units
from store.scope import LOCAL_TZ

pytestmark = pytest.mark.unit

NAMED = datetime(2026, 11, 20, 10, 0, tzinfo=LOCAL_TZ)
LANDED = NAMED.astimezone(UTC) + timedelta(minutes=1)
CLOCK = FileClock(named=NAMED, latest=LANDED + timedelta(minutes=5))
AIR = StationSpec(code="KK_STG01", name="Trạm KK", area="31510", province="STG")
WATER = StationSpec(code="CoCo", name="Trạm Cổ Cò", area="31498", kind="salinity_station")
REGISTRY = {registry_key(s.code): s for s in (AIR, WATER)}

token = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12)
local_times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59)
).map(lambda d: d.replace(microsecond=0, tzinfo=LOCAL_TZ))


def lines_of(text: str):
    return check_lines(split_lines(text), CLOCK)


def read(name: str, data: bytes) -> StationFile | str:
    return read_station_file(name, data, REGISTRY, landed=LANDED, tolerance=timedelta(minutes=5))


# --- names ---------------------------------------------------------------------------------


@given(st.lists(token, min_size=1, max_size=6), local_times, st.sampled_from(["_", "-"]))
def test_any_tokens_and_time_round_trip(tokens: list[str], moment: datetime, sep: str) -> None:
    name = sep.join([*tokens, moment.strftime("%Y%m%d%H%M%S")]) + ".txt"
    parsed = parse_name(name)
    assert parsed.tokens == tuple(tokens)
    assert parsed.time == moment


@given(st.lists(token, max_size=4), local_times)
def test_a_code_with_the_separator_is_found_after_any_prefix(
    prefix: list[str], moment: datetime
) -> None:
    name = "_".join([*prefix, "CoCo", moment.strftime("%Y%m%d%H%M%S")])
    station, why = station_of(parse_name(name), REGISTRY)
    assert station == WATER, why


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("STG_KK_STG01.txt", "not a yyyyMMddHHmmss"),
        ("STG_KK_STG01_2026112010.txt", "not a yyyyMMddHHmmss"),
        ("STG_KK_STG01_20261320100000.txt", "not a valid date"),
        ("20261120100000.txt", "no '_yyyyMMddHHmmss'"),
    ],
)
def test_bad_names_say_why(name: str, reason: str) -> None:
    with pytest.raises(NameError_, match=reason):
        parse_name(name)


def test_registry_checks_the_province_token_and_unknown_stations() -> None:
    _, why = station_of(parse_name("HCM_STNMT_KK_STG01_20261120100000.txt"), REGISTRY)
    assert "province 'HCM'" in why
    station, why = station_of(parse_name("STG_STNMT_XYZ_20261120100000.txt"), REGISTRY)
    assert station is None and "unknown station" in why
    found, _ = station_of(parse_name("stg_stnmt_kk-stg01_20261120100000.txt"), REGISTRY)
    assert found == AIR  # case and separator do not matter


# --- lines (property-based) --------------------------------------------------------------


@st.composite
def valid_line(draw: st.DrawFn) -> tuple[str, float, str]:
    parameter = draw(st.sampled_from([p for p in PARAMETERS if p.unit != ""]))
    value = draw(
        st.floats(min_value=max(parameter.low, 0), max_value=parameter.high).map(
            lambda v: round(v, 2)
        )
    )
    comma = draw(st.booleans())
    text = f"{value:.2f}".replace(".", ",") if comma else f"{value:.2f}"
    when = draw(
        st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 11, 20, 9, 0))
    ).replace(microsecond=0)
    unit = next(iter(parameter.units))
    fields = [parameter.label, text, unit, when.strftime("%Y%m%d%H%M%S"), "00"]
    return "\t".join(fields), round(value, 2), parameter.key


@settings(max_examples=150, deadline=None)
@given(st.lists(valid_line(), min_size=1, max_size=20, unique_by=lambda x: (x[2], x[0])))
def test_every_valid_line_becomes_its_reading(lines: list[tuple[str, float, str]]) -> None:
    keys = [(key, text.split("\t")[3]) for text, _, key in lines]
    if len(set(keys)) != len(keys):
        return  # two readings of one parameter at one time: covered below
    checked = lines_of("\r\n".join(text for text, _, _ in lines) + "\r\n")
    assert checked.problems == []
    assert len(checked.readings) == len(lines)
    for reading, (_, value, key) in zip(checked.readings, lines, strict=True):
        assert reading.parameter == key
        assert reading.value == pytest.approx(value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_any_text_is_accounted_for_line_by_line_and_never_raises(text: str) -> None:
    lines = split_lines(text)
    checked = check_lines(lines, CLOCK)
    data_lines = [raw for raw in text.splitlines() if raw.strip()]
    header = 1 if NOTE_HEADER in lines.notes else 0
    assert len(checked.readings) + len(checked.problems) + header == len(data_lines)


@given(st.text(alphabet="0123456789ABX", min_size=0, max_size=3).filter(lambda s: s != "00"))
def test_no_status_but_00_is_ever_stored(status: str) -> None:
    if status.isdigit() and len(status) == 1 and status == "0":
        return  # "0" is read as "00"
    checked = lines_of(f"PM2.5\t12\tug/m3\t20261120090000\t{status}\n")
    assert checked.readings == []
    assert len(checked.problems) == 1


# --- policies ------------------------------------------------------------------------------


def test_status_codes_are_counted_and_rejected_with_their_reason() -> None:
    checked = lines_of(
        "PM2.5\t12\tug/m3\t20261120090000\t00\n"
        "PM10\t30\tug/m3\t20261120090000\t01\n"
        "NO2\t\tppb\t20261120090000\t02\n"
        "SO2\t4\tppb\t20261120090000\t07\n"
    )
    assert [r.parameter for r in checked.readings] == ["pm25"]
    assert dict(checked.codes) == {"00": 1, "01": 1, "02": 1, "07": 1}
    reasons = [reason for _, reason, _ in checked.problems]
    assert "calibrating" in reasons[0] and "device error" in reasons[1]
    assert "'07' is not a valid measurement" in reasons[2]


def test_aliases_units_and_conversions_reach_canonical_values() -> None:
    assert parameter_for("PM2,5") is parameter_for("pm 2.5") is parameter_for("PM2_5")
    checked = lines_of(
        "PM2,5\t12,5\tμg/m3\t20261120090000\t00\n"
        "NO2\t100\tppb\t20261120090000\t00\n"
        "CO\t1,2\tmg/Nm3\t20261120090000\t00\n"
        "DO\t6.1\tmg/l\t20261120090000\t00\n"
        "Level\t1.35\tm\t20261120090000\t00\n"
    )
    values = {r.parameter: r.value for r in checked.readings}
    assert values["pm25"] == 12.5
    assert values["no2"] == pytest.approx(100 * 46.0055 / 24.45)
    assert values["co"] == pytest.approx(1200)
    assert values["do"] == 6.1
    assert values["water_level"] == pytest.approx(135)
    assert NOTE_DECIMAL_COMMA in checked.notes


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("PM2.5\t-3\tug/m3\t20261120090000\t00", "outside the plausible range"),
        ("pH\t15\t\t20261120090000\t00", "outside the plausible range"),
        ("Salinity\t1.2\tµS/cm\t20261120090000\t00", "is not a unit of Salinity"),
        ("NO2\t20\t\t20261120090000\t00", "no unit for NO2"),
        ("PM2.5\t12\tkg\t20261120090000\t00", "unknown unit 'kg'"),
        ("Benzen\t1\tug/m3\t20261120090000\t00", "unknown parameter 'Benzen'"),
        ("PM2.5\t1.234,5\tug/m3\t20261120090000\t00", "is not a number"),
        ("PM2.5\tNaN\tug/m3\t20261120090000\t00", "is not a number"),
        ("PM2.5\t\tug/m3\t20261120090000\t00", "no value"),
        ("PM2.5\t12\tug/m3\t20261120250000\t00", "not a valid yyyyMMddHHmmss"),
        ("PM2.5\t12\tug/m3\t20261121090000\t00", "clock is wrong"),
        ("\t12\tug/m3\t20261120090000\t00", "no parameter name"),
        ("PM2.5\t12\tug/m3\t20261120090000\t00\textra", "6 tab-separated fields"),
    ],
)
def test_each_bad_line_is_rejected_with_its_reason(line: str, reason: str) -> None:
    checked = lines_of(line + "\n")
    assert checked.readings == []
    assert reason in checked.problems[0][1]


def test_future_lines_are_counted_apart() -> None:
    checked = lines_of("PM2.5\t12\tug/m3\t20261121090000\t00\n")
    assert checked.future == 1


def test_legacy_layouts_and_empty_fields_are_read_with_notes() -> None:
    checked = lines_of(
        "Parameter\tValue\tUnit\tTime\tStatus\n"
        "PM2.5\t12\tug/m3\t20261120090000\n"
        "Temp 29.5 oC 20261120090000 00\n"
        "RH;80;%;20261120090000;00\n"
        "pH\t7.2\t\t\t00\n"
        "\n"
    )
    assert [r.parameter for r in checked.readings] == ["pm25", "temperature", "humidity", "ph"]
    assert checked.readings[-1].time == NAMED.astimezone(UTC)
    for note in (NOTE_HEADER, NOTE_LEGACY, NOTE_TIME_FROM_NAME, "1 blank line(s) ignored"):
        assert note in checked.notes


def test_an_incomplete_last_line_is_rejected_the_rest_kept() -> None:
    checked = lines_of("PM2.5\t12\tug/m3\t20261120090000\t00\nPM10\t3")
    assert len(checked.readings) == 1
    assert checked.problems[0][1] == INCOMPLETE
    cut_time = lines_of("PM2.5\t12\tug/m3\t20261120090000\t00\nPM10\t30\tug/m3\t2026112009")
    assert cut_time.problems[0][1] == INCOMPLETE
    whole = lines_of("PM2.5\t12\tug/m3\t20261120090000\t00")  # no final newline, yet complete
    assert len(whole.readings) == 1 and whole.problems == []


def test_a_repeated_reading_is_rejected() -> None:
    checked = lines_of(
        "PM2.5\t12\tug/m3\t20261120090000\t00\nPM2,5\t13\tug/m3\t20261120090000\t00\n"
    )
    assert len(checked.readings) == 1
    assert "second reading" in checked.problems[0][1]


# --- whole files ---------------------------------------------------------------------------


def test_whole_file_refusals_name_their_reason() -> None:
    good = b"PM2.5\t12\tug/m3\t20261120090000\t00\n"
    assert "empty file" in str(read("STG_X_KK_STG01_20261120100000.txt", b""))
    assert "empty file" in str(read("STG_X_KK_STG01_20261120100000.txt", b" \r\n"))
    assert "unknown station" in str(read("STG_X_NOPE_20261120100000.txt", good))
    assert "no line in a recognised layout" in str(
        read("STG_X_KK_STG01_20261120100000.txt", b"garbage\nmore garbage\n")
    )
    assert "cannot decode" in str(
        read("STG_X_KK_STG01_20261120100000.txt", "Độ mặn".encode() + b"\xff\xfe\x00" * 3)
    )


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: a base letter with at most one mark precomposed (ô, ă,
    ơ), tone marks as combining characters."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
        for i, mark in enumerate(marks):
            rest = "".join(marks[:i] + marks[i + 1 :])
            try:
                out += (unicodedata.normalize("NFC", base + mark) + rest).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
    return out


@pytest.mark.parametrize("codec", ["cp1258", "cp1252", "utf-16", "utf-8-sig"])
def test_legacy_encodings_are_read_and_noted(codec: str) -> None:
    salinity = "Độ mặn\t2,5\t‰\t20261120090000\t00\r\n"
    dust = "PM10\t40\tµg/m³\t20261120090000\t00\r\n"  # cp1252 has no Vietnamese letters
    if codec == "cp1258":
        data = cp1258(salinity)
    else:
        data = (dust if codec == "cp1252" else salinity).encode(codec)
    result = read("STG_X_CoCo_20261120100000.txt", data)
    assert isinstance(result, StationFile), result
    assert len(result.checked.readings) == 1
    legacy = [n for n in result.checked.notes if n.startswith("legacy encoding")]
    assert bool(legacy) == (codec in ("cp1258", "cp1252"))


# --- publishing ----------------------------------------------------------------------------


def test_areas_total_their_stations_by_peak_or_mean() -> None:
    areas = {u.code: u for u in load_admin_units()}
    assert area_chain("31510", areas) == ["31510", "941", "94"]
    stations = {"A": AIR, "B": WATER}  # two wards of the same city
    day = NAMED.date()
    values = {
        day: {
            "environment.pm25": {"A": 30.0, "B": 40.0},
            "environment.salinity_max": {"A": 1.0, "B": 3.0},
        }
    }
    rows = {(o.metric, o.area, o.dim): o.value for o in observations(values, stations, areas)}
    assert rows[("environment.pm25", "941", "")] == 35.0  # the mean of the city's stations
    assert rows[("environment.salinity_max", "941", "")] == 3.0  # their peak
    assert rows[("environment.pm25", "31510", "")] == 30.0
    assert rows[("environment.pm25", "94", "B")] == 40.0  # split by station at every level


def test_an_hourly_mean_needs_three_quarters_of_its_readings() -> None:
    start = NAMED.astimezone(UTC)

    def five_minute(count: int, parameter: str) -> list[Reading]:
        return [
            Reading(parameter=parameter, time=start + timedelta(minutes=5 * i), value=10.0 + i)
            for i in range(count)
        ]

    data = hourly([*five_minute(9, "pm25"), *five_minute(8, "pm10")], readings_per_hour=12)
    assert data.means["pm25"] == {start: sum(10.0 + i for i in range(9)) / 9}
    assert data.means["pm10"] == {}  # 8 of 12: no mean for the hour
    assert data.peaks["pm10"][NAMED.date()] == 17.0  # the day's peak still counts every reading


def test_options_refuse_an_unknown_encoding_and_a_station_twice() -> None:
    base = {"folder": "/srv/ftp", "stations": [AIR.model_dump()]}
    with pytest.raises(ValidationError, match="unknown encoding 'latin-9x'"):
        StationFilesOptions.model_validate({**base, "encoding": "latin-9x"})
    twice = [AIR.model_dump(), {**AIR.model_dump(), "code": "kk-stg01"}]
    with pytest.raises(ValidationError, match="registered twice"):
        StationFilesOptions.model_validate({**base, "stations": twice})
    assert StationFilesOptions.model_validate({**base, "encoding": "cp1258"}).encoding == "cp1258"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["KK_STG01", "CoCo", "NOPE"]))
def test_any_bytes_give_a_file_or_a_reason_never_an_exception(data: bytes, code: str) -> None:
    result = read(f"STG_X_{code}_20261120100000.txt", data)
    if isinstance(result, str):
        assert result  # a reason the operator can read in rejected/
    else:
        assert all(r.time <= CLOCK.latest for r in result.checked.readings)
