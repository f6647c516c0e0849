"""The schools on the map: the province's 39 upper-secondary schools and each commune's own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import numpy as np

from feeds.simulator import almanac
from feeds.simulator.people import pupils
from feeds.simulator.sites import Site, make_asset
from feeds.simulator.streams import stable_uniforms
from feeds.simulator.world import World
from geo.hierarchy import AdminUnit
from store.records import Asset

# The 39 THPT schools (Đề án 03), by the commune they stand in. Demo names: plausible, not a
# register; the few well-known ones are where they really are.
UPPER_SECONDARY = (
    ("31516", "Trường THPT Chuyên Nguyễn Thị Minh Khai"),
    ("31510", "Trường THPT Hoàng Diệu"),
    ("31498", "Trường THPT Lê Lợi"),
    ("31504", "Trường THPT Thành phố Sóc Trăng"),
    ("31519", "Trường Phổ thông Dân tộc nội trú tỉnh Sóc Trăng"),
    ("31525", "Trường THPT Phan Bội Châu"),
    ("31576", "Trường THPT Thuận Hòa"),
    ("31600", "Trường THPT An Ninh"),
    ("31573", "Trường THPT Phú Tâm"),
    ("31528", "Trường THPT Kế Sách"),
    ("31540", "Trường THPT Phan Văn Hùng"),
    ("31531", "Trường THPT An Lạc Thôn"),
    ("31543", "Trường THPT Thiều Văn Chỏi"),
    ("31567", "Trường THPT Huỳnh Hữu Nghĩa"),
    ("31591", "Trường THPT Mỹ Hương"),
    ("31609", "Trường THPT Mỹ Thuận"),
    ("31615", "Trường THPT Đoàn Văn Tố"),
    ("31633", "Trường THPT An Thạnh 3"),
    ("31639", "Trường THPT Lương Định Của"),
    ("31645", "Trường THPT Đại Ngãi"),
    ("31642", "Trường THPT Song Phụng"),
    ("31684", "Trường THPT Mỹ Xuyên"),
    ("31690", "Trường THPT Văn Ngọc Chính"),
    ("31717", "Trường THPT Hòa Tú"),
    ("31723", "Trường THPT Ngọc Tố"),
    ("31732", "Trường THPT Mai Thanh Thế"),
    ("31735", "Trường THPT Ngã Năm"),
    ("31744", "Trường THPT Long Bình"),
    ("31756", "Trường THPT Trần Văn Bảy"),
    ("31757", "Trường THPT Hưng Lợi"),
    ("31762", "Trường THPT Thạnh Tân"),
    ("31783", "Trường THPT Vĩnh Châu"),
    ("31795", "Trường THPT Vĩnh Hải"),
    ("31810", "Trường THPT Lai Hòa"),
    ("31789", "Trường THPT Khánh Hòa"),
    ("31679", "Trường THPT Lịch Hội Thượng"),
    ("31673", "Trường THPT Trần Đề"),
    ("31672", "Trường THPT Đại Ân 2"),
    ("31696", "Trường THPT Viên An"),
)
# Shares of all pupils by level (the rest are in kindergartens, not mapped).
PUPIL_SHARE = {"THPT": 0.14, "THCS": 0.26, "Tiểu học": 0.40}


def school_assets(world: World) -> Iterator[Asset]:
    geo = world.geo
    year_pupils = pupils(world, almanac.school_year(world.today))
    yield from _upper_secondary(world, year_pupils)
    labels = _commune_labels(world)
    for index, commune in enumerate(geo.communes):
        for level, prefix in (("THCS", "THCS"), ("Tiểu học", "TH")):
            count = round(float(year_pupils[index]) * PUPIL_SHARE[level])
            name = f"Trường {level} {labels[index]}"
            identity = ("education", "school", f"{prefix}-{commune.code}")
            attributes = {"level": level, "pupils": count}
            yield make_asset(world, identity, name, Site(commune, commune), "ok", attributes)


def _upper_secondary(world: World, year_pupils: np.ndarray) -> Iterator[Asset]:
    """Each district's upper-secondary pupils shared among its THPT schools."""
    geo = world.geo
    found = [
        (n, geo.commune_index[code], name)
        for n, (code, name) in enumerate(UPPER_SECONDARY, start=1)
        if code in geo.commune_index
    ]
    district_of = [int(geo.commune_district[i]) for _, i, _ in found]
    weight = 0.7 + 0.6 * stable_uniforms(world.seed, "thpt-size", [name for _, _, name in found])
    pool = geo.sum_by_district(year_pupils) * PUPIL_SHARE["THPT"]
    district_weight = Counter[int]()
    for d, w in zip(district_of, weight.tolist(), strict=True):
        district_weight[d] += w
    for (n, index, name), d, w in zip(found, district_of, weight.tolist(), strict=True):
        commune = geo.communes[index]
        share = w / district_weight[d]
        count = round(float(pool[d]) * share) if d >= 0 else round(float(year_pupils[index]) * 0.3)
        identity = ("education", "school", f"THPT-{n:02d}")
        attributes = {"level": "THPT", "pupils": count}
        yield make_asset(world, identity, name, Site(commune, commune), "ok", attributes)


def _commune_labels(world: World) -> list[str]:
    """How a commune school is named: "Phường 5", "Thị trấn Kế Sách", "Hồ Đắc Kiện"; names
    found in more than one district get their district's name too."""
    labels = [_label(c) for c in world.geo.communes]
    repeated = {label for label, n in Counter(labels).items() if n > 1}
    return [
        f"{label}, {_district_name(world, c)}" if label in repeated else label
        for label, c in zip(labels, world.geo.communes, strict=True)
    ]


def _label(commune: AdminUnit) -> str:
    if commune.type_vi == "Xã" or (
        commune.type_vi == "Phường" and not commune.short_name_vi.isdigit()
    ):
        return commune.short_name_vi
    return commune.name_vi


def _district_name(world: World, commune: AdminUnit) -> str:
    index = world.geo.commune_index[commune.code]
    owner = world.geo.owner(index)
    return f"{owner.type_vi.lower()} {owner.short_name_vi}"
