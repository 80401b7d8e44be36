"""A Venue that is an account on a sandbox server (:mod:`execution.venues.sandbox.server`).

Every app process holding a :class:`RemoteSandbox` for an account trades on the same
account: the venue's state lives in the server process and outlives any app process.
Calls answer what the account itself answers (the same ccxt structures) and raise what it
raises: a ccxt exception from the server is raised here as the same ccxt class with the
same message, so :func:`execution.errors.call_translated` translates it exactly as for
an embedded :class:`~execution.venues.sandbox.SandboxExchange`. When the server cannot be
reached the outcome is unknown: ``ccxt.NetworkError`` (``ccxt.RequestTimeout`` when it
did not answer in time; ``ccxt.ExchangeNotAvailable`` when it failed), which the product
resolves by looking an order up by its clientOrderId, never by resending.

A call that sends (:data:`SENDS`: an order or a cancel) opens a connection of its own and
closes it (``Connection: close``): a kept-alive connection the server dropped in between
would make even a never-delivered order look "unknown". Every other call only reads, and
reuses its thread's kept-alive connection (:class:`KeptConnections`, shared by the accounts
of one server): no TCP handshake and no server thread per read. A read that fails on a
reused connection is asked once more on a new one (reading twice changes nothing).
"""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from typing import TYPE_CHECKING, Any, NoReturn, cast
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:  # ccxt is heavy to import: only the error paths need it at run time.
    from ccxt.base.types import Balances, MarketInterface, Order, OrderBook, Ticker, Trade


def _encode(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)  # the sandbox reads numbers as Decimal(str(value)): exact
    raise TypeError(f"cannot send {type(value).__name__} {value!r} to the sandbox server")


def parse_base_url(base_url: str) -> tuple[str, str, int | None, str]:
    """``(scheme, host, port, path prefix)`` of a server URL; ``ValueError`` if it is not
    an ``http://`` or ``https://`` URL with a host (and, if given, a numeric port)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected http://HOST:PORT, got {base_url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"expected http://HOST:PORT without a query, got {base_url!r}")
    return parts.scheme, parts.hostname, parts.port, parts.path.rstrip("/")


#: The calls that change the account: each on a connection of its own, never resent.
SENDS = frozenset({"create_order", "cancel_order"})
#: A kept connection idle longer than this is closed rather than reused: well inside the
#: server's own idle limit (300 s), so the server never drops one a read is about to use.
KEEP_IDLE_S = 30.0


class KeptConnections:
    """Each thread's kept-alive connection to one sandbox server, for the calls that read."""

    def __init__(self, base_url: str, timeout_s: float) -> None:
        self._scheme, self._host, self._port, _ = parse_base_url(base_url)
        self.timeout_s = timeout_s
        self._local = threading.local()

    def new(self) -> HTTPConnection:
        connection_class = HTTPSConnection if self._scheme == "https" else HTTPConnection
        return connection_class(self._host, self._port, timeout=self.timeout_s)

    def take(self) -> HTTPConnection | None:
        """This thread's connection, if it has one not idle too long (the caller owns it
        until :meth:`keep`)."""
        held: tuple[HTTPConnection, float] | None = getattr(self._local, "held", None)
        self._local.held = None
        if held is None:
            return None
        connection, since = held
        if time.monotonic() - since > KEEP_IDLE_S:
            connection.close()
            return None
        return connection

    def keep(self, connection: HTTPConnection) -> None:
        old: tuple[HTTPConnection, float] | None = getattr(self._local, "held", None)
        if old is not None:
            old[0].close()
        self._local.held = (connection, time.monotonic())


class RemoteSandbox:
    """One account on a sandbox server, implementing :class:`execution.venues.protocol.Venue`."""

    id = "sandbox"

    def __init__(
        self,
        base_url: str,
        account_id: str,
        timeout_s: float = 10.0,
        connections: KeptConnections | None = None,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s!r}")
        self._prefix = parse_base_url(base_url)[3]
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self.timeout_s = timeout_s
        self._connections = connections or KeptConnections(base_url, timeout_s)
        self._account_path = f"{self._prefix}/accounts/{quote(account_id, safe='')}"
        self._markets: dict[str, MarketInterface] | None = None
        self._markets_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteSandbox({self.base_url!r}, account_id={self.account_id!r})"

    # -- transport ---------------------------------------------------------------------

    def _request(
        self, verb: str, path: str, what: str, body: Any = None, *, sends: bool = False
    ) -> Any:
        """One call; ``sends``: it changes the account (a connection of its own, closed
        after, and never asked twice)."""
        data = None if body is None else json.dumps(body, default=_encode).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if sends:
            headers["Connection"] = "close"
            return self._exchange(self._connections.new(), verb, path, what, data, headers)
        kept = self._connections.take()
        if kept is not None:
            try:
                return self._exchange(kept, verb, path, what, data, headers, keep=True)
            except _Dropped:
                pass  # the server closed it meanwhile: ask again on a new connection
        return self._exchange(self._connections.new(), verb, path, what, data, headers, keep=True)

    def _exchange(
        self,
        connection: HTTPConnection,
        verb: str,
        path: str,
        what: str,
        data: bytes | None,
        headers: dict[str, str],
        *,
        keep: bool = False,
    ) -> Any:
        """Send one request on ``connection`` and read the answer; with ``keep``, hand the
        connection back for the thread's next read unless the server is closing it. A kept
        connection found closed before any answer raises :class:`_Dropped`."""
        reused = keep and connection.sock is not None
        try:
            connection.request(verb, path, body=data, headers=headers)
            response = connection.getresponse()
            status, raw = response.status, response.read()
        except TimeoutError as exc:
            connection.close()
            raise self._error(
                "RequestTimeout",
                f"the sandbox server at {self.base_url} did not answer {what} "
                f"within {self.timeout_s}s",
            ) from exc
        except (OSError, HTTPException) as exc:
            connection.close()
            if reused:
                raise _Dropped from exc
            raise self._error(
                "NetworkError",
                f"the sandbox server at {self.base_url} failed {what}: {type(exc).__name__}: {exc}",
            ) from exc
        if keep and not response.will_close:
            self._connections.keep(connection)
        else:
            connection.close()
        return self._answer(status, raw, what)

    def _answer(self, status: int, raw: bytes, what: str) -> Any:
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        if status >= 500:
            # The server failed while answering: whether it acted is unknown.
            raise self._error(
                "ExchangeNotAvailable",
                f"the sandbox server at {self.base_url} failed {what} (HTTP {status}): "
                f"{_message(answer, raw)}",
            )
        if isinstance(answer, dict) and status == 200 and "result" in answer:
            return answer["result"]
        error = answer.get("error") if isinstance(answer, dict) else None
        if status == 422 and isinstance(error, dict):
            self._raise_ccxt(str(error.get("type")), str(error.get("message")))
        kind = {400: "BadRequest", 404: "NotSupported"}.get(status, "BadResponse")
        raise self._error(
            kind,
            f"the sandbox server at {self.base_url} refused {what} (HTTP {status}): "
            f"{_message(answer, raw)}",
        )

    @staticmethod
    def _error(kind: str, message: str) -> Exception:
        import ccxt

        error: type[Exception] = getattr(ccxt, kind)
        return error(message)

    @staticmethod
    def _raise_ccxt(kind: str, message: str) -> NoReturn:
        """Raise the ccxt exception the account raised: same class, same message."""
        import ccxt

        error = getattr(ccxt, kind, None)
        if isinstance(error, type) and issubclass(error, ccxt.BaseError):
            raise error(message)
        raise ccxt.ExchangeError(f"{kind}: {message}")  # a class this ccxt does not know

    def _call(self, method: str, **args: Any) -> Any:
        return self._request(
            "POST",
            f"{self._account_path}/{method}",
            f"{method}()",
            {"args": args},
            sends=method in SENDS,
        )

    # -- administration (not part of the Venue protocol) ----------------------------------

    def health(self) -> dict[str, Any]:
        """The server's ``/health`` answer (status, seed, number of accounts)."""
        return cast(dict[str, Any], self._request("GET", f"{self._prefix}/health", "health"))

    def fetch_orders(self, symbol: str | None = None) -> list[Order]:
        """Every order of this account (open, closed, canceled), oldest first."""
        orders = cast(
            list["Order"], self._request("GET", f"{self._account_path}/orders", "fetch_orders()")
        )
        return [o for o in orders if symbol is None or o["symbol"] == symbol]

    # -- the Venue protocol ------------------------------------------------------------

    def load_markets(self, reload: bool = False) -> dict[str, MarketInterface]:
        """Every market, fetched once and cached, as ccxt caches ``exchange.markets``;
        ``reload`` fetches them again."""
        with self._markets_lock:
            if self._markets is None or reload:
                self._markets = cast(
                    dict[str, "MarketInterface"], self._call("load_markets", reload=reload)
                )
            return self._markets

    def market(self, symbol: str) -> MarketInterface:
        """The ccxt market of ``symbol``; ``ccxt.BadSymbol`` if unknown."""
        found = self.load_markets().get(symbol)
        if found is not None:
            return found
        return cast("MarketInterface", self._call("market", symbol=symbol))  # BadSymbol

    def fetch_ticker(self, symbol: str) -> Ticker:
        return cast("Ticker", self._call("fetch_ticker", symbol=symbol))

    def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        return cast("OrderBook", self._call("fetch_order_book", symbol=symbol, limit=limit))

    def fetch_balance(self) -> Balances:
        return cast("Balances", self._call("fetch_balance"))

    def create_order(
        self,
        symbol: str,
        type: str,
        side: str,
        amount: float,
        price: float | None = None,
        params: dict[str, Any] | None = None,
    ) -> Order:
        return cast(
            "Order",
            self._call(
                "create_order",
                symbol=symbol,
                type=type,
                side=side,
                amount=amount,
                price=price,
                params=params,
            ),
        )

    def cancel_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order:
        return cast("Order", self._call("cancel_order", id=id, symbol=symbol, params=params))

    def fetch_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order:
        return cast("Order", self._call("fetch_order", id=id, symbol=symbol, params=params))

    def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        return cast(list["Order"], self._call("fetch_open_orders", symbol=symbol))

    def fetch_my_trades(self, symbol: str | None = None) -> list[Trade]:
        return cast(list["Trade"], self._call("fetch_my_trades", symbol=symbol))

    def amount_to_precision(self, symbol: str, amount: Any) -> str:
        return cast(str, self._call("amount_to_precision", symbol=symbol, amount=amount))

    def price_to_precision(self, symbol: str, price: Any) -> str:
        return cast(str, self._call("price_to_precision", symbol=symbol, price=price))


class _Dropped(Exception):
    """A kept-alive connection the server had closed: the read never reached it."""


def _message(answer: Any, raw: bytes) -> str:
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        error = answer["error"]
        return f"{error.get('type')}: {error.get('message')}"
    return raw[:200].decode("utf-8", "replace") or "(empty body)"
