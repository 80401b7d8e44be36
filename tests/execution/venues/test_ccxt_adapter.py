"""Tests of the ccxt adapter (execution.venues.ccxt_adapter) beyond the shared Venue contract.

No test touches the network: HTTP is replaced either at ccxt's ``fetch`` (as ccxt's
static tests do) or, to run ccxt's real ``fetch`` (error handling, logging), at the
``requests`` session underneath it.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ccxt
import pytest
import requests
from requests.structures import CaseInsensitiveDict

from execution.errors import (
    DuplicateOrder,
    ExecutionError,
    OrderNotFound,
    OrderRejected,
    VenueConfigurationError,
    VenueError,
    VenueUnavailable,
    call_translated,
)
from execution.venues.ccxt_adapter import CcxtVenue, TranslatingVenue
from tests.execution.venues.test_contract import (
    RecordedTransport,
    SentRequest,
    ccxt_static,
    offline_exchange,
)

REPO = Path(__file__).resolve().parents[3]
API_KEY = "hk-api-key-0123456789"
SECRET = "hk-secret-abcdefghijklmnop"


@pytest.fixture
def root() -> Path:
    return ccxt_static()


class Sleeps:
    """An injected sleep that records instead of sleeping."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class Transport:
    """ccxt's ``fetch`` replaced: counts requests, raises the queued failures first, then
    answers from the recorded HashKey responses (or fails the test if there is none)."""

    def __init__(self, recorded: RecordedTransport | None, *failures: Exception) -> None:
        self.recorded = recorded
        self.failures = list(failures)
        self.sent: list[SentRequest] = []
        self.always: Exception | None = None

    def fetch(
        self,
        url: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: str | None = None,
    ) -> Any:
        self.sent.append(SentRequest(method, url, headers, body))
        if self.always is not None:
            raise self.always
        if self.failures:
            raise self.failures.pop(0)
        assert self.recorded is not None, f"unexpected request {method} {url}"
        return self.recorded.fetch(url, method, headers, body)


def hashkey_venue(root: Path, transport: Transport, **kwargs: Any) -> tuple[CcxtVenue, Sleeps]:
    exchange = offline_exchange("hashkey", root)
    exchange.fetch = transport.fetch
    sleeps = Sleeps()
    venue = CcxtVenue(
        "hashkey", api_key=API_KEY, secret=SECRET, exchange=exchange, sleep=sleeps, **kwargs
    )
    return venue, sleeps


# -- configuration: testnet only where there is one ----------------------------------------


def test_exchange_without_a_test_url_is_refused() -> None:
    # kraken declares urls['test'] as None in this ccxt; ccxt's own set_sandbox_mode would
    # accept that and leave the exchange with no API URL.
    assert not ccxt.kraken().urls.get("test")
    with pytest.raises(VenueConfigurationError, match=r"kraken has no test URL") as raised:
        CcxtVenue("kraken")
    assert raised.value.code == "venue_configuration"
    assert not isinstance(raised.value, VenueError)  # nothing was called
    assert isinstance(raised.value, ExecutionError)


def test_production_needs_testnet_false(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="execution.venues.ccxt_adapter"):
        venue = CcxtVenue("kraken", testnet=False)
    assert venue.testnet is False
    assert venue.exchange.urls["api"] == ccxt.kraken().urls["api"]
    assert "production API" in caplog.text


@pytest.mark.parametrize("exchange_id", ["hashkey", "binance"])
def test_testnet_switches_to_the_test_urls(exchange_id: str) -> None:
    pristine = getattr(ccxt, exchange_id)()
    venue = CcxtVenue(exchange_id)
    assert venue.testnet is True
    assert venue.exchange.isSandboxModeEnabled is True
    assert venue.exchange.urls["api"] == pristine.urls["test"]
    assert venue.exchange.urls["api"] != pristine.urls["api"]
    assert venue.id == exchange_id


def test_test_hosts_are_the_known_ones() -> None:
    assert CcxtVenue("hashkey").exchange.urls["api"]["private"] == (
        "https://api-glb.sim.hashkeydev.com"
    )
    assert (
        CcxtVenue("binance")
        .exchange.urls["api"]["private"]
        .startswith("https://testnet.binance.vision/")
    )


def test_unknown_or_mismatched_exchange_is_refused() -> None:
    with pytest.raises(VenueConfigurationError, match="no exchange 'nosuchvenue'"):
        CcxtVenue("nosuchvenue")
    with pytest.raises(VenueConfigurationError, match="'binance', not 'hashkey'"):
        CcxtVenue("hashkey", exchange=ccxt.binance())


def test_options_are_merged_and_a_sandboxed_instance_is_not_switched_twice() -> None:
    exchange = ccxt.hashkey()
    exchange.set_sandbox_mode(True)
    venue = CcxtVenue("hashkey", exchange=exchange, options={"recvWindow": 5000})
    assert venue.exchange.options["recvWindow"] == 5000
    assert venue.exchange.options["broker"] == "10000700011"  # ccxt's own options kept
    assert venue.exchange.urls["api"] == ccxt.hashkey().urls["test"]
    assert venue.exchange.urls["apiBackup"] == ccxt.hashkey().urls["api"]


# -- retries: reads bounded, orders never -------------------------------------------------

TRANSIENT = [ccxt.NetworkError, ccxt.RequestTimeout, ccxt.ExchangeNotAvailable]


@pytest.mark.parametrize("failure", TRANSIENT)
def test_create_order_is_sent_exactly_once_when_the_transport_fails(
    root: Path, failure: type[ccxt.BaseError]
) -> None:
    transport = Transport(None)
    transport.always = failure("hashkey POST https://api-glb.sim.hashkeydev.com/ timed out")
    venue, sleeps = hashkey_venue(root, transport)
    with pytest.raises(VenueUnavailable) as raised:
        venue.create_order("ETH/USDT", "limit", "sell", 0.001, 2500, {"clientOrderId": "c1"})
    assert len(transport.sent) == 1
    assert transport.sent[0].path == "/api/v1/spot/order"
    assert sleeps.calls == []
    assert isinstance(raised.value.__cause__, failure)


def test_cancel_order_is_sent_exactly_once_when_the_transport_fails(root: Path) -> None:
    transport = Transport(None)
    transport.always = ccxt.RequestTimeout("timed out")
    venue, sleeps = hashkey_venue(root, transport)
    with pytest.raises(VenueUnavailable):
        venue.cancel_order("1745924911208100608")
    assert len(transport.sent) == 1
    assert sleeps.calls == []


def test_reads_are_retried_with_backoff_then_succeed(root: Path) -> None:
    transport = Transport(
        RecordedTransport(root, "hashkey"),
        ccxt.RequestTimeout("timed out"),
        ccxt.RateLimitExceeded("slow down"),
    )
    venue, sleeps = hashkey_venue(root, transport)
    assert venue.fetch_ticker("BTC/USDT")["last"] == 64249.99
    assert len(transport.sent) == 3
    assert sleeps.calls == [0.5, 1.0]


def test_read_retries_are_bounded(root: Path) -> None:
    transport = Transport(None)
    transport.always = ccxt.NetworkError("connection reset")
    venue, sleeps = hashkey_venue(root, transport, read_attempts=4, backoff_seconds=0.1)
    with pytest.raises(VenueUnavailable, match="connection reset"):
        venue.fetch_order("1745929313600004864")
    assert len(transport.sent) == 4
    assert sleeps.calls == pytest.approx([0.1, 0.2, 0.4])


def test_reads_are_not_retried_on_lasting_errors(root: Path) -> None:
    transport = Transport(None)
    transport.always = ccxt.AuthenticationError("bad key")
    venue, sleeps = hashkey_venue(root, transport)
    with pytest.raises(VenueError) as raised:
        venue.fetch_balance()
    assert not isinstance(raised.value, VenueUnavailable)
    assert len(transport.sent) == 1
    assert sleeps.calls == []


def test_retry_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="read_attempts"):
        CcxtVenue("hashkey", read_attempts=0)
    with pytest.raises(ValueError, match="backoff_seconds"):
        CcxtVenue("hashkey", backoff_seconds=-1)


# -- error translation ----------------------------------------------------------------------

TRANSLATION = [
    (ccxt.InsufficientFunds, OrderRejected),
    (ccxt.InvalidOrder, OrderRejected),
    (ccxt.BadSymbol, OrderRejected),
    (ccxt.OrderNotFound, OrderNotFound),
    (ccxt.DuplicateOrderId, DuplicateOrder),
    (ccxt.RateLimitExceeded, VenueUnavailable),
    (ccxt.RequestTimeout, VenueUnavailable),
    (ccxt.NetworkError, VenueUnavailable),
    (ccxt.ExchangeError, VenueError),
]


@pytest.mark.parametrize(("raised_by_ccxt", "ours"), TRANSLATION)
def test_ccxt_errors_are_translated_once(
    root: Path, raised_by_ccxt: type[ccxt.BaseError], ours: type[VenueError]
) -> None:
    transport = Transport(None)
    transport.always = raised_by_ccxt("hashkey says no")
    venue, _ = hashkey_venue(root, transport)
    with pytest.raises(VenueError) as raised:
        venue.create_order("ETH/USDT", "market", "sell", 0.001)
    assert type(raised.value) is ours
    assert isinstance(raised.value.__cause__, raised_by_ccxt)
    assert f"{raised_by_ccxt.__name__}: hashkey says no" in str(raised.value)
    # The Assistant calls venues through call_translated, which translates raw ccxt errors;
    # ours pass unchanged, so the cause is still ccxt's exception, not a second wrapper.
    with pytest.raises(VenueError) as through_assistant:
        call_translated(lambda: venue.create_order("ETH/USDT", "market", "sell", 0.001))
    assert type(through_assistant.value) is ours
    assert isinstance(through_assistant.value.__cause__, raised_by_ccxt)


def _http_response(status: int, reason: str, body: dict[str, Any], url: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.reason = reason
    response.url = url
    response._content = json.dumps(body).encode()
    response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
    return response


def _real_fetch_venue(
    root: Path, answer: Callable[[str, str], requests.Response]
) -> tuple[CcxtVenue, list[tuple[str, str]], Sleeps]:
    """HashKey with ccxt's real ``fetch``; only the requests session's ``request`` is
    replaced, so ccxt's own error handling and request logging run."""
    exchange = offline_exchange("hashkey", root)
    seen: list[tuple[str, str]] = []

    def request(method: str, url: str, **_: Any) -> requests.Response:
        seen.append((method, url))
        return answer(method, url)

    exchange.session.request = request
    sleeps = Sleeps()
    venue = CcxtVenue("hashkey", api_key=API_KEY, secret=SECRET, exchange=exchange, sleep=sleeps)
    return venue, seen, sleeps


# HashKey error codes from ccxt's hashkey.exceptions['exact']; these bodies are synthetic
# (ccxt's fixtures record no error response), shaped as HashKey's {"code", "msg"}.
HASHKEY_ERRORS = [
    ("-1143", "Order not found on order book", OrderNotFound),
    ("0401", "Insufficient asset", OrderRejected),
    ("-1141", "Duplicate order", DuplicateOrder),
]


@pytest.mark.parametrize(("code", "msg", "ours"), HASHKEY_ERRORS)
def test_hashkey_error_bodies_through_ccxts_real_fetch(
    root: Path, code: str, msg: str, ours: type[VenueError]
) -> None:
    venue, seen, _ = _real_fetch_venue(
        root, lambda _m, url: _http_response(400, "Bad Request", {"code": code, "msg": msg}, url)
    )
    with pytest.raises(VenueError) as raised:
        venue.fetch_order("", "ETH/USDT", {"clientOrderId": "coid-9"})
    assert type(raised.value) is ours
    assert msg in str(raised.value)
    assert len(seen) == 1  # not transient: not retried
    assert seen[0][1].startswith("https://api-glb.sim.hashkeydev.com/api/v1/spot/order?")


# -- clientOrderId lookups use each exchange's own parameter ------------------------------


class Captured(Exception):
    """Not a ccxt error: stops the call after the request is built, untranslated."""


def _capture(exchange: ccxt.Exchange) -> list[SentRequest]:
    sent: list[SentRequest] = []

    def fetch(url: str, method: str = "GET", headers: Any = None, body: str | None = None) -> Any:
        sent.append(SentRequest(method, url, headers, body))
        raise Captured

    exchange.fetch = fetch
    return sent


@pytest.mark.parametrize(
    ("exchange_id", "path", "host"),
    [
        ("hashkey", "/api/v1/spot/order", "api-glb.sim.hashkeydev.com"),
        ("binance", "/api/v3/order", "testnet.binance.vision"),
    ],
)
def test_fetch_by_client_order_id_sends_orig_client_order_id(
    root: Path, exchange_id: str, path: str, host: str
) -> None:
    exchange = offline_exchange(exchange_id, root)
    sent = _capture(exchange)
    venue = CcxtVenue(exchange_id, api_key=API_KEY, secret=SECRET, exchange=exchange)
    with pytest.raises(Captured):
        venue.fetch_order("", "ETH/USDT", {"clientOrderId": "step-7-coid"})
    (request,) = sent
    assert (request.method, request.host, request.path) == ("GET", host, path)
    assert request.params["origClientOrderId"] == "step-7-coid"
    assert "orderId" not in request.params
    assert "clientOrderId" not in request.params


def test_create_order_sends_the_client_order_id_as_new_client_order_id(root: Path) -> None:
    exchange = offline_exchange("hashkey", root)
    sent = _capture(exchange)
    venue = CcxtVenue("hashkey", api_key=API_KEY, secret=SECRET, exchange=exchange)
    with pytest.raises(Captured):
        venue.create_order("ETH/USDT", "limit", "sell", 0.001, 2500, {"clientOrderId": "c-1"})
    (request,) = sent
    assert request.method == "POST"
    assert request.params["newClientOrderId"] == "c-1"
    assert (request.params["quantity"], request.params["price"]) == ("0.001", "2500")


# -- secrets --------------------------------------------------------------------------------


def test_secrets_are_not_in_repr() -> None:
    venue = CcxtVenue("hashkey", api_key=API_KEY, secret=SECRET)
    for text in (repr(venue), str(venue)):
        assert API_KEY not in text
        assert SECRET not in text
    assert repr(venue) == "CcxtVenue(id='hashkey', testnet=True, authenticated=True)"
    assert "authenticated=False" in repr(CcxtVenue("hashkey"))


def test_secrets_are_not_logged_nor_in_errors(root: Path, caplog: pytest.LogCaptureFixture) -> None:
    def refuse(_method: str, _url: str) -> requests.Response:
        raise requests.ConnectionError(f"connection refused (key {API_KEY})")

    venue, seen, sleeps = _real_fetch_venue(root, refuse)
    with caplog.at_level(logging.DEBUG), pytest.raises(VenueUnavailable) as raised:
        venue.fetch_balance()  # private: signed, the API key in a header
    assert len(seen) == 3
    assert len(sleeps.calls) == 2
    # ccxt did log the request with its headers, and our retries were logged...
    assert "/api/v1/account" in caplog.text
    assert "X-HK-APIKEY" in caplog.text
    assert "unavailable (attempt 1 of 3)" in caplog.text
    # ...without the credentials.
    assert API_KEY not in caplog.text
    assert SECRET not in caplog.text
    assert "***" in caplog.text

    venue.exchange.fetch = lambda *_a, **_k: (_ for _ in ()).throw(
        ccxt.AuthenticationError(f"hashkey invalid APIKey {API_KEY}")
    )
    with pytest.raises(VenueError) as echoed:
        venue.fetch_balance()
    for error in (raised.value, echoed.value, echoed.value.__cause__):
        assert API_KEY not in str(error)
        assert SECRET not in str(error)
    assert "invalid APIKey ***" in str(echoed.value)


# -- the translating wrapper and imports -----------------------------------------------------


def test_translating_venue_leaves_other_exceptions_alone() -> None:
    class Broken:
        id = "broken"

        def fetch_ticker(self, symbol: str) -> Any:
            raise ValueError(f"not a venue error: {symbol}")

        def fetch_balance(self) -> Any:
            raise ccxt.ExchangeNotAvailable("maintenance")

    venue = TranslatingVenue(Broken())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a venue error"):
        venue.fetch_ticker("BTC/USDT")
    with pytest.raises(VenueUnavailable, match="maintenance"):
        venue.fetch_balance()
    assert venue.id == "broken"


def test_importing_the_package_does_not_import_ccxt() -> None:
    code = (
        "import sys, execution, execution.errors, execution.venues.protocol; "
        "assert 'ccxt' not in sys.modules, 'ccxt imported'; "
        "from execution.errors import VenueConfigurationError; "
        "assert VenueConfigurationError.code == 'venue_configuration'; "
        "import execution.venues.ccxt_adapter; assert 'ccxt' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
