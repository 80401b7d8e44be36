"""The identity provider's users as our principals: who (``sub``), which role and tier
(through the claims the settings name), provisioned into the account store on first sight.

- **User id** ``oidc:<sub>``: namespaced, so no subject the provider issues can be taken
  for one of our own accounts (``demo-admin``, a key made by an administrator).
- **Role** from the claim ``TRADEASSIST_OIDC_ROLE_CLAIM`` through
  ``TRADEASSIST_OIDC_ROLE_MAP``: the first entry of the map whose value the claim holds;
  without one, ``customer``. The role's scopes are all of :data:`~web.auth.ROLE_SCOPES`'s.
- **Tier** from ``TRADEASSIST_OIDC_TIER_CLAIM`` when it names one of the policy's tiers;
  otherwise the tier the account has (an administrator's, default ``verified``).
- **Provisioned**: the principal is written to :class:`~web.auth.Principals` on first
  sight and again when the provider says something new (a tier change is audited, by the
  provider), so ``tier_of()`` (the limits), support's views and the admin's tier changes
  know them. Its stored secret is random and never shown: such an account signs in only
  through the provider.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from execution.actors import Role
from execution.clock import Clock
from execution.policy import DEFAULT_TIER
from web.auth import ROLE_SCOPES, Principal, Principals
from web.identity.errors import InvalidToken
from web.identity.tokens import TokenVerifier

USER_PREFIX = "oidc:"
#: The longest ``sub`` accepted (OpenID Connect Core 1.0, 2: at most 255 ASCII characters).
MAX_SUBJECT = 255
_MAX_NAME = 100
_NAME_CLAIMS = ("name", "preferred_username", "email")


def user_id_for(subject: str) -> str:
    """Our user id for the provider's subject ``sub``."""
    return f"{USER_PREFIX}{subject}"


@dataclass(frozen=True)
class ClaimMapping:
    """Which claims name the role and the tier (the settings ``TRADEASSIST_OIDC_*``)."""

    role_claim: str | None = None
    role_map: dict[str, Role] = field(default_factory=dict)
    tier_claim: str | None = None

    def role(self, claims: dict[str, Any]) -> Role:
        if self.role_claim is None:
            return "customer"
        held = _values(_claim(claims, self.role_claim))
        return next((role for value, role in self.role_map.items() if value in held), "customer")

    def tier(self, claims: dict[str, Any], tiers: Collection[str]) -> str | None:
        """The tier the claims name, if the policy defines it (else None: left as it is)."""
        if self.tier_claim is None:
            return None
        named = _claim(claims, self.tier_claim)
        return named if isinstance(named, str) and named in tiers else None


def _claim(claims: dict[str, Any], path: str) -> object:
    """The claim at a dotted ``path`` (``realm_access.roles``), or None."""
    found: object = claims
    for part in path.split("."):
        if not isinstance(found, dict):
            return None
        found = found.get(part)
    return found


def _values(value: object) -> set[str]:
    if isinstance(value, str):
        return set(value.split())  # a space-separated list, as OAuth writes scopes
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


class IdentityProvider:
    """Turns the provider's tokens into principals, writing them to the account store."""

    def __init__(
        self,
        verifier: TokenVerifier,
        mapping: ClaimMapping,
        principals: Principals,
        clock: Clock,
        tiers: Callable[[], Collection[str]],
    ) -> None:
        self.verifier = verifier
        self._mapping = mapping
        self._principals = principals
        self._clock = clock
        self._tiers = tiers

    def principal(self, token: str, *, nonce: str | None = None) -> Principal:
        """The principal a valid token names (see :meth:`TokenVerifier.verify`)."""
        return self.account(self.verifier.verify(token, nonce=nonce))

    def account(self, claims: dict[str, Any]) -> Principal:
        """The principal for verified ``claims``, provisioned or brought up to date."""
        subject = claims["sub"]
        if len(subject) > MAX_SUBJECT:
            raise InvalidToken(f"the token's subject is longer than {MAX_SUBJECT} characters")
        user_id = user_id_for(subject)
        role = self._mapping.role(claims)
        known = self._principals.by_id(user_id)
        named_tier = self._mapping.tier(claims, self._tiers()) if self._mapping.tier_claim else None
        wanted = Principal(
            user_id,
            _display_name(claims, subject),
            role,
            ROLE_SCOPES[role],
            known.tier if known is not None else (named_tier or DEFAULT_TIER),
        )
        if known != wanted:
            # A random secret nobody is told: this account has no token of ours.
            self._principals.put(wanted, secrets.token_urlsafe(32))
            if self._principals.by_id(user_id) is None:  # disabled by an administrator
                raise InvalidToken("this account is disabled")
        if named_tier is not None and named_tier != wanted.tier:
            self._principals.set_tier(
                user_id,
                named_tier,
                by=f"identity provider {self.verifier.issuer}",
                at_ms=self._clock.now_ms(),
            )
            wanted = Principal(wanted.user_id, wanted.display_name, role, wanted.scopes, named_tier)
        return wanted


def _display_name(claims: dict[str, Any], subject: str) -> str:
    for name in _NAME_CLAIMS:
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()[:_MAX_NAME]
    return subject[:_MAX_NAME]
