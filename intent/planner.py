"""The planner: an :class:`Intent`, a balance snapshot and the venue's symbols → a :class:`Plan`.

It never invents what the customer did not say: a share of holdings is resolved against
the snapshot and the resolution is written into the plan's notes, so the customer sees it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal

from intent.errors import PlanningError
from intent.models import Intent, OrderSpec, Plan, PlanStep, plain

QUOTE_CURRENCIES = frozenset({"USD", "USDT", "USDC", "HKD", "EUR"})
HUNDRED = Decimal(100)


def plan_intent(
    intent: Intent,
    *,
    plan_id: str,
    symbols: Collection[str],
    balances: Mapping[str, Decimal],
    default_quote: str = "USDT",
) -> Plan:
    """Build the plan for ``intent``; raise :class:`PlanningError` saying what cannot be done."""
    if intent.action not in ("buy", "sell"):
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

    side = intent.action
    asset = intent.asset
    amount = intent.amount
    notes: list[str] = []
    quote = intent.quote
    if quote is None and amount.unit in QUOTE_CURRENCIES and amount.unit != asset:
        quote = amount.unit
    if quote is None:
        quote = default_quote
        notes.append(f"priced in {quote}, the default quote currency")
    symbol = f"{asset}/{quote}"
    if symbol not in symbols:
        alternatives = sorted(s for s in symbols if s.startswith(f"{asset}/"))
        hint = f"; markets for {asset}: {', '.join(alternatives)}" if alternatives else ""
        raise PlanningError(f"there is no {symbol} market on this venue{hint}")

    base_amount: Decimal | None = None
    quote_amount: Decimal | None = None
    if amount.unit == asset:
        base_amount = amount.value
    elif amount.unit == quote:
        quote_amount = amount.value
    elif amount.is_share:
        if amount.value > HUNDRED:
            raise PlanningError(f"{plain(amount.value)}% is more than all of your holdings")
        held_ccy = asset if side == "sell" else quote
        held = balances.get(held_ccy, Decimal(0))
        if held <= 0:
            raise PlanningError(
                f"you hold no {held_ccy}, so {plain(amount.value)}% of it is nothing"
            )
        share = held * amount.value / HUNDRED
        notes.append(
            f"{plain(amount.value)}% of your {plain(held)} {held_ccy} (balance when planned) "
            f"= {plain(share)} {held_ccy}"
        )
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
    order = OrderSpec(
        symbol=symbol,
        side=side,
        type=order_type,
        amount=base_amount,
        quote_amount=quote_amount,
        price=intent.limit_price if order_type == "limit" else None,
    )
    size = (
        f"{plain(base_amount)} {asset}"
        if base_amount is not None
        else f"{plain(quote_amount or Decimal(0))} {quote} of {asset}"
    )
    limit = intent.limit_price or Decimal(0)
    how = "at market" if order_type == "market" else f"limit {plain(limit)}"
    step = PlanStep(
        step_id=f"{plan_id}.1",
        kind="place_order",
        description=f"{side.capitalize()} {size} {how} on {symbol}",
        order=order,
    )
    return Plan(plan_id=plan_id, intent=intent, steps=(step,), notes=tuple(notes))
