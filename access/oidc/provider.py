"""The provider's discovery document and keys, each cached for a bounded time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import Key, KeySet

from access.oidc.errors import InvalidDiscovery, ProviderUnavailable, UnknownSigningKey
from settings.sso import SsoConfig, check_origin_url

Clock = Callable[[], float]
# Asymmetric algorithms only: "none" and HMAC (keyed with the client secret) are never accepted.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")


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
        algorithms=allowed_algorithms(metadata),
        pkce_s256="S256" in (metadata.get("code_challenge_methods_supported") or ()),
    )


def allowed_algorithms(metadata: Mapping[str, Any]) -> tuple[str, ...]:
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    return tuple(alg for alg in SIGNING_ALGORITHMS if alg in offered)
