"""Sign-in through the provincial OpenID Connect provider: the two web routes around
`access.oidc`, ending in the same session as a password sign-in."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, redirect, request, session
from werkzeug.wrappers import Response as BaseResponse

from access.audit import Action, Outcome
from access.oidc import KnownAccount, SsoError, admit, begin, complete
from access.oidc.errors import AccountDisabled
from access.users import normalize_username
from access.web.context import client_ip, request_lang
from access.web.csrf import csrf_token
from access.web.pages import signin_page
from access.web.sessions import auth_state, start_session
from i18n import t
from settings.sso import SsoConfig
from store.accounts import AccountError, User

SSO_BEGIN_PATH = "/dang-nhap/sso/bat-dau"
SSO_ACTOR = "sso"


def register_sso(server: Flask, config: SsoConfig) -> None:
    """The begin route and the provider's redirect back (`sso.redirect_path`)."""
    server.add_url_rule(SSO_BEGIN_PATH, "sso_begin", lambda: sso_begin(config), methods=["GET"])
    server.add_url_rule(
        config.redirect_path, "sso_callback", lambda: sso_callback(config), methods=["GET"]
    )


def sso_begin(config: SsoConfig) -> BaseResponse:
    try:
        return redirect(begin(config, session, request.args.get("next") or "/"), code=302)
    except SsoError as error:
        return _refused(error, None)


def sso_callback(config: SsoConfig) -> BaseResponse:
    state = auth_state()
    try:
        claims = complete(
            config, session, request.args, district_codes=state.accounts.district_codes()
        )
        user = _account(config, claims)
    except SsoError as error:
        return _refused(error, getattr(error, "username", None))
    start_session(user)
    state.audit.record(
        Action.SIGNIN_SUCCESS,
        outcome=Outcome.SUCCESS,
        actor=user.username,
        ip=client_ip(),
        target=user.username,
        detail={"via": "sso"},
    )
    return redirect(claims.next_url, code=303)


def _account(config: SsoConfig, claims: Any) -> User:
    """The IOC user this verified identity signs in as (created just in time if allowed, its
    role and district updated when the provider is authoritative for them)."""
    accounts = auth_state().accounts
    name = normalize_username(claims.username)
    user = accounts.user_by_sso_subject(claims.subject) or accounts.user(name)
    if user is not None and user.sso_subject not in (None, claims.subject):
        raise _named(AccountDisabled("this user name belongs to another person"), name)
    known = (
        None
        if user is None
        else KnownAccount(role=user.role, area=user.area_code, active=user.enabled)  # type: ignore[arg-type]
    )
    try:
        admission = admit(config, claims, known)
    except SsoError as error:
        raise _named(error, name) from None
    try:
        if user is None:
            return _created(name, admission.role, admission.area, claims.subject)
        changes: dict[str, Any] = {}
        if user.sso_subject is None:
            changes["sso_subject"] = claims.subject
        if (user.role, user.area_code) != (admission.role, admission.area):
            changes.update(role=admission.role, area_code=admission.area)
        if not changes:
            return user
        updated = accounts.update_user(user.id, expected_version=user.version, **changes)
    except AccountError as error:
        raise _named(AccountDisabled(str(error)), name) from None
    auth_state().audit.record(
        Action.USER_UPDATE,
        outcome=Outcome.SUCCESS,
        actor=SSO_ACTOR,
        ip=client_ip(),
        target=name,
        detail={"id": user.id, "changed": sorted(changes), "role": admission.role},
    )
    return updated


def _created(name: str, role: str, area: str | None, subject: str) -> User:
    state = auth_state()
    user = state.accounts.create_user(
        username=name, role=role, area_code=area, sso_subject=subject, now=state.audit.clock()
    )
    state.audit.record(
        Action.USER_CREATE,
        outcome=Outcome.SUCCESS,
        actor=SSO_ACTOR,
        ip=client_ip(),
        target=name,
        detail={"id": user.id, "role": role, "area": area, "just_in_time": True},
    )
    return user


def _named(error: SsoError, username: str) -> SsoError:
    error.username = username  # type: ignore[attr-defined]
    return error


def _refused(error: SsoError, username: str | None) -> Response:
    """The sign-in page with the refusal in plain words; the audit names the exact reason."""
    lang = request_lang()
    auth_state().audit.record(
        Action.SIGNIN_FAILURE,
        outcome=Outcome.FAILURE,
        actor=username,
        ip=client_ip(),
        target=username or "",
        detail={"via": "sso", "reason": error.code, "error": str(error)},
    )
    page = signin_page(
        lang,
        csrf_token=csrf_token(),
        next_path="/",
        message=t(error.message_key, lang),
        sso_label=t("auth.sso_button", lang),
    )
    response = Response(page, status=401, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
