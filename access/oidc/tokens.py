"""The ID token and userinfo: signature, issuer, audience, times, nonce and subject."""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from typing import Any

import requests
from authlib.oidc.core.util import create_half_hash
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError, ClaimError, DecodeError, ExpiredTokenError, JoseError

from access.oidc.errors import (
    InvalidDiscovery,
    InvalidIdToken,
    InvalidSignature,
    MalformedIdToken,
    MissingIdToken,
    NonceMismatch,
    ProviderUnavailable,
    SsoError,
    TokenExpired,
    UnsupportedAlgorithm,
    WrongAudience,
    WrongIssuer,
)
from access.oidc.provider import Clock, Provider, allowed_algorithms
from settings.sso import SsoConfig


def same(given: str, expected: str) -> bool:
    """Constant-time equality that also takes non-ASCII input (compare_digest on str does not)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def verify_id_token(
    config: SsoConfig,
    provider: Provider,
    token: Mapping[str, Any],
    nonce: str,
    clock: Clock = time.time,
) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, times and nonce hold."""
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise MissingIdToken("the provider's answer carries no ID token")
    header = _unverified_header(id_token)
    alg = header.get("alg")
    if alg not in allowed_algorithms(provider.metadata()):
        raise UnsupportedAlgorithm(f"ID tokens signed with {str(alg)[:10]!r} are not accepted")
    key = provider.key(header.get("kid"), str(alg))
    try:
        claims = jwt.decode(id_token, key, algorithms=[str(alg)]).claims
    except BadSignatureError:
        raise InvalidSignature("the ID token's signature does not verify") from None
    except JoseError:
        raise MalformedIdToken("the ID token cannot be read") from None
    _check_registered_claims(config, claims, clock)
    _check_binding(config, claims, token, nonce, str(alg))
    return claims


def _unverified_header(id_token: str) -> dict[str, Any]:
    try:
        return dict(jws.extract_compact(id_token.encode("ascii")).protected)
    except (JoseError, DecodeError, UnicodeError, ValueError):
        raise MalformedIdToken("the ID token cannot be read") from None


_CLAIM_ERRORS: dict[str, type[SsoError]] = {
    "iss": WrongIssuer,
    "aud": WrongAudience,
    "exp": TokenExpired,
}


def _check_registered_claims(config: SsoConfig, claims: dict[str, Any], clock: Clock) -> None:
    registry = jwt.JWTClaimsRegistry(
        now=int(clock()),
        leeway=config.clock_skew,
        iss={"essential": True, "value": config.issuer or ""},
        aud={"essential": True, "value": config.client_id or ""},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise TokenExpired("the ID token has expired") from None
    except ClaimError as exc:
        name = str(exc.claim).split(",")[0]
        error = _CLAIM_ERRORS.get(name, InvalidIdToken)
        raise error(f"the ID token's {name!r} claim is not valid here") from None


def _check_binding(
    config: SsoConfig, claims: Mapping[str, Any], token: Mapping[str, Any], nonce: str, alg: str
) -> None:
    """The token was issued to this client, for this sign-in, together with this access token."""
    audience = claims["aud"]
    several = isinstance(audience, list) and len(audience) > 1
    if (several or "azp" in claims) and claims.get("azp") != config.client_id:
        raise WrongAudience("the ID token was issued to another client (azp)")
    got = claims.get("nonce")
    if not isinstance(got, str) or not same(got, nonce):
        raise NonceMismatch("the ID token does not belong to the sign-in started here (nonce)")
    at_hash, access_token = claims.get("at_hash"), token.get("access_token")
    if at_hash is not None and isinstance(access_token, str):
        expected = create_half_hash(access_token, alg)
        if expected is None or not same(str(at_hash), expected.decode("ascii")):
            raise InvalidIdToken("the ID token does not match its access token (at_hash)")


def fetch_userinfo(
    config: SsoConfig, provider: Provider, token: Mapping[str, Any], subject: str
) -> dict[str, Any]:
    """The userinfo claims of the verified ID token's subject (the ID token's own claims win)."""
    endpoint = provider.metadata().get("userinfo_endpoint")
    access_token = token.get("access_token")
    if not isinstance(endpoint, str) or not isinstance(access_token, str):
        raise InvalidDiscovery("the provider offers no userinfo endpoint or access token")
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
    try:
        response = requests.get(
            endpoint, headers=headers, timeout=config.timeout, allow_redirects=False
        )
        info = response.json() if response.status_code == 200 else None
    except requests.RequestException as exc:
        raise ProviderUnavailable(
            f"the sign-in provider did not answer ({type(exc).__name__})"
        ) from None
    except ValueError:
        info = None
    if not isinstance(info, dict):
        raise ProviderUnavailable("the provider's userinfo endpoint gave no claims")
    # OIDC Core 5.3.2: a userinfo answer about someone else must not be used.
    if not isinstance(info.get("sub"), str) or not same(info["sub"], subject):
        raise InvalidIdToken("the userinfo answer is about another subject")
    return info
