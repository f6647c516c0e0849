"""The per-request visitor: nobody signed in sees nothing."""

from __future__ import annotations

import pytest
from flask import Flask

from access.current import (
    Visitor,
    VisitorKind,
    current_permitted_area,
    current_visitor,
    set_visitor,
)
from access.roles import NoArea, OneArea, WholeProvince

pytestmark = pytest.mark.unit
DISTRICTS = frozenset({"941", "942"})


def test_outside_a_request_nobody_is_signed_in() -> None:
    assert current_visitor() is None


@pytest.mark.parametrize(
    ("visitor", "expected"),
    [
        (None, NoArea("not signed in")),
        (Visitor(VisitorKind.USER, "lan", "leader", None), WholeProvince()),
        (Visitor(VisitorKind.USER, "an", "district", "941"), OneArea("941")),
        (
            Visitor(VisitorKind.DISPLAY, "display:3", "district", "999"),
            NoArea("'999' is not a district"),
        ),
        (Visitor(VisitorKind.USER, "x", "district", "941", enabled=False), NoArea("disabled")),
        (Visitor(VisitorKind.USER, "x", "root", None), NoArea("unknown role 'root'")),
    ],
)
def test_permitted_area_follows_the_visitor(visitor: Visitor | None, expected: object) -> None:
    with Flask(__name__).test_request_context("/"):
        set_visitor(visitor)
        assert current_visitor() == visitor
        assert current_permitted_area(DISTRICTS) == expected


def test_a_new_request_starts_with_nobody() -> None:
    app = Flask(__name__)
    with app.test_request_context("/"):
        set_visitor(Visitor(VisitorKind.USER, "lan", "leader", None))
    with app.test_request_context("/"):
        assert current_visitor() is None
