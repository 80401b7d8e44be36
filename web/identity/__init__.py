"""Customers from the exchange's identity provider (OpenID Connect).

- :mod:`~web.identity.jwks`: the provider's signing keys, cached, refetched with a floor;
- :mod:`~web.identity.tokens`: a token's signature, algorithm, issuer, audience and times;
- :mod:`~web.identity.accounts`: claims to a principal (user id, role, tier), provisioned;
- :mod:`~web.identity.code_flow`: the browser's sign-in (authorization code + PKCE);
- :mod:`~web.identity.errors`: what can go wrong, for the web boundary to translate.

:func:`build_identity` wires them from the settings (None while OIDC is not configured).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from execution.clock import Clock
from web.auth import Principals
from web.identity.accounts import ClaimMapping, IdentityProvider, user_id_for
from web.identity.code_flow import CodeFlow, PendingSignIn
from web.identity.errors import IdentityError, InvalidToken, ProviderUnavailable
from web.identity.jwks import ALGORITHMS, Jwks
from web.identity.tokens import TokenVerifier
from web.settings import Settings

__all__ = [
    "ALGORITHMS",
    "ClaimMapping",
    "CodeFlow",
    "IdentityError",
    "IdentityProvider",
    "InvalidToken",
    "Jwks",
    "PendingSignIn",
    "ProviderUnavailable",
    "TokenVerifier",
    "build_code_flow",
    "build_identity",
    "user_id_for",
]


def build_identity(
    settings: Settings,
    clock: Clock,
    principals: Principals,
    tiers: Callable[[], Collection[str]],
) -> IdentityProvider | None:
    """The identity provider the settings name, or None if OIDC is off."""
    if settings.oidc_issuer is None or settings.oidc_audience is None:
        return None
    if settings.oidc_jwks_url is None:
        return None
    jwks = Jwks(
        settings.oidc_jwks_url,
        clock,
        timeout_s=settings.oidc_timeout_s,
        max_age_ms=settings.oidc_jwks_max_age_s * 1000,
        min_refetch_ms=settings.oidc_jwks_min_refetch_s * 1000,
    )
    verifier = TokenVerifier(
        issuer=settings.oidc_issuer,
        audience=settings.oidc_audience,
        jwks=jwks,
        clock=clock,
        leeway_s=settings.oidc_leeway_s,
    )
    mapping = ClaimMapping(
        settings.oidc_role_claim, dict(settings.oidc_role_map), settings.oidc_tier_claim
    )
    return IdentityProvider(verifier, mapping, principals, clock, tiers)


def build_code_flow(settings: Settings, identity: IdentityProvider | None) -> CodeFlow | None:
    """The browser sign-in, or None unless a client id (and its endpoints) is set."""
    if identity is None or settings.oidc_client_id is None:
        return None
    if settings.oidc_authorization_url is None or settings.oidc_token_url is None:
        return None
    secret = settings.oidc_client_secret
    return CodeFlow(
        identity,
        client_id=settings.oidc_client_id,
        client_secret=None if secret is None else secret.get_secret_value(),
        authorization_url=settings.oidc_authorization_url,
        token_url=settings.oidc_token_url,
        scope=settings.oidc_scope,
        timeout_s=settings.oidc_timeout_s,
    )
