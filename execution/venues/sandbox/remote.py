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

One HTTP connection per call (``Connection: close``): a kept-alive connection the server
dropped in between would make even a never-delivered order look "unknown".
"""

from __future__ import annotations

import json
import threading
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


class RemoteSandbox:
    """One account on a sandbox server, implementing :class:`execution.venues.protocol.Venue`."""

    id = "sandbox"

    def __init__(self, base_url: str, account_id: str, timeout_s: float = 10.0) -> None:
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s!r}")
        self._scheme, self._host, self._port, self._prefix = parse_base_url(base_url)
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self.timeout_s = timeout_s
        self._account_path = f"{self._prefix}/accounts/{quote(account_id, safe='')}"
        self._markets: dict[str, MarketInterface] | None = None
        self._markets_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteSandbox({self.base_url!r}, account_id={self.account_id!r})"

    # -- transport ---------------------------------------------------------------------

    def _request(self, verb: str, path: str, what: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body, default=_encode).encode()
        connection_class = HTTPSConnection if self._scheme == "https" else HTTPConnection
        connection = connection_class(self._host, self._port, timeout=self.timeout_s)
        headers = {"Connection": "close", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            connection.request(verb, path, body=data, headers=headers)
            response = connection.getresponse()
            status, raw = response.status, response.read()
        except TimeoutError as exc:
            raise self._error(
                "RequestTimeout",
                f"the sandbox server at {self.base_url} did not answer {what} "
                f"within {self.timeout_s}s",
            ) from exc
        except (OSError, HTTPException) as exc:
            raise self._error(
                "NetworkError",
                f"the sandbox server at {self.base_url} failed {what}: {type(exc).__name__}: {exc}",
            ) from exc
        finally:
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
            "POST", f"{self._account_path}/{method}", f"{method}()", {"args": args}
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


def _message(answer: Any, raw: bytes) -> str:
    if isinstance(answer, dict) and isinstance(answer.get("error"), dict):
        error = answer["error"]
        return f"{error.get('type')}: {error.get('message')}"
    return raw[:200].decode("utf-8", "replace") or "(empty body)"
