"""The rule parser's results (Span, Amount, Intent, ...) built directly, without validation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from intent.lexicon import UNSUPPORTED_MESSAGES
from intent.models import Amount, Clarification, Intent, Schedule, Span, Trigger, Unsupported

_M = TypeVar("_M", bound=BaseModel)

#
# Validating a result (Span, Amount, Intent, ...) costs more than the whole grammar. Every value
# the parser puts into a result is valid by construction (codes from the lexicon, Decimals > 0
# checked where they are read, a non-empty ``missing``), so results are built directly, as
# pydantic's own ``model_construct`` does but without its per-field Python loop.
# tests/intent/test_heldout_own.py proves ``Model.model_validate(r.model_dump()) == r`` for
# every utterance of the corpora and for random text.

_new_object = object.__new__
_set_attr = object.__setattr__


def _template(cls: type[BaseModel]) -> dict[str, Any]:
    return {name: info.get_default() for name, info in cls.model_fields.items()}


def _construct(cls: type[_M], template: dict[str, Any], values: dict[str, Any]) -> _M:
    """An instance of ``cls`` with ``values`` over the defaults in ``template``, unvalidated."""
    data = template.copy()
    data.update(values)
    obj = _new_object(cls)
    _set_attr(obj, "__dict__", data)
    _set_attr(obj, "__pydantic_fields_set__", set(values))
    _set_attr(obj, "__pydantic_extra__", None)
    _set_attr(obj, "__pydantic_private__", None)
    return obj


_AMOUNT_T = _template(Amount)
_TRIGGER_T = _template(Trigger)
_SCHEDULE_T = _template(Schedule)
_INTENT_T = _template(Intent)
_CLARIFICATION_T = _template(Clarification)
_UNSUPPORTED_T = _template(Unsupported)


def _span(field: str, start: int, end: int, text: str) -> Span:
    # _construct, inlined: a result has several spans.
    obj = _new_object(Span)
    _set_attr(obj, "__dict__", {"field": field, "start": start, "end": end, "text": text})
    _set_attr(obj, "__pydantic_fields_set__", {"field", "start", "end", "text"})
    _set_attr(obj, "__pydantic_extra__", None)
    _set_attr(obj, "__pydantic_private__", None)
    return obj


def _amount(value: Decimal, unit: str) -> Amount:
    return _construct(Amount, _AMOUNT_T, {"value": value, "unit": unit})


def _trigger(op: Literal["<=", ">="], price: Decimal) -> Trigger:
    return _construct(Trigger, _TRIGGER_T, {"op": op, "price": price})


def _intent(**values: Any) -> Intent:
    return _construct(Intent, _INTENT_T, values)


def _clarification(**values: Any) -> Clarification:
    return _construct(Clarification, _CLARIFICATION_T, values)


def _unsupported(reason: str) -> Unsupported:
    message = UNSUPPORTED_MESSAGES.get(reason, UNSUPPORTED_MESSAGES["off_topic"])
    return _construct(Unsupported, _UNSUPPORTED_T, {"reason": reason, "message": message})
