"""The sandbox server (``tradeassist sandbox-server``, a real process) and its client,
:class:`RemoteSandbox`: the Venue contract, the same answers and the same ccxt errors as an
embedded sandbox account, state that outlives a killed client, and a dead or silent server
seen as the network failures they are."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import ccxt
import pytest

from execution.clock import SystemClock
from execution.errors import DuplicateOrder, VenueUnavailable, call_translated
from execution.venues.ccxt_adapter import TranslatingVenue
from execution.venues.protocol import Venue
from execution.venues.sandbox import MarketCatalog, SandboxMarket
from execution.venues.sandbox import server as server_module
from execution.venues.sandbox.remote import KeptConnections, RemoteSandbox
from execution.venues.sandbox.server import SandboxServer, make_server
from tests.execution.venues.contract import OrderArgs, VenueCase, VenueContract
from tests.sandbox_server import REPO, SandboxProcess, clean_environment, sandbox_server
from tests.support import free_port

SEED = 7
BALANCES = {"USDT": Decimal(100_000), "BTC": Decimal(2), "ETH": Decimal(10)}


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxProcess]:
    with sandbox_server(seed=SEED, balances=BALANCES) as running:
        yield running


def fresh_account(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def embedded(account_id: str) -> Venue:
    """The same account as the server opens, in this process: same seed and balances."""
    market = SandboxMarket(MarketCatalog.default(), seed=SEED)
    return market.open_account(balances=BALANCES, clock=SystemClock(), account_id=account_id)


# --- the Venue contract ---------------------------------------------------------------


class TestRemoteSandboxContract(VenueContract):
    @pytest.fixture
    def venue_case(self, server: SandboxProcess) -> VenueCase:
        return VenueCase(
            name="sandbox (remote)",
            # A fresh account per venue, as the embedded case builds a fresh exchange.
            make=lambda: TranslatingVenue(RemoteSandbox(server.url, fresh_account("contract"))),
            symbol="BTC/USDT",
            market_order=OrderArgs("BTC/USDT", "market", "buy", 0.01),
            resting_order=OrderArgs("ETH/USDT", "limit", "buy", 1, 1000),
        )


# --- the same answers and the same errors as an embedded account ------------------------


def test_answers_are_the_embedded_accounts(server: SandboxProcess) -> None:
    account = fresh_account("same")
    remote, local = RemoteSandbox(server.url, account), embedded(account)

    assert remote.load_markets() == local.load_markets()
    for venue in (remote, local):
        venue.create_order("ETH/USDT", "limit", "buy", 1, 1000, {"clientOrderId": "rest"})
    remote_book, local_book = (v.fetch_order_book("BTC/USDT", 5) for v in (remote, local))
    assert (remote_book["bids"], remote_book["asks"]) == (local_book["bids"], local_book["asks"])
    bought = [
        v.create_order("BTC/USDT", "market", "buy", 0.01, None, {"clientOrderId": "take"})
        for v in (remote, local)
    ]
    timeless = {"timestamp", "datetime", "lastTradeTimestamp", "lastUpdateTimestamp", "info"}
    from_remote, from_local = ({k: v for k, v in o.items() if k not in timeless} for o in bought)
    assert from_remote == from_local
    assert from_remote["filled"] == 0.01
    assert remote.fetch_balance()["total"] == local.fetch_balance()["total"]
    assert [o["clientOrderId"] for o in remote.fetch_open_orders()] == ["rest"]
    assert remote.amount_to_precision("BTC/USDT", Decimal("0.0123456")) == (
        local.amount_to_precision("BTC/USDT", Decimal("0.0123456"))
    )


FAILING_CALLS: dict[str, Callable[[Venue], Any]] = {
    "unknown symbol": lambda v: v.market("NOPE/USDT"),
    "order on an unknown symbol": lambda v: v.create_order("NOPE/USDT", "market", "buy", 1),
    "insufficient funds": lambda v: v.create_order("BTC/USDT", "market", "buy", 1000),
    "unknown side": lambda v: v.create_order("BTC/USDT", "market", "hold", 0.01),
    "post-only that would take": lambda v: v.create_order(
        "ETH/USDT", "limit", "buy", 1, 10_000, {"postOnly": True}
    ),
    "below the amount precision": lambda v: v.amount_to_precision("BTC/USDT", 1e-9),
    "unknown order": lambda v: v.fetch_order("no-such-order", "BTC/USDT"),
    "unknown client order id": lambda v: v.cancel_order("", None, {"clientOrderId": "nope"}),
    "reused client order id": lambda v: [
        v.create_order("ETH/USDT", "limit", "buy", 1, 1000, {"clientOrderId": "twice"})
        for _ in range(2)
    ],
}


@pytest.mark.parametrize("call", FAILING_CALLS.values(), ids=FAILING_CALLS.keys())
def test_errors_are_the_embedded_accounts_ccxt_errors(
    server: SandboxProcess, call: Callable[[Venue], Any]
) -> None:
    account = fresh_account("errors")
    with pytest.raises(ccxt.BaseError) as local:
        call(embedded(account))
    with pytest.raises(ccxt.BaseError) as remote:
        call(RemoteSandbox(server.url, account))

    assert type(remote.value) is type(local.value)
    assert str(remote.value) == str(local.value)
    # So the product's error boundary sees the same error too.
    other = fresh_account("errors")
    local_error = translated(lambda: call(embedded(other)))
    remote_error = translated(lambda: call(RemoteSandbox(server.url, other)))
    assert (type(remote_error), str(remote_error)) == (type(local_error), str(local_error))


def translated(fn: Callable[[], Any]) -> Exception:
    try:
        call_translated(fn)
    except Exception as exc:
        return exc
    raise AssertionError("expected the call to fail")


# --- state lives in the server ----------------------------------------------------------

CLIENT = """
import sys
from execution.venues.sandbox import server as server_module
from execution.venues.sandbox.remote import KeptConnections, RemoteSandbox
from execution.venues.sandbox.server import SandboxServer, make_server
venue = RemoteSandbox(sys.argv[1], sys.argv[2])
order = venue.create_order("ETH/USDT", "limit", "buy", 1, 1000, {"clientOrderId": "survives"})
print(order["id"], flush=True)
sys.stdin.read()  # hold on until killed
"""


def test_an_order_outlives_the_killed_client_and_its_id_stays_taken(
    server: SandboxProcess,
) -> None:
    account = fresh_account("killed")
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT, server.url, account],
        cwd=REPO,
        env=clean_environment(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert client.stdout is not None
    order_id = client.stdout.readline().strip()
    os.kill(client.pid, signal.SIGKILL)
    assert client.wait() == -signal.SIGKILL
    client.stdout.close()
    assert client.stdin is not None
    client.stdin.close()

    venue = RemoteSandbox(server.url, account)  # another process's view: a new client
    found = venue.fetch_order("", "ETH/USDT", {"clientOrderId": "survives"})
    assert (found["id"], found["status"]) == (order_id, "open")
    with pytest.raises(ccxt.DuplicateOrderId, match="survives"):
        venue.create_order("ETH/USDT", "limit", "buy", 1, 1000, {"clientOrderId": "survives"})
    with pytest.raises(DuplicateOrder):
        TranslatingVenue(venue).create_order(
            "ETH/USDT", "limit", "buy", 1, 1000, {"clientOrderId": "survives"}
        )
    assert [o["id"] for o in venue.fetch_orders()] == [order_id]


def test_concurrent_orders_with_one_client_order_id_make_one_order(
    server: SandboxProcess,
) -> None:
    account = fresh_account("race")

    def send(_: int) -> str:
        venue = RemoteSandbox(server.url, account)
        try:
            venue.create_order("BTC/USDT", "market", "buy", 0.01, None, {"clientOrderId": "one"})
        except ccxt.DuplicateOrderId:
            return "duplicate"
        return "accepted"

    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        outcomes = list(pool.map(send, range(64)))

    assert sorted(set(outcomes)) == ["accepted", "duplicate"]
    assert outcomes.count("accepted") == 1
    (order,) = RemoteSandbox(server.url, account).fetch_orders()
    assert (order["clientOrderId"], order["status"]) == ("one", "closed")


def test_every_order_is_listed_whatever_its_status(server: SandboxProcess) -> None:
    venue = RemoteSandbox(server.url, fresh_account("listed"))
    filled = venue.create_order("BTC/USDT", "market", "buy", 0.01)
    resting = venue.create_order("ETH/USDT", "limit", "buy", 1, 1000)
    canceled = venue.create_order("ETH/USDT", "limit", "buy", 1, 900)
    venue.cancel_order(canceled["id"], "ETH/USDT")

    listed = venue.fetch_orders()

    assert [(o["id"], o["status"]) for o in listed] == [
        (filled["id"], "closed"),
        (resting["id"], "open"),
        (canceled["id"], "canceled"),
    ]
    assert [o["id"] for o in venue.fetch_orders("ETH/USDT")] == [resting["id"], canceled["id"]]


# --- the HTTP API itself -----------------------------------------------------------------


def _http(url: str, verb: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port)
    try:
        connection.request(verb, path, body=body)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_listing_an_unknown_account_opens_nothing(server: SandboxProcess) -> None:
    before = RemoteSandbox(server.url, "-").health()

    status, answer = _http(server.url, "GET", "/accounts/never-used/orders")

    assert (status, answer) == (200, {"result": []})
    assert RemoteSandbox(server.url, "-").health() == before
    assert before["seed"] == SEED


def test_unknown_methods_and_bad_arguments_are_refused(server: SandboxProcess) -> None:
    status, answer = _http(server.url, "POST", "/accounts/a/withdraw", b'{"args": {}}')
    assert (status, answer["error"]["type"]) == (404, "NotFound")
    status, answer = _http(server.url, "POST", "/accounts/a/fetch_balance", b'{"args": {"x": 1}}')
    assert (status, answer["error"]["type"]) == (400, "BadRequest")
    status, answer = _http(server.url, "POST", "/accounts/a/fetch_balance", b"not json")
    assert (status, answer["error"]["type"]) == (400, "BadRequest")
    status, answer = _http(server.url, "POST", "/accounts/a/create_order", b'{"args": {}}')
    assert (status, answer["error"]["type"]) == (400, "BadRequest")


def test_account_ids_travel_percent_encoded(server: SandboxProcess) -> None:
    account = f"user/{uuid.uuid4().hex[:6]} ü?#"
    venue = RemoteSandbox(server.url, account)

    order = venue.create_order("BTC/USDT", "market", "buy", 0.01)

    assert order["info"]["accountId"] == account
    assert [o["id"] for o in venue.fetch_orders()] == [order["id"]]


# --- kept-alive reads, a connection of its own for each send ----------------------------


class Opened(KeptConnections):
    """Kept connections, counting the new ones."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url, 10.0)
        self.opened = 0

    def new(self) -> http.client.HTTPConnection:
        self.opened += 1
        return super().new()


@pytest.fixture
def in_process_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    """A sandbox server in this process that drops a connection idle for 0.3 s."""
    monkeypatch.setattr(server_module._Handler, "timeout", 0.3)
    market = SandboxMarket(MarketCatalog.default(), seed=SEED)
    running = make_server("127.0.0.1", 0, market=market, opening_balances=BALANCES)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def test_reads_share_a_kept_connection_and_every_send_opens_its_own(
    in_process_server: SandboxServer,
) -> None:
    connections = Opened(in_process_server.url)
    alice = RemoteSandbox(in_process_server.url, "alice", connections=connections)
    bob = RemoteSandbox(in_process_server.url, "bob", connections=connections)

    for venue in (alice, bob, alice, bob):  # two accounts, one thread: one connection
        venue.fetch_balance()
        venue.fetch_order_book("BTC/USDT")
    assert connections.opened == 1

    alice.create_order("BTC/USDT", "market", "buy", 0.01, None, {"clientOrderId": "k1"})
    bob.create_order("BTC/USDT", "market", "buy", 0.01, None, {"clientOrderId": "k1"})
    assert connections.opened == 3  # each send on a connection of its own
    alice.fetch_balance()
    assert connections.opened == 3  # the reads' connection is still kept

    with concurrent.futures.ThreadPoolExecutor(4) as pool:  # each thread its own
        list(pool.map(lambda _: bob.fetch_balance(), range(4)))
    assert 4 <= connections.opened <= 7


def test_a_read_on_a_connection_the_server_dropped_is_asked_again_and_a_send_never_is(
    in_process_server: SandboxServer,
) -> None:
    connections = Opened(in_process_server.url)
    venue = RemoteSandbox(in_process_server.url, "dropped", connections=connections)
    before = venue.fetch_balance()
    time.sleep(1.0)  # the server closes the idle connection

    assert venue.fetch_balance()["total"] == before["total"]  # asked again, a new connection
    assert connections.opened == 2
    time.sleep(1.0)
    venue.create_order("BTC/USDT", "market", "buy", 0.01, None, {"clientOrderId": "once"})
    account = in_process_server.accounts.get("dropped")
    assert account is not None
    assert len(account.orders()) == 1


# --- a server that is gone or silent -----------------------------------------------------


def test_a_dead_server_is_a_network_error() -> None:
    with sandbox_server(seed=SEED, balances=BALANCES) as running:
        venue = RemoteSandbox(running.url, "gone")
        venue.fetch_balance()
        running.process.kill()
        running.process.wait()

        for call in (
            venue.fetch_balance,
            lambda: venue.create_order("BTC/USDT", "market", "buy", 0.01),
        ):
            with pytest.raises(ccxt.NetworkError, match=r"sandbox server .* failed"):
                call()
            with pytest.raises(VenueUnavailable):
                call_translated(call)
    nobody = RemoteSandbox(f"http://127.0.0.1:{free_port()}", "nobody")
    with pytest.raises(ccxt.NetworkError):
        nobody.load_markets()


def test_a_server_that_does_not_answer_is_a_request_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        venue = RemoteSandbox(f"http://127.0.0.1:{port}", "waiting", timeout_s=0.2)

        with pytest.raises(ccxt.RequestTimeout, match="did not answer create_order"):
            venue.create_order("BTC/USDT", "market", "buy", 0.01)
        with pytest.raises(VenueUnavailable):
            call_translated(venue.fetch_balance)


def test_urls_that_are_not_http_are_refused() -> None:
    for url in ("ftp://127.0.0.1:1", "127.0.0.1:8765", "http://", "http://h:1/?q=1"):
        with pytest.raises(ValueError, match="expected http://HOST:PORT"):
            RemoteSandbox(url, "a")
