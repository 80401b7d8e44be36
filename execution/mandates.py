"""Mandates: what the worker may do for a customer after one confirmation, and no more.

A price condition, a DCA or TWAP schedule and each exit of a take-profit / stop-loss
bracket are ``mandate`` steps (``intent.models.Mandate``). Their preview shows one order
as it would go out (at the trigger price for a condition) and the terms the customer
agrees to: how many orders, how far apart, the price band each must fall in, and when the
mandate ends. The worker then places each order as a step of its own, previewed and
checked against those terms when it is due; outside them the mandate pauses and asks.

This module holds the pure part: the terms, when the next order is due, whether the
condition holds, and whether a fresh preview is inside the band. The assistant journals
what the worker decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from execution.i18n import DEFAULT_LOCALE, Locale
from execution.i18n.catalogue import render
from execution.i18n.numbers import grouped, moment
from intent.models import BPS, Mandate, Model, OrderSpec, Trigger, plain


class MandateTerms(Model):
    """The bounds shown with a mandate's preview; the confirmation is bound to them."""

    orders: int  # at most this many orders
    every_s: int | None  # this far apart; the first when armed
    condition: Trigger | None  # each order only while the price is at or beyond this
    reference_price: Decimal  # the band's centre: the trigger price, else the mid
    band_low: Decimal  # each order's expected average price within [low, high]
    band_high: Decimal
    expires_ms: int  # no order after this
    amount_from: str | None = None  # a bracket exit sells what this step bought
    oco_with: tuple[str, ...] = ()  # the first exit of the group to fire skips the others


def terms_for(
    mandate: Mandate, mid_price: Decimal, created_ms: int, *, waits: bool
) -> MandateTerms:
    """The terms of ``mandate`` previewed at ``created_ms`` with the mid at ``mid_price``.
    The band is centred on the trigger price while the mandate ``waits`` for it, else on
    the mid the customer sees (a condition already met, a schedule)."""
    reference = mandate.condition.price if waits and mandate.condition else mid_price
    band = reference * mandate.band_bps / BPS
    return MandateTerms(
        orders=mandate.count,
        every_s=mandate.every_s,
        condition=mandate.condition,
        reference_price=reference,
        band_low=(reference - band).quantize(reference),
        band_high=(reference + band).quantize(reference),
        expires_ms=created_ms + mandate.ttl_s * 1000,
        amount_from=mandate.amount_from,
        oco_with=mandate.oco_with,
    )


def condition_holds(condition: Trigger | None, price: Decimal) -> bool:
    if condition is None:
        return True
    return price <= condition.price if condition.op == "<=" else price >= condition.price


def next_due_ms(terms: MandateTerms, armed_ms: int, last_placed_ms: int | None) -> int:
    """When the next order may go out: on arming (or re-arming after a pause), then one
    period after the order before it."""
    if last_placed_ms is None or last_placed_ms < armed_ms:
        return armed_ms
    return last_placed_ms + (terms.every_s or 0) * 1000


def band_breach(terms: MandateTerms, average_price: Decimal | None) -> str | None:
    """Why a fresh preview is outside the band (None: inside)."""
    if average_price is None:
        return "the order book gives no price to check against the band"
    if terms.band_low <= average_price <= terms.band_high:
        return None
    return (
        f"the expected average price {plain(average_price)} is outside the agreed band "
        f"{plain(terms.band_low)}–{plain(terms.band_high)}"
    )


def ticker_price(ticker: Mapping[str, Any]) -> Decimal | None:
    """The price a condition is checked against: the last trade, else the mid."""
    last = ticker.get("last")
    if last is not None:
        return Decimal(str(last))
    bid, ask = ticker.get("bid"), ticker.get("ask")
    if bid is None or ask is None:
        return None
    return (Decimal(str(bid)) + Decimal(str(ask))) / 2


def sized(order: OrderSpec | Mapping[str, Any], amount: Decimal | None) -> OrderSpec:
    """A mandate's order with the amount a bracket exit sells filled in."""
    spec = OrderSpec.model_validate(order)
    return spec if amount is None else spec.model_copy(update={"amount": amount})


def terms_text(terms: MandateTerms, locale: Locale = DEFAULT_LOCALE) -> str:
    """The mandate's bounds as one sentence, shown and journaled with the confirmation."""
    parts = []
    if terms.condition is not None:
        when = "terms.when_below" if terms.condition.op == "<=" else "terms.when_above"
        parts.append(render(when, locale, {"price": grouped(terms.condition.price)}))
    if terms.orders > 1:
        if terms.every_s:
            every = duration(terms.every_s, locale)
            parts.append(
                render("terms.orders_every", locale, {"orders": terms.orders, "every": every})
            )
        else:
            parts.append(render("terms.orders", locale, {"orders": terms.orders}))
    band = {"low": grouped(terms.band_low), "high": grouped(terms.band_high)}
    parts.append(render("terms.band", locale, band))
    parts.append(render("terms.until", locale, {"when": moment(terms.expires_ms)}))
    return render("terms.lead", locale, {"parts": render("list.join", locale).join(parts)})


def duration(seconds: int, locale: Locale = DEFAULT_LOCALE) -> str:
    """``604800`` → "1 week", "1 周", "1 週": the largest whole unit."""
    for name, size in (("week", 604_800), ("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return render(f"unit.{name}{'' if n == 1 else 's'}", locale, {"n": n})
    return render("unit.seconds", locale, {"n": seconds})


def terms_summary(mandate: Mandate, locale: Locale) -> str:
    """When a mandate's orders go out, in a few words: its condition and its cadence."""
    parts = []
    if mandate.condition is not None:
        when = "terms.when_below" if mandate.condition.op == "<=" else "terms.when_above"
        parts.append(render(when, locale, {"price": grouped(mandate.condition.price)}))
    if mandate.count > 1:
        params: dict[str, object] = {"orders": mandate.count}
        if mandate.every_s:
            params["every"] = duration(mandate.every_s, locale)
        parts.append(
            render("terms.orders_every" if mandate.every_s else "terms.orders", locale, params)
        )
    return render("list.join", locale).join(parts)
