"""The planner: an :class:`Intent`, a balance snapshot and the venue's symbols → a :class:`Plan`.

It never invents what the customer did not say: a share of holdings is resolved against
the snapshot and the resolution is written into the plan's notes, so the customer sees it.
A convert uses a direct market where one exists, else two orders through a quote
currency, the second spending what the first yields.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from intent.errors import PlanningError
from intent.models import Amount, Intent, OrderSpec, Plan, PlanStep, plain

QUOTE_CURRENCIES = frozenset({"USD", "USDT", "USDC", "HKD", "EUR"})
HUNDRED = Decimal(100)


def plan_intent(
    intent: Intent,
    *,
    plan_id: str,
    symbols: Collection[str],
    balances: Mapping[str, Decimal],
    default_quote: str = "USDT",
    open_orders: Sequence[Mapping[str, Any]] = (),
) -> Plan:
    """Build the plan for ``intent``; raise :class:`PlanningError` saying what cannot be done.

    ``open_orders`` (ccxt order structures) is what a cancel can name."""
    if intent.action == "cancel":
        return _cancel_plan(intent, plan_id, open_orders)
    if intent.action not in ("buy", "sell", "convert"):
        raise PlanningError(f"{intent.action!r} requests are not available yet; nothing was sent")
    unavailable = [
        name
        for name, present in (
            ("price triggers", intent.trigger is not None),
            (
                "take-profit / stop-loss brackets",
                intent.take_profit is not None or intent.stop_loss is not None,
            ),
            ("scheduled orders", intent.schedule is not None),
        )
        if present
    ]
    if unavailable:
        raise PlanningError(f"{' and '.join(unavailable)} are not available yet; nothing was sent")
    if intent.asset is None or intent.amount is None:  # an Intent is complete by construction
        raise PlanningError("the request has no asset or no amount")
    planner = _Planner(plan_id, symbols, balances, default_quote)
    if intent.action == "convert":
        steps = planner.convert(intent, intent.asset, intent.amount)
    else:
        steps = (planner.trade(intent, intent.asset, intent.amount),)
    return Plan(plan_id=plan_id, intent=intent, steps=steps, notes=tuple(planner.notes))


class _Planner:
    def __init__(
        self,
        plan_id: str,
        symbols: Collection[str],
        balances: Mapping[str, Decimal],
        default_quote: str,
    ) -> None:
        self.plan_id = plan_id
        self.symbols = symbols
        self.balances = balances
        self.default_quote = default_quote
        self.notes: list[str] = []

    def trade(self, intent: Intent, asset: str, amount: Amount) -> PlanStep:
        """One buy or sell on ``asset``/quote."""
        side = "buy" if intent.action == "buy" else "sell"
        quote = intent.quote
        if quote is None and amount.unit in QUOTE_CURRENCIES and amount.unit != asset:
            quote = amount.unit
        if quote is None:
            quote = self.default_quote
            self.notes.append(f"priced in {quote}, the default quote currency")
        symbol = self._market(asset, quote)

        base_amount: Decimal | None = None
        quote_amount: Decimal | None = None
        if amount.unit == asset:
            base_amount = amount.value
        elif amount.unit == quote:
            quote_amount = amount.value
        elif amount.is_share:
            share = self._share(amount, asset if side == "sell" else quote)
            if side == "sell":
                base_amount = share
            else:
                quote_amount = share
        else:
            raise PlanningError(
                f"an amount in {amount.unit} cannot be used on the {symbol} market; "
                f"say it in {asset} or {quote}"
            )
        order_type = intent.order_type or "market"
        if order_type == "limit" and intent.limit_price is None:
            raise PlanningError("a limit order needs a price")
        return self._step(
            1,
            OrderSpec(
                symbol=symbol,
                side=side,
                type=order_type,
                amount=base_amount,
                quote_amount=quote_amount,
                price=intent.limit_price if order_type == "limit" else None,
            ),
        )

    def convert(self, intent: Intent, give: str, amount: Amount) -> tuple[PlanStep, ...]:
        """``give`` → ``intent.to``: one order on a direct market, else two through a quote."""
        get = intent.to
        if get is None or get == give:
            raise PlanningError("a convert needs two different assets")
        if intent.order_type == "limit":
            raise PlanningError(
                "a convert is done at market; for a limit price place a limit order"
            )
        if amount.is_share:
            given = self._share(amount, give)
        elif amount.unit == give:
            given = amount.value
        else:
            raise PlanningError(f"say how much {give} to convert (the amount is in {amount.unit})")
        if f"{get}/{give}" in self.symbols:  # e.g. BTC → ETH on ETH/BTC: buy ETH with BTC
            order = OrderSpec(symbol=f"{get}/{give}", side="buy", type="market", quote_amount=given)
            return (self._step(1, order),)
        if f"{give}/{get}" in self.symbols:  # e.g. ETH → BTC on ETH/BTC: sell ETH
            order = OrderSpec(symbol=f"{give}/{get}", side="sell", type="market", amount=given)
            return (self._step(1, order),)
        bridge = self._bridge(give, get)
        first = self._step(
            1, OrderSpec(symbol=f"{give}/{bridge}", side="sell", type="market", amount=given)
        )
        second = self._step(
            2,
            OrderSpec(
                symbol=f"{get}/{bridge}",
                side="buy",
                type="market",
                quote_amount_from=first.step_id,
            ),
            depends_on=(first.step_id,),
        )
        self.notes.append(
            f"no {give}/{get} market: sell {give} for {bridge}, then buy {get} with the "
            f"{bridge} received; the second order is previewed again, and confirmed "
            "separately, once the first has filled"
        )
        return first, second

    def _bridge(self, give: str, get: str) -> str:
        candidates = [self.default_quote, *sorted(QUOTE_CURRENCIES - {self.default_quote})]
        for quote in candidates:
            if f"{give}/{quote}" in self.symbols and f"{get}/{quote}" in self.symbols:
                return quote
        raise PlanningError(f"there is no market path from {give} to {get} on this venue")

    def _market(self, asset: str, quote: str) -> str:
        symbol = f"{asset}/{quote}"
        if symbol not in self.symbols:
            alternatives = sorted(s for s in self.symbols if s.startswith(f"{asset}/"))
            hint = f"; markets for {asset}: {', '.join(alternatives)}" if alternatives else ""
            raise PlanningError(f"there is no {symbol} market on this venue{hint}")
        return symbol

    def _share(self, amount: Amount, held_ccy: str) -> Decimal:
        if amount.value > HUNDRED:
            raise PlanningError(f"{plain(amount.value)}% is more than all of your holdings")
        held = self.balances.get(held_ccy, Decimal(0))
        if held <= 0:
            raise PlanningError(
                f"you hold no {held_ccy}, so {plain(amount.value)}% of it is nothing"
            )
        share = held * amount.value / HUNDRED
        self.notes.append(
            f"{plain(amount.value)}% of your {plain(held)} {held_ccy} (balance when planned) "
            f"= {plain(share)} {held_ccy}"
        )
        return share

    def _step(self, n: int, order: OrderSpec, depends_on: tuple[str, ...] = ()) -> PlanStep:
        base, quote = order.symbol.split("/", 1)
        if order.amount is not None:
            size = f"{plain(order.amount)} {base}"
        elif order.quote_amount is not None:
            size = f"{plain(order.quote_amount)} {quote} of {base}"
        else:
            size = f"{base} with the {quote} from step {n - 1}"
        how = "at market" if order.type == "market" else f"limit {plain(order.price or Decimal(0))}"
        return PlanStep(
            step_id=f"{self.plan_id}.{n}",
            kind="place_order",
            description=f"{order.side.capitalize()} {size} {how} on {order.symbol}",
            order=order,
            depends_on=depends_on,
        )


def _cancel_plan(intent: Intent, plan_id: str, open_orders: Sequence[Mapping[str, Any]]) -> Plan:
    """One confirmable cancel step per open order of the asset named (all if none)."""
    matching = [
        o
        for o in open_orders
        if intent.asset is None or str(o["symbol"]).split("/", 1)[0] == intent.asset
    ]
    if not matching:
        which = f"{intent.asset} " if intent.asset is not None else ""
        raise PlanningError(f"you have no open {which}orders, so there is nothing to cancel")
    steps = []
    for n, o in enumerate(matching, start=1):
        remaining = _venue_number(o["remaining"] if o.get("remaining") is not None else o["amount"])
        price = None if o.get("price") is None else _venue_number(o["price"])
        spec = OrderSpec(
            symbol=str(o["symbol"]),
            side=o["side"],
            type="limit" if o.get("type") == "limit" else "market",
            amount=remaining,
            price=price,
        )
        at = "" if price is None else f" at {plain(price)}"
        steps.append(
            PlanStep(
                step_id=f"{plan_id}.{n}",
                kind="cancel_order",
                description=f"Cancel order {o['id']}: {spec.side} {plain(remaining)} "
                f"{spec.symbol.split('/', 1)[0]}{at} on {spec.symbol}",
                order=spec,
                cancel_order_id=str(o["id"]),
            )
        )
    return Plan(plan_id=plan_id, intent=intent, steps=tuple(steps))


def _venue_number(value: Any) -> Decimal:
    """A ccxt number (a float such as 55000.0) as the Decimal it stands for (55000)."""
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number
