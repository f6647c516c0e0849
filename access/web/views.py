"""The sign-in and sign-out routes (/dang-nhap, /dang-xuat)."""

from __future__ import annotations

from flask import Flask, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from access.audit import Action, Outcome
from access.users import SignInOutcome, authenticate
from access.web.context import LANG_COOKIE, client_ip, request_lang
from access.web.csrf import csrf_ok, csrf_token, new_csrf_token
from access.web.guard import SIGNIN_PATH, SIGNOUT_PATH, safe_next
from access.web.pages import signin_page
from access.web.sessions import auth_state, end_session, session_user, start_session
from i18n import LANGUAGES, t
from i18n.formatting import format_datetime_local

MAX_FIELD = 256
LANG_MAX_AGE = 365 * 86400


def register_views(server: Flask) -> None:
    server.add_url_rule(SIGNIN_PATH, "signin", signin, methods=["GET", "POST"])
    server.add_url_rule(SIGNOUT_PATH, "signout", signout, methods=["POST"])


def signin() -> BaseResponse:
    chosen = request.args.get("lang")
    lang = chosen if chosen in LANGUAGES else request_lang()
    next_path = safe_next(request.values.get("next"))
    if request.method == "GET":
        if session_user(activity=True) is not None:
            return redirect(next_path, code=302)
        response: BaseResponse = _form(lang, next_path)
    else:
        response = _attempt(lang, next_path)
    if chosen in LANGUAGES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_MAX_AGE, samesite="Lax", path="/")
    response.headers["Cache-Control"] = "no-store"
    return response


def _form(
    lang: str,
    next_path: str,
    status: int = 200,
    *,
    username: str = "",
    message: str | None = None,
) -> Response:
    notice = t("auth.signed_out", lang) if request.args.get("signed_out") else None
    html = signin_page(
        lang,
        csrf_token=csrf_token(),
        next_path=next_path,
        notice=notice,
        username=username,
        message=message,
        sso_label=t("auth.sso_button", lang) if auth_state().sso_enabled else None,
    )
    return Response(html, status=status, mimetype="text/html")


def _attempt(lang: str, next_path: str) -> BaseResponse:
    username = request.form.get("username", "")[:MAX_FIELD]
    password = request.form.get("password", "")
    if not csrf_ok(request):
        new_csrf_token()
        return _form(lang, next_path, 400, username=username, message=t("auth.expired_form", lang))
    if not username.strip() or not password or len(password) > MAX_FIELD:
        return _form(lang, next_path, 401, username=username, message=t("auth.failed", lang))
    state = auth_state()
    result = authenticate(
        state.accounts,
        state.throttle,
        state.audit,
        username=username,
        password=password,
        ip=client_ip(),
    )
    if result.outcome is SignInOutcome.SUCCESS and result.user is not None:
        start_session(result.user)
        return redirect(next_path, code=303)
    if result.outcome is SignInOutcome.LOCKED and result.locked_until is not None:
        until = format_datetime_local(result.locked_until, lang, "time")
        message = t("auth.locked", lang, until=until)
        return _form(lang, next_path, 429, username=username, message=message)
    return _form(lang, next_path, 401, username=username, message=t("auth.failed", lang))


def signout() -> BaseResponse:
    lang = request_lang()
    if not csrf_ok(request):
        return _form(lang, "/", 400, message=t("auth.expired_form", lang))
    user = session_user(activity=False)
    if user is not None:
        auth_state().audit.record(
            Action.SIGNOUT,
            outcome=Outcome.SUCCESS,
            actor=user.username,
            ip=client_ip(),
            target=user.username,
        )
    end_session()
    return redirect(f"{SIGNIN_PATH}?signed_out=1", code=303)
