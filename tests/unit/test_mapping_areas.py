"""Areas by code or by any name form reports use; ambiguity needs a parent or a level."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.mapping.areas import AreaError, AreaIndex, fold
from geo.hierarchy import AdminUnit, load_admin_units

UNITS = load_admin_units()
INDEX = AreaIndex(UNITS)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("94", "94"),
        ("941", "941"),
        (" 31498 ", "31498"),
        (941, "941"),
        (941.0, "941"),  # a code cell read from Excel as a number
        ("TP. Sóc Trăng", "941"),
        ("TP Sóc Trăng", "941"),
        ("Thành phố Sóc Trăng", "941"),
        ("H. Kế Sách", "943"),
        ("Huyện Mỹ Tú", "944"),
        ("TX. Vĩnh Châu", "950"),
        ("Thị xã Ngã Năm", "948"),
        ("P. 5", "31498"),
        ("Phường 5", "31498"),
        ("Phường 05", "31498"),
        ("TT. Kế Sách", "31528"),
        ("Thị trấn Châu Thành", "31569"),
        ("Xã An Thạnh Tây", "31621"),
        ("Huyen Ke Sach", "943"),
        ("huyện  châu\u00a0thành", "942"),
        ("HUYỆN\tTRẦN ĐỀ", "951"),
        ("Chau Thanh District", "942"),
        ("Soc Trang City", "941"),
        ("Vinh Chau Town", "950"),
        ("Ward 5", "31498"),
        ("Xã Thuận Hoà", "31576"),  # old tone placement
        ("Xã Thuận Hòa", "31576"),  # new tone placement
        ("Hòa Tú 2", "31729"),  # "Hòa Tú II" in the geography
        ("Toàn tỉnh", "94"),
        ("Tỉnh Sóc Trăng", "94"),
        (unicodedata.normalize("NFD", "Huyện Cù Lao Dung"), "945"),
    ],
)
def test_names_and_codes_in_report_forms(raw: object, code: str) -> None:
    assert INDEX.lookup(raw).code == code


@pytest.mark.parametrize(
    ("raw", "level", "code"),
    [
        ("Ke Sach", "district", "943"),
        ("My Tu", "district", "944"),
        ("Châu Thành", "commune", "31569"),
        ("Sóc Trăng", "province", "94"),
    ],
)
def test_a_level_settles_a_shared_name(raw: str, level: str, code: str) -> None:
    assert INDEX.lookup(raw, level=level).code == code


def test_a_parent_settles_same_named_wards() -> None:
    with pytest.raises(AreaError) as caught:
        INDEX.lookup("Phường 1")
    message = str(caught.value)
    assert "ambiguous area name 'Phường 1'" in message
    for code in ("31522", "31732", "31783"):
        assert code in message
    assert "Thị xã Ngã Năm" in message
    assert INDEX.lookup("Phường 1", parent=INDEX.lookup("TX. Ngã Năm")).code == "31732"
    assert INDEX.lookup("P. 1", parent=INDEX.by_code("950")).code == "31783"


def test_a_township_and_its_district_are_told_apart_only_by_kind_or_level() -> None:
    with pytest.raises(AreaError, match="31569"):
        INDEX.lookup("Châu Thành")
    assert INDEX.lookup("H. Châu Thành").code == "942"
    assert INDEX.lookup("TT Châu Thành").code == "31569"


@pytest.mark.parametrize("raw", ["Xã Không Tồn Tại", "Huyện Cái Nước", "99999", 12.5, True, ""])
def test_unknown_areas_are_errors_naming_them(raw: object) -> None:
    with pytest.raises(AreaError) as caught:
        INDEX.lookup(raw)
    assert str(raw) in str(caught.value) or repr(raw) in str(caught.value)


def test_a_code_outside_the_declared_parent_is_refused() -> None:
    with pytest.raises(AreaError, match="not a commune in Huyện Kế Sách"):
        INDEX.lookup("31498", parent=INDEX.by_code("943"), level="commune")


PREFIXES = {
    "Tỉnh": ["Tỉnh ", "T. "],
    "Thành phố": ["Thành phố ", "TP. ", "TP ", "Tp. "],
    "Huyện": ["Huyện ", "H. ", "H "],
    "Thị xã": ["Thị xã ", "TX. ", "TX "],
    "Phường": ["Phường ", "P. ", "P "],
    "Xã": ["Xã ", "X. "],
    "Thị trấn": ["Thị trấn ", "TT. ", "TT "],
}
SUFFIXES = {
    "Thành phố": " City",
    "Huyện": " District",
    "Thị xã": " Town",
    "Phường": " Ward",
    "Xã": " Commune",
    "Thị trấn": " Township",
    "Tỉnh": " Province",
}


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@st.composite
def written_forms(draw: st.DrawFn) -> tuple[AdminUnit, str]:
    """A unit and its name as some report might write it."""
    unit = draw(st.sampled_from(UNITS))
    short = draw(st.sampled_from([unit.short_name_vi, unit.short_name_en]))
    prefixes = PREFIXES[unit.type_vi]
    style = draw(st.sampled_from(["prefix", "suffix", "full"]))
    if style == "prefix":
        text = draw(st.sampled_from(prefixes)) + short
    elif style == "suffix":
        text = _strip_marks(short) + SUFFIXES[unit.type_vi]
    else:
        text = draw(st.sampled_from([unit.name_vi, unit.name_en]))
    if draw(st.booleans()):
        text = _strip_marks(text)
    text = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD", "NFKC", "NFKD"])), text)
    text = draw(st.sampled_from([str.upper, str.lower, str.title, str]))(text)
    space = draw(st.sampled_from([" ", "  ", "\u00a0", "\t", " \u00a0 "]))
    text = space.join(text.split(" "))
    return unit, draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " "]))


@settings(max_examples=400)
@given(form=written_forms())
def test_every_unit_in_every_written_form_maps_back_to_its_code(
    form: tuple[AdminUnit, str],
) -> None:
    unit, text = form
    parent = INDEX.units.get(unit.parent_code or "")
    assert INDEX.lookup(text, parent=parent, level=unit.level).code == unit.code


@given(unit=st.sampled_from(UNITS), as_number=st.booleans())
def test_every_code_maps_to_its_unit(unit: AdminUnit, as_number: bool) -> None:
    raw = float(unit.code) if as_number else f" {unit.code} "
    assert INDEX.lookup(raw).code == unit.code


@given(text=st.text(max_size=30))
def test_fold_is_idempotent_and_ascii_for_vietnamese(text: str) -> None:
    assert fold(fold(text)) == fold(text)


def test_a_name_decoded_from_windows_1258_maps() -> None:
    # Windows-1258 has ê precomposed but tone marks as combining characters: decoded text
    # is neither NFC nor NFD.
    raw = "Huy\u00ea\u0323n K\u00ea\u0301 Sa\u0301ch".encode("cp1258").decode("cp1258")
    assert raw != unicodedata.normalize("NFD", raw)
    assert raw != "Huyện Kế Sách"
    assert INDEX.lookup(raw).code == "943"
