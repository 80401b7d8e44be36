"""Customers from the exchange's identity provider (web/identity/): bearer JWTs signed by a
real RSA key the test generates, whose JWKS a local HTTP server on 127.0.0.1 serves; and the
browser's sign-in (authorization code + PKCE) against a tiny authorization and token
endpoint on the same server (tests/oidc_provider.py), which answers as OpenID Connect Core
1.0 documents (3.1.2.5, 3.1.3.3) and checks what it is sent (state, nonce, the PKCE
verifier)."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from pydantic import ValidationError

from execution.clock import ManualClock
from tests.oidc_provider import (
    AUDIENCE,
    CLIENT_ID,
    CLIENT_SECRET,
    PROVIDER,
    Provider,
    serving,
)
from tests.support import acknowledge_risk
from web.app import create_app
from web.services import Services, build_services
from web.settings import Settings


@pytest.fixture
def provider(clock: ManualClock) -> Iterator[Provider]:
    found = Provider(clock=clock)
    found.publish("k1")
    with serving(found):
        yield found


def _settings(tmp_path: Path, provider: Provider, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "oidc_issuer": provider.issuer,
        "oidc_audience": AUDIENCE,
        "oidc_jwks_url": f"{provider.issuer}/jwks",
        "oidc_role_claim": "groups",
        "oidc_role_map": {"ta-support": "support", "ta-admin": "admin", "ta-product": "product"},
        "oidc_tier_claim": "tier",
        "oidc_provider_name": PROVIDER,
        "oidc_jwks_min_refetch_s": 60,
        "oidc_timeout_s": 2,
    }
    values.update(changes)
    return Settings(**values)


@pytest.fixture
def app_services(tmp_path: Path, provider: Provider, clock: ManualClock) -> Iterator[Services]:
    built = build_services(_settings(tmp_path, provider), clock)
    yield built
    built.close()


@pytest.fixture
def client(app_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(app_services.settings, services=app_services)) as test_client:
        yield test_client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _refused(client: TestClient, token: str, why: str) -> None:
    response = client.get("/api/sessions", headers=_bearer(token))
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error"]["code"] == "unauthorized"
    assert why in body["error"]["message"]
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


# --- bearer tokens -----------------------------------------------------------------------


def test_a_valid_token_signs_the_customer_in(
    client: TestClient, provider: Provider, app_services: Services
) -> None:
    token = provider.token(tier="pro")
    headers = _bearer(token)
    acknowledge_risk(client, headers)
    created = client.post("/api/sessions", headers=headers)
    assert created.status_code == 201, created.text
    assert (
        client.get("/api/sessions", headers=headers).json()["sessions"][0]["id"]
        == (created.json()["id"])
    )
    # Provisioned on first sight, so the limits (tier_of) and support's views know them.
    known = app_services.principals.by_id("oidc:alice-7")
    assert known is not None
    assert (known.role, known.scopes, known.tier) == ("customer", frozenset({"trade"}), "pro")
    assert known.display_name == "Alice Chan"
    assert app_services.principals.tier_of("oidc:alice-7") == "pro"
    assert client.get("/api/support/sessions", headers=headers).status_code == 403


def test_an_account_an_administrator_disabled_stays_out_whatever_the_provider_says(
    client: TestClient, provider: Provider, app_services: Services, clock: ManualClock
) -> None:
    token = provider.token(tier="pro")
    assert client.get("/api/sessions", headers=_bearer(token)).status_code == 200
    app_services.principals.disable("oidc:alice-7", by="demo-admin", at_ms=clock.now_ms())

    _refused(client, token, "this account is disabled")
    _refused(client, provider.token(tier="gold"), "this account is disabled")
    assert app_services.principals.by_id("oidc:alice-7") is None  # not revived


def test_roles_and_tiers_are_mapped_from_the_claims(
    client: TestClient, provider: Provider, app_services: Services
) -> None:
    staff = provider.token(sub="bob", groups=["staff", "ta-support"], tier="gold")
    assert client.get("/api/support/sessions", headers=_bearer(staff)).status_code == 200
    bob = app_services.principals.by_id("oidc:bob")
    assert bob is not None
    # "gold" is no tier of the policy: the account keeps the default.
    assert (bob.role, bob.scopes, bob.tier) == ("support", frozenset({"read"}), "verified")
    assert client.post("/api/sessions", headers=_bearer(staff)).status_code == 403

    # The provider moves the customer to another tier: followed, and audited.
    client.get("/api/sessions", headers=_bearer(provider.token(tier="basic")))
    client.get("/api/sessions", headers=_bearer(provider.token(tier="pro")))
    assert app_services.principals.tier_of("oidc:alice-7") == "pro"
    audit = client.get(
        "/v1/admin/audit", headers={"Authorization": "Bearer demo-admin-token"}
    ).json()
    changes = [e for e in audit["entries"] if e["subject"] == "oidc:alice-7"]
    assert [(e["old"], e["new"]) for e in changes] == [("basic", "pro")]
    assert changes[0]["who"] == f"identity provider {provider.issuer}"


def test_the_first_role_of_the_map_wins_and_a_product_key_simulates(
    client: TestClient, provider: Provider, app_services: Services
) -> None:
    both = provider.token(sub="carol", groups="ta-admin ta-support")
    assert client.get("/api/support/sessions", headers=_bearer(both)).status_code == 200
    carol = app_services.principals.by_id("oidc:carol")
    assert carol is not None
    assert carol.role == "support"  # ta-support comes first in the map
    product = _bearer(provider.token(sub="dave", groups=["ta-product"]))
    simulated = client.post("/v1/simulations", json={"text": "buy 0.01 BTC"}, headers=product)
    assert simulated.status_code == 200, simulated.text


def test_a_subject_cannot_become_one_of_our_accounts(
    client: TestClient, provider: Provider
) -> None:
    token = provider.token(sub="demo-admin")
    assert client.get("/v1/admin/policy", headers=_bearer(token)).status_code == 403


def test_an_ec_key_signs_too(client: TestClient, provider: Provider) -> None:
    response = client.get("/api/sessions", headers=_bearer(provider.token("ec-1", "ES256")))
    assert response.status_code == 200, response.text


def test_wrong_audience_issuer_or_time_is_refused(
    client: TestClient, provider: Provider, clock: ManualClock
) -> None:
    now = clock.now_ms() // 1000
    _refused(client, provider.token(aud="another-service"), "audience")
    _refused(client, provider.token(iss="https://evil.example"), "issuer")
    _refused(client, provider.token(exp=now - 31, nbf=now - 600), "expired")
    _refused(client, provider.token(nbf=now + 31), "not valid yet")
    _refused(client, provider.token(exp=None), "'exp'")
    # Within the leeway (30 s) either way: accepted.
    assert client.get("/api/sessions", headers=_bearer(provider.token(exp=now - 29))).is_success
    assert client.get("/api/sessions", headers=_bearer(provider.token(nbf=now + 29))).is_success


def test_time_is_the_injected_clock(
    client: TestClient, provider: Provider, clock: ManualClock
) -> None:
    token = provider.token()  # exp: the manual clock's 2026-01-01 + 300 s
    assert client.get("/api/sessions", headers=_bearer(token)).is_success
    clock.advance(331_000)
    _refused(client, token, "expired")


def test_a_bad_signature_is_refused(client: TestClient, provider: Provider) -> None:
    header, _payload, signature = provider.token().split(".")
    forged = jwt.encode(
        provider.claims(sub="mallory"),
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        algorithm="RS256",
        headers={"kid": "k1"},
    )
    _refused(client, forged, "signature")
    other_payload = forged.split(".")[1]
    _refused(client, f"{header}.{other_payload}.{signature}", "signature")


def test_alg_none_and_hs256_with_the_public_key_are_refused(
    client: TestClient, provider: Provider
) -> None:
    claims = provider.claims(sub="mallory")
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"kid": "k1"})
    _refused(client, unsigned, "algorithm 'none'")
    public_pem = provider.rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # PyJWT will not sign with a PEM as an HMAC secret; the attacker's forgery by hand.
    signing_input = (
        _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
        + "."
        + _b64(json.dumps(claims).encode())
    )
    import hmac

    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    _refused(client, f"{signing_input}.{_b64(mac)}", "algorithm 'HS256'")
    # An RS256 header on an EC key: the key type must fit the algorithm.
    mixed = jwt.encode(claims, provider.ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    relabelled = _b64(json.dumps({"alg": "RS256", "kid": "ec-1"}).encode())
    _refused(client, relabelled + mixed[mixed.index(".") :], "is not a RSA key")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_garbage_is_a_401_never_a_500(client: TestClient) -> None:
    alg_list = _b64(json.dumps({"alg": ["RS256"], "kid": "k1"}).encode())
    for token in ("a.b.c", "not-a-jwt", f"{alg_list}.e30.x", "..", "e30.e30.e30"):
        response = client.get("/api/sessions", headers=_bearer(token))
        assert response.status_code == 401, (token, response.text)
    latin = client.get("/api/sessions", headers={"Authorization": "Bearer é.é.é".encode("latin-1")})
    assert latin.status_code == 401
    weird_kid = _b64(json.dumps({"alg": "RS256", "kid": 'k"\\\u00e9\u2603'}).encode())
    response = client.get("/api/sessions", headers=_bearer(weird_kid + ".e30.x"))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].isascii()


def test_an_unknown_kid_is_refetched_at_most_once_a_minute(
    client: TestClient, provider: Provider, clock: ManualClock
) -> None:
    assert client.get("/api/sessions", headers=_bearer(provider.token())).is_success
    assert provider.jwks_fetches == 1
    # Made-up kids within the minute: refused without asking the provider again.
    for n in range(5):
        _refused(client, provider.token(kid=f"made-up-{n}"), "no signing key 'made-up-")
    assert provider.jwks_fetches == 1
    # The provider rotates to k2; a minute on, the unknown kid is fetched and found.
    provider.publish("k2")
    clock.advance(60_000)
    assert client.get("/api/sessions", headers=_bearer(provider.token("k2"))).is_success
    assert provider.jwks_fetches == 2
    # k1 is gone from the JWKS now: refused, after the refetch a minute later.
    clock.advance(60_000)
    _refused(client, provider.token("k1"), "no signing key 'k1'")
    assert provider.jwks_fetches == 3


def test_the_provider_down_is_503_naming_it_not_500(
    tmp_path: Path, provider: Provider, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path, provider, oidc_jwks_url="http://127.0.0.1:9/jwks")
    services = build_services(settings, clock)
    with TestClient(create_app(settings, services=services)) as client:
        with caplog.at_level(logging.INFO):
            response = client.get("/api/sessions", headers=_bearer(provider.token()))
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "unavailable"
            assert provider.issuer in response.json()["error"]["message"]
            assert "identity provider" in response.json()["error"]["message"]
            # Within the refetch interval it is not asked again, and still not a 401.
            again = client.get("/api/sessions", headers=_bearer(provider.token()))
            assert again.status_code == 503
        assert not any(r.exc_info for r in caplog.records), "no traceback in the log"
        # Our own tokens still work while the provider is down.
        ours = client.get("/api/sessions", headers=_bearer("demo-customer-token"))
        assert ours.is_success


def test_known_keys_outlive_an_outage_but_new_kids_wait_for_the_provider(
    client: TestClient, provider: Provider, clock: ManualClock
) -> None:
    assert client.get("/api/sessions", headers=_bearer(provider.token())).is_success
    provider.jwks_down = True
    clock.advance(3_600_000)  # the keys are due for a refetch, which fails
    assert client.get("/api/sessions", headers=_bearer(provider.token())).is_success
    assert provider.jwks_fetches == 2
    unknown = client.get("/api/sessions", headers=_bearer(provider.token("k9")))
    assert unknown.status_code == 503  # the provider may have k9: we cannot tell
    provider.jwks_down = False
    clock.advance(60_000)
    _refused(client, provider.token("k9"), "no signing key 'k9'")
    assert provider.jwks_fetches == 3


def test_without_oidc_a_jwt_is_just_an_invalid_token(
    tmp_path: Path, provider: Provider, clock: ManualClock
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    services = build_services(settings, clock)
    with TestClient(create_app(settings, services=services)) as client:
        response = client.get("/api/sessions", headers=_bearer(provider.token()))
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "invalid bearer token"
        assert "Sign in with" not in client.get("/login").text
        assert client.get("/login/oidc", follow_redirects=False).status_code == 404
    assert provider.jwks_fetches == 0


# --- settings ----------------------------------------------------------------------------


def test_settings_are_all_or_none_and_https(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="TRADEASSIST_OIDC_AUDIENCE"):
        Settings(oidc_issuer="https://id.example", oidc_jwks_url="https://id.example/jwks")
    with pytest.raises(ValidationError, match="must be https"):
        Settings(
            oidc_issuer="http://id.example",
            oidc_audience="a",
            oidc_jwks_url="http://id.example/jwks",
        )
    with pytest.raises(ValidationError, match=r"TRADEASSIST_OIDC_JWKS_URL.*must be https"):
        Settings(
            mode="production",
            demo_accounts=False,
            secret_key=secrets.token_urlsafe(48),
            oidc_issuer="https://id.example",
            oidc_audience="a",
            oidc_jwks_url="http://127.0.0.1:8080/jwks",
        )
    with pytest.raises(ValidationError, match="TRADEASSIST_OIDC_TOKEN_URL"):
        Settings(
            oidc_issuer="https://id.example",
            oidc_audience="a",
            oidc_jwks_url="https://id.example/jwks",
            oidc_client_id="web",
            oidc_authorization_url="https://id.example/authorize",
        )
    with pytest.raises(ValidationError, match="needs TRADEASSIST_OIDC_ISSUER"):
        Settings(
            oidc_client_id="web",
            oidc_authorization_url="https://id.example/authorize",
            oidc_token_url="https://id.example/token",
        )
    with pytest.raises(ValidationError, match="TRADEASSIST_OIDC_ROLE_MAP needs"):
        Settings(oidc_role_map={"staff": "support"})
    with pytest.raises(ValidationError, match="oidc_role_map"):
        Settings(oidc_role_claim="groups", oidc_role_map={"staff": "superuser"})
    production = Settings(
        mode="production",
        demo_accounts=False,
        secret_key=secrets.token_urlsafe(48),
        oidc_issuer="https://id.example",
        oidc_audience="a",
        oidc_jwks_url="https://id.example/jwks",
    )
    assert production.oidc_leeway_s == 30


def test_production_still_refuses_demo_accounts() -> None:
    with pytest.raises(ValidationError, match="TRADEASSIST_DEMO_ACCOUNTS must be false"):
        Settings(
            mode="production",
            secret_key=secrets.token_urlsafe(48),
            oidc_issuer="https://id.example",
            oidc_audience="a",
            oidc_jwks_url="https://id.example/jwks",
        )


# --- the browser's sign-in: authorization code + PKCE ------------------------------------


@pytest.fixture
def sign_in_services(tmp_path: Path, provider: Provider, clock: ManualClock) -> Iterator[Services]:
    settings = _settings(
        tmp_path,
        provider,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_authorization_url=f"{provider.issuer}/authorize?prompt=login",
        oidc_token_url=f"{provider.issuer}/token",
        # The id_token's audience is the client (OIDC Core 2); one audience serves both here.
        oidc_audience=CLIENT_ID,
    )
    built = build_services(settings, clock)
    yield built
    built.close()


@pytest.fixture
def browser(sign_in_services: Services) -> Iterator[TestClient]:
    app = create_app(sign_in_services.settings, services=sign_in_services)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


def _to_provider(browser: TestClient) -> str:
    """Follow /login's link to the provider; the provider's redirect back (its Location)."""
    start = browser.get("/login/oidc", follow_redirects=False)
    assert start.status_code == 303
    url = urlsplit(start.headers["location"])
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    try:
        connection.request("GET", f"{url.path}?{url.query}")
        answer = connection.getresponse()
        assert answer.status == 302
        return str(answer.getheader("Location"))
    finally:
        connection.close()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_the_login_page_offers_the_provider_in_every_language(browser: TestClient) -> None:
    for lang, words in (
        ("en", f"Sign in with {PROVIDER}"),
        ("zh-Hans", f"使用 {PROVIDER} 登录"),
        ("zh-Hant", f"使用 {PROVIDER} 登入"),
    ):
        page = browser.get(f"/login?lang={lang}").text
        assert f'<a class="button" href="/login/oidc">{words}</a>' in page


def test_code_and_pkce_sign_the_customer_in(browser: TestClient, provider: Provider) -> None:
    start = browser.get("/login/oidc", follow_redirects=False)
    asked = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()}
    assert start.headers["location"].startswith(f"{provider.issuer}/authorize?prompt=login&")
    assert asked["response_type"] == "code"
    assert asked["client_id"] == CLIENT_ID
    assert asked["code_challenge_method"] == "S256"
    assert asked["redirect_uri"] == "http://testserver/login/oidc/callback"
    assert "openid" in asked["scope"].split()
    assert browser.cookies.get("tradeassist_oidc") is not None  # the pending sign-in

    back = _to_provider(browser)
    done = browser.get(_path(back), follow_redirects=False)
    assert done.status_code == 200, done.text
    assert 'content="0; url=/chat"' in done.text  # a same-site hop: the cookie is Strict
    assert browser.get("/chat", follow_redirects=False).status_code == 200

    # The token endpoint got the verifier whose hash was the challenge, and the client's
    # credentials (client_secret_basic, each part form-encoded).
    sent = provider.token_requests[-1]
    verifier = sent["form"]["code_verifier"]
    assert 43 <= len(verifier) <= 128
    expected = base64.b64encode(b"tradeassist-web:s3cret%2Fwith%3Aodd%26chars").decode()
    assert sent["authorization"] == f"Basic {expected}"
    assert "client_secret" not in sent["form"]


def test_the_callback_checks_the_state(browser: TestClient, provider: Provider) -> None:
    back = _to_provider(browser)
    forged = re.sub(r"state=[^&]+", "state=forged", back)
    refused = browser.get(_path(forged), follow_redirects=False)
    assert refused.status_code == 400
    assert f"Signing in with {PROVIDER} did not work" in refused.text
    assert provider.token_requests == []  # the code was never exchanged
    # The pending sign-in is consumed: the real state no longer works either.
    assert browser.get(_path(back), follow_redirects=False).status_code == 400
    assert browser.get("/chat", follow_redirects=False).status_code == 303


def test_a_callback_without_a_started_sign_in_is_refused(
    browser: TestClient, provider: Provider
) -> None:
    back = _to_provider(browser)
    browser.cookies.clear()  # another browser: the code and state were stolen
    assert browser.get(_path(back), follow_redirects=False).status_code == 400
    assert provider.token_requests == []


def test_the_id_token_must_carry_the_nonce(browser: TestClient, provider: Provider) -> None:
    provider.id_token_claims = {"nonce": "replayed-from-another-sign-in"}
    back = _to_provider(browser)
    refused = browser.get(_path(back), follow_redirects=False)
    assert refused.status_code == 401
    assert f"Signing in with {PROVIDER} did not work" in refused.text
    assert browser.get("/chat", follow_redirects=False).status_code == 303


def test_a_wrong_verifier_is_refused_by_the_provider(
    browser: TestClient, provider: Provider
) -> None:
    back = _to_provider(browser)
    code = parse_qs(urlsplit(back).query)["code"][0]
    provider.codes[code]["code_challenge"] = "not-the-hash-of-the-verifier"
    refused = browser.get(_path(back), follow_redirects=False)
    assert refused.status_code == 401
    assert "invalid_grant" not in refused.text  # the provider's words stay in the log


def test_the_provider_declining_is_a_401_page(browser: TestClient) -> None:
    back = _to_provider(browser)
    state = parse_qs(urlsplit(back).query)["state"][0]
    declined = browser.get(
        "/login/oidc/callback?" + urlencode({"error": "access_denied", "state": state})
    )
    assert declined.status_code == 401


def test_the_token_endpoint_down_is_a_503_page(
    tmp_path: Path, provider: Provider, clock: ManualClock
) -> None:
    settings = _settings(
        tmp_path,
        provider,
        oidc_client_id=CLIENT_ID,
        oidc_authorization_url=f"{provider.issuer}/authorize",
        oidc_token_url="http://127.0.0.1:9/token",
        oidc_audience=CLIENT_ID,
    )
    services = build_services(settings, clock)
    with TestClient(create_app(settings, services=services)) as client:
        back = _to_provider(client)
        down = client.get(_path(back), headers={"Accept-Language": "zh-Hant"})
        assert down.status_code == 503
        assert f"{PROVIDER} 暫時沒有回應" in down.text


def test_a_public_client_sends_its_id_and_no_secret(
    tmp_path: Path, provider: Provider, clock: ManualClock
) -> None:
    settings = _settings(
        tmp_path,
        provider,
        oidc_client_id=CLIENT_ID,
        oidc_authorization_url=f"{provider.issuer}/authorize",
        oidc_token_url=f"{provider.issuer}/token",
        oidc_audience=CLIENT_ID,
    )
    services = build_services(settings, clock)
    with TestClient(create_app(settings, services=services)) as client:
        back = _to_provider(client)
        assert client.get(_path(back), follow_redirects=False).status_code == 200
        assert client.get("/chat", follow_redirects=False).status_code == 200
    sent = provider.token_requests[-1]
    assert sent["authorization"] is None
    assert sent["form"]["client_id"] == CLIENT_ID
