"""Every input case of issue 15's "What was measured", sent to a real ``tradeassist serve`` on
every route it names (messages, confirm, simulations and their batch, admin): each is a 4xx,
and the server logs no traceback and answers no 5xx. Before, a bare ``NaN``, ``Infinity`` or
``1e400`` or a lone surrogate was a 500 with a traceback (the 422 handler failed echoing it);
a 64 MB text came back as a 64 MB error; and what-if figures that passed validation emptied
the book, sinking a whole batch.

:mod:`tests.web.test_bad_input` checks, in process, that each such 422 names its field; here
the server runs as it does in production, so a traceback it would log is seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.app_server import AppProcess, app_server, assert_no_trace
from tests.support import acknowledge_risk

from .conftest import CUSTOMER, PRODUCT

ADMIN = {"Authorization": "Bearer demo-admin-token"}
JSON = {"Content-Type": "application/json"}
NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e400")
LONE_SURROGATE = '"buy \\ud800 btc"'  # JSON text: an escape no UTF-8 string can hold


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    root = tmp_path_factory.mktemp("bad-input")
    with app_server(root, {"TRADEASSIST_DATA_DIR": str(root / "data")}) as running:
        yield running


@pytest.fixture(scope="module")
def http(served: AppProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=30) as client:
        acknowledge_risk(client, CUSTOMER)
        yield client


@pytest.fixture(scope="module")
def routes(http: httpx.Client) -> dict[str, tuple[str, str, dict[str, str]]]:
    """Each route the issue names: (method, path, caller), on a session of the customer."""
    sid = http.post("/api/sessions", headers=CUSTOMER).json()["id"]
    return {
        "messages": ("POST", f"/api/sessions/{sid}/messages", CUSTOMER),
        "confirm": ("POST", f"/api/sessions/{sid}/steps/p1.1/confirm", CUSTOMER),
        "simulations": ("POST", "/v1/simulations", PRODUCT),
        "batch": ("POST", "/v1/simulations/batch", PRODUCT),
        "admin policy": ("PUT", "/v1/admin/policy", ADMIN),
        "admin tier": ("PUT", "/v1/admin/principals/demo-customer/tier", ADMIN),
    }


def _bodies(value: str) -> dict[str, list[str]]:
    """Bodies with ``value`` (JSON text) where each route reads a number or a string."""
    sim = f'{{"text": "buy 0.01 BTC", "balances": {{"USDT": {value}}}}}'
    return {
        "messages": [f'{{"text": {value}}}'],
        "confirm": [f'{{"token": {value}}}'],
        "simulations": [
            sim,
            f'{{"text": {value}}}',
            f'{{"text": "buy 1 ETH", "seed": {value}}}',
            f'{{"text": "buy 1 ETH", "scenario": {{"ETH/USDT": {{"shock_pct": {value}}}}}}}',
            # a currency named back in an error: a lone surrogate there was a 500
            f'{{"text": "buy 1 ETH", "balances": {{{value}: -1}}}}'
            if value.startswith('"')
            else sim,
        ],
        "batch": [f'{{"simulations": [{sim}]}}', f'{{"simulations": [{{"text": {value}}}]}}'],
        "admin policy": [f'{{"max_slippage_bps": {value}}}', f'{{"version_note": {value}}}'],
        "admin tier": [f'{{"tier": {value}}}'],
    }


def _refused(response: httpx.Response, what: str) -> None:
    assert 400 <= response.status_code < 500, f"{what}: {response.status_code} {response.text}"
    assert response.json()["error"]["code"], what
    assert len(response.content) < 4_000, f"{what}: {len(response.content)} bytes"


@pytest.fixture
def since(served: AppProcess) -> int:
    """Where the server's log stands as the test starts: each test reads only its own."""
    return served.log.stat().st_size


def test_non_finite_numbers_are_4xx_and_log_no_traceback(
    served: AppProcess,
    since: int,
    http: httpx.Client,
    routes: dict[str, tuple[str, str, dict[str, str]]],
) -> None:
    for value in NON_FINITE:
        for route, bodies in _bodies(value).items():
            method, path, caller = routes[route]
            for body in bodies:
                response = http.request(method, path, headers={**caller, **JSON}, content=body)
                _refused(response, f"{route} {body}")
    assert_no_trace(served, since)


def test_lone_surrogates_and_invalid_utf8_are_4xx_and_log_no_traceback(
    served: AppProcess,
    since: int,
    http: httpx.Client,
    routes: dict[str, tuple[str, str, dict[str, str]]],
) -> None:
    for route, bodies in _bodies(LONE_SURROGATE).items():
        method, path, caller = routes[route]
        for body in bodies:
            response = http.request(method, path, headers={**caller, **JSON}, content=body)
            _refused(response, f"{route} {body}")
        raw = b'{"text": "buy \xff\xfe btc"}'  # bytes that are not UTF-8 at all
        _refused(http.request(method, path, headers={**caller, **JSON}, content=raw), route)
    assert_no_trace(served, since)


def test_bodies_over_the_limit_are_413_unechoed_and_log_no_traceback(
    served: AppProcess,
    since: int,
    http: httpx.Client,
    routes: dict[str, tuple[str, str, dict[str, str]]],
) -> None:
    big = b'{"text": "' + b"x" * (2 * 1024 * 1024) + b'"}'  # over every route's limit
    for route, (method, path, caller) in routes.items():
        declared = http.request(method, path, headers={**caller, **JSON}, content=big)
        chunked = http.request(  # no Content-Length: counted as it arrives
            method,
            path,
            headers={**caller, **JSON},
            content=(big[i : i + 65_536] for i in range(0, len(big), 65_536)),
        )
        for response in (declared, chunked):
            assert response.status_code == 413, f"{route}: {response.status_code}"
            _refused(response, route)

    # under the limit but invalid: the 422 names the field and never echoes the text
    long_text = "y" * 60_000
    method, path, caller = routes["messages"]
    response = http.request(method, path, headers=caller, json={"text": long_text})
    _refused(response, "a 60 KB message")
    assert long_text[:1_000] not in response.text
    assert_no_trace(served, since)


@pytest.mark.parametrize(
    "scenario",
    [{"depth_mult": "1e-300"}, {"shock_pct": "-99.9999999"}, {"depth_mult": 1e-300}],
)
def test_what_ifs_that_emptied_the_book_are_4xx_and_log_no_traceback(
    served: AppProcess, since: int, http: httpx.Client, scenario: dict[str, object]
) -> None:
    item = {"text": "buy 0.5 ETH with USDT", "balances": {"USDT": "100000"}}
    what_if = {**item, "scenario": {"ETH/USDT": scenario}}
    single = http.post("/v1/simulations", headers=PRODUCT, json=what_if)
    batch = http.post("/v1/simulations/batch", headers=PRODUCT, json={"simulations": [what_if]})
    _refused(single, "a simulation")
    _refused(batch, "a batch")

    # a what-if within the bounds whose book cannot be drawn fails alone in its batch
    below_tick = {"text": "buy 0.01 BTC when it drops to 0.001", "balances": {"USDT": "1000"}}
    for accept in ("application/json", "application/x-ndjson"):
        mixed = http.post(
            "/v1/simulations/batch",
            headers={**PRODUCT, "Accept": accept},
            json={"simulations": [item, below_tick, item]},
        )
        assert mixed.status_code == 200, mixed.text
        assert mixed.text.count('"ok":true') == 2
        assert mixed.text.count('"code":"scenario_refused"') == 1
    assert_no_trace(served, since)


def test_the_log_would_show_a_traceback(served: AppProcess, tmp_path: Path) -> None:
    """The check above can fail: a log with a traceback or a 5xx line is caught."""
    for line in ("Traceback (most recent call last):", '"POST /v1/simulations HTTP/1.1" 500'):
        fake = tmp_path / "serve.log"
        fake.write_text(f"INFO: started\n{line}\n")
        with pytest.raises(AssertionError):
            assert_no_trace(AppProcess(served.process, served.url, fake))
