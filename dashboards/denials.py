"""Every refused access leaves one audit entry saying who asked for what, from where."""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash.exceptions import PreventUpdate
from flask import current_app, has_request_context, request

from access.audit import Action, AuditLog, Outcome
from access.current import current_visitor
from store.accounts import Accounts
from store.scope import ScopeError

log = logging.getLogger(__name__)
MAX_ASKED_CHARS = 120


def record_denial(what: str, asked: Any, reason: str) -> None:
    """Audit a refused request for `what` (an area, a camera, a page...) naming `asked`."""
    visitor = current_visitor()
    shown = repr(asked)[:MAX_ASKED_CHARS]
    detail: dict[str, Any] = {"what": what, "asked": shown, "reason": reason}
    ip = None
    if has_request_context():
        detail["path"] = request.path
        ip = request.remote_addr
    svc = current_app.extensions["ioc"]  # the app's Services (dashboards.context)
    AuditLog(Accounts(svc.store.engine), svc.clock).record(
        Action.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        actor=visitor.name if visitor else None,
        ip=ip,
        target=f"{what}:{shown}",
        detail=detail,
    )
    log.info("access denied: %s %s (%s)", what, shown, reason)


def refuse_out_of_scope(error: Exception) -> None:
    """Dash's error handler: a read refused by the scope answers with no update at all (204,
    never a 500) and is audited with the callback's inputs; any other error stays one."""
    if not isinstance(error, ScopeError):
        raise error
    record_denial("callback", _callback_inputs(), str(error))
    raise PreventUpdate from error


def _callback_inputs() -> dict[str, Any]:
    try:
        return {"output": str(dash.ctx.outputs_list)[:60], "inputs": dict(dash.ctx.inputs)}
    except Exception:  # outside a callback there is nothing more to say
        return {}
