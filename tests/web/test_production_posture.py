"""Production posture (issue 15, item 6): the secret's entropy, the API docs behind a sign-in,
security headers on every response, and a Redis journal that must survive a restart."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient
from pydantic import ValidationError

from execution.clock import ManualClock
from tests.web.conftest import CUSTOMER, PRODUCT
from tests.web.test_pages import _csrf
from tests.web.test_settings import STRONG_SECRET
from web.app import create_app
from web.auth import DEMO_ADMIN, DEMO_CUSTOMER, DEMO_PRODUCT, DEMO_SUPPORT
from web.redis_durability import durability
from web.secret_strength import GENERATE_HINT, estimated_bits
from web.security_headers import CONTENT_SECURITY_POLICY
from web.services import build_services, open_journal
from web.settings import Settings, SettingsError


def production(tmp_path: Path, **values: object) -> Settings:
    given: dict[str, object] = {
        "mode": "production",
        "secret_key": STRONG_SECRET,
        "demo_accounts": False,
        "data_dir": tmp_path / "data",
    }
    return Settings(**(given | values))  # type: ignore[arg-type]


# --- the secret's entropy ---------------------------------------------------------------

ACCEPTED = {
    "token_urlsafe(48)": STRONG_SECRET,
    "token_hex(32)": "9aed8c9d004d62b9c66a9053ab70ae26629a4d5e1f0c37b8a2d4e6f80b1c3d5e",
    "token_urlsafe(32)": "x1Ng-5TZB6ZBHTKcgluK0QP0CXa1d2NLE92UNXRtqW7",
    "ten Diceware words": "Fable-Ozone-Crisp-Tundra-Mower-Quilt-Ember-Gravy-Nylon-Pixie-Sprig",
}
REFUSED = {
    "32 x a": "a" * 32,
    "two letters repeated": "ab" * 24,
    "a random block repeated": "i3XPHkX82lwO9L7S" * 4,
    "a run of consecutive characters": "0123456789abcdefghijklmnopqrstuvwxyzABCDEF",
    "words": "our-exchange-trading-assistant-secret-key-2026",
    "a short passphrase": "correct-horse-battery-staple-correct-horse",
    "a word and digits twice": "Password1234567890Password1234567890",
    "hex of 16 bytes": "d4cf8b276e22f2ea06b08d4ceca7bd90",
}


@pytest.mark.parametrize("secret", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_a_random_secret_is_accepted(secret: str, tmp_path: Path) -> None:
    assert estimated_bits(secret) >= 128
    assert production(tmp_path, secret_key=secret).mode == "production"


@pytest.mark.parametrize("secret", REFUSED.values(), ids=REFUSED.keys())
def test_a_guessable_secret_is_refused_without_echoing_it(secret: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        production(tmp_path, secret_key=secret)

    message = str(refused.value)
    assert "TRADEASSIST_SECRET_KEY" in message
    assert "bits of entropy" in message
    assert GENERATE_HINT in message
    assert secret not in message
    assert secret[:12] not in message


def test_a_short_secret_is_refused_by_its_length(tmp_path: Path) -> None:
    # 31 characters pass nothing, in any mode; 32 of one CJK character are 96 bytes, 0 bits.
    with pytest.raises(ValidationError, match="secret_key"):
        production(tmp_path, secret_key="x" * 31)
    with pytest.raises(ValidationError, match="about 0 bits of entropy"):
        production(tmp_path, secret_key="密" * 32)


def test_development_keeps_any_long_enough_secret() -> None:
    assert Settings(secret_key="a" * 32).secret_key == "a" * 32


# --- the API docs ------------------------------------------------------------------------

DOCS = ("/docs", "/redoc", "/openapi.json")


@pytest.mark.parametrize("path", DOCS)
def test_development_serves_the_docs_to_anyone(path: str, client: TestClient) -> None:
    assert client.get(path).status_code == 200


@pytest.fixture
def production_client(tmp_path: Path, clock: ManualClock) -> Iterator[TestClient]:
    """A production app whose accounts are added as an operator would (demo accounts off)."""
    settings = production(tmp_path)
    services = build_services(settings, clock)
    for principal in (DEMO_CUSTOMER, DEMO_SUPPORT, DEMO_PRODUCT, DEMO_ADMIN):
        services.principals.put(principal, f"{principal.role}-{STRONG_SECRET}")
    with TestClient(create_app(settings, services=services)) as client:
        yield client
    services.close()


def _as(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {role}-{STRONG_SECRET}"}


@pytest.mark.parametrize("path", DOCS)
def test_production_serves_the_docs_only_to_admin_and_product(
    path: str, production_client: TestClient
) -> None:
    anonymous = production_client.get(path)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"
    for role in ("customer", "support"):
        refused = production_client.get(path, headers=_as(role))
        assert refused.status_code == 403, role
        assert "API docs" in refused.json()["error"]["message"]
    for role in ("admin", "product"):
        assert production_client.get(path, headers=_as(role)).status_code == 200, role


def test_production_docs_reach_a_cookie_signed_in_product(
    production_client: TestClient,
) -> None:
    # The product team's home is /docs (pages.HOME_BY_ROLE); its page fetches /openapi.json
    # with the same cookie. The cookie is https-only in production, hence the https client.
    production_client.base_url = production_client.base_url.copy_with(scheme="https")
    csrf = _csrf(production_client.get("/login").text)
    signed_in = production_client.post(
        "/login",
        data={"user_id": "demo-product", "token": f"product-{STRONG_SECRET}", "csrf": csrf},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/docs"
    assert production_client.get("/docs").status_code == 200
    assert "/v1/simulations" in production_client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_docs_pages_allow_exactly_their_own_inline_script(
    path: str, client: TestClient
) -> None:
    page = client.get(path)
    policy = page.headers["content-security-policy"]
    scripts = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert len(scripts) == (1 if path == "/docs" else 0)  # ReDoc starts from its bundle
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy


# --- security headers --------------------------------------------------------------------


def _assert_secured(response: object, *, hsts: bool = False) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert ("strict-transport-security" in headers) is hsts


def test_every_kind_of_response_carries_the_security_headers(client: TestClient) -> None:
    responses = {
        "page": client.get("/login"),
        "chat page": client.get("/chat", headers=CUSTOMER),
        "api": client.get("/api/sessions", headers=CUSTOMER),
        "static file": client.get("/static/style.css"),
        "404": client.get("/no/such/page"),
        "422": client.post("/v1/simulations", headers=PRODUCT, json={"no": "fields"}),
        "401": client.get("/api/sessions"),
        "413": client.post("/api/sessions", headers=CUSTOMER, content=b"x" * (200 * 1024)),
    }
    expected = {"404": 404, "422": 422, "401": 401, "413": 413}
    for name, response in responses.items():
        assert response.status_code == expected.get(name, 200), name
        _assert_secured(response)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, name
    policy = CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "unsafe" not in policy
    assert "frame-ancestors 'none'" in policy


def test_hsts_only_over_tls(client: TestClient) -> None:
    _assert_secured(client.get("/login"))
    client.base_url = client.base_url.copy_with(scheme="https")
    tls = client.get("/login")
    _assert_secured(tls, hsts=True)
    assert tls.headers["strict-transport-security"].startswith("max-age=31536000")


TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def test_no_template_has_inline_script_style_or_handlers() -> None:
    """What the policy would block: an inline <script> (other than JSON data), a <style>
    element, a style="..." attribute or an on...="..." handler."""
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert "<style" not in text, template.name
        assert not re.search(r"\sstyle=", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name


# --- a Redis journal's durability ---------------------------------------------------------


def test_production_refuses_a_redis_journal_without_aof_or_replica(
    tmp_path: Path, clock: ManualClock, test_redis_url: str, redis_prefix: str
) -> None:
    probe = redis.Redis.from_url(test_redis_url)
    if durability(probe) is not None:
        pytest.skip("the test Redis persists (AOF or a replica): nothing to refuse")
    settings = production(tmp_path, journal_url=test_redis_url, journal_prefix=redis_prefix)
    with pytest.raises(SettingsError) as refused:
        open_journal(settings, clock)
    message = str(refused.value)
    assert "appendonly no" in message
    assert "TRADEASSIST_REDIS_DURABILITY_ACK=volatile" in message

    acknowledged = settings.model_copy(update={"redis_durability_ack": "volatile"})
    open_journal(acknowledged, clock).close()
    # Development does not ask.
    open_journal(Settings(journal_url=test_redis_url, journal_prefix=redis_prefix), clock).close()


@pytest.fixture
def own_redis(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A redis-server of this test's own, started with the arguments the test names."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args: list[str] = request.param
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
            *args,
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("own_redis", [["--appendonly", "yes"]], indirect=True)
def test_production_accepts_a_redis_with_aof(
    own_redis: str, tmp_path: Path, clock: ManualClock
) -> None:
    assert durability(redis.Redis.from_url(own_redis)) == "aof"
    open_journal(production(tmp_path, journal_url=own_redis), clock).close()


@pytest.mark.parametrize("own_redis", [["--rename-command", "CONFIG", ""]], indirect=True)
def test_a_redis_without_config_needs_the_acknowledgement(
    own_redis: str, tmp_path: Path, clock: ManualClock
) -> None:
    settings = production(tmp_path, journal_url=own_redis)
    with pytest.raises(SettingsError) as refused:
        open_journal(settings, clock)
    message = str(refused.value)
    assert "CONFIG" in message
    assert "managed Redis" in message
    assert "TRADEASSIST_REDIS_DURABILITY_ACK=volatile" in message
    acknowledged = settings.model_copy(update={"redis_durability_ack": "volatile"})
    open_journal(acknowledged, clock).close()
