"""Display sessions: a wall screen trades its display token once for a session that lasts as
long as the token, may show only its playlist's wall, and ends within one wall refresh
interval of the token's revocation or expiry."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, redirect, request, session
from werkzeug.wrappers import Response as BaseResponse

from access.audit import Action, Outcome
from access.current import Visitor, VisitorKind
from access.roles import Role
from access.tokens import MAX_TOKEN_LENGTH, verify
from access.web.context import audit_denied, client_ip, json_body, request_lang
from access.web.pages import refusal_page
from access.web.sessions import auth_state
from i18n import t
from store.accounts import DisplayToken

WALL_PREFIX = "/wall/"
TOKEN_ARG = "token"
_TOKEN_ID = "display_token"
_PLAYLIST = "display_playlist"
_AREA = "display_area"
ROUTER_CALLBACK = ".._pages_content.children..._pages_store.data.."
TITLE_CALLBACK = "_pages_dummy.children"
DISPLAY_ROUTES = ("/_dash-layout", "/_dash-dependencies")
DISPLAY_PREFIXES = ("/geo/",)


def wall_playlist(path: str) -> str | None:
    """The playlist a wall URL names (/wall/P or /wall/P/screen), else None."""
    if not path.startswith(WALL_PREFIX):
        return None
    name = path.removeprefix(WALL_PREFIX).split("/", 1)[0]
    return name or None


def exchange_token() -> BaseResponse | None:
    """On /wall/<playlist>?token=…: a display session and the same URL without the token, or
    a refusal page; None when the request carries no token."""
    secret = request.args.get(TOKEN_ARG)
    playlist = wall_playlist(request.path)
    if secret is None or playlist is None:
        return None
    state = auth_state()
    token = verify(state.accounts, secret[: MAX_TOKEN_LENGTH + 1], state.audit.clock())
    if token is None or token.playlist != playlist:
        reason = "unknown, revoked or expired" if token is None else "another playlist"
        _audit_exchange(Outcome.DENIED, token, {"playlist": playlist, "reason": reason})
        return _refused(401)
    session.clear()
    session.permanent = True  # the cookie outlives a browser restart; the token bounds it
    session[_TOKEN_ID] = token.id
    session[_PLAYLIST] = token.playlist
    session[_AREA] = token.area_code
    _audit_exchange(Outcome.SUCCESS, token, {"playlist": playlist})
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != TOKEN_ARG]
    return redirect(request.path + (f"?{urlencode(rest)}" if rest else ""), code=303)


def display_visitor() -> Visitor | None:
    """The display session of this request if its token is still active (else it ends)."""
    token_id = session.get(_TOKEN_ID)
    if not isinstance(token_id, int):
        return None
    if not auth_state().tokens.active(token_id):
        session.clear()
        return None
    area = session.get(_AREA)
    return Visitor(
        kind=VisitorKind.DISPLAY,
        name=f"display:{token_id}",
        # A token bound to a district sees it as a district user does; one without an area
        # sees the province, read-only.
        role=Role.DISTRICT if area else Role.LEADER,
        area_code=area if isinstance(area, str) else None,
        token_id=token_id,
        playlist=str(session.get(_PLAYLIST) or ""),
    )


def display_may(visitor: Visitor, wall_callbacks: set[str], is_page: bool) -> bool:
    """A display session opens its own playlist's wall and the wall's callbacks, nothing else."""
    path = request.path
    if is_page:
        return wall_playlist(path) == visitor.playlist
    if path in DISPLAY_ROUTES or path.startswith(DISPLAY_PREFIXES):
        return True
    body = json_body()
    if not isinstance(body, dict):
        return False
    output = body.get("output")
    if output == ROUTER_CALLBACK:
        return wall_playlist(_router_path(body) or "") == visitor.playlist
    if output == TITLE_CALLBACK:
        return True
    return output in wall_callbacks and _spec_playlist(body) in (None, visitor.playlist)


def _router_path(body: dict[str, Any]) -> str | None:
    for item in body.get("inputs") or []:
        if (
            isinstance(item, dict)
            and item.get("id") == "_pages_location"
            and item.get("property") == "pathname"
            and isinstance(item.get("value"), str)
        ):
            return str(item["value"])
    return None


def _spec_playlist(body: dict[str, Any]) -> str | None:
    """The playlist a wall refresh asks for (its `wall-spec` state), if it names one."""
    for item in body.get("state") or []:
        if isinstance(item, dict) and item.get("id") == "wall-spec":
            value = item.get("value")
            return str(value.get("playlist")) if isinstance(value, dict) else "?"
    return None


def refused_display() -> BaseResponse:
    audit_denied(request.path, {"reason": "display session outside its wall"})
    return _refused(403)


def _refused(status: int) -> Response:
    lang = request_lang()
    page = refusal_page(lang, t("auth.display_title", lang), t("auth.display_refused", lang))
    return Response(page, status=status, mimetype="text/html")


def _audit_exchange(outcome: Outcome, token: DisplayToken | None, detail: dict[str, Any]) -> None:
    auth_state().audit.record(
        Action.TOKEN_EXCHANGE,
        outcome=outcome,
        actor=f"display:{token.id}" if token else None,
        ip=client_ip(),
        target=f"token {token.id}" if token else "unknown token",
        detail=detail,
    )
