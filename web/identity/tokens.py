"""Verifying the identity provider's tokens (an access token sent as a bearer token, or the
id_token of a sign-in): signature, algorithm, issuer, audience, expiry and not-before."""

from __future__ import annotations

from typing import Any

import jwt

from execution.clock import Clock
from web.identity.errors import InvalidToken
from web.identity.jwks import ALGORITHMS, Jwks

#: Claims every token must carry (besides ``nbf``, checked when present).
REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp")


class TokenVerifier:
    """Checks a compact JWS against the provider's keys; time is the injected clock's."""

    def __init__(
        self, *, issuer: str, audience: str, jwks: Jwks, clock: Clock, leeway_s: int
    ) -> None:
        self.issuer = issuer
        self._audience = audience
        self._jwks = jwks
        self._clock = clock
        self._leeway_s = leeway_s

    def verify(self, token: str, *, nonce: str | None = None) -> dict[str, Any]:
        """The token's claims, or :class:`InvalidToken` saying why not (and
        :class:`~web.identity.errors.ProviderUnavailable` if the keys cannot be read).
        ``nonce``: the id_token of a sign-in must carry the one the sign-in sent."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("not a signed JWT") from None
        alg, kid = header.get("alg"), header.get("kid")
        if not isinstance(alg, str) or alg not in ALGORITHMS:
            raise InvalidToken(
                f"algorithm {str(alg)[:20]!r} is not accepted ({', '.join(ALGORITHMS)})"
            )
        if not isinstance(kid, str):
            raise InvalidToken("the token names no signing key (kid)")
        key = self._jwks.key(kid)
        if key.key_type != ALGORITHMS[alg]:
            raise InvalidToken(f"key {kid[:64]!r} is not a {ALGORITHMS[alg]} key for {alg}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=self._audience,
                issuer=self.issuer,
                # Time is checked below against the injected clock, not the wall clock.
                options={
                    "require": list(REQUIRED_CLAIMS),
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidAudienceError:
            raise InvalidToken("the token is not for this service (audience)") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("the token is not from the identity provider (issuer)") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("the token's signature does not verify") from None
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"the token has no {exc.claim!r} claim") from None
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise InvalidToken(f"the token is not valid: {type(exc).__name__}") from None
        self._check_time(claims)
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise InvalidToken("the token's subject (sub) is not a non-empty string")
        if nonce is not None and claims.get("nonce") != nonce:
            raise InvalidToken("the id_token's nonce is not the one this sign-in sent")
        return claims

    def _check_time(self, claims: dict[str, Any]) -> None:
        now_s = self._clock.now_ms() / 1000
        exp, nbf = claims["exp"], claims.get("nbf")
        if not _is_time(exp) or (nbf is not None and not _is_time(nbf)):
            raise InvalidToken("the token's exp or nbf is not a number of seconds")
        if now_s >= exp + self._leeway_s:
            raise InvalidToken("the token has expired")
        if nbf is not None and now_s < nbf - self._leeway_s:
            raise InvalidToken("the token is not valid yet (nbf)")


def _is_time(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
