"""Single sign-on against a real OpenID Connect provider (Authlib's server) on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import OctKey

from access.oidc import (
    SESSION_KEY,
    Admission,
    Claims,
    CodeRejected,
    InvalidDiscovery,
    InvalidSignature,
    JitRoleRefused,
    KnownAccount,
    MalformedIdToken,
    MissingClaim,
    NonceMismatch,
    NoPendingSignIn,
    ProviderProbe,
    ProviderRefused,
    ProviderUnavailable,
    SignInExpired,
    StateMismatch,
    TokenExpired,
    UnknownSigningKey,
    UnknownUser,
    UnsafeNext,
    UnsupportedAlgorithm,
    WrongAudience,
    WrongIssuer,
    admit,
    begin,
    complete,
    probe,
    provider_for,
    verify_id_token,
)
from settings.sso import SsoConfig
from tests.fixtures.http_server import free_port
from tests.fixtures.oidc_provider import (
    OidcProvider,
    ProviderClient,
    ProviderUser,
    running_provider,
)

pytestmark = pytest.mark.integration

BASE_URL = "http://127.0.0.1:8068"  # the IOC's address as the provider knows it; nothing listens
CLIENT_ID = "ioc-dashboard"
CLIENT_SECRET = "test-only-client-secret"
PUBLIC_CLIENT_ID = "ioc-public"  # registered without a secret: PKCE alone protects the code
ROLE_MAPPING = {"ioc-quan-tri": "admin", "lanh-dao": "leader", "huyen": "district"}
USERS = {
    "district941": ProviderUser(
        sub="u1",
        password="pw-district",
        claims={"preferred_username": "district941", "ioc_role": "huyen", "ioc_area": "941"},
    ),
    "leader": ProviderUser(
        sub="u2",
        password="pw-leader",
        claims={"preferred_username": "lanhdao", "ioc_role": ["staff", "lanh-dao"]},
    ),
    "boss": ProviderUser(
        sub="u3",
        password="pw-boss",
        claims={"preferred_username": "boss", "ioc_role": "ioc-quan-tri"},
    ),
}


@pytest.fixture
def provider() -> Iterator[OidcProvider]:
    client = ProviderClient(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uris=(f"{BASE_URL}/dang-nhap/sso",),
    )
    public = ProviderClient(
        client_id=PUBLIC_CLIENT_ID, client_secret=None, redirect_uris=client.redirect_uris
    )
    with running_provider(USERS, {CLIENT_ID: client, PUBLIC_CLIENT_ID: public}) as running:
        yield running


def sso_config(provider: OidcProvider, **changes: Any) -> SsoConfig:
    values: dict[str, Any] = {
        "enabled": True,
        "issuer": provider.issuer,
        "base_url": BASE_URL,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "role_mapping": ROLE_MAPPING,
        "clock_skew": 60,
    }
    return SsoConfig.model_validate({**values, **changes})


def sign_in_at_provider(
    config: SsoConfig, login: str, next_url: str = "/", clock: Any = time.time
) -> tuple[dict[str, Any], dict[str, str]]:
    """Like a browser: follow the authorize URL, post the login form, catch the redirect back."""
    session: dict[str, Any] = {}
    url = begin(config, session, next_url, clock=clock)
    browser = requests.Session()
    form = browser.get(url, allow_redirects=False, timeout=10)
    assert form.status_code == 200 and 'name="password"' in form.text
    user = USERS[login]
    answer = browser.post(
        url, data={"username": login, "password": user.password}, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(config.redirect_uri + "?")
    return session, dict(parse_qsl(urlsplit(location).query))


def test_code_flow_with_pkce_yields_the_mapped_district_user(provider: OidcProvider) -> None:
    config = sso_config(provider)
    session, args = sign_in_at_provider(config, "district941", next_url="/y-te?area=941")

    claims = complete(config, session, args)

    assert claims == Claims(
        subject="u1", username="district941", role="district", area="941", next_url="/y-te?area=941"
    )
    assert SESSION_KEY not in session  # a started sign-in is used once
    known = KnownAccount(role="district", area="941")
    assert admit(config, claims, known) == Admission(
        username="district941", role="district", area="941", create=False
    )


def test_the_authorize_request_carries_an_s256_challenge_and_never_the_verifier(
    provider: OidcProvider,
) -> None:
    config = sso_config(provider)
    session: dict[str, Any] = {}
    query = parse_qs(urlsplit(begin(config, session, "/")).query)

    pending = session[SESSION_KEY]
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] == [pending["state"]] and query["nonce"] == [pending["nonce"]]
    assert pending["code_verifier"] not in urlsplit(begin(config, {}, "/")).query
    assert "code_verifier" not in query and len(pending["code_verifier"]) >= 43


def test_a_group_list_maps_to_the_one_ioc_role_it_names(provider: OidcProvider) -> None:
    config = sso_config(provider)
    claims = complete(config, *sign_in_at_provider(config, "leader"))
    assert (claims.username, claims.role, claims.area) == ("lanhdao", "leader", None)


def test_a_tampered_state_is_refused(provider: OidcProvider) -> None:
    config = sso_config(provider)
    session, args = sign_in_at_provider(config, "district941")
    with pytest.raises(StateMismatch):
        complete(config, session, {**args, "state": args["state"] + "x"})


@pytest.mark.parametrize("state", ["", "trạng-thái", None])
def test_a_missing_or_foreign_state_is_refused(provider: OidcProvider, state: str | None) -> None:
    config = sso_config(provider)
    session, args = sign_in_at_provider(config, "district941")
    answer = {key: value for key, value in args.items() if key != "state"}
    with pytest.raises(StateMismatch):
        complete(config, session, answer if state is None else {**answer, "state": state})


def test_an_error_answer_without_the_state_is_refused_as_foreign(provider: OidcProvider) -> None:
    config = sso_config(provider)
    session: dict[str, Any] = {}
    begin(config, session, "/")
    with pytest.raises(StateMismatch):
        complete(config, session, {"error": "access_denied"})


def test_a_replayed_code_is_refused_by_the_provider(provider: OidcProvider) -> None:
    config = sso_config(provider)
    session, args = sign_in_at_provider(config, "district941")
    copy = dict(session)
    complete(config, session, args)
    with pytest.raises(CodeRejected, match="invalid_grant"):
        complete(config, copy, args)


def test_a_wrong_code_verifier_is_refused_by_the_provider(provider: OidcProvider) -> None:
    config = sso_config(provider)
    session, args = sign_in_at_provider(config, "district941")
    session[SESSION_KEY] = {**session[SESSION_KEY], "code_verifier": "x" * 64}
    with pytest.raises(CodeRejected, match="invalid_grant"):
        complete(config, session, args)


def test_a_second_answer_after_the_sign_in_is_used_is_refused(provider: OidcProvider) -> None:
    config = sso_config(provider)
    session, args = sign_in_at_provider(config, "district941")
    complete(config, session, args)
    with pytest.raises(NoPendingSignIn):
        complete(config, session, args)


def test_a_wrong_nonce_is_refused(provider: OidcProvider) -> None:
    config = sso_config(provider)
    provider.nonce_override = "a-nonce-of-another-sign-in"
    with pytest.raises(NonceMismatch):
        complete(config, *sign_in_at_provider(config, "district941"))


def test_an_expired_id_token_is_refused(provider: OidcProvider) -> None:
    config = sso_config(provider, clock_skew=60)
    provider.clock_offset = -(provider.id_token_lifetime + 120)  # expired 2 minutes ago
    with pytest.raises(TokenExpired):
        complete(config, *sign_in_at_provider(config, "district941"))


def test_an_id_token_expired_within_the_clock_skew_is_accepted(provider: OidcProvider) -> None:
    config = sso_config(provider, clock_skew=60)
    provider.clock_offset = -(provider.id_token_lifetime + 20)  # expired 20 s ago
    assert complete(config, *sign_in_at_provider(config, "district941")).username == "district941"


def test_a_token_signed_by_another_key_with_the_published_kid_is_refused(
    provider: OidcProvider,
) -> None:
    config = sso_config(provider)
    provider.sign_with_unpublished_key()
    with pytest.raises(InvalidSignature):
        complete(config, *sign_in_at_provider(config, "district941"))


def test_a_token_signed_by_an_unpublished_kid_is_refused_after_one_refetch(
    provider: OidcProvider,
) -> None:
    config = sso_config(provider)
    complete(config, *sign_in_at_provider(config, "district941"))
    assert provider.jwks_requests == 1
    provider.sign_with_unpublished_key("key-nobody-publishes")
    with pytest.raises(UnknownSigningKey):
        complete(config, *sign_in_at_provider(config, "district941"))
    assert provider.jwks_requests == 2


def test_a_rotated_key_is_fetched_once_and_accepted(provider: OidcProvider) -> None:
    config = sso_config(provider)
    complete(config, *sign_in_at_provider(config, "district941"))
    provider.rotate_key("key-2")

    claims = complete(config, *sign_in_at_provider(config, "district941"))

    assert claims.username == "district941"
    assert provider.jwks_requests == 2  # the cached set missed key-2: one refetch, no more
    complete(config, *sign_in_at_provider(config, "district941"))
    assert provider.jwks_requests == 2


def test_a_token_for_another_audience_is_refused(provider: OidcProvider) -> None:
    config = sso_config(provider)
    provider.audience_override = "another-application"
    with pytest.raises(WrongAudience):
        complete(config, *sign_in_at_provider(config, "district941"))


def test_a_provider_that_names_another_issuer_is_refused(provider: OidcProvider) -> None:
    config = sso_config(provider, issuer=provider.issuer.replace("127.0.0.1", "localhost"))
    with pytest.raises(InvalidDiscovery, match="another issuer"):
        begin(config, {}, "/")


def test_an_id_token_from_another_issuer_is_refused(provider: OidcProvider) -> None:
    config = sso_config(provider)
    session, args = sign_in_at_provider(config, "district941")
    real_issuer = provider.issuer
    provider.issuer = "http://127.0.0.1:1"  # the token is stamped by "another" issuer
    try:
        with pytest.raises(WrongIssuer):
            complete(config, session, args)
    finally:
        provider.issuer = real_issuer


def test_an_unknown_user_is_refused_without_jit_and_created_with_it(
    provider: OidcProvider,
) -> None:
    config = sso_config(provider)
    claims = complete(config, *sign_in_at_provider(config, "district941"))
    with pytest.raises(UnknownUser):
        admit(config, claims, None)

    jit = sso_config(provider, allow_jit_users=True, jit_default_role="leader")
    assert admit(jit, claims, None) == Admission(
        username="district941", role="district", area="941", create=True
    )


def test_jit_never_creates_an_admin(provider: OidcProvider) -> None:
    config = sso_config(provider, allow_jit_users=True)
    claims = complete(config, *sign_in_at_provider(config, "boss"))
    assert claims.role == "admin"
    with pytest.raises(JitRoleRefused):
        admit(config, claims, None)
    assert admit(config, claims, KnownAccount(role="admin", area=None)).role == "admin"


def test_the_providers_refusal_is_reported_without_echoing_its_text(
    provider: OidcProvider,
) -> None:
    config = sso_config(provider)
    session: dict[str, Any] = {}
    begin(config, session, "/")
    state = session[SESSION_KEY]["state"]
    args = {"error": "access_denied", "error_description": "<script>", "state": state}
    with pytest.raises(ProviderRefused) as refused:
        complete(config, session, args)
    assert "access_denied" in str(refused.value) and "<script>" not in str(refused.value)


def test_a_sign_in_left_too_long_at_the_provider_is_refused(provider: OidcProvider) -> None:
    config = sso_config(provider, login_lifetime=600)
    started = time.time()
    session, args = sign_in_at_provider(config, "district941", clock=lambda: started - 601)
    with pytest.raises(SignInExpired):
        complete(config, session, args, clock=lambda: started)


def test_discovery_is_cached_for_its_lifetime_then_refetched(provider: OidcProvider) -> None:
    config = sso_config(provider, discovery_lifetime=60)
    offset = [0.0]

    def clock() -> float:
        return time.time() + offset[0]

    begin(config, {}, "/", clock=clock)
    begin(config, {}, "/", clock=clock)
    assert provider.discovery_requests == 1
    offset[0] = 61
    begin(config, {}, "/", clock=clock)
    assert provider.discovery_requests == 2


def test_a_provider_that_does_not_answer_is_reported() -> None:
    config = SsoConfig(
        enabled=True,
        issuer=f"http://127.0.0.1:{free_port()}",
        base_url=BASE_URL,
        client_id=CLIENT_ID,
        timeout=2,
    )
    with pytest.raises(ProviderUnavailable):
        begin(config, {}, "/")


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil", "/\\evil", "javascript:x"])
def test_next_addresses_that_leave_the_site_are_refused(
    provider: OidcProvider, next_url: str
) -> None:
    session: dict[str, Any] = {}
    with pytest.raises(UnsafeNext):
        begin(sso_config(provider), session, next_url)
    assert session == {}


def test_a_local_next_address_is_kept_through_the_sign_in(provider: OidcProvider) -> None:
    config = sso_config(provider)
    session: dict[str, Any] = {}
    begin(config, session, "/y-te?area=941")
    assert session[SESSION_KEY]["next"] == "/y-te?area=941"


def test_an_answer_naming_another_issuer_is_refused(provider: OidcProvider) -> None:
    config = sso_config(provider)
    session, args = sign_in_at_provider(config, "district941")
    with pytest.raises(WrongIssuer):
        complete(config, session, {**args, "iss": "https://evil.example"})


def test_a_discovery_address_that_is_not_found_is_reported(provider: OidcProvider) -> None:
    config = sso_config(provider, issuer=provider.issuer + "/no-such-realm")
    with pytest.raises(ProviderUnavailable, match="HTTP 404"):
        begin(config, {}, "/")


def test_the_providers_userinfo_answers_for_the_issued_access_token(
    provider: OidcProvider,
) -> None:
    config = sso_config(provider)
    complete(config, *sign_in_at_provider(config, "district941"))
    (access_token,) = provider.tokens
    headers = {"Authorization": f"Bearer {access_token}"}

    info = requests.get(f"{provider.issuer}/userinfo", headers=headers, timeout=10)
    refused = requests.get(f"{provider.issuer}/userinfo", timeout=10)

    assert info.status_code == 200 and info.json()["ioc_area"] == "941"
    assert info.json()["sub"] == "u1" and refused.status_code == 401


def test_a_public_client_signs_in_with_pkce_alone(provider: OidcProvider) -> None:
    config = sso_config(provider, client_id=PUBLIC_CLIENT_ID, client_secret=None)
    claims = complete(config, *sign_in_at_provider(config, "district941"))
    assert (claims.username, claims.role, claims.area) == ("district941", "district", "941")


def test_a_wrong_client_secret_is_refused_and_not_echoed(provider: OidcProvider) -> None:
    config = sso_config(provider, client_secret="a-wrong-secret-value")
    session, args = sign_in_at_provider(config, "district941")
    with pytest.raises(CodeRejected, match="invalid_client") as refused:
        complete(config, session, args)
    assert "a-wrong-secret-value" not in str(refused.value)
    assert args["code"] not in str(refused.value)


def test_claims_kept_out_of_the_id_token_are_read_from_userinfo(provider: OidcProvider) -> None:
    provider.minimal_id_token = True
    without = sso_config(provider, userinfo=False)
    with pytest.raises(MissingClaim):
        complete(without, *sign_in_at_provider(without, "district941"))

    config = sso_config(provider, userinfo=True)
    claims = complete(config, *sign_in_at_provider(config, "district941"))

    assert (claims.subject, claims.username, claims.role, claims.area) == (
        "u1",
        "district941",
        "district",
        "941",
    )


def test_a_probe_reports_what_the_provider_offers(provider: OidcProvider) -> None:
    config = sso_config(provider)
    assert probe(config) == ProviderProbe(
        issuer=provider.issuer,
        authorization_endpoint=f"{provider.issuer}/authorize",
        token_endpoint=f"{provider.issuer}/token",
        key_ids=("key-1",),
        algorithms=("RS256",),
        pkce_s256=True,
    )
    probe(config)
    assert (provider.discovery_requests, provider.jwks_requests) == (2, 2)  # never cached


def _unsigned_token(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_unsigned_and_secret_keyed_id_tokens_are_refused(provider: OidcProvider) -> None:
    config = sso_config(provider)
    now = int(time.time())
    claims = {"iss": provider.issuer, "aud": CLIENT_ID, "sub": "u1", "iat": now, "exp": now + 60}
    claims |= {"nonce": "n", "preferred_username": "boss", "ioc_role": "ioc-quan-tri"}
    keyed = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(CLIENT_SECRET * 2))
    held = provider_for(config)

    for forged in (_unsigned_token(claims), keyed):
        with pytest.raises(UnsupportedAlgorithm):
            verify_id_token(config, held, {"id_token": forged}, "n")
    with pytest.raises(MalformedIdToken):
        verify_id_token(config, held, {"id_token": "not.a-token"}, "n")
