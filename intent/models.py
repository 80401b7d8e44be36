"""What the customer asked for: the parse results and the plan built from them.

Every model is frozen and forbids unknown keys; money and quantities are ``Decimal``.
A parse yields exactly one of :class:`Intent`, :class:`Clarification` or
:class:`Unsupported` (the :data:`ParseResult` union, discriminated by ``kind``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Side = Literal["buy", "sell"]
Action = Literal["buy", "sell", "convert", "cancel", "query"]
OrderType = Literal["market", "limit"]
QueryKind = Literal["price", "balance", "orders"]
MissingField = Literal["amount", "asset", "side", "price"]
#: Which price a question for the price asks: the limit, a condition's price (falling to
#: or rising to), or an exit of a buy.
PriceSlot = Literal["limit_price", "trigger_below", "trigger_above", "take_profit", "stop_loss"]
#: What kind of standing order (a mandate) a cancel names: "stop my weekly BTC buys" a
#: recurring one, "取消止损" a stop-loss, "cancel my standing orders" any of them.
StandingKind = Literal["mandate", "recurring", "stop_loss", "take_profit", "conditional"]


#: Basis points in one: slippage, price bands and tolerances are counted in them.
BPS = Decimal(10_000)


def plain(value: Decimal) -> str:
    """A decimal as people write it: no exponent, no trailing zeros (``1E+2`` → ``100``)."""
    return format(value.normalize(), "f")


def _grouped(value: Decimal) -> str:
    """A price with thousands separators and no trailing zeros: ``3,500``, ``0.25``."""
    return format(value.normalize(), ",f")


class Model(BaseModel):
    """Base for the domain models: immutable, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Amount(Model):
    """A quantity in ``unit``: an asset code (``BTC``), a currency (``USD``) or ``%``.

    ``%`` is a share of holdings: of the asset sold, or of the quote balance on a buy.
    """

    value: Decimal = Field(gt=0)
    unit: str = Field(min_length=1, max_length=16)

    @property
    def is_share(self) -> bool:
        return self.unit == "%"


class Trigger(Model):
    """A price condition on the asset that must hold before the order is placed."""

    op: Literal["<=", ">="]
    price: Decimal = Field(gt=0)


def exit_of_a_sale(take_profit: Decimal | None, stop_loss: Decimal | None) -> Trigger | None:
    """The trigger a sale's one exit names: a sale does not open a position to exit, so its
    stop-loss is the level it sells at on the way down ("跌破2780止损卖出": at or below 2780)
    and its take-profit the level on the way up. None unless exactly one is given."""
    if (take_profit is None) == (stop_loss is None):
        return None
    if stop_loss is not None:
        return Trigger(op="<=", price=stop_loss)
    assert take_profit is not None
    return Trigger(op=">=", price=take_profit)


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class Schedule(Model):
    """Repeated (``every`` x ``count``) or spread (``over``) orders; ISO 8601 durations.

    ``on`` is the weekday a weekly schedule was asked for ("every Monday"), ``day`` the day
    of the month a monthly one was ("每个月1号", "on the 15th of each month"): the canonical
    format has no place for them, but the plan must honour them, not start on another day."""

    every: str | None = None
    count: int | None = Field(default=None, gt=0)
    over: str | None = None
    on: Weekday | None = None
    day: int | None = Field(default=None, ge=1, le=31)


class Span(Model):
    """The characters ``text[start:end]`` of the utterance that produced ``field``."""

    field: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Correction(Model):
    """A misspelt coin name read as a coin ("bitcoiin" → Bitcoin, BTC): shown and journaled."""

    written: str
    meant: str
    code: str


class IntentFields(Model):
    """Fields shared by a complete intent and a clarification that is still missing some."""

    asset: str | None = None
    to: str | None = None
    quote: str | None = None
    amount: Amount | None = None
    order_type: OrderType | None = None
    limit_price: Decimal | None = Field(default=None, gt=0)
    trigger: Trigger | None = None
    take_profit: Decimal | None = Field(default=None, gt=0)
    stop_loss: Decimal | None = Field(default=None, gt=0)
    schedule: Schedule | None = None
    query: QueryKind | None = None
    #: the order a cancel names by when it was placed: "cancel my last order", "刚才那笔"
    order_ref: Literal["last"] | None = None
    #: the standing order a cancel names by its kind ("stop my weekly BTC buys": recurring);
    #: None: a cancel of open orders. Left out of a dump when None, so the readings
    #: journaled before it existed replay unchanged.
    standing_kind: StandingKind | None = Field(default=None, exclude_if=lambda v: v is None)
    spans: tuple[Span, ...] = ()
    corrections: tuple[Correction, ...] = ()


class Intent(IntentFields):
    """A complete request: nothing is missing to plan it."""

    kind: Literal["intent"] = "intent"
    action: Action


class Clarification(IntentFields):
    """A request that cannot be planned until the customer answers ``question``."""

    kind: Literal["clarification"] = "clarification"
    side: Literal["buy", "sell", "convert"] | None = None
    missing: tuple[MissingField, ...] = Field(min_length=1)
    question: str
    #: the price asked for, when the request says which ("set a stop-loss on my ETH");
    #: None: a limit price, unless what was said leaves it open
    price_for: PriceSlot | None = None
    #: a condition's price said with no direction ("when it gets to 3,500"): the question
    #: asks whether it is on the way up or down, and an answer of "below" completes it
    level: Decimal | None = Field(default=None, gt=0)
    #: a stop's price said before the side ("0.5 BTC, stop 58,000, limit 57,800"): the side,
    #: once answered, places it as a stop does in one message (a sale's below, a buy's above)
    stop: Decimal | None = Field(default=None, gt=0)


_PRICE_QUESTIONS: dict[PriceSlot | None, str] = {
    None: "At what price? Please give the limit or trigger price in numbers.",
    "limit_price": "At what limit price? Please give it in numbers.",
    "trigger_below": "At what price, on the way down? Please give it in numbers.",
    "trigger_above": "At what price, on the way up? Please give it in numbers.",
    "take_profit": "At what price should it take profit? Please give it in numbers.",
    "stop_loss": "At what price should the stop-loss sell? Please give it in numbers.",
}


def clarification_question(
    missing: Sequence[MissingField],
    side: str | None,
    asset: str | None,
    price_for: PriceSlot | None = None,
    level: Decimal | None = None,
) -> str:
    """The question a :class:`Clarification` asks: one sentence per missing field."""
    verb = side or "trade"
    parts: list[str] = []
    if "side" in missing:
        parts.append(f"Do you want to buy or sell {asset or 'it'}?")
    if "asset" in missing:
        parts.append(f"Which asset do you want to {verb}?")
    if "amount" in missing:
        parts.append(f"How much {asset + ' ' if asset else ''}do you want to {verb}?")
    if "price" in missing and level is not None:
        parts.append(
            f"Should it {verb} when the price rises to {_grouped(level)} or when it falls to "
            f"{_grouped(level)}? Please say above or below."
        )
    elif "price" in missing:
        parts.append(_PRICE_QUESTIONS[price_for])
    return " ".join(parts)


class Unsupported(Model):
    """A request the assistant will not act on (withdrawals, leverage, chit-chat, ...)."""

    kind: Literal["unsupported"] = "unsupported"
    reason: str
    message: str


ParseResult = Annotated[Intent | Clarification | Unsupported, Field(discriminator="kind")]
PARSE_RESULT_ADAPTER: TypeAdapter[Intent | Clarification | Unsupported] = TypeAdapter(ParseResult)


class OrderSpec(Model):
    """The order a step would send, in the venue's terms (amounts in base units)."""

    symbol: str
    side: Side
    type: OrderType
    amount: Decimal | None = Field(default=None, gt=0)
    quote_amount: Decimal | None = Field(default=None, gt=0)
    # Spend what an earlier step yields (a convert through a quote currency): its id.
    quote_amount_from: str | None = None
    price: Decimal | None = Field(default=None, gt=0)


class Mandate(Model):
    """What the worker may send for the customer after one confirmation, and no more.

    Each order is ``PlanStep.order``; it goes out only while ``condition`` holds, at most
    ``count`` of them ``every_s`` apart (the first when armed), each expected to fill
    within ``band_bps`` of the reference price (the trigger price, else the mid when the
    mandate was previewed), and none after ``ttl_s`` from arming. Outside those bounds the
    mandate pauses and asks. A bracket exit sells what step ``amount_from`` bought, and
    the first exit of an ``oco_with`` group to fire skips the others."""

    condition: Trigger | None = None
    count: int = Field(default=1, ge=1, le=100)
    every_s: int | None = Field(default=None, gt=0)
    band_bps: int = Field(gt=0, le=10_000)
    ttl_s: int = Field(gt=0)
    amount_from: str | None = None
    oco_with: tuple[str, ...] = ()


class MandateRef(Model):
    """A mandate step of one of the customer's sessions, as a stop step names it."""

    session_id: str
    step_id: str
    description: str


class StandingOrderRef(MandateRef):
    """A standing order the customer has working, as a cancel that names one is planned on
    (``kind`` from :func:`standing_kind_of`; ``order`` the mandate's order)."""

    kind: Literal["recurring", "stop_loss", "take_profit", "conditional"]
    order: OrderSpec
    state: str
    orders_placed: int = Field(ge=0)
    orders_total: int = Field(ge=1)


def standing_kind_of(
    order: OrderSpec, mandate: Mandate
) -> Literal["recurring", "stop_loss", "take_profit", "conditional"]:
    """What a customer calls a mandate: a schedule is recurring; a sale once the price
    falls to a level is a stop-loss and once it rises to one a take-profit (a bracket's
    exits, or a sale said so); any other price condition is a conditional order."""
    if mandate.condition is None:
        return "recurring"
    if order.side == "sell":
        return "stop_loss" if mandate.condition.op == "<=" else "take_profit"
    return "conditional"


class PlanStep(Model):
    """One step of a plan. Every step that sends or cancels an order needs confirmation.

    A ``cancel_order`` step names the venue's order (``cancel_order_id``); its ``order`` is
    that order as the venue reported it when planned (amount: what still rests). A
    ``mandate`` step is confirmed once; the worker then places its orders (``order`` each)
    within ``mandate``, each as a step of its own. A ``stop_mandate`` step stops the
    mandate ``stop`` names (in whichever session it is); its ``order`` is that mandate's
    order, and nothing is sent."""

    step_id: str
    kind: Literal["place_order", "cancel_order", "mandate", "stop_mandate"]
    description: str
    order: OrderSpec
    requires_confirmation: bool = True
    depends_on: tuple[str, ...] = ()
    cancel_order_id: str | None = None
    mandate: Mandate | None = None
    stop: MandateRef | None = Field(default=None, exclude_if=lambda v: v is None)


class Plan(Model):
    """An ordered list of steps that carries out one intent."""

    plan_id: str
    intent: Intent
    steps: tuple[PlanStep, ...] = Field(min_length=1)
    notes: tuple[str, ...] = ()
