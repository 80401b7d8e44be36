"""Signing a browser in with the provider: the authorization code flow with PKCE (S256),
``state`` against cross-site request forgery and ``nonce`` against a replayed id_token
(OpenID Connect Core 1.0, 3.1; RFC 7636)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from web.auth import Principal
from web.identity.accounts import IdentityProvider
from web.identity.errors import ProviderUnavailable
from web.identity.fetch import post_form

PostForm = Callable[[str, dict[str, str], float, dict[str, str] | None], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """What the browser must bring back: kept by us (in a signed cookie), never sent
    to the provider except as ``state``, the nonce and the verifier's hash."""

    state: str
    nonce: str
    code_verifier: str


def code_challenge(code_verifier: str) -> str:
    """PKCE S256: BASE64URL(SHA256(verifier)) without padding (RFC 7636, 4.2)."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class CodeFlow:
    """The client side of the provider's authorization and token endpoints."""

    def __init__(
        self,
        identity: IdentityProvider,
        *,
        client_id: str,
        client_secret: str | None,
        authorization_url: str,
        token_url: str,
        scope: str,
        timeout_s: float,
        post: PostForm = post_form,
    ) -> None:
        self._identity = identity
        self._client_id = client_id
        self._client_secret = client_secret
        self._authorization_url = authorization_url
        self._token_url = token_url
        self._scope = scope
        self._timeout_s = timeout_s
        self._post = post

    @staticmethod
    def begin() -> PendingSignIn:
        # token_urlsafe(64): 86 characters, inside PKCE's 43 to 128.
        return PendingSignIn(
            secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
        )

    def authorization_redirect(self, pending: PendingSignIn, redirect_uri: str) -> str:
        """Where to send the browser to sign in (the provider's authorization endpoint)."""
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self._client_id,
                "redirect_uri": redirect_uri,
                "scope": self._scope,
                "state": pending.state,
                "nonce": pending.nonce,
                "code_challenge": code_challenge(pending.code_verifier),
                "code_challenge_method": "S256",
            }
        )
        parts = urlsplit(self._authorization_url)
        joined = f"{parts.query}&{query}" if parts.query else query
        return urlunsplit(parts._replace(query=joined))

    def finish(self, code: str, pending: PendingSignIn, redirect_uri: str) -> Principal:
        """Exchange ``code`` (the state already checked) for tokens; the principal its
        id_token names, which must carry the sign-in's nonce."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": pending.code_verifier,
        }
        headers: dict[str, str] = {}
        if self._client_secret is None:
            form["client_id"] = self._client_id  # a public client: PKCE is its proof
        else:  # client_secret_basic (OAuth 2.0, 2.3.1: each part form-encoded first)
            pair = f"{quote(self._client_id, safe='')}:{quote(self._client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        answer = self._post(self._token_url, form, self._timeout_s, headers)
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise ProviderUnavailable(f"{self._token_url} answered no id_token")
        return self._identity.principal(id_token, nonce=pending.nonce)
