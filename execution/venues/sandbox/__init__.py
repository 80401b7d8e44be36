"""A deterministic, seeded sandbox exchange speaking ccxt's unified (sync) API.

Modules, one job each:

* :mod:`.catalog`: :class:`MarketCatalog`, ccxt-format spot markets and reference prices;
* :mod:`.book`: seeded order books (:func:`generate_book`), recorded ones
  (:func:`book_from_snapshot`) and static reference prices;
* :mod:`.prices`: :class:`RandomWalkPrices`, a seeded price process moving the books over
  time (static prices stay the default);
* :mod:`.market`: :class:`SandboxMarket`, the shared world (catalog, seed, books, price
  source) every account on one venue trades on;
* :mod:`.rules`: market rules: precision (amount step, price tick), amount and cost limits
  and fee rates;
* :mod:`.validation`: what ``create_order`` refuses, and with which ccxt exception, before
  anything changes;
* :mod:`.matching`: pure matching, a book and an order to the fills they give;
* :mod:`.orders`: the records an account keeps per order and per fill;
* :mod:`.shapes`: ccxt's unified ``Ticker``, ``Balances``, ``Order`` and ``Trade`` dicts;
* :mod:`.exchange`: :class:`SandboxExchange`, one account implementing
  :class:`execution.venues.protocol.Venue` (balances, the order store, resting orders and
  triggers, cancels, lookups);
* :mod:`.faults`: :class:`FaultPlan`, seeded network faults;
* :mod:`.server` and :mod:`.remote`: the sandbox as a server process shared by several app
  processes, and its client.

HashKey's ``info.filters`` are pure checks in :mod:`execution.venues.filters`
(``price_band``, ``check_filters``), re-exported here.

Execution model, chosen to be simple, reproducible and honest about what it simulates:

* **Liquidity is a snapshot, not a queue.** Every order walks the full generated book;
  fills do not deplete it for the next order or for other accounts, and resting sandbox
  orders do not appear in it. Depth therefore bounds a *single* order's size.
* **Market orders** walk the book and execute immediately. If the book runs out, what
  filled stands and the rest is cancelled: status ``'canceled'`` with ``filled > 0`` and
  ``info['cancelReason'] == 'book exhausted'`` (ccxt's convention for a partly filled,
  then cancelled order; ``'closed'`` always means fully filled). If nothing at all can
  fill, ``ccxt.InvalidOrder`` is raised and no order is recorded.
* **Limit orders** take liquidity up to their limit price (each level at its own price,
  as taker); the remainder rests ``'open'`` at the limit and reserves funds (``used``).
  ``timeInForce`` ``'IOC'`` cancels the remainder, ``'FOK'`` cancels the whole order
  unless it fills completely, ``'PO'``/``postOnly`` rejects a crossing order with
  ``ccxt.OrderImmediatelyFillable``. A resting order fills in full, at its limit price,
  as maker, once the reference price has moved (a price process) and the book crosses it:
  it takes at its limit price what the book offers at or better than that price, so it
  fills *partially* where that depth is short and the remainder stays open.
* **Time.** On every account call the exchange catches up with the clock: with a stepped
  price process (:class:`~execution.venues.sandbox.prices.RandomWalkPrices`) it visits each grid
  time since the last call, in order, firing triggers and filling resting orders at the
  prices of that moment; other price sources are evaluated at the current time only.
* **Triggered orders** (``params`` ``triggerPrice``/``stopPrice`` for stop and
  stop-limit, ``takeProfitPrice``/``stopLossPrice``) wait ``'open'`` with the trigger
  fields set, and activate when the reference price crosses the trigger (a stop or
  stop-loss sell at ``price <= trigger``, a take-profit sell at ``>=``, buys mirrored);
  they then execute as the market or limit order they carry. One that would fire at once
  is rejected (``ccxt.OrderImmediatelyFillable``), as venues reject it. **Funds are
  reserved at placement**, as HashKey and Binance lock them for conditional orders: the
  base amount for a sell, ``amount × limit`` for a stop-limit buy and ``amount × trigger ×
  (1 + buffer)`` for a stop-market buy (buffer: the market's ``MARKET_TRADING``
  ``buyPriceUpRate``, else :data:`TRIGGER_MARKET_BUY_BUFFER`). A triggered market buy spends
  at most that reservation; what it cannot pay for is cancelled.
* **Filters.** Beyond ``limits`` (amount, price, cost), HashKey's ``info.filters`` are
  enforced with ``ccxt.InvalidOrder`` (:mod:`execution.venues.filters`); the price bands
  use the book's reference price at the time (for a triggered order at placement: its
  trigger price; at activation: the price then, cancelling the order if it is outside).
* **Faults** (optional :class:`~execution.venues.sandbox.faults.FaultPlan`): seeded network
  errors, timeouts before or after the venue processed the request, rate limits and
  latency on the methods that would go over the network.
* **Order responses** carry ``trades: []``, as HashKey's ``createOrder`` and ``fetchOrder``
  responses do; ``fetch_my_trades`` lists the fills.
* **Fees** are ``market['taker']`` on taking fills and ``market['maker']`` on resting
  fills, charged in the currency received (base on a buy, quote on a sell), as most spot
  venues do (ccxt ``feeSide: 'get'``). An account therefore never needs spare balance to
  pay a fee: a buy needs only its quote cost, a sell only its base amount.
* **Arithmetic** is exact :class:`~decimal.Decimal` inside; returned structures use floats
  as ccxt's Python does, with exact decimal strings kept in ``info``. In balances the
  float ``total`` is computed as ``free + used`` so the identity holds on the numbers
  returned.
* **Determinism.** Time comes only from the injected clock, randomness only from the
  seeds (books, price process, faults: independent), and ids from per-account counters
  (``<account_id>-000001``).

Importing this package imports ccxt (slow, ~0.4 s); keep it out of modules that must
import fast, such as :mod:`execution.venues.protocol` and :mod:`execution.clock`.
"""

from __future__ import annotations

from execution.venues.filters import (
    FilterViolation,
    MarketFilters,
    check_filters,
    parse_filters,
    price_band,
)
from execution.venues.sandbox.book import (
    Book,
    BookParams,
    Level,
    PriceSource,
    StaticPrices,
    book_from_snapshot,
    generate_book,
    shift_book,
    stable_seed,
)
from execution.venues.sandbox.catalog import MarketCatalog
from execution.venues.sandbox.exchange import TRIGGER_MARKET_BUY_BUFFER, SandboxExchange
from execution.venues.sandbox.faults import FaultPlan
from execution.venues.sandbox.market import DEFAULT_DEPTH, DEFAULT_SPREAD_BPS, SandboxMarket
from execution.venues.sandbox.prices import RandomWalkPrices, SteppedPriceSource

__all__ = [
    "DEFAULT_DEPTH",
    "DEFAULT_SPREAD_BPS",
    "TRIGGER_MARKET_BUY_BUFFER",
    "Book",
    "BookParams",
    "FaultPlan",
    "FilterViolation",
    "Level",
    "MarketCatalog",
    "MarketFilters",
    "PriceSource",
    "RandomWalkPrices",
    "SandboxExchange",
    "SandboxMarket",
    "StaticPrices",
    "SteppedPriceSource",
    "book_from_snapshot",
    "check_filters",
    "generate_book",
    "parse_filters",
    "price_band",
    "shift_book",
    "stable_seed",
]
