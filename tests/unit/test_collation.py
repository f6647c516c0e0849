"""Names sort the way people read them: numbers as numbers, marks after letters, Đ after D."""

from __future__ import annotations

import pytest

from geo.hierarchy import load_admin_units
from i18n.collation import natural_key
from store.areas import AreaIndex
from ui.page import area_options

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("shuffled", "ordered"),
    [
        (["Phường 10", "Phường 2", "Phường 1"], ["Phường 1", "Phường 2", "Phường 10"]),
        (["Phường 2A", "Phường 10", "Phường 2"], ["Phường 2", "Phường 2A", "Phường 10"]),
        (["Xã Đại Hải", "Xã Dương Minh", "Xã An Mỹ"], ["Xã An Mỹ", "Xã Dương Minh", "Xã Đại Hải"]),
        (["Ward 10", "ward 9"], ["ward 9", "Ward 10"]),
        (
            ["Camera cầu (10)", "Camera cầu (02)", "Camera chợ (01)"],
            ["Camera cầu (02)", "Camera cầu (10)", "Camera chợ (01)"],
        ),
        (["Xã Thạnh Phú", "Xã Thanh Phú"], ["Xã Thanh Phú", "Xã Thạnh Phú"]),  # marks break ties
    ],
)
def test_natural_key(shuffled: list[str], ordered: list[str]) -> None:
    assert sorted(shuffled, key=natural_key) == ordered


def test_children_and_the_area_picker_are_in_natural_order() -> None:
    areas = AreaIndex.build(load_admin_units())
    city = "941"  # Thành phố Sóc Trăng: Phường 1 … Phường 10
    wards = [areas.name(c, "vi") for c in areas.children(city)]
    assert wards == sorted(wards, key=natural_key)
    assert wards.index("Phường 2") < wards.index("Phường 10")
    labels = [o["label"].strip("\u2003· ") for o in area_options(areas, "en", areas.root)]
    assert labels.index("Ward 2") < labels.index("Ward 10")
    for district in areas.children(areas.root):
        names = [areas.name(c, "en") for c in areas.sorted_children(district, "en")]
        assert names == sorted(names, key=natural_key)
