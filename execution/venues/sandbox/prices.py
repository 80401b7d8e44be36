"""A seeded, deterministic price process for the sandbox (a :class:`PriceSource`).

:class:`RandomWalkPrices` is a driftless geometric random walk on a fixed time grid: at
grid step ``n`` (``origin_ms + n * step_ms``) the log price is

    ln P(n) = ln P0 + σ·sqrt(Δt) · S(n),     S(n) = x_0 + … + x_(n-1),  x_i = ±1

where ``σ`` is the symbol's annualised volatility and ``Δt`` the step in years. A ±1
(binomial) walk rather than Gaussian steps keeps ``S(n)`` an exact integer, and the price is
computed with :meth:`decimal.Decimal.exp` (correctly rounded), so a path is identical on
every machine, and then rounded to the market's tick. The steps are bits of SHAKE-256 of
``(seed, symbol, block)``: any time can be queried in any order with the same answer. Only
per-block bit counts are cached, which is order-independent (they are pure functions too).

Between grid points the price is constant; before ``origin_ms`` the walk runs backwards
on its own bits, so the whole time line is defined. ``S(0) = 0``: at ``origin_ms`` the price
is the catalog's reference price.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from execution.venues.sandbox.catalog import USD_LIKE

if TYPE_CHECKING:
    from execution.venues.sandbox.catalog import MarketCatalog

__all__ = [
    "DEFAULT_ORIGIN_MS",
    "DEFAULT_STEP_MS",
    "DEFAULT_VOLATILITY",
    "STABLE_VOLATILITY",
    "RandomWalkPrices",
    "SteppedPriceSource",
]

#: 2026-01-01T00:00:00Z, where :class:`execution.clock.ManualClock` starts by default.
DEFAULT_ORIGIN_MS = 1_767_225_600_000
DEFAULT_STEP_MS = 1_000
#: Annualised volatility of a crypto pair unless configured (60 %: a typical BTC-ish year).
DEFAULT_VOLATILITY = Decimal("0.6")
#: Annualised volatility of a pair of two USD-like currencies (USDC/USDT) by default.
STABLE_VOLATILITY = Decimal("0.02")

_YEAR_MS = Decimal(365 * 24 * 3600 * 1000)
_BLOCK_BITS = 4096  # steps per block: one SHAKE-256 call, one popcount
_BLOCK_BYTES = _BLOCK_BITS // 8
_CONTEXT = Context(prec=34)  # explicit, so a caller's decimal context cannot change paths


@runtime_checkable
class SteppedPriceSource(Protocol):
    """A price source that only changes on a grid ``origin_ms + n * step_ms``.

    The sandbox exchange walks the grid between account calls to fill resting orders and
    fire triggers at the times the price actually moved.
    """

    step_ms: int
    origin_ms: int

    def reference_price(self, symbol: str, now_ms: int) -> Decimal: ...


class RandomWalkPrices:
    """A seeded geometric random walk per symbol; see the module docstring.

    ``volatility`` maps symbols to annualised volatilities (``0.6`` = 60 %); other symbols
    use ``default_volatility``, or :data:`STABLE_VOLATILITY` when both currencies are
    USD-like. ``start_prices`` override the catalog's reference prices at ``origin_ms``.
    """

    def __init__(
        self,
        catalog: MarketCatalog,
        *,
        seed: int = 0,
        volatility: Mapping[str, Decimal | float | str] | None = None,
        default_volatility: Decimal | float | str = DEFAULT_VOLATILITY,
        step_ms: int = DEFAULT_STEP_MS,
        origin_ms: int = DEFAULT_ORIGIN_MS,
        start_prices: Mapping[str, Decimal | float | str] | None = None,
    ) -> None:
        if step_ms <= 0:
            raise ValueError(f"step_ms must be > 0, got {step_ms}")
        self.catalog = catalog
        self.seed = seed
        self.step_ms = step_ms
        self.origin_ms = origin_ms
        self._default_volatility = self._vol(default_volatility, "default_volatility")
        self._volatility = {
            symbol: self._vol(value, f"volatility of {symbol}")
            for symbol, value in (volatility or {}).items()
        }
        self._start = {s: Decimal(str(p)) for s, p in (start_prices or {}).items()}
        for symbol, price in self._start.items():
            if not price.is_finite() or price <= 0:
                raise ValueError(f"start price of {symbol} must be > 0, got {price}")
        self._scale: dict[str, Decimal] = {}
        # Prefix sums of block totals, per (symbol, direction): entry k is S at the start of
        # block k (forward) or minus the sum of the k blocks before the origin (backward).
        self._prefix: dict[tuple[str, int], list[int]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _vol(value: Decimal | float | str, what: str) -> Decimal:
        number = Decimal(str(value))
        if not number.is_finite() or number < 0:
            raise ValueError(f"{what} must be >= 0, got {value!r}")
        return number

    def volatility(self, symbol: str) -> Decimal:
        """The annualised volatility used for ``symbol``."""
        configured = self._volatility.get(symbol)
        if configured is not None:
            return configured
        market = self.catalog.markets.get(symbol)
        if market is not None and market["base"] in USD_LIKE and market["quote"] in USD_LIKE:
            return STABLE_VOLATILITY
        return self._default_volatility

    def start_price(self, symbol: str) -> Decimal:
        """The price at ``origin_ms`` (``ccxt.BadSymbol`` if the catalog has none)."""
        start = self._start.get(symbol)
        return start if start is not None else self.catalog.reference_price(symbol)

    def step_index(self, now_ms: int) -> int:
        """The grid step in force at ``now_ms`` (floor division: constant between steps)."""
        return (now_ms - self.origin_ms) // self.step_ms

    def grid_time(self, index: int) -> int:
        """The time at which grid step ``index`` begins."""
        return self.origin_ms + index * self.step_ms

    def _bits(self, symbol: str, direction: int, block: int) -> int:
        key = f"{self.seed}\x1f{symbol}\x1f{direction}\x1f{block}".encode()
        return int.from_bytes(hashlib.shake_256(key).digest(_BLOCK_BYTES), "big")

    def _block_start(self, symbol: str, direction: int, block: int) -> int:
        key = (symbol, direction)
        with self._lock:
            prefix = self._prefix.setdefault(key, [0])
            while len(prefix) <= block:
                bits = self._bits(symbol, direction, len(prefix) - 1)
                prefix.append(prefix[-1] + 2 * bits.bit_count() - _BLOCK_BITS)
            return prefix[block]

    def walk(self, symbol: str, index: int) -> int:
        """``S(index)``: the integer position of the ±1 walk at grid step ``index``."""
        direction = 1 if index >= 0 else -1
        steps = abs(index)
        block, offset = divmod(steps, _BLOCK_BITS)
        start = self._block_start(symbol, direction, block)
        if offset:
            # The first `offset` steps of the block are its top `offset` bits.
            head = self._bits(symbol, direction, block) >> (_BLOCK_BITS - offset)
            start += 2 * head.bit_count() - offset
        return start if direction > 0 else -start

    def _step_scale(self, symbol: str) -> Decimal:
        scale = self._scale.get(symbol)
        if scale is None:
            sigma = self.volatility(symbol)
            scale = sigma * (Decimal(self.step_ms) / _YEAR_MS).sqrt(_CONTEXT)
            self._scale[symbol] = scale
        return scale

    def reference_price(self, symbol: str, now_ms: int) -> Decimal:
        """The price of ``symbol`` at ``now_ms``, on the market's tick (at least one tick)."""
        start = self.start_price(symbol)
        position = self.walk(symbol, self.step_index(now_ms))
        if position == 0:
            raw = start
        else:
            raw = _CONTEXT.multiply(start, (self._step_scale(symbol) * position).exp(_CONTEXT))
        market = self.catalog.markets[symbol]
        tick = Decimal(str(market["precision"]["price"]))
        rounded = (raw / tick).to_integral_value(rounding=ROUND_HALF_EVEN) * tick
        return max(rounded, tick)
