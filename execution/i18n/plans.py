"""A plan and a preview as the customer reads them: step titles and notes in their language.

The planner (intent.planner) and the simulator write their notes in English; the notes they
write are listed here with the sentence that says each in the catalogue, their figures read
back out of the English (and formatted as every figure is). A note not listed stays as
written: a new note shows in English until it is added here, never as nothing.
"""

from __future__ import annotations

import re
from decimal import Decimal

from execution.i18n import Locale
from execution.i18n.catalogue import render
from execution.i18n.numbers import grouped, money
from execution.mandates import terms_summary
from intent.models import Plan, PlanStep

_NUMBER = r"[0-9][0-9.,]*"
_CCY = r"[A-Z0-9]{2,16}"
# (pattern of the English note, catalogue code)
_NOTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), code)
    for pattern, code in (
        (rf"^priced in (?P<quote>{_CCY}), the default quote currency$", "note.default_quote"),
        (
            rf"^no (?P<give>{_CCY})/(?P<get>{_CCY}) market: sell (?P=give) for "
            rf"(?P<bridge>{_CCY}), then buy (?P=get) with the (?P=bridge) received; the second "
            "order is previewed again, and confirmed separately, once the first has filled$",
            "note.bridge",
        ),
        (r"^a month is taken as 30 days$", "note.month"),
        (
            rf"^(?P<total>{_NUMBER}) in (?P<count>[0-9]+) orders of (?P<each>{_NUMBER})$",
            "note.sliced",
        ),
        (r"^take-profit and stop-loss: the first to fire cancels the other$", "note.oco"),
        (
            rf"^(?P<share>{_NUMBER})% of your (?P<held>{_NUMBER}) (?P<ccy>{_CCY}) \(balance when "
            rf"planned\) = (?P<amount>{_NUMBER}) (?P=ccy)$",
            "note.share",
        ),
        (
            rf"^limit price rounded to the tick: (?P<old>{_NUMBER}) → (?P<new>{_NUMBER})$",
            "note.tick",
        ),
        (
            rf"^(?P<spend>{_NUMBER}) (?P<quote>{_CCY}) ≈ (?P<approx>{_NUMBER}) (?P<base>{_CCY}) "
            "at the current book$",
            "note.approx",
        ),
        (
            rf"^amount rounded to the market's step: (?P<old>{_NUMBER}) → (?P<new>{_NUMBER})$",
            "note.amount_step",
        ),
    )
)
# Which currency each figure of a note is an amount of ("": a price, a share or an amount
# whose currency the note does not say, written with separators); the rest are counts.
_AMOUNT_OF = {
    "held": "ccy",
    "amount": "ccy",
    "spend": "quote",
    "approx": "base",
    "old": "",
    "new": "",
    "total": "",
    "each": "",
    "share": "",
}


def note_text(note: str, locale: Locale) -> str:
    """A planner's or simulator's note in ``locale``, its figures formatted; as written
    when it is not a note listed here."""
    for pattern, code in _NOTES:
        found = pattern.match(note)
        if found is None:
            continue
        params: dict[str, object] = dict(found.groupdict())
        for name, ccy_field in _AMOUNT_OF.items():
            value = found.groupdict().get(name)
            if value is not None:
                number = Decimal(value.replace(",", ""))
                params[name] = money(number, found[ccy_field]) if ccy_field else grouped(number)
        return render(code, locale, params)
    return note


def step_title(step: PlanStep, number: dict[str, int], locale: Locale) -> str:
    """A step's title in ``locale``, from what it does (the planner's English title for an
    English customer). ``number``: each step's position in the plan, counted from 1."""
    if locale == "en" or step.kind not in ("place_order", "mandate"):
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
    """``plan`` as the customer is shown it, and journaled: its steps titled and its notes
    said in ``locale`` (a replay re-plans and titles the same way)."""
    number = {step.step_id: n for n, step in enumerate(plan.steps, start=1)}
    steps = tuple(
        step.model_copy(update={"description": step_title(step, number, locale)})
        for step in plan.steps
    )
    notes = tuple(note_text(note, locale) for note in plan.notes)
    return plan.model_copy(update={"steps": steps, "notes": notes})


def bracket_sentence(plan: Plan, locale: Locale) -> str | None:
    """A bracket's terms in one sentence (the entry, then its exits, whichever fires first),
    said before its legs; None for a plan without exits."""
    exits = [
        step
        for step in plan.steps
        if step.mandate is not None
        and step.mandate.amount_from is not None
        and step.mandate.condition is not None
    ]
    if not exits or plan.steps[0] in exits:
        return None
    said = []
    for step in exits:
        condition = step.mandate.condition if step.mandate is not None else None
        assert condition is not None  # (filtered above)
        kind = "bracket.stop_loss" if condition.op == "<=" else "bracket.take_profit"
        said.append(render(kind, locale, {"price": grouped(condition.price)}))
    code = "reply.bracket_two" if len(said) > 1 else "reply.bracket_one"
    return render(
        code,
        locale,
        {"entry": plan.steps[0].description, "exits": render("bracket.or", locale).join(said)},
    )
