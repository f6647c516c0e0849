"""Place names in English have one form: "Chau Thanh District", "Ward 5", never "Huyen …"."""

from __future__ import annotations

import re
import unicodedata

import pytest

from geo.hierarchy import ENGLISH_TYPES, english_name, load_admin_units

pytestmark = pytest.mark.unit
VIETNAMESE_TYPE_WORDS = re.compile(r"\b(Tinh|Thanh pho|Thi xa|Huyen|Phuong|Thi tran|Xa)\b")


@pytest.mark.parametrize(
    ("type_vi", "short_en", "name"),
    [
        ("Huyện", "Chau Thanh", "Chau Thanh District"),
        ("Phường", "5", "Ward 5"),
        ("Phường", "Khanh Hoa", "Khanh Hoa Ward"),
        ("Thị trấn", "Ke Sach", "Ke Sach Township"),
        ("Xã", "Phu Tam", "Phu Tam Commune"),
        ("Thành phố", "Soc Trang", "Soc Trang City"),
        ("Thị xã", "Vinh Chau", "Vinh Chau Town"),
        ("Tỉnh", "Soc Trang", "Soc Trang Province"),
    ],
)
def test_english_name(type_vi: str, short_en: str, name: str) -> None:
    assert english_name(type_vi, short_en) == name


def test_every_shipped_unit_has_an_english_name_in_the_one_form() -> None:
    units = load_admin_units()
    assert {u.type_vi for u in units} <= set(ENGLISH_TYPES)
    for unit in units:
        assert unit.name_en == english_name(unit.type_vi, unit.short_name_en), unit.code
        assert unicodedata.normalize("NFD", unit.name_en).isascii(), unit.name_en
        assert not VIETNAMESE_TYPE_WORDS.search(unit.name_en), unit.name_en
    # English names tell siblings apart wherever the Vietnamese ones do (Phường 1 recurs by town)
    assert len({(u.parent_code, u.name_en) for u in units}) == len(
        {(u.parent_code, u.name_vi) for u in units}
    )
