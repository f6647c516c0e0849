"""A restricted page with a path template guards every path Dash routes to it."""

from __future__ import annotations

import pytest

from access.roles import Capability
from access.web.permissions import Restrictions

pytestmark = pytest.mark.unit


def test_template_rules_cover_the_paths_dash_routes_to_them() -> None:
    rules = Restrictions(
        pages={"/nguon-du-lieu": Capability.OPERATE_FEEDS},
        page_templates={"/nguon-du-lieu/lich-su/<feed_id>": Capability.OPERATE_FEEDS},
    )
    assert rules.page_rule("/nguon-du-lieu") is Capability.OPERATE_FEEDS
    for path in ("/nguon-du-lieu/lich-su/simulator", "/nguon-du-lieu/lich-su/a/b"):
        assert rules.page_rule(path) is Capability.OPERATE_FEEDS
    for path in ("/nguon-du-lieu/lich-su", "/y-te", "/nguon-du-lieu/lich-suX"):
        assert rules.page_rule(path) is None
