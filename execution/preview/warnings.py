"""A preview's warnings and refusals as the customer reads them, in their language."""

from __future__ import annotations

from execution.i18n import DEFAULT_LOCALE, Locale
from execution.i18n.catalogue import has, render
from execution.preview.simulator import PreviewWarning


def warning_text(warning: PreviewWarning, locale: Locale = DEFAULT_LOCALE) -> str:
    """A warning or refusal as the customer reads it: what limit applies and what it allows;
    never a venue's filter code (that stays in ``warning.message`` for support)."""
    params = dict(warning.params)
    if warning.code == "PRICE_OUTSIDE_BAND" and "side" in params:
        code = f"deny.PRICE_OUTSIDE_BAND_{params['side']}"
    elif warning.code.startswith("venue_"):
        what = render(f"warn.venue_what.{params.get('what', 'other')}", locale)
        return render("warn.venue_rejects", locale, {"what": what})
    elif has(f"warn.{warning.code}"):
        code = f"warn.{warning.code}"
    else:
        code = f"deny.{warning.code}"
    if not has(code):  # a code with no sentence yet: support's message, never nothing
        return warning.message
    try:
        return render(code, locale, params)
    except KeyError:  # journaled before its parameters were: support's message
        return warning.message
