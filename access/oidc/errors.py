"""Refused single sign-ons: one class each, a stable code, a message with no token or secret."""

from __future__ import annotations

from typing import ClassVar


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
