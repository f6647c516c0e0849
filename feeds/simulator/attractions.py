"""Tourist attractions and the Oóc Om Bóc festival, placed in their real communes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from feeds.simulator import almanac
from feeds.simulator.sites import Site, make_asset
from feeds.simulator.world import World
from store.records import Asset

# (source id, name, commune code, type)
ATTRACTIONS = (
    ("chua-doi", "Chùa Dơi (Mahatup)", "31519", "pagoda"),
    ("chua-chen-kieu", "Chùa Chén Kiểu (Salon)", "31690", "pagoda"),
    ("chua-khleang", "Chùa Kh'Leang", "31507", "pagoda"),
    ("chua-dat-set", "Chùa Đất Sét (Bửu Sơn Tự)", "31498", "pagoda"),
    ("chua-som-rong", "Chùa Som Rong", "31498", "pagoda"),
    ("bao-tang-khmer", "Bảo tàng Văn hóa Khmer Sóc Trăng", "31507", "museum"),
    ("ho-nuoc-ngot", "Khu du lịch Hồ Nước Ngọt", "31507", "park"),
    ("ho-be", "Khu du lịch sinh thái Hồ Bể", "31804", "eco"),
    ("con-my-phuoc", "Cồn Mỹ Phước", "31552", "eco"),
    ("rung-ban-cu-lao-dung", "Khu du lịch sinh thái rừng bần Cù Lao Dung", "31636", "eco"),
    ("song-phung", "Khu du lịch sinh thái Song Phụng", "31642", "eco"),
    ("vuon-co-tan-long", "Vườn cò Tân Long", "31741", "eco"),
    ("cho-noi-nga-nam", "Chợ nổi Ngã Năm", "31732", "market"),
)
FESTIVAL = ("le-hoi-ooc-om-boc", "Lễ hội Oóc Om Bóc – đua ghe Ngo", "31510")  # sông Maspero
FESTIVAL_DAYS = (-2, 1)  # around the full moon of the tenth lunar month


def tourism_assets(world: World) -> Iterator[Asset]:
    geo = world.geo
    for source_id, name, code, kind in ATTRACTIONS:
        if code in geo.commune_index:
            commune = geo.communes[geo.commune_index[code]]
            identity = ("tourism", "attraction", source_id)
            yield make_asset(world, identity, name, Site(commune, commune), "ok", {"type": kind})
    source_id, name, code = FESTIVAL
    if code in geo.commune_index:
        commune = geo.communes[geo.commune_index[code]]
        identity = ("tourism", "festival", source_id)
        yield make_asset(
            world, identity, name, Site(commune, commune), "ok", _festival_dates(world)
        )


def _festival_dates(world: World) -> dict[str, str]:
    """This year's festival, or next year's once this year's is over."""
    for year in (world.today.year, world.today.year + 1):
        full_moon = almanac.ooc_om_boc(year)
        starts = full_moon + timedelta(days=FESTIVAL_DAYS[0])
        ends = full_moon + timedelta(days=FESTIVAL_DAYS[1])
        if ends >= world.today:
            break
    return {"starts": starts.isoformat(), "ends": ends.isoformat()}
