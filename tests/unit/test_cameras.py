"""Demo cameras look real: unique names, and offline since the moment they actually went down."""

from __future__ import annotations

from datetime import timedelta

import pytest

from feeds.simulator.cameras import cameras, cameras_online, last_online
from feeds.simulator.geography import Geography
from feeds.simulator.world import World
from geo.hierarchy import load_admin_units
from tests.conftest import FIXED_NOW

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def world() -> World:
    return World(94, Geography.from_areas({u.code: u for u in load_admin_units()}), FIXED_NOW)


def test_camera_names_are_unique_and_written_properly(world: World) -> None:
    names = [c.name for c in cameras(world)]
    assert len(names) > 100
    assert len(set(names)) == len(names)
    assert not [n for n in names if "ubnd" in n]  # acronyms keep their capitals
    # Phường 1 exists in several towns: the town is named where the commune's name recurs
    ward_one = [n for n in names if "– Phường 1," in n]
    assert {n.rsplit(", ", 1)[1] for n in ward_one} >= {"thành phố Sóc Trăng", "thị xã Vĩnh Châu"}


def test_an_offline_camera_went_down_between_its_last_check_online_and_the_next(
    world: World,
) -> None:
    online_now = cameras_online(world, world.today).tolist()
    seen = last_online(world)
    offline = [i for i, up in enumerate(online_now) if not up]
    assert offline, "the demo has cameras offline today"
    moments = set()
    for index in offline:
        went_down = seen[index]
        if went_down is None:  # not online for months
            continue
        assert went_down < FIXED_NOW
        day = next(  # the last day the history shows it online
            world.today - timedelta(days=back)
            for back in range(1, 91)
            if cameras_online(world, world.today - timedelta(days=back))[index]
        )
        after_day = world.day(day + timedelta(days=1))
        assert world.day(day).end <= went_down <= after_day.cutoff
        assert not any(
            cameras_online(world, d)[index]
            for d in (day + timedelta(days=k) for k in range(1, (world.today - day).days + 1))
        )
        moments.add(went_down)
    assert len(moments) > len(offline) // 2  # moments of their own, not one shared midnight
    again = last_online(World(94, world.geo, FIXED_NOW))
    assert again == seen  # the same history gives the same moments on every run
    assert all(seen[i] == FIXED_NOW for i, up in enumerate(online_now) if up)
