"""Read-only JSON-shaped data, shared without copying: :func:`freeze` and :class:`FrozenDict`.

The sandbox's market catalog is loaded once per process and handed to every account and
every simulation as it is (a throwaway account used to deep-copy all 20 markets, 85% of a
simulation's time). So that sharing is safe, the catalog is frozen: a :class:`FrozenDict`
refuses every change, and so does a :class:`FrozenList`. They are still a ``dict`` and a
``list`` (equal to plain ones), so ``json.dumps``, pydantic and code written for ccxt's
plain structures read them unchanged; a ``copy.deepcopy`` of one is a plain, mutable copy
for whoever wants to change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

__all__ = ["FrozenDict", "FrozenList", "freeze", "thaw"]


def _refuse(self: object, *args: object, **kwargs: object) -> NoReturn:
    what = f" (key {args[0]!r})" if args else ""
    raise TypeError(f"this data is shared and read-only{what}; copy.deepcopy it to change")


class FrozenDict(dict[str, Any]):
    """A ``dict`` that refuses to change (``TypeError`` naming the key where there is one)."""

    __slots__ = ()

    __setitem__ = _refuse
    __delitem__ = _refuse
    __ior__ = _refuse
    clear = _refuse
    pop = _refuse
    popitem = _refuse
    setdefault = _refuse
    update = _refuse

    def __copy__(self) -> FrozenDict:
        return self  # immutable: a shallow copy may as well be the same object

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        thawed: dict[str, Any] = thaw(self)
        return thawed

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[str, Any]]]:
        return (FrozenDict, (dict(self),))


class FrozenList(list[Any]):
    """A ``list`` that refuses to change (``TypeError``)."""

    __slots__ = ()

    __setitem__ = _refuse
    __delitem__ = _refuse
    __iadd__ = _refuse
    __imul__ = _refuse
    append = _refuse
    extend = _refuse
    insert = _refuse
    remove = _refuse
    pop = _refuse
    clear = _refuse
    sort = _refuse
    reverse = _refuse

    def __copy__(self) -> FrozenList:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        thawed: list[Any] = thaw(self)
        return thawed

    def __reduce__(self) -> tuple[type[FrozenList], tuple[list[Any]]]:
        return (FrozenList, (list(self),))


def freeze(value: Any) -> Any:
    """``value`` with every mapping a :class:`FrozenDict` and every list a
    :class:`FrozenList`, all the way down (tuples, numbers, strings and ``None`` as they
    are)."""
    if isinstance(value, FrozenDict | FrozenList):
        return value
    if isinstance(value, Mapping):
        return FrozenDict({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(freeze(v) for v in value)
    if isinstance(value, tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A plain, mutable deep copy of frozen ``value`` (dicts and lists; tuples stay)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [thaw(v) for v in value]
    if isinstance(value, tuple):
        return tuple(thaw(v) for v in value)
    return value
