"""Who is making this request: the one place pages, callbacks and routes ask.

The sign-in layer (a user session or a wall display session) calls `set_visitor` once per
request, before any page or callback runs; everything else reads `current_visitor()` or
`current_permitted_area()`. Nothing set means nobody signed in, and that sees nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from flask import g, has_request_context

from access.roles import NoArea, PermittedArea, permitted_area

_KEY = "ioc_visitor"


class VisitorKind(StrEnum):
    USER = "user"  # a person signed in with a password or through SSO
    DISPLAY = "display"  # a wall screen signed in with a display token


@dataclass(frozen=True, slots=True)
class Visitor:
    """The principal of one request; satisfies `access.roles.Principal`."""

    kind: VisitorKind
    name: str  # user name, or "display:<token id>"
    role: str
    area_code: str | None
    user_id: int | None = None
    token_id: int | None = None
    playlist: str | None = None  # a display session may show only this playlist
    enabled: bool = True


def set_visitor(visitor: Visitor | None) -> None:
    """Record who makes the current request (the sign-in layer's job, once per request)."""
    setattr(g, _KEY, visitor)


def current_visitor() -> Visitor | None:
    """The current request's visitor; None outside a request or when nobody is signed in."""
    if not has_request_context():
        return None
    visitor = getattr(g, _KEY, None)
    return visitor if isinstance(visitor, Visitor) else None


def current_permitted_area(district_codes: Collection[str]) -> PermittedArea:
    """What the current visitor may see; NoArea when nobody (or nothing valid) is signed in."""
    visitor = current_visitor()
    if visitor is None:
        return NoArea("not signed in")
    return permitted_area(visitor, district_codes)
