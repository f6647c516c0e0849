"""The account control in the app's top bar: who is signed in, and the sign-out button."""

from __future__ import annotations

from dash import dcc, html

from access.current import VisitorKind, current_visitor
from access.web.csrf import csrf_token
from access.web.guard import SIGNOUT_PATH
from i18n import t


def account_control(lang: str) -> html.Form | None:
    """A POST form to /dang-xuat carrying the CSRF token; None for wall display sessions."""
    visitor = current_visitor()
    if visitor is None or visitor.kind is not VisitorKind.USER:
        return None
    return html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=csrf_token(), id="signout-csrf"),
            html.Button(
                [html.I(className="bi bi-box-arrow-right me-1"), t("auth.signout", lang)],
                type="submit",
                className="signout-btn",
                id="signout-button",
                title=t("auth.signed_in_as", lang, name=visitor.name),
            ),
        ],
        action=SIGNOUT_PATH,
        method="post",
        className="signout-form",
        id="signout-form",
    )
