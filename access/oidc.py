"""Sign-in through an OpenID Connect provider: authorisation code + PKCE, verified ID tokens."""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Collection, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core.util import create_half_hash
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    DecodeError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from joserfc.jwk import Key, KeySet

from settings.sso import Role, SsoConfig, check_origin_url

SESSION_KEY = "oidc_sign_in"
# Asymmetric algorithms only: "none" and HMAC (keyed with the client secret) are never accepted.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_ERROR_CODE = re.compile(r"[a-z_]{1,40}")

Clock = Callable[[], float]


# --- what the caller gets --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Claims:
    """A verified sign-in: who the provider says it is, mapped to IOC terms."""

    subject: str  # the provider's stable id of the person (`sub`)
    username: str
    role: Role | None  # None when the config keeps roles in the IOC (role_claim: null)
    area: str | None  # the district code of a district user
    next_url: str  # the local path to open after sign-in


@dataclass(frozen=True, kw_only=True)
class KnownAccount:
    """What the IOC's user table knows of a user, as `admit` needs it."""

    role: Role
    area: str | None
    active: bool = True


@dataclass(frozen=True, kw_only=True)
class Admission:
    """The user to sign in; `create` asks the caller to add a just-in-time account first."""

    username: str
    role: Role
    area: str | None
    create: bool


# --- failures: one class each, a stable code, a message with no token or secret in it ---------


class SsoError(Exception):
    """A refused single sign-on; `code` names it for the audit log and the i18n key."""

    code: ClassVar[str] = "sso_failed"

    @property
    def message_key(self) -> str:
        return f"sso.error.{self.code}"


class SsoDisabled(SsoError):
    code = "disabled"


class UnsafeNext(SsoError):
    code = "unsafe_next"


class ProviderUnavailable(SsoError):
    code = "provider_unavailable"


class InvalidDiscovery(SsoError):
    code = "invalid_discovery"


class NoPendingSignIn(SsoError):
    code = "no_pending_sign_in"


class SignInExpired(SsoError):
    code = "sign_in_expired"


class ProviderRefused(SsoError):
    code = "provider_refused"


class StateMismatch(SsoError):
    code = "state_mismatch"


class MissingCode(SsoError):
    code = "missing_code"


class CodeRejected(SsoError):
    code = "code_rejected"


class MissingIdToken(SsoError):
    code = "missing_id_token"


class MalformedIdToken(SsoError):
    code = "malformed_id_token"


class UnsupportedAlgorithm(SsoError):
    code = "unsupported_algorithm"


class UnknownSigningKey(SsoError):
    code = "unknown_signing_key"


class InvalidSignature(SsoError):
    code = "invalid_signature"


class WrongIssuer(SsoError):
    code = "wrong_issuer"


class WrongAudience(SsoError):
    code = "wrong_audience"


class TokenExpired(SsoError):
    code = "token_expired"


class InvalidIdToken(SsoError):
    code = "invalid_id_token"


class NonceMismatch(SsoError):
    code = "nonce_mismatch"


class MissingClaim(SsoError):
    code = "missing_claim"


class InvalidUsername(SsoError):
    code = "invalid_username"


class UnknownRole(SsoError):
    code = "unknown_role"


class AmbiguousRole(SsoError):
    code = "ambiguous_role"


class InvalidDistrict(SsoError):
    code = "invalid_district"


class UnknownUser(SsoError):
    code = "unknown_user"


class JitRoleRefused(SsoError):
    code = "jit_role_refused"


class AccountDisabled(SsoError):
    code = "account_disabled"


# --- the provider's metadata and keys, cached for a bounded time ------------------------------


@dataclass
class Provider:
    """One issuer's discovery document and JWKS, each refetched after `discovery_lifetime`."""

    config: SsoConfig
    clock: Clock = time.time
    _metadata: dict[str, Any] | None = None
    _metadata_at: float = 0.0
    _keys: KeySet | None = None
    _keys_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None or self._stale(self._metadata_at):
                self._metadata = _checked_discovery(
                    self.config, self._get_json(self.config.discovery_url)
                )
                self._metadata_at = self.clock()
            return self._metadata

    def key(self, kid: str | None, alg: str) -> Key:
        """The key that signed a token; an unknown kid refetches the JWKS once (key rotation)."""
        try:
            return self.key_set(refresh=False).get_by_kid(kid, {"alg": alg, "use": "sig"})
        except InvalidKeyIdError:
            pass
        try:
            return self.key_set(refresh=True).get_by_kid(kid, {"alg": alg, "use": "sig"})
        except InvalidKeyIdError:
            raise UnknownSigningKey(
                "the ID token is signed by a key the provider does not publish"
            ) from None

    def key_set(self, refresh: bool = False) -> KeySet:
        jwks_uri = self.metadata()["jwks_uri"]
        with self._lock:
            if refresh or self._keys is None or self._stale(self._keys_at):
                self._keys = _import_key_set(self._get_json(jwks_uri))
                self._keys_at = self.clock()
            return self._keys

    def _stale(self, fetched_at: float) -> bool:
        return self.clock() - fetched_at >= self.config.discovery_lifetime

    def _get_json(self, url: str) -> Any:
        try:
            response = requests.get(url, timeout=self.config.timeout, allow_redirects=False)
        except requests.RequestException as exc:
            raise ProviderUnavailable(
                f"the sign-in provider did not answer ({type(exc).__name__})"
            ) from None
        if response.status_code != 200:  # a redirect is not followed: the URLs are configured
            raise ProviderUnavailable(f"the sign-in provider answered HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise InvalidDiscovery(
                "the sign-in provider answered with something other than JSON"
            ) from None


_providers: dict[str, Provider] = {}
_providers_lock = threading.Lock()


def provider_for(config: SsoConfig, clock: Clock = time.time) -> Provider:
    """The cached Provider of this issuer (one per issuer and client per process)."""
    cache_key = f"{config.issuer}|{config.client_id}"
    with _providers_lock:
        known = _providers.get(cache_key)
        if known is None or known.config != config or known.clock is not clock:
            known = _providers[cache_key] = Provider(config=config, clock=clock)
        return known


def _checked_discovery(config: SsoConfig, document: Any) -> dict[str, Any]:
    """The discovery document, refused unless it names our issuer and secure endpoints."""
    if not isinstance(document, dict):
        raise InvalidDiscovery("the discovery document is not a JSON object")
    if document.get("issuer") != config.issuer:
        raise InvalidDiscovery("the discovery document names another issuer")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        url = document.get(name)
        if not isinstance(url, str):
            raise InvalidDiscovery(f"the discovery document has no {name}")
        try:
            check_origin_url(urlsplit(url)._replace(query="").geturl(), name)
        except ValueError as exc:
            raise InvalidDiscovery(str(exc)) from None
    return document


def _import_key_set(document: Any) -> KeySet:
    try:
        return KeySet.import_key_set(document)
    except (JoseError, KeyError, TypeError, ValueError):
        raise InvalidDiscovery("the provider's JWKS holds no usable key") from None


@dataclass(frozen=True, kw_only=True)
class ProviderProbe:
    """What a dry run found at the provider: enough for an operator to see the config works."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    key_ids: tuple[str, ...]
    algorithms: tuple[str, ...]  # the provider's ID token algorithms this client accepts
    pkce_s256: bool  # the provider says it supports S256 (some omit the list but support it)


def probe(config: SsoConfig, clock: Clock = time.time) -> ProviderProbe:
    """Fetch discovery and JWKS now (bypassing the cache), as a configuration check does."""
    provider = Provider(config=config, clock=clock)
    metadata = provider.metadata()
    keys = provider.key_set(refresh=True)
    return ProviderProbe(
        issuer=str(metadata["issuer"]),
        authorization_endpoint=str(metadata["authorization_endpoint"]),
        token_endpoint=str(metadata["token_endpoint"]),
        key_ids=tuple(str(key.kid) for key in keys),
        algorithms=_allowed_algorithms(metadata),
        pkce_s256="S256" in (metadata.get("code_challenge_methods_supported") or ()),
    )


# --- the two steps of a sign-in ---------------------------------------------------------------


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
    if not isinstance(state, str) or not _same(state, pending["state"]):
        raise StateMismatch("the answer does not belong to the sign-in started here")
    if "error" in args:
        code = args["error"] if _ERROR_CODE.fullmatch(str(args["error"])) else "unknown"
        raise ProviderRefused(f"the sign-in provider refused the sign-in ({code})")
    if not args.get("code"):
        raise MissingCode("the provider's answer carries no authorisation code")


def _same(given: str, expected: str) -> bool:
    """Constant-time equality that also takes non-ASCII input (compare_digest on str does not)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


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
            error = exc.error if _ERROR_CODE.fullmatch(str(exc.error)) else "unknown"
            raise CodeRejected(f"the provider refused the authorisation code ({error})") from None
        except requests.RequestException as exc:
            raise ProviderUnavailable(
                f"the sign-in provider did not answer ({type(exc).__name__})"
            ) from None
        except ValueError:
            raise CodeRejected("the provider's token answer is not JSON") from None
    return dict(token)


# --- the ID token -----------------------------------------------------------------------------


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
    if alg not in _allowed_algorithms(provider.metadata()):
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


def _allowed_algorithms(metadata: Mapping[str, Any]) -> tuple[str, ...]:
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    return tuple(alg for alg in SIGNING_ALGORITHMS if alg in offered)


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
    if not isinstance(got, str) or not _same(got, nonce):
        raise NonceMismatch("the ID token does not belong to the sign-in started here (nonce)")
    at_hash, access_token = claims.get("at_hash"), token.get("access_token")
    if at_hash is not None and isinstance(access_token, str):
        expected = create_half_hash(access_token, alg)
        if expected is None or not _same(str(at_hash), expected.decode("ascii")):
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
    if not isinstance(info.get("sub"), str) or not _same(info["sub"], subject):
        raise InvalidIdToken("the userinfo answer is about another subject")
    return info


# --- provider claims to IOC terms -------------------------------------------------------------


@cache
def _district_codes() -> frozenset[str]:
    from geo.hierarchy import load_admin_units

    return frozenset(unit.code for unit in load_admin_units() if unit.level == "district")


def map_claims(
    config: SsoConfig, claims: Mapping[str, Any], district_codes: Collection[str] | None = None
) -> tuple[str, Role | None, str | None]:
    """(username, role, district code) read through the configured claim names and mapping."""
    username = _username(config, claims)
    role = _role(config, claims)
    area = None
    if role in ("district", None):
        area = _area(
            config, claims, _district_codes() if district_codes is None else district_codes
        )
        if role == "district" and area is None:
            raise MissingClaim(f"a district user needs the {config.area_claim!r} claim")
    return username, role, area


def _username(config: SsoConfig, claims: Mapping[str, Any]) -> str:
    value = claims.get(config.username_claim)
    if value is None or value == "":
        raise MissingClaim(f"the ID token has no {config.username_claim!r} claim")
    if not isinstance(value, str) or not _USERNAME.fullmatch(value):
        raise InvalidUsername("the user name must be 1-64 letters, digits, '.', '_', '@' or '-'")
    return value


def _role(config: SsoConfig, claims: Mapping[str, Any]) -> Role | None:
    if config.role_claim is None:
        return None
    value = claims.get(config.role_claim)
    if value is None or value == [] or value == "":
        raise MissingClaim(f"the ID token has no {config.role_claim!r} claim")
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise UnknownRole(f"the {config.role_claim!r} claim must be a text or a list of texts")
    roles = {config.role_mapping[v] for v in values if v in config.role_mapping}
    if not roles:
        raise UnknownRole(f"no value of the {config.role_claim!r} claim maps to an IOC role")
    if len(roles) > 1:
        raise AmbiguousRole(f"the {config.role_claim!r} claim maps to several IOC roles")
    return roles.pop()


def _area(config: SsoConfig, claims: Mapping[str, Any], districts: Collection[str]) -> str | None:
    value = claims.get(config.area_claim)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in districts:
        raise InvalidDistrict(f"the {config.area_claim!r} claim is not a district code")
    return value


def admit(config: SsoConfig, claims: Claims, account: KnownAccount | None) -> Admission:
    """Who signs in: a known account, or a just-in-time one when the config allows it."""
    if account is None:
        return _just_in_time(config, claims)
    if not account.active:
        raise AccountDisabled("this account is disabled in the IOC")
    # With a role claim the provider is authoritative; without one the IOC's record is.
    role = account.role if claims.role is None else claims.role
    area = account.area if claims.role is None else claims.area
    if role == "district" and area is None:
        raise MissingClaim("a district user needs a district code")
    return Admission(username=claims.username, role=role, area=area, create=False)


def _just_in_time(config: SsoConfig, claims: Claims) -> Admission:
    if not config.allow_jit_users:
        raise UnknownUser("this user is not known to the IOC")
    role: Role = config.jit_default_role if claims.role is None else claims.role
    if role not in ("leader", "district"):
        raise JitRoleRefused("an administrator must create admin and operator accounts")
    if role == "district" and claims.area is None:
        raise MissingClaim(f"a district user needs the {config.area_claim!r} claim")
    area = claims.area if role == "district" else None
    return Admission(username=claims.username, role=role, area=area, create=True)
