"""The planner: an :class:`Intent`, a balance snapshot and the venue's symbols → a :class:`Plan`.

It never invents what the customer did not say: a share of holdings is resolved against
the snapshot and the resolution is written into the plan's notes, so the customer sees it.
A convert uses a direct market where one exists, else two orders through a quote
currency, the second spending what the first yields.

A price condition, a schedule (DCA ``every``, TWAP ``over``) or a take-profit / stop-loss
becomes a ``mandate`` step: confirmed once, then carried out by the worker within the
bounds written into the step (count, spacing, price band, expiry), which the customer
sees in the preview before confirming.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any

from intent.errors import PlanningError, StandingOrderNotFound, WhichStandingOrder
from intent.models import (
    Amount,
    Intent,
    Mandate,
    MandateRef,
    OrderSpec,
    Plan,
    PlanStep,
    StandingOrderRef,
    Trigger,
    plain,
)

QUOTE_CURRENCIES = frozenset({"USD", "USDT", "USDC", "HKD", "EUR"})
HUNDRED = Decimal(100)

# The bounds of a mandate, shown to the customer before they confirm it.
TRIGGER_BAND_BPS = 300  # an order a condition fires is expected within 3% of its price
TWAP_BAND_BPS = 300  # each slice of an "over" order within 3% of the mid when confirmed
DCA_BAND_BPS = 2_000  # each order of an "every" schedule within 20% of that mid
TRIGGER_TTL_S = 30 * 86_400  # a price condition waits 30 days at most
TWAP_SLICE_S = 300  # an "over" order is sliced every 5 minutes ...
TWAP_MAX_SLICES = 12  # ... into at most 12 orders
MAX_ORDERS = 100  # orders one mandate may place
MONTH_S = 30 * 86_400  # P1M is read as 30 days (said in the plan's notes)
_DURATION = re.compile(
    r"^P(?:(?P<W>\d+)W)?(?:(?P<M>\d+)M)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)
_UNIT_S = {"W": 604_800, "M": MONTH_S, "D": 86_400, "h": 3_600, "m": 60, "s": 1}


def duration_s(iso: str) -> int:
    """Seconds in an ISO 8601 duration as FORMAT.md writes them (P1W, P1D, PT4H, P1DT12H)."""
    match = _DURATION.match(iso)
    seconds = (
        0 if match is None else sum(int(v) * _UNIT_S[k] for k, v in match.groupdict().items() if v)
    )
    if seconds <= 0:
        raise PlanningError(f"{iso!r} is not a duration I can schedule on")
    return seconds


def describe_duration(seconds: int) -> str:
    """``604800`` → ``"1 week"``: the largest whole unit."""
    for name, size in (("week", 604_800), ("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {name}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"


def plan_intent(
    intent: Intent,
    *,
    plan_id: str,
    symbols: Collection[str],
    balances: Mapping[str, Decimal],
    default_quote: str = "USDT",
    open_orders: Sequence[Mapping[str, Any]] = (),
    standing: Sequence[StandingOrderRef] = (),
) -> Plan:
    """Build the plan for ``intent``; raise :class:`PlanningError` saying what cannot be done.

    ``open_orders`` (ccxt order structures) is what a cancel can name; ``standing`` (the
    customer's standing orders, in every session) what a cancel naming one can stop."""
    if intent.action == "cancel" and intent.standing_kind is not None:
        return _stop_plan(intent, plan_id, standing)
    if intent.action == "cancel":
        return _cancel_plan(intent, plan_id, open_orders)
    if intent.action not in ("buy", "sell", "convert"):
        raise PlanningError(f"{intent.action!r} requests are not available yet; nothing was sent")
    if intent.asset is None or intent.amount is None:  # an Intent is complete by construction
        raise PlanningError("the request has no asset or no amount")
    bracket = intent.take_profit is not None or intent.stop_loss is not None
    conditional = intent.trigger is not None or intent.schedule is not None or bracket
    if intent.action == "convert" and conditional:
        raise PlanningError(
            "a convert is done now, at market: price conditions, schedules and "
            "take-profit / stop-loss are for buy and sell orders",
            "convert_now",
        )
    if intent.schedule is not None and (intent.trigger is not None or bracket):
        raise PlanningError(
            "a schedule cannot be combined with a price condition or a take-profit / "
            "stop-loss; ask for them separately",
            "schedule_with_condition",
        )
    listed = {part for symbol in symbols for part in symbol.split("/")}
    for code in (intent.asset, intent.to):
        if code is not None and code not in listed:
            # Understood, but not traded here: say so rather than "which asset?".
            raise PlanningError(
                f"{code} is not listed on this exchange, so it cannot be traded",
                "not_listed",
                {"asset": code},
            )
    planner = _Planner(plan_id, symbols, balances, default_quote)
    if intent.action == "convert":
        steps = planner.convert(intent, intent.asset, intent.amount)
    else:
        step = planner.trade(intent, intent.asset, intent.amount)
        if intent.trigger is not None:
            step = planner.on_condition(step, intent.trigger)
        elif intent.schedule is not None:
            step = planner.scheduled(step, intent)
        steps = (step, *planner.bracket(step, intent)) if bracket else (step,)
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
            raise PlanningError("a limit order needs a price", "limit_needs_price")
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
            raise PlanningError("a convert needs two different assets", "convert_same")
        if intent.order_type == "limit":
            raise PlanningError(
                "a convert is done at market; for a limit price place a limit order",
                "convert_limit",
            )
        if amount.is_share:
            given = self._share(amount, give)
        elif amount.unit == give:
            given = amount.value
        else:
            raise PlanningError(
                f"say how much {give} to convert (the amount is in {amount.unit})",
                "convert_amount",
                {"give": give},
            )
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

    def on_condition(self, step: PlanStep, trigger: Trigger) -> PlanStep:
        """``step`` placed by the worker once the price is at or beyond ``trigger``."""
        when = "at or below" if trigger.op == "<=" else "at or above"
        return step.model_copy(
            update={
                "kind": "mandate",
                "description": f"{step.description}, once the price is {when} "
                f"{plain(trigger.price)}",
                "mandate": Mandate(
                    condition=trigger, band_bps=TRIGGER_BAND_BPS, ttl_s=TRIGGER_TTL_S
                ),
            }
        )

    def scheduled(self, step: PlanStep, intent: Intent) -> PlanStep:
        """``step`` repeated (``every`` x ``count``) or sliced (``over``) by the worker."""
        schedule = intent.schedule
        assert schedule is not None
        if schedule.on is not None:
            raise PlanningError(
                f"a schedule starting on a {schedule.on.title()} is not available yet: the first "
                "order would go when you confirm; say 'every week' to start now",
                "schedule_start_day",
            )
        if schedule.day is not None:
            raise PlanningError(
                f"a schedule on day {schedule.day} of each month is not available yet: the "
                "first order would go when you confirm; say 'every month' to start now",
                "schedule_month_day",
            )
        if schedule.every is not None and schedule.count is None:
            raise PlanningError(
                f"say how many orders to place (at most {MAX_ORDERS}): a repeating order "
                "needs an end",
                "schedule_needs_count",
                {"max": str(MAX_ORDERS)},
            )
        if schedule.every is not None:
            every_s, count = duration_s(schedule.every), schedule.count or 1
            if "M" in schedule.every.split("T")[0]:
                self.notes.append("a month is taken as 30 days")
            band, order = DCA_BAND_BPS, step.order
            how = f"every {describe_duration(every_s)}, {count} orders"
        elif schedule.over is not None:
            over_s = duration_s(schedule.over)
            # "in 4 orders over 2 hours": the customer's count; else one slice per TWAP_SLICE_S
            count = schedule.count or max(2, min(TWAP_MAX_SLICES, over_s // TWAP_SLICE_S))
            every_s, band = over_s // count, TWAP_BAND_BPS
            order = self._sliced(step.order, count)
            how = (
                f"over {describe_duration(over_s)}: {count} orders, one every "
                f"{describe_duration(every_s)}"
            )
        else:
            raise PlanningError("a schedule needs 'every' or 'over'")
        if count > MAX_ORDERS:
            raise PlanningError(
                f"a schedule places at most {MAX_ORDERS} orders; {count} asked",
                "schedule_too_many",
                {"max": str(MAX_ORDERS), "count": str(count)},
            )
        return self._step(
            1,
            order,
            kind="mandate",
            mandate=Mandate(
                count=count, every_s=every_s, band_bps=band, ttl_s=every_s * (count + 1)
            ),
            suffix=f", {how}",
        )

    def _sliced(self, order: OrderSpec, count: int) -> OrderSpec:
        def part(total: Decimal | None) -> Decimal | None:
            return None if total is None else _slice(total, count)

        sliced = order.model_copy(
            update={"amount": part(order.amount), "quote_amount": part(order.quote_amount)}
        )
        total = order.amount if order.amount is not None else order.quote_amount
        each = sliced.amount if sliced.amount is not None else sliced.quote_amount
        assert total is not None
        assert each is not None
        self.notes.append(f"{plain(total)} in {count} orders of {plain(each)}")
        return sliced

    def bracket(self, entry: PlanStep, intent: Intent) -> tuple[PlanStep, ...]:
        """Take-profit and stop-loss exits: sell what ``entry`` bought once the price
        reaches either; the first to fire skips the other."""
        tp, sl = intent.take_profit, intent.stop_loss
        if entry.order.side != "buy":
            raise PlanningError(
                "a take-profit or stop-loss is attached to a buy: it sells what the buy got",
                "exits_need_buy",
            )
        if tp is not None and sl is not None and tp <= sl:
            raise PlanningError(
                f"the take-profit ({plain(tp)}) must be above the stop-loss ({plain(sl)})",
                "tp_not_above_sl",
                {"tp": plain(tp), "sl": plain(sl)},
            )
        entry_price = entry.order.price or (
            intent.trigger.price if intent.trigger is not None else None
        )
        if entry_price is not None and (
            (tp is not None and tp <= entry_price) or (sl is not None and sl >= entry_price)
        ):
            raise PlanningError(
                f"the take-profit must be above and the stop-loss below the entry price "
                f"({plain(entry_price)})",
                "exits_around_entry",
                {"entry": plain(entry_price)},
            )
        base = entry.order.symbol.split("/", 1)[0]
        exits = [
            (name, Trigger(op=op, price=price))
            for name, op, price in (("take-profit", ">=", tp), ("stop-loss", "<=", sl))
            if price is not None
        ]
        ids = [f"{self.plan_id}.{n}" for n in range(2, 2 + len(exits))]
        steps = []
        for step_id, (name, trigger) in zip(ids, exits, strict=True):
            when = "at or above" if trigger.op == ">=" else "at or below"
            steps.append(
                PlanStep(
                    step_id=step_id,
                    kind="mandate",
                    # the entry by its number in the plan: the customer never sees step ids
                    description=f"{name.capitalize()}: sell the {base} bought in step "
                    f"{entry.step_id.rsplit('.', 1)[-1]} at market on {entry.order.symbol}, "
                    f"once the price is {when} {plain(trigger.price)}",
                    order=OrderSpec(symbol=entry.order.symbol, side="sell", type="market"),
                    depends_on=(entry.step_id,),
                    mandate=Mandate(
                        condition=trigger,
                        band_bps=TRIGGER_BAND_BPS,
                        ttl_s=TRIGGER_TTL_S,
                        amount_from=entry.step_id,
                        oco_with=tuple(i for i in ids if i != step_id),
                    ),
                )
            )
        if len(steps) == 2:
            self.notes.append("take-profit and stop-loss: the first to fire cancels the other")
        return tuple(steps)

    def _bridge(self, give: str, get: str) -> str:
        candidates = [self.default_quote, *sorted(QUOTE_CURRENCIES - {self.default_quote})]
        for quote in candidates:
            if f"{give}/{quote}" in self.symbols and f"{get}/{quote}" in self.symbols:
                return quote
        raise PlanningError(
            f"there is no market path from {give} to {get} on this venue",
            "no_path",
            {"give": give, "get": get},
        )

    def _market(self, asset: str, quote: str) -> str:
        symbol = f"{asset}/{quote}"
        if symbol not in self.symbols:
            alternatives = sorted(s for s in self.symbols if s.startswith(f"{asset}/"))
            hint = f"; markets for {asset}: {', '.join(alternatives)}" if alternatives else ""
            raise PlanningError(
                f"there is no {symbol} market on this venue{hint}",
                "no_market",
                {"symbol": symbol, "asset": asset, "quote": quote},
            )
        return symbol

    def _share(self, amount: Amount, held_ccy: str) -> Decimal:
        if amount.value > HUNDRED:
            raise PlanningError(
                f"{plain(amount.value)}% is more than all of your holdings",
                "share_over_all",
                {"share": plain(amount.value)},
            )
        held = self.balances.get(held_ccy, Decimal(0))
        if held <= 0:
            raise PlanningError(
                f"you hold no {held_ccy}, so {plain(amount.value)}% of it is nothing",
                "nothing_held",
                {"currency": held_ccy},
            )
        share = held * amount.value / HUNDRED
        self.notes.append(
            f"{plain(amount.value)}% of your {plain(held)} {held_ccy} (balance when planned) "
            f"= {plain(share)} {held_ccy}"
        )
        return share

    def _step(
        self,
        n: int,
        order: OrderSpec,
        depends_on: tuple[str, ...] = (),
        *,
        kind: str = "place_order",
        mandate: Mandate | None = None,
        suffix: str = "",
    ) -> PlanStep:
        return PlanStep(
            step_id=f"{self.plan_id}.{n}",
            kind="mandate" if kind == "mandate" else "place_order",
            description=order_words(order, f"step {n - 1}") + suffix,
            order=order,
            depends_on=depends_on,
            mandate=mandate,
        )


def order_words(order: OrderSpec, funding_step: str = "an earlier step") -> str:
    """``Buy 0.1 BTC at market on BTC/USDT``: an order as a step's description says it."""
    base, quote = order.symbol.split("/", 1)
    if order.amount is not None:
        size = f"{plain(order.amount)} {base}"
    elif order.quote_amount is not None:
        size = f"{plain(order.quote_amount)} {quote} of {base}"
    else:
        size = f"{base} with the {quote} from {funding_step}"
    how = "at market" if order.type == "market" else f"limit {plain(order.price or Decimal(0))}"
    return f"{order.side.capitalize()} {size} {how} on {order.symbol}"


def _slice(total: Decimal, count: int) -> Decimal:
    """One of ``count`` equal parts of ``total``, rounded down to 8 decimals."""
    return (total / count).quantize(Decimal("0.00000001"), rounding=ROUND_DOWN).normalize()


def _cancel_plan(intent: Intent, plan_id: str, open_orders: Sequence[Mapping[str, Any]]) -> Plan:
    """One confirmable cancel step per open order of the asset named (all if none), or for
    the one placed last when the customer said so ("cancel my last order")."""
    matching = [
        o
        for o in open_orders
        if intent.asset is None or str(o["symbol"]).split("/", 1)[0] == intent.asset
    ]
    if not matching:
        which = f"{intent.asset} " if intent.asset is not None else ""
        raise PlanningError(
            f"you have no open {which}orders, so there is nothing to cancel",
            "nothing_to_cancel_asset" if intent.asset is not None else "nothing_to_cancel",
            {} if intent.asset is None else {"asset": intent.asset},
        )
    if intent.order_ref == "last":
        matching = [max(matching, key=lambda o: (int(o.get("timestamp") or 0), str(o["id"])))]
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


def standing_matches(
    intent: Intent, standing: Sequence[StandingOrderRef]
) -> list[StandingOrderRef]:
    """The standing orders a cancel names: of its kind (any, for "mandate"; any with a
    price condition, for "conditional") and of its asset, if it says one."""
    kind = intent.standing_kind

    def of_kind(ref: StandingOrderRef) -> bool:
        if kind == "mandate" or kind == ref.kind:
            return True
        return kind == "conditional" and ref.kind != "recurring"

    return [
        ref
        for ref in standing
        if of_kind(ref)
        and (intent.asset is None or ref.order.symbol.split("/", 1)[0] == intent.asset)
    ]


def _stop_plan(intent: Intent, plan_id: str, standing: Sequence[StandingOrderRef]) -> Plan:
    """One confirmable ``stop_mandate`` step for the one standing order the cancel names;
    none or several raise, saying what the customer has."""
    matching = standing_matches(intent, standing)
    if not matching:
        raise StandingOrderNotFound(
            "you have no standing order like that, so there is nothing to stop",
            tuple(standing),
        )
    if len(matching) > 1:
        raise WhichStandingOrder("several standing orders match; which one?", tuple(matching))
    target = matching[0]
    step = PlanStep(
        step_id=f"{plan_id}.1",
        kind="stop_mandate",
        description=f"Stop: {target.description}",
        order=target.order,
        stop=MandateRef(
            session_id=target.session_id,
            step_id=target.step_id,
            description=target.description,
        ),
    )
    return Plan(plan_id=plan_id, intent=intent, steps=(step,))


def _venue_number(value: Any) -> Decimal:
    """A ccxt number (a float such as 55000.0) as the Decimal it stands for (55000)."""
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number
