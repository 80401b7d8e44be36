"""A local OpenID Connect provider for the tests: a real RSA (and EC) key the test generates,
its JWKS, and a tiny authorization and token endpoint on 127.0.0.1 in a thread, which answer
as OpenID Connect Core 1.0 documents (3.1.2.5, 3.1.3.3) and check what they are sent (state,
nonce, the PKCE verifier). ``/authorize`` approves at once (no login form of its own): it
redirects back with a code, as a provider does for a user already signed in there.

Used by tests/web/test_oidc.py (on the injected clock) and the Chromium sign-in
(tests/browser/test_provider_sign_in_e2e.py, on the wall clock of a real server).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from execution.clock import Clock, SystemClock

AUDIENCE = "tradeassist"
CLIENT_ID = "tradeassist-web"
CLIENT_SECRET = "s3cret/with:odd&chars"
PROVIDER = "Exchange ID"


@dataclass
class Provider:
    """The provider's state: its keys, what it published, what it was sent."""

    port: int = 0
    rsa_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    ec_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    published: list[dict[str, Any]] = field(default_factory=list)
    jwks_fetches: int = 0
    jwks_down: bool = False  # answer 503 to the JWKS (an outage)
    # The authorization requests it saw, by the code it issued for each.
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    clock: Clock = field(default_factory=SystemClock)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def publish(self, *kids: str) -> None:
        """Publish the RSA key under each of ``kids`` (and the EC key as ``ec-1``)."""
        rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa_key.public_key()))
        ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.ec_key.public_key()))
        self.published = [
            *({**rsa_jwk, "kid": kid, "use": "sig", "alg": "RS256"} for kid in kids),
            {**ec_jwk, "kid": "ec-1", "use": "sig", "alg": "ES256"},
        ]

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = self.clock.now_ms() // 1000
        claims = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": "alice-7",
            "name": "Alice Chan",
            "iat": now,
            "nbf": now,
            "exp": now + 300,
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, kid: str = "k1", alg: str = "RS256", **changes: Any) -> str:
        key = self.ec_key if alg == "ES256" else self.rsa_key
        return jwt.encode(self.claims(**changes), key, algorithm=alg, headers={"kid": kid})


class _Handler(BaseHTTPRequestHandler):
    provider: Provider

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/jwks":
            self.provider.jwks_fetches += 1
            if self.provider.jwks_down:
                self._json(503, {"error": "temporarily_unavailable"})
            else:
                self._json(200, {"keys": self.provider.published})
        elif url.path == "/authorize":  # OIDC Core 3.1.2.5: back with code and state
            asked = {k: v[0] for k, v in parse_qs(url.query).items()}
            code = secrets.token_urlsafe(16)
            self.provider.codes[code] = asked
            back = f"{asked['redirect_uri']}?{urlencode({'code': code, 'state': asked['state']})}"
            self.send_response(302)
            self.send_header("Location", back)
            self.end_headers()
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:  # the token endpoint, OIDC Core 3.1.3
        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.provider.token_requests.append(
            {"form": form, "authorization": self.headers.get("Authorization")}
        )
        asked = self.provider.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (
            asked is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != asked["redirect_uri"]
            or asked.get("code_challenge_method") != "S256"
            or challenge != asked["code_challenge"]
        ):  # RFC 6749, 5.2
            self._json(400, {"error": "invalid_grant", "error_description": "code refused"})
            return
        claims = {"nonce": asked["nonce"], "aud": CLIENT_ID, **self.provider.id_token_claims}
        id_token = self.provider.token(**claims)
        self._json(
            200,
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 3600,
                "id_token": id_token,
            },
        )


@contextmanager
def serving(provider: Provider) -> Iterator[Provider]:
    """``provider`` served on a free port of 127.0.0.1 (its ``port`` set) until the block ends."""
    handler = type("Handler", (_Handler,), {"provider": provider})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    provider.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
