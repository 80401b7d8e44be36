"""The Venue contract (tests/execution/venues/contract.py) against every venue we ship:

* the sandbox exchange, wrapped in :class:`TranslatingVenue` (it raises ccxt's errors);
* :class:`CcxtVenue` around ccxt's real HashKey Global exchange class, whose HTTP
  transport is replaced by ccxt's own recorded HashKey exchanges (see
  :class:`RecordedTransport`), so everything above the socket is ccxt's real code:
  request building, signing, response parsing, and our adapter on top.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import ccxt
import pytest

from execution.clock import ManualClock
from execution.venues.ccxt_adapter import CcxtVenue, TranslatingVenue
from execution.venues.sandbox import MarketCatalog, SandboxExchange
from tests.conftest import CCXT_STATIC
from tests.execution.venues import contract
from tests.execution.venues.contract import OrderArgs, VenueCase, VenueContract


def ccxt_static() -> Path:
    """ccxt's static fixtures, copied into tests/fixtures (see SOURCE.md there)."""
    return CCXT_STATIC


class NotRecorded(AssertionError):
    """The adapter sent a request ccxt's fixtures hold no recorded response for.

    An AssertionError, not a ccxt error: the adapter must not translate it into a venue
    failure, and a test that strays off the recording fails loudly.
    """


@dataclass(frozen=True)
class SentRequest:
    """One HTTP request as ccxt handed it to ``fetch``."""

    method: str
    url: str
    headers: dict[str, str] | None
    body: str | None

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def params(self) -> dict[str, str]:
        """Query string and urlencoded body together, as HashKey signs them."""
        found = dict(parse_qsl(urlsplit(self.url).query, keep_blank_values=True))
        if self.body:
            found.update(parse_qsl(self.body, keep_blank_values=True))
        return found


RequestKey = tuple[str, frozenset[tuple[str, str]]]


@dataclass(frozen=True)
class Recording:
    """A recorded call: the request ccxt recorded and the response it recorded for it."""

    method: str  # ccxt's camelCase method name
    description: str
    input: list[Any]
    http_response: Any


class RecordedTransport:
    """A replacement for a ccxt exchange's ``fetch(url, method, headers, body)``.

    ccxt's static tests do the same (``set_fetch_response`` in
    ``python/ccxt/test/tests_helpers.py`` replaces ``exchange.fetch``); this one serves a
    whole session instead of one response. A *recording* pairs an entry of
    ``request/<id>.json`` with the entry of ``response/<id>.json`` made by the same
    unified call (same method, same input): the request fixture says what goes on the
    wire, the response fixture what came back. A request is matched on its path and its
    parameters (query and urlencoded body), ignoring the fixture's own ``skipKeys``
    (timestamp, signature, clientOrderId, timeInForce: volatile or generated values, as
    ccxt's request test ignores them) and the host (the recordings are of the production
    host; the adapter talks to the test host). Anything else raises :class:`NotRecorded`.
    """

    def __init__(self, root: Path, exchange_id: str) -> None:
        requests = json.loads((root / "request" / f"{exchange_id}.json").read_text())
        responses = json.loads((root / "response" / f"{exchange_id}.json").read_text())
        self.skip_keys = frozenset(requests.get("skipKeys", []))
        self.sent: list[SentRequest] = []
        self.recordings: dict[RequestKey, Recording] = {}
        self.ambiguous: set[RequestKey] = set()
        for method, request_cases in requests["methods"].items():
            for request in request_cases:
                response = next(
                    (
                        case
                        for case in responses["methods"].get(method, [])
                        if case["input"] == request["input"]
                    ),
                    None,
                )
                if response is None:
                    continue  # recorded on one side only: not a usable recording
                output = request.get("output")
                key = self._key(
                    SentRequest(
                        "?", request["url"], None, output if isinstance(output, str) else None
                    )
                )
                if key in self.recordings or key in self.ambiguous:
                    # Two calls recorded as the same request (ccxt sends a swap market
                    # buy as a limit order): which response is meant cannot be told.
                    self.recordings.pop(key, None)
                    self.ambiguous.add(key)
                    continue
                self.recordings[key] = Recording(
                    method, request["description"], request["input"], response["httpResponse"]
                )

    def _key(self, request: SentRequest) -> RequestKey:
        params = {k: v for k, v in request.params.items() if k not in self.skip_keys}
        return request.path, frozenset(params.items())

    def fetch(
        self,
        url: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: str | None = None,
    ) -> Any:
        request = SentRequest(method, url, headers, body)
        self.sent.append(request)
        recording = self.recordings.get(self._key(request))
        if recording is None:
            raise NotRecorded(f"no recorded response for {method} {request.path} {request.params}")
        return copy.deepcopy(recording.http_response)  # ccxt's parsers must not share state

    def install(self, exchange: ccxt.Exchange) -> None:
        """Route ``exchange``'s HTTP requests here (ccxt's ``fetch2`` calls ``self.fetch``)."""
        exchange.fetch = self.fetch


def offline_exchange(exchange_id: str, root: Path) -> ccxt.Exchange:
    """A ccxt exchange with markets and currencies from the fixtures, as ccxt's offline
    tests build one (``init_offline_exchange``): no request is needed to load markets."""
    config: dict[str, Any] = {
        "enableRateLimit": False,  # no throttling sleeps against a recording
        "markets": json.loads((root / "markets" / f"{exchange_id}.json").read_text()),
    }
    currencies = root / "currencies" / f"{exchange_id}.json"
    if currencies.is_file():
        config["currencies"] = json.loads(currencies.read_text())
    return getattr(ccxt, exchange_id)(config)


def recorded_hashkey(root: Path, **kwargs: Any) -> tuple[CcxtVenue, RecordedTransport]:
    """CcxtVenue(hashkey) in testnet mode whose HTTP goes to the recorded transport."""
    transport = RecordedTransport(root, "hashkey")
    exchange = offline_exchange("hashkey", root)
    transport.install(exchange)
    venue = CcxtVenue(
        "hashkey", api_key="test-key", secret="test-secret-value", exchange=exchange, **kwargs
    )
    return venue, transport


def sandbox_venue() -> TranslatingVenue:
    exchange = SandboxExchange(
        MarketCatalog.default(),
        balances={"USDT": Decimal(100_000), "BTC": Decimal(2), "ETH": Decimal(10)},
        clock=ManualClock(),
        seed=7,
        account_id="contract",
    )
    return TranslatingVenue(exchange)


SANDBOX = VenueCase(
    name="sandbox",
    make=sandbox_venue,
    symbol="BTC/USDT",
    market_order=OrderArgs("BTC/USDT", "market", "buy", 0.01),
    resting_order=OrderArgs("ETH/USDT", "limit", "buy", 1, 1000),
)


def hashkey_case(root: Path) -> VenueCase:
    """HashKey through the adapter, limited to what ccxt recorded for it."""
    return VenueCase(
        name="hashkey (recorded)",
        make=lambda: recorded_hashkey(root)[0],
        symbol="BTC/USDT",  # the recorded ticker and book (limit 2) are BTC/USDT
        book_limit=2,
        # The recorded spot market buy: ccxt sends the price HashKey's v1.1 endpoint takes.
        market_order=OrderArgs("ETH/USDT", "market", "buy", 0.001, 2500),
        resting_order=OrderArgs("ETH/USDT", "limit", "sell", 0.001, 2500),
        not_applicable={
            contract.CLIENT_ORDER_ID_LOOKUP: (
                "the recorded createOrder responses carry HashKey-generated clientOrderIds, "
                "and no fetchOrder by clientOrderId is recorded; test_ccxt_adapter checks the "
                "request the adapter sends for that lookup instead"
            ),
            contract.DUPLICATE_CLIENT_ORDER_ID: (
                "no error response is recorded for HashKey (a duplicate is its code -1141)"
            ),
            contract.RESTING_ORDER_CANCEL: (
                "no spot fetchOpenOrders by symbol has a recorded response, and the recorded "
                "cancelOrder response is of an already filled market order (status closed)"
            ),
            contract.UNKNOWN_ORDER: (
                "no error response is recorded for HashKey; test_ccxt_adapter runs ccxt's "
                "handling of HashKey's 'order not found' body through the real fetch path"
            ),
        },
    )


class TestVenueContract(VenueContract):
    """The contract against the sandbox and the recorded HashKey adapter."""

    @pytest.fixture(params=["sandbox", "hashkey"])
    def venue_case(self, request: pytest.FixtureRequest) -> VenueCase:
        if request.param == "sandbox":
            return SANDBOX
        return hashkey_case(ccxt_static())


# -- the recorded transport itself, and what the recording says beyond the contract ------


@pytest.fixture
def root() -> Path:
    return ccxt_static()


@pytest.fixture
def hashkey(root: Path) -> tuple[CcxtVenue, RecordedTransport]:
    return recorded_hashkey(root)


def test_transport_pairs_requests_with_responses_and_refuses_the_rest(root: Path) -> None:
    transport = RecordedTransport(root, "hashkey")
    methods = {recording.method for recording in transport.recordings.values()}
    assert {"fetchTicker", "fetchOrderBook", "fetchBalance", "createOrder", "fetchOrder"} <= (
        methods
    )
    # Recorded only as a request (spot open orders by symbol) or only as a response
    # (open orders without a symbol): neither is servable.
    assert "fetchOpenOrders" not in {
        r.method for r in transport.recordings.values() if r.input == ["ETH/USDT"]
    }
    with pytest.raises(NotRecorded, match="openOrders"):
        transport.fetch("https://api-glb.hashkey.com/api/v1/spot/openOrders?symbol=ETHUSDT")


def test_requests_go_to_the_test_host_signed(
    hashkey: tuple[CcxtVenue, RecordedTransport],
) -> None:
    venue, transport = hashkey
    venue.fetch_ticker("BTC/USDT")
    venue.fetch_balance()
    assert [r.host for r in transport.sent] == ["api-glb.sim.hashkeydev.com"] * 2
    public, private = transport.sent
    assert public.path == "/quote/v1/ticker/24hr"
    assert "signature" not in public.params
    assert private.path == "/api/v1/account"
    assert len(private.params["signature"]) == 64  # HMAC-SHA256 hex
    assert private.headers is not None
    assert private.headers["X-HK-APIKEY"] == "test-key"


def test_recorded_values_come_through_the_adapter(
    hashkey: tuple[CcxtVenue, RecordedTransport],
) -> None:
    venue, _ = hashkey
    ticker = venue.fetch_ticker("BTC/USDT")
    assert (ticker["bid"], ticker["ask"], ticker["last"]) == (64249.99, 64250, 64249.99)
    assert venue.fetch_balance()["USDT"] == {"free": 40, "used": 0, "total": 40}
    book = venue.fetch_order_book("BTC/USDT", 2)
    assert book["bids"][0] == [64125.3, 0.19557]
    assert book["asks"][0] == [64125.78, 0.63327]


def test_recorded_orders_are_completed_to_ccxt_order_shape(
    hashkey: tuple[CcxtVenue, RecordedTransport],
) -> None:
    venue, transport = hashkey
    # ccxt's HashKey parser leaves out marginMode/leverage/hedged; the adapter adds them.
    raw = venue.exchange.create_order("ETH/USDT", "market", "buy", 0.001, 2500)
    assert not set(raw) >= contract.ORDER_KEYS
    order = venue.create_order("ETH/USDT", "market", "buy", 0.001, 2500)
    assert set(order) >= contract.ORDER_KEYS
    assert order["marginMode"] is None
    assert order["id"] == "1745911954734647808"
    assert (order["status"], order["filled"], order["remaining"]) == ("closed", 0.0009, 0.0001)
    assert transport.sent[-1].path == "/api/v1.1/spot/order"  # HashKey's market-buy endpoint
    resting = venue.create_order("ETH/USDT", "limit", "sell", 0.001, 2500)
    assert resting["status"] == "open"
    fetched = venue.fetch_order("1745929313600004864")
    assert (fetched["status"], fetched["average"], fetched["postOnly"]) == ("closed", 2500, True)
    assert set(fetched) >= contract.ORDER_KEYS
