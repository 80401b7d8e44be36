"""The sandbox's market catalog: ccxt unified market structures plus reference prices.

Markets are kept exactly in ccxt's ``MarketInterface`` shape so that code written against
the sandbox runs unchanged against a real ccxt exchange. Two layouts are accepted:

* the sandbox layout (``execution/venues/sandbox/data/markets.json``)::

      {"precisionMode": "TICK_SIZE", "markets": {symbol: market, ...},
       "reference_prices": {symbol: "65000", ...}}

* a bare ccxt market dict (``{symbol: market, ...}``), such as ccxt's own static test
  fixtures (``ts/src/test/static/markets/<exchange>.json``). Only spot markets are kept.

Precision is normalised to ccxt's ``TICK_SIZE`` counting mode (``precision.amount`` is a
step such as ``1e-05``), because older fixtures (binance's) still carry
``DECIMAL_PLACES`` integers and the sandbox rounds with a single mode.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, cast

import ccxt

from execution.venues.frozen import FrozenDict, freeze

if TYPE_CHECKING:
    from ccxt.base.types import MarketInterface

__all__ = [
    "DEFAULT_MARKETS_RESOURCE",
    "USD_LIKE",
    "MarketCatalog",
    "PrecisionMode",
]

PrecisionMode = Literal["TICK_SIZE", "DECIMAL_PLACES"]

#: Package-relative location of the bundled sandbox markets.
DEFAULT_MARKETS_RESOURCE = "data/markets.json"
# Anchored on this file rather than on the name "execution", which a test package of the
# same name could shadow; the data ships as package data next to execution/venues/sandbox.
_DEFAULT_MARKETS_PATH = Path(__file__).resolve().parent / DEFAULT_MARKETS_RESOURCE

#: Currencies valued at one US dollar when sizing books (an approximation used for
#: liquidity only, never for balances or fills).
USD_LIKE = frozenset({"USD", "USDT", "USDC", "FDUSD", "BUSD", "DAI", "TUSD", "USDP"})

_PRECISION_KEYS = ("amount", "price", "cost", "base", "quote")


def _to_decimal(value: object, what: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{what}: {value!r} is not a number") from exc
    if not result.is_finite() or result <= 0:
        raise ValueError(f"{what}: {value!r} must be a positive finite number")
    return result


def _is_spot(market: Mapping[str, Any]) -> bool:
    return bool(market.get("spot")) or market.get("type") == "spot"


def _detect_precision_mode(markets: Mapping[str, Mapping[str, Any]]) -> PrecisionMode:
    """Guess the counting mode of a market dict.

    A tick size is fractional for at least one market of any real venue, while decimal
    place counts are always whole numbers (and ``0`` is only meaningful as a place count).
    """
    for market in markets.values():
        precision = market.get("precision") or {}
        for key in ("amount", "price"):
            value = precision.get(key)
            if value is None:
                continue
            number = Decimal(str(value))
            if number != number.to_integral_value():
                return "TICK_SIZE"
    return "DECIMAL_PLACES"


def _normalise_precision(market: dict[str, Any], mode: PrecisionMode) -> None:
    """Rewrite ``market['precision']`` in place to ``TICK_SIZE`` numbers (floats)."""
    precision = market.setdefault("precision", {})
    for key in _PRECISION_KEYS:
        value = precision.get(key)
        if value is None:
            continue
        if mode == "DECIMAL_PLACES":
            # 5 decimal places -> a step of 1e-05, as ccxt TICK_SIZE markets carry it.
            precision[key] = float(Decimal(1).scaleb(-int(value)))
        else:
            precision[key] = float(value)


@dataclass(frozen=True)
class MarketCatalog:
    """An immutable set of spot markets (ccxt structures) with reference prices.

    Build one with :meth:`default`, :meth:`from_file` or :meth:`from_markets`; the
    constructor takes already-normalised data and freezes it
    (:mod:`execution.venues.frozen`). Lookups hand out the frozen markets
    themselves, never copies: every account and every simulation of a process shares them,
    and none can alter what the others see (a change raises ``TypeError``).
    """

    markets: Mapping[str, Mapping[str, Any]]
    reference_prices: Mapping[str, Decimal] = field(default_factory=dict)
    source: str = "<memory>"
    # Every market keyed by symbol in symbol order: what ``load_markets()`` returns.
    _all: FrozenDict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        markets = freeze(self.markets)
        object.__setattr__(self, "markets", markets)
        object.__setattr__(self, "reference_prices", MappingProxyType(dict(self.reference_prices)))
        object.__setattr__(self, "_all", FrozenDict({s: markets[s] for s in sorted(markets)}))

    # -- construction -------------------------------------------------------------------

    @classmethod
    def default(cls) -> MarketCatalog:
        """The bundled sandbox catalog (``execution/venues/sandbox/data/markets.json``)."""
        document = json.loads(_DEFAULT_MARKETS_PATH.read_text(encoding="utf-8"))
        return cls._from_document(
            document, source=f"execution/venues/sandbox/{DEFAULT_MARKETS_RESOURCE}"
        )

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        reference_prices: Mapping[str, object] | None = None,
        precision_mode: PrecisionMode | None = None,
    ) -> MarketCatalog:
        """Load either layout from ``path``; see the module docstring.

        ``reference_prices`` override (or supply) prices per symbol. Markets of a bare
        fixture without a price of their own borrow the bundled catalog's price for the
        same symbol; a market with no price at all is still listed, but cannot be traded
        (:meth:`reference_price` raises ``ccxt.BadSymbol``).
        """
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls._from_document(
            document,
            source=str(path),
            reference_prices=reference_prices,
            precision_mode=precision_mode,
        )

    @classmethod
    def from_markets(
        cls,
        markets: Mapping[str, Mapping[str, Any]],
        *,
        reference_prices: Mapping[str, object] | None = None,
        precision_mode: PrecisionMode | None = None,
        source: str = "<memory>",
    ) -> MarketCatalog:
        """Build a catalog from a ccxt market dict (``symbol -> market``), spot only."""
        spot = {symbol: copy.deepcopy(dict(m)) for symbol, m in markets.items() if _is_spot(m)}
        mode = precision_mode or _detect_precision_mode(spot)
        for market in spot.values():
            _normalise_precision(market, mode)
        prices: dict[str, Decimal] = {}
        for symbol, price in (reference_prices or {}).items():
            if symbol in spot:
                prices[symbol] = _to_decimal(price, f"reference price of {symbol}")
        return cls(markets=spot, reference_prices=prices, source=source)

    @classmethod
    def _from_document(
        cls,
        document: Mapping[str, Any],
        *,
        source: str,
        reference_prices: Mapping[str, object] | None = None,
        precision_mode: PrecisionMode | None = None,
    ) -> MarketCatalog:
        if isinstance(document.get("markets"), Mapping):
            markets = document["markets"]
            prices: dict[str, object] = dict(document.get("reference_prices") or {})
            mode = precision_mode or document.get("precisionMode")
        else:
            # A bare ccxt fixture: borrow the bundled prices for symbols it shares.
            markets = document
            prices = _bundled_prices()
            mode = precision_mode
        prices.update(reference_prices or {})
        return cls.from_markets(
            markets, reference_prices=prices, precision_mode=mode, source=source
        )

    # -- lookup ----------------------------------------------------------------------------

    @property
    def symbols(self) -> list[str]:
        """Sorted unified symbols, as ccxt's ``exchange.symbols``."""
        return list(self._all)

    @property
    def currencies(self) -> list[str]:
        """Sorted currency codes appearing as a base or quote of some market."""
        codes = {m["base"] for m in self.markets.values()} | {
            m["quote"] for m in self.markets.values()
        }
        return sorted(codes)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self.markets

    def __len__(self) -> int:
        return len(self.markets)

    def __iter__(self) -> Iterator[str]:
        return iter(self.symbols)

    def market(self, symbol: str) -> MarketInterface:
        """The (frozen, shared) ccxt market for ``symbol``; ``ccxt.BadSymbol`` if unknown."""
        try:
            return cast("MarketInterface", self.markets[symbol])
        except KeyError:
            raise ccxt.BadSymbol(
                f"sandbox does not have market symbol {symbol!r} "
                f"(catalog {self.source} lists {len(self.markets)} markets)"
            ) from None

    def all_markets(self) -> dict[str, MarketInterface]:
        """Every market, keyed by symbol in symbol order (``exchange.load_markets()``): one
        frozen mapping, shared, built once with the catalog."""
        return cast("dict[str, MarketInterface]", self._all)

    def find(self, base: str, quote: str) -> MarketInterface | None:
        """The market trading ``base`` against ``quote`` (case-insensitive), or ``None``."""
        base, quote = base.upper(), quote.upper()
        for symbol in self.symbols:
            market = self.markets[symbol]
            if market["base"] == base and market["quote"] == quote:
                return self.market(symbol)
        return None

    def reference_price(self, symbol: str) -> Decimal:
        """The static mid price of ``symbol`` (quote per base); ``ccxt.BadSymbol`` if none."""
        if symbol not in self.markets:  # BadSymbol for an unknown market
            self.market(symbol)
        try:
            return self.reference_prices[symbol]
        except KeyError:
            raise ccxt.BadSymbol(
                f"sandbox has no reference price for {symbol!r}; "
                "pass reference_prices={...} when loading the catalog"
            ) from None

    def usd_rate(self, currency: str) -> Decimal | None:
        """An approximate USD value of one unit of ``currency``, or ``None`` if unknown.

        Used only to size book levels in comparable dollar terms across quote currencies
        (BTC, HKD, ...). USD-like stablecoins count as exactly one dollar; other currencies
        are priced through a direct pair with one of them or triangulated through a
        shared base (``BTC/HKD`` and ``BTC/USDT`` price HKD).
        """
        if currency in USD_LIKE:
            return Decimal(1)
        prices = self.reference_prices
        by_pair = {
            (self.markets[s]["base"], self.markets[s]["quote"]): p for s, p in prices.items()
        }
        for (base, quote), price in sorted(by_pair.items()):
            if base == currency and quote in USD_LIKE:
                return price
            if quote == currency and base in USD_LIKE:
                return 1 / price
        for (base, quote), price in sorted(by_pair.items()):
            if quote != currency:
                continue
            for usd in sorted(USD_LIKE):
                other = by_pair.get((base, usd))
                if other is not None:
                    return other / price
        return None


def _bundled_prices() -> dict[str, object]:
    document = json.loads(_DEFAULT_MARKETS_PATH.read_text(encoding="utf-8"))
    return dict(document.get("reference_prices") or {})
