"""The two steps of a sign-in: send the browser to the provider, and check its answer."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Collection, Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from access.oidc.claims import Claims, map_claims
from access.oidc.errors import (
    CodeRejected,
    MissingCode,
    NoPendingSignIn,
    ProviderRefused,
    ProviderUnavailable,
    SignInExpired,
    SsoDisabled,
    StateMismatch,
    UnsafeNext,
    WrongIssuer,
)
from access.oidc.provider import Clock, Provider, provider_for
from access.oidc.tokens import fetch_userinfo, same, verify_id_token
from settings.sso import SsoConfig

SESSION_KEY = "oidc_sign_in"
ERROR_CODE = re.compile(r"[a-z_]{1,40}")


def check_next(next_url: str | None) -> str:
    """A local path to return to after sign-in; anything that could leave the site is refused."""
    if not next_url:
        return "/"
    bad = (
        not next_url.startswith("/")
        or next_url.startswith("//")
        or "\\" in next_url
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in next_url)
    )
    parts = urlsplit(next_url)
    if bad or parts.scheme or parts.netloc:
        raise UnsafeNext("the return address must be a path on this site")
    return next_url


def begin(
    config: SsoConfig,
    session: MutableMapping[str, Any],
    next_url: str | None,
    clock: Clock = time.time,
) -> str:
    """The provider URL to send the browser to; state, nonce and PKCE verifier go to `session`."""
    if not config.enabled:
        raise SsoDisabled("single sign-on is not enabled")
    next_path = check_next(next_url)
    metadata = provider_for(config, clock).metadata()
    pending = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "code_verifier": secrets.token_urlsafe(64),  # 86 unreserved characters (RFC 7636: 43..128)
        "next": next_path,
        "started": clock(),
    }
    with _client(config) as client:
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"],
            state=pending["state"],
            code_verifier=pending["code_verifier"],
            nonce=pending["nonce"],
        )
    session[SESSION_KEY] = pending
    return str(url)


def complete(
    config: SsoConfig,
    session: MutableMapping[str, Any],
    request_args: Mapping[str, str],
    clock: Clock = time.time,
    district_codes: Collection[str] | None = None,
) -> Claims:
    """The verified, mapped identity of the provider's redirect back to `redirect_path`."""
    if not config.enabled:
        raise SsoDisabled("single sign-on is not enabled")
    # Popped first: a started sign-in is used once, whether it succeeds or not.
    pending = _pending(config, session.pop(SESSION_KEY, None), clock)
    _check_redirect_args(pending, request_args, config.issuer)
    provider = provider_for(config, clock)
    token = _exchange_code(config, provider, request_args["code"], pending["code_verifier"])
    raw = verify_id_token(config, provider, token, pending["nonce"], clock)
    if config.userinfo:
        raw = {**fetch_userinfo(config, provider, token, raw["sub"]), **raw}
    username, role, area = map_claims(config, raw, district_codes)
    return Claims(
        subject=str(raw["sub"]), username=username, role=role, area=area, next_url=pending["next"]
    )


def _pending(config: SsoConfig, pending: object, clock: Clock) -> dict[str, Any]:
    """The sign-in `begin` stored, if it is complete and not older than login_lifetime."""
    keys = ("state", "nonce", "code_verifier", "next", "started")
    if not isinstance(pending, dict) or any(key not in pending for key in keys):
        raise NoPendingSignIn("no sign-in was started in this browser session")
    if clock() - float(pending["started"]) > config.login_lifetime:
        raise SignInExpired("the sign-in took too long; start again")
    return pending


def _check_redirect_args(
    pending: Mapping[str, Any], args: Mapping[str, str], issuer: str | None
) -> None:
    # RFC 9207: a provider that names itself in the answer must name the one we asked.
    if "iss" in args and args["iss"] != issuer:
        raise WrongIssuer("the answer comes from another sign-in provider")
    state = args.get("state")
    if not isinstance(state, str) or not same(state, pending["state"]):
        raise StateMismatch("the answer does not belong to the sign-in started here")
    if "error" in args:
        code = args["error"] if ERROR_CODE.fullmatch(str(args["error"])) else "unknown"
        raise ProviderRefused(f"the sign-in provider refused the sign-in ({code})")
    if not args.get("code"):
        raise MissingCode("the provider's answer carries no authorisation code")


def _client(config: SsoConfig) -> OAuth2Session:
    return OAuth2Session(
        client_id=config.client_id,
        client_secret=config.client_secret,
        token_endpoint_auth_method="client_secret_basic" if config.client_secret else "none",
        scope=" ".join(config.scopes),
        redirect_uri=config.redirect_uri,
        code_challenge_method="S256",
        default_timeout=config.timeout,
    )


def _exchange_code(
    config: SsoConfig, provider: Provider, code: str, code_verifier: str
) -> Mapping[str, Any]:
    token_endpoint = provider.metadata()["token_endpoint"]
    with _client(config) as client:
        try:
            token = client.fetch_token(
                token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                allow_redirects=False,
            )
        except OAuthError as exc:
            error = exc.error if ERROR_CODE.fullmatch(str(exc.error)) else "unknown"
            raise CodeRejected(f"the provider refused the authorisation code ({error})") from None
        except requests.RequestException as exc:
            raise ProviderUnavailable(
                f"the sign-in provider did not answer ({type(exc).__name__})"
            ) from None
        except ValueError:
            raise CodeRejected("the provider's token answer is not JSON") from None
    return dict(token)
