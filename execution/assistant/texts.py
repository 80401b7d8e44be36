"""The sentences the customer is shown on a step: its title, the line next to Confirm (each
journaled, exactly as shown, with the confirmation), its warnings and a mandate's terms, in
the customer's language (:mod:`execution.i18n`)."""

from __future__ import annotations

from decimal import Decimal

from execution.i18n import DEFAULT_LOCALE, Locale
from execution.i18n.catalogue import render
from execution.i18n.numbers import grouped, money
from execution.mandates import terms_summary, terms_text
from execution.preview.simulator import CancelPreview, StepPreview
from execution.preview.warnings import warning_text
from intent.models import Plan, PlanStep

__all__ = [
    "cancel_text",
    "confirmation_text",
    "money",
    "step_title",
    "terms_text",
    "titled",
]


def confirmation_text(
    description: str, preview: StepPreview, locale: Locale = DEFAULT_LOCALE
) -> str:
    """The exact sentence shown next to Confirm, and journaled with the confirmation: what
    the customer pays and gets (the card's figures say the rest), then each warning and a
    mandate's terms."""
    base, quote = preview.symbol.split("/", 1)
    fee = preview.fee
    got_ccy, got = preview.received
    if preview.side == "buy":
        pay = preview.notional + (fee.cost if fee.currency == quote else Decimal(0))
        text = render(
            "confirm.buy",
            locale,
            {
                "title": description,
                "pay": money(pay, quote),
                "quote": quote,
                "got": money(got, got_ccy),
                "got_ccy": got_ccy,
            },
        )
    else:
        text = render(
            "confirm.sell",
            locale,
            {
                "title": description,
                "amount": money(preview.amount, base),
                "base": base,
                "got": money(got, got_ccy),
                "got_ccy": got_ccy,
            },
        )
    for warning in preview.warnings:
        text += render("confirm.warning", locale, {"text": warning_text(warning, locale)})
    if preview.mandate is not None:
        text += (" " if locale == "en" else "") + terms_text(preview.mandate, locale)
    return text


def cancel_text(description: str, preview: CancelPreview, locale: Locale = DEFAULT_LOCALE) -> str:
    """The sentence shown next to Confirm for a cancel step."""
    releases = preview.releases
    return render(
        "confirm.cancel",
        locale,
        {
            "title": description,
            "amount": money(releases.amount, releases.currency),
            "currency": releases.currency,
        },
    )


def step_title(step: PlanStep, number: dict[str, int], locale: Locale) -> str:
    """A step's title in ``locale``, from what it does (the planner's English title for an
    English customer). ``number``: each step's position in the plan, counted from 1."""
    if locale == "en" or step.kind == "cancel_order":
        return step.description
    order = step.order
    base, quote = order.symbol.split("/", 1)
    how = (
        render("step.at_market", locale)
        if order.type == "market"
        else render("step.at_limit", locale, {"price": grouped(order.price or Decimal(0))})
    )
    mandate = step.mandate
    if mandate is not None and mandate.amount_from is not None:
        exit_kind = (
            "step.stop_loss"
            if mandate.condition is not None and mandate.condition.op == "<="
            else "step.take_profit"
        )
        exit_title = render(
            "step.exit",
            locale,
            {
                "name": render(exit_kind, locale),
                "base": base,
                "step": number.get(mandate.amount_from, "?"),
                "how": how,
            },
        )
        return f"{exit_title} — {terms_summary(mandate, locale)}"
    if order.amount is not None:
        size = f"{money(order.amount, base)} {base}"
    elif order.quote_amount is not None:
        size = render(
            "step.size_quote",
            locale,
            {"amount": money(order.quote_amount, quote), "quote": quote, "base": base},
        )
    else:
        funding = number.get(order.quote_amount_from or "", "?")
        size = render("step.size_from", locale, {"base": base, "quote": quote, "step": funding})
    title = render(
        "step.order",
        locale,
        {
            "side": render(f"side.{order.side}", locale),
            "size": size,
            "how": how,
            "symbol": order.symbol,
        },
    )
    if mandate is not None and (mandate.count > 1 or mandate.condition is not None):
        title += " — " + terms_summary(mandate, locale)
    return title


def titled(plan: Plan, locale: Locale) -> Plan:
    """``plan`` with its steps titled in ``locale``: the titles the customer is shown, and
    journaled with the plan."""
    if locale == "en":
        return plan
    number = {step.step_id: n for n, step in enumerate(plan.steps, start=1)}
    steps = tuple(
        step.model_copy(update={"description": step_title(step, number, locale)})
        for step in plan.steps
    )
    return plan.model_copy(update={"steps": steps})


def stop_text(code: str, locale: Locale = DEFAULT_LOCALE, **params: object) -> str:
    """A sentence about stopping a standing order from the chat (catalogue ``stop.*``)."""
    return render(code, locale, params)
