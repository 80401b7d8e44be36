"""Real venues: any ccxt exchange behind the :class:`~execution.venues.protocol.Venue` protocol.

:class:`CcxtVenue` wraps one ccxt (sync) exchange instance for one account:

* **Testnet by default.** ``testnet=True`` switches the exchange to its test URLs with
  ccxt's ``set_sandbox_mode(True)``, and only if ccxt knows such URLs for it
  (``exchange.urls['test']``, e.g. HashKey Global, Binance); an exchange without them is
  refused with :class:`~execution.errors.VenueConfigurationError` rather than silently
  pointed at its production API. Production needs an explicit ``testnet=False``.
* **Errors translated once, here.** Every ccxt exception leaves as our
  :class:`~execution.errors.VenueError` hierarchy (``raise translate_venue_error(e) from
  e``); callers that also translate (the Assistant) re-raise a ``VenueError`` unchanged.
* **Orders are never retried.** ``create_order`` and ``cancel_order`` are called exactly
  once: after a timeout the order may or may not exist, and the product resolves that by
  looking it up by clientOrderId, never by resending. Reads are retried a bounded number
  of times on :class:`~execution.errors.VenueUnavailable`, with exponential backoff from
  an injected ``sleep``.
* **Secrets stay out of text.** ``repr`` shows no credentials, and the credentials are
  redacted from error messages, from our log lines and from ccxt's own request logging.

:class:`TranslatingVenue` is the thin wrapper for venues that raise ccxt's exceptions by
design (the sandbox): same calls, our errors.

This module imports ccxt (slow); :mod:`execution` does not import it at package import.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar

import ccxt
from ccxt.base import types as _ccxt_types

from execution.errors import (
    VenueConfigurationError,
    VenueUnavailable,
    call_translated,
    translate_venue_error,
)

if TYPE_CHECKING:
    from ccxt.base.types import Balances, MarketInterface, Order, OrderBook, Ticker, Trade

    from execution.venues.protocol import Venue

__all__ = [
    "DEFAULT_BACKOFF_SECONDS",
    "DEFAULT_READ_ATTEMPTS",
    "CcxtVenue",
    "TranslatingVenue",
    "call_translated",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_READ_ATTEMPTS = 3
DEFAULT_BACKOFF_SECONDS = 0.5

# Every key of ccxt's unified Order / Trade. Some exchanges' parsers omit a few (HashKey's
# spot orders have no marginMode/leverage/hedged); the adapter completes them with None,
# ccxt's own "unknown", so the product can rely on one shape from every venue.
_ORDER_KEYS: tuple[str, ...] = tuple(_ccxt_types.Order.__annotations__)
_TRADE_KEYS: tuple[str, ...] = tuple(_ccxt_types.Trade.__annotations__)

# The name under which each exchange's fetchOrder/cancelOrder take a client order id to
# look an order up by (id ""). Checked against ccxt's source of the pinned version:
# * hashkey reads only the unified 'clientOrderId' (handle_param_string) and sends it as
#   origClientOrderId; an 'origClientOrderId' passed in would go out next to an empty
#   orderId.
# * binance reads 'origClientOrderId' first (then 'clientOrderId') and sends
#   origClientOrderId.
# Any other exchange gets ccxt's unified 'clientOrderId'.
CLIENT_ORDER_ID_PARAM: Mapping[str, str] = {
    "hashkey": "clientOrderId",
    "binance": "origClientOrderId",
}

# Credential attributes of a ccxt exchange whose values must never appear in text.
_SECRET_ATTRIBUTES = ("apiKey", "secret", "password", "privateKey", "token")
_MIN_SECRET_LENGTH = 4  # shorter values would redact ordinary text ("" is ccxt's unset)
_REDACTED = "***"


class TranslatingVenue:
    """A :class:`~execution.venues.protocol.Venue` that raises our errors around one raising ccxt's.

    For venues that speak ccxt's exceptions by design, such as
    :class:`~execution.venues.sandbox.SandboxExchange`. Nothing is retried or changed otherwise.
    """

    def __init__(self, inner: Venue) -> None:
        self.inner = inner
        self.id = inner.id

    def __repr__(self) -> str:
        return f"TranslatingVenue({self.inner!r})"

    def load_markets(self, reload: bool = False) -> dict[str, MarketInterface]:
        """The venue's markets (ccxt market dicts by symbol)."""
        return call_translated(lambda: self.inner.load_markets(reload))

    def market(self, symbol: str) -> MarketInterface:
        """The ccxt market of ``symbol``."""
        return call_translated(lambda: self.inner.market(symbol))

    def fetch_ticker(self, symbol: str) -> Ticker:
        """A ccxt ticker."""
        return call_translated(lambda: self.inner.fetch_ticker(symbol))

    def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        """A ccxt order book."""
        return call_translated(lambda: self.inner.fetch_order_book(symbol, limit))

    def fetch_balance(self) -> Balances:
        """ccxt balances of the account."""
        return call_translated(self.inner.fetch_balance)

    def create_order(
        self,
        symbol: str,
        type: str,
        side: str,
        amount: float,
        price: float | None = None,
        params: dict[str, Any] | None = None,
    ) -> Order:
        """Place an order (once)."""
        return call_translated(
            lambda: self.inner.create_order(symbol, type, side, amount, price, params)
        )

    def cancel_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order:
        """Cancel an order (once)."""
        return call_translated(lambda: self.inner.cancel_order(id, symbol, params))

    def fetch_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order:
        """One order, by id or ``params={'clientOrderId': ...}``."""
        return call_translated(lambda: self.inner.fetch_order(id, symbol, params))

    def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders of the account."""
        return call_translated(lambda: self.inner.fetch_open_orders(symbol))

    def fetch_my_trades(self, symbol: str | None = None) -> list[Trade]:
        """The account's trades."""
        return call_translated(lambda: self.inner.fetch_my_trades(symbol))

    def amount_to_precision(self, symbol: str, amount: Any) -> str:
        """``amount`` in the market's amount precision."""
        return call_translated(lambda: self.inner.amount_to_precision(symbol, amount))

    def price_to_precision(self, symbol: str, price: Any) -> str:
        """``price`` in the market's price precision."""
        return call_translated(lambda: self.inner.price_to_precision(symbol, price))


class _RedactingLogger(logging.LoggerAdapter[logging.Logger]):
    """ccxt's request logger with the credentials masked.

    ccxt logs every request's headers at DEBUG, and those carry the API key.
    """

    def __init__(self, inner: logging.Logger, redact: Callable[[str], str]) -> None:
        super().__init__(inner, {})
        self._redact = redact

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        text = str(msg) % args if args else str(msg)
        self.logger.log(level, "%s", self._redact(text), **kwargs)


class CcxtVenue:
    """One account on a real ccxt exchange, implementing :class:`~execution.venues.protocol.Venue`.

    ``exchange_id`` is ccxt's id (``'hashkey'``, ``'binance'``, ...). ``options`` are
    ccxt's exchange-specific options (deep-merged into ``exchange.options``). Pass
    ``exchange`` to wrap an instance built elsewhere (its id must be ``exchange_id``).
    ``testnet`` (default ``True``) requires the exchange to have test URLs; see the module
    docstring. Reads are tried up to ``read_attempts`` times, sleeping
    ``backoff_seconds * 2**n`` (via ``sleep``) between attempts.

    Raises :class:`~execution.errors.VenueConfigurationError` for an unknown exchange,
    a mismatched ``exchange`` or a testnet the exchange does not have.
    """

    def __init__(
        self,
        exchange_id: str,
        *,
        api_key: str | None = None,
        secret: str | None = None,
        testnet: bool = True,
        options: dict[str, Any] | None = None,
        exchange: ccxt.Exchange | None = None,
        sleep: Callable[[float], None] = time.sleep,
        read_attempts: int = DEFAULT_READ_ATTEMPTS,
        backoff_seconds: float = DEFAULT_BACKOFF_SECONDS,
    ) -> None:
        if read_attempts < 1:
            raise ValueError(f"read_attempts must be at least 1, got {read_attempts}")
        if backoff_seconds < 0:
            raise ValueError(f"backoff_seconds must be >= 0, got {backoff_seconds}")
        if exchange is None:
            if exchange_id not in ccxt.exchanges:
                raise VenueConfigurationError(
                    f"ccxt {ccxt.__version__} has no exchange {exchange_id!r}"
                )
            exchange = getattr(ccxt, exchange_id)()
        elif exchange.id != exchange_id:
            raise VenueConfigurationError(
                f"the exchange instance given is {exchange.id!r}, not {exchange_id!r}"
            )
        if options:
            exchange.options = exchange.deep_extend(exchange.options, options)
        if api_key is not None:
            exchange.apiKey = api_key
        if secret is not None:
            exchange.secret = secret
        if testnet:
            self._use_testnet(exchange)
        else:
            logger.warning(
                "%s venue uses the production API (testnet=False): orders are real",
                exchange.id,
            )
        self._exchange = exchange
        self._testnet = testnet
        self._sleep = sleep
        self._read_attempts = read_attempts
        self._backoff_seconds = backoff_seconds
        self.id: str = exchange.id
        if not isinstance(exchange.logger, _RedactingLogger):
            exchange.logger = _RedactingLogger(exchange.logger, self._redact)

    @staticmethod
    def _use_testnet(exchange: ccxt.Exchange) -> None:
        # ccxt's own set_sandbox_mode only checks that the 'test' key exists; some
        # exchanges (kraken) declare it as None and would end up with no API URL at all.
        if not exchange.urls.get("test"):
            raise VenueConfigurationError(
                f"{exchange.id} has no test URL in ccxt {ccxt.__version__} (urls['test'] "
                "is missing), so it has no sandbox or testnet to connect to; refusing to "
                "use its production API. Pass testnet=False to trade real funds on purpose."
            )
        if not getattr(exchange, "isSandboxModeEnabled", False):
            exchange.set_sandbox_mode(True)

    def __repr__(self) -> str:
        authenticated = bool(self._exchange.apiKey)
        return f"CcxtVenue(id={self.id!r}, testnet={self._testnet}, authenticated={authenticated})"

    @property
    def exchange(self) -> ccxt.Exchange:
        """The wrapped ccxt exchange (for inspection; calls through it are untranslated)."""
        return self._exchange

    @property
    def testnet(self) -> bool:
        """Whether the exchange was switched to its test URLs."""
        return self._testnet

    # -- plumbing -------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        for attribute in _SECRET_ATTRIBUTES:
            value = getattr(self._exchange, attribute, None)
            if isinstance(value, str) and len(value) >= _MIN_SECRET_LENGTH:
                text = text.replace(value, _REDACTED)
        return text

    def _call(self, fn: Callable[[], T]) -> T:
        """One attempt; ccxt's exceptions become ours, with credentials redacted."""
        try:
            return fn()
        except ccxt.BaseError as exc:
            # Venues sometimes echo what they were sent. Scrub the ccxt exception itself:
            # our message is built from it, and tracebacks print the whole chain.
            exc.args = tuple(self._redact(str(arg)) for arg in exc.args)
            raise translate_venue_error(exc) from exc

    def _read(self, what: str, fn: Callable[[], T]) -> T:
        """A read-only call, retried on VenueUnavailable with bounded exponential backoff."""
        attempt = 1
        while True:
            try:
                return self._call(fn)
            except VenueUnavailable as exc:
                if attempt >= self._read_attempts:
                    raise
                delay = self._backoff_seconds * 2 ** (attempt - 1)
                logger.warning(
                    "%s %s unavailable (attempt %d of %d), retrying in %.2fs: %s",
                    self.id,
                    what,
                    attempt,
                    self._read_attempts,
                    delay,
                    exc,
                )
                self._sleep(delay)
                attempt += 1

    def _ensure_markets(self) -> None:
        # ccxt's market() and *_to_precision() need loaded markets and raise otherwise.
        if not self._exchange.markets:
            self.load_markets()

    def _lookup_params(self, params: dict[str, Any] | None) -> dict[str, Any]:
        """``params`` with a ``clientOrderId`` renamed to the exchange's own lookup name."""
        result = dict(params or {})
        name = CLIENT_ORDER_ID_PARAM.get(self.id, "clientOrderId")
        if "clientOrderId" in result and name != "clientOrderId":
            result[name] = result.pop("clientOrderId")
        return result

    # -- markets and precision ------------------------------------------------------------

    def load_markets(self, reload: bool = False) -> dict[str, MarketInterface]:
        """Every market of the exchange (cached by ccxt; ``reload`` fetches again)."""
        markets: dict[str, MarketInterface] = self._read(
            "load_markets", lambda: self._exchange.load_markets(reload)
        )
        return markets

    def market(self, symbol: str) -> MarketInterface:
        """The ccxt market of ``symbol``; our ``OrderRejected`` (BadSymbol) if unknown."""
        self._ensure_markets()
        return self._call(lambda: self._exchange.market(symbol))

    def amount_to_precision(self, symbol: str, amount: Any) -> str:
        """``amount`` in the market's amount precision, as ccxt formats it."""
        self._ensure_markets()
        return str(self._call(lambda: self._exchange.amount_to_precision(symbol, amount)))

    def price_to_precision(self, symbol: str, price: Any) -> str:
        """``price`` in the market's price precision, as ccxt formats it."""
        self._ensure_markets()
        return str(self._call(lambda: self._exchange.price_to_precision(symbol, price)))

    # -- market data and account ----------------------------------------------------------

    def fetch_ticker(self, symbol: str) -> Ticker:
        """ccxt's ticker of ``symbol``."""
        return self._read("fetch_ticker", lambda: self._exchange.fetch_ticker(symbol))

    def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        """ccxt's order book of ``symbol``, ``limit`` levels per side if given."""
        return self._read(
            "fetch_order_book", lambda: self._exchange.fetch_order_book(symbol, limit)
        )

    def fetch_balance(self) -> Balances:
        """ccxt's balances of the account."""
        return self._read("fetch_balance", self._exchange.fetch_balance)

    # -- orders ---------------------------------------------------------------------------

    def create_order(
        self,
        symbol: str,
        type: str,
        side: str,
        amount: float,
        price: float | None = None,
        params: dict[str, Any] | None = None,
    ) -> Order:
        """Send an order exactly once (never retried, see the module docstring).

        ``params={'clientOrderId': ...}`` is ccxt's unified name; ccxt maps it to the
        exchange's field (``newClientOrderId`` on HashKey and Binance).
        """
        order = self._call(
            lambda: self._exchange.create_order(
                symbol, type, side, amount, price, dict(params or {})
            )
        )
        return _complete_order(order)

    def cancel_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order:
        """Cancel an order exactly once; ``params={'clientOrderId': ...}`` selects by it."""
        params = self._lookup_params(params)
        order = self._call(lambda: self._exchange.cancel_order(id, symbol, params))
        return _complete_order(order)

    def fetch_order(
        self, id: str, symbol: str | None = None, params: dict[str, Any] | None = None
    ) -> Order:
        """One order by id, or by ``params={'clientOrderId': ...}`` with ``id=''``.

        The client id is passed under the exchange's own lookup name
        (:data:`CLIENT_ORDER_ID_PARAM`).
        """
        params = self._lookup_params(params)
        order = self._read("fetch_order", lambda: self._exchange.fetch_order(id, symbol, params))
        return _complete_order(order)

    def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """The account's open orders, optionally for one symbol."""
        orders = self._read("fetch_open_orders", lambda: self._exchange.fetch_open_orders(symbol))
        return [_complete_order(order) for order in orders]

    def fetch_my_trades(self, symbol: str | None = None) -> list[Trade]:
        """The account's trades, optionally for one symbol."""
        trades = self._read("fetch_my_trades", lambda: self._exchange.fetch_my_trades(symbol))
        return [_complete(trade, _TRADE_KEYS) for trade in trades]


def _complete(structure: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    result: MutableMapping[str, Any] = dict.fromkeys(keys)
    result.update(structure)
    return result


def _complete_order(order: Mapping[str, Any]) -> Order:
    result = _complete(order, _ORDER_KEYS)
    trades = result.get("trades")
    if isinstance(trades, list):
        result["trades"] = [_complete(trade, _TRADE_KEYS) for trade in trades]
    completed: Order = result
    return completed
