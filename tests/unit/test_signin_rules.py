"""The sign-in layer's pure rules: which requests are open, pages or API; where `next` may
lead; what a wall URL names; the audit page's filters."""

from __future__ import annotations

from datetime import date

import pytest

from access.web.display import wall_playlist
from access.web.guard import Kind, classify, safe_next
from dashboards import audit_log

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("path", "rule", "kind"),
    [
        ("/assets/50_app/app.css", "/assets/<path:filename>", Kind.OPEN),
        ("/_dash-component-suites/dash/x.js", "/_dash-component-suites/<a>/<b>", Kind.OPEN),
        ("/dang-nhap", "/dang-nhap", Kind.OPEN),
        ("/healthz", "/healthz", Kind.OPEN),
        ("/", "/", Kind.PAGE),
        ("/y-te", "/<path:path>", Kind.PAGE),
        ("/_dash-layout", "/_dash-layout", Kind.API),
        ("/_dash-update-component", "/_dash-update-component", Kind.API),
        ("/geo/district.geojson", "/geo/<level>.geojson", Kind.API),
        ("/camera/C1/stream", "/camera/<camera>/stream", Kind.API),
        ("/static/x", "/static/<path:filename>", Kind.API),
        ("/no-such-route", None, Kind.API),
        ("/assets", "/<path:path>", Kind.PAGE),  # not the assets folder itself
    ],
)
def test_every_request_is_open_a_page_or_api(path: str, rule: str | None, kind: Kind) -> None:
    assert classify(path, rule) is kind


def test_configured_sso_routes_are_open() -> None:
    assert classify("/oidc/cb", "/oidc/cb", frozenset({"/oidc/cb"})) is Kind.OPEN


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/y-te?area=941&window=7d", "/y-te?area=941&window=7d"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/a\\b", "/"),
        ("javascript:alert(1)", "/"),
        ("/y-te\r\nSet-Cookie: x=1", "/"),
        ("/dang-nhap?next=/x", "/"),  # never back to the sign-in page itself
        ("/" + "a" * 3000, "/"),
    ],
)
def test_next_stays_on_this_site(given: str | None, expected: str) -> None:
    assert safe_next(given) == expected


@pytest.mark.parametrize(
    ("path", "playlist"),
    [("/wall/default", "default"), ("/wall/videowall/2", "videowall"), ("/wall/", None),
     ("/y-te", None), ("/walls/x", None)],
)  # fmt: skip
def test_a_wall_url_names_its_playlist(path: str, playlist: str | None) -> None:
    assert wall_playlist(path) == playlist


def test_audit_filters_swap_reversed_days_and_trim_the_user() -> None:
    chosen = audit_log.filters("signout", "  lan ", "success", "2026-11-20", "2026-11-01")
    assert (chosen.since, chosen.until, chosen.actor) == (
        date(2026, 11, 1),
        date(2026, 11, 20),
        "lan",
    )
    query = chosen.query()
    assert query.since is not None and query.until is not None
    assert (query.until - query.since).days == 20  # both days included, in local time


@pytest.mark.parametrize(
    "bad",
    [
        ("x", None, None, None, None),
        (None, 5, None, None, None),
        (None, None, None, "hôm qua", None),
    ],
)
def test_audit_filters_refuse_what_the_page_cannot_send(bad: tuple) -> None:
    with pytest.raises(audit_log.AuditQueryError):
        audit_log.filters(*bad)
