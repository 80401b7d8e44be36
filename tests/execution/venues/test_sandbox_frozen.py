"""The market catalogue is loaded once, frozen and shared: never copied, never changed."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from execution.venues.frozen import FrozenDict, FrozenList, freeze, thaw
from execution.venues.sandbox import MarketCatalog

DATA = {"a": [1, {"b": [2, 3]}], "c": {"d": None}, "e": (4, [5])}

CHANGES: list[Callable[[Any], object]] = [
    lambda d: d.__setitem__("a", 1),
    lambda d: d.__delitem__("a"),
    lambda d: d.update(x=1),
    lambda d: d.setdefault("x", 1),
    lambda d: d.pop("a"),
    lambda d: d.popitem(),
    lambda d: d.clear(),
    lambda d: d.__ior__({"x": 1}),
    lambda d: d["a"].append(9),
    lambda d: d["a"].extend([9]),
    lambda d: d["a"].insert(0, 9),
    lambda d: d["a"].__setitem__(0, 9),
    lambda d: d["a"].__delitem__(0),
    lambda d: d["a"].pop(),
    lambda d: d["a"].remove(1),
    lambda d: d["a"].clear(),
    lambda d: d["a"].sort(),
    lambda d: d["a"].reverse(),
    lambda d: d["a"].__iadd__([9]),
    lambda d: d["a"].__imul__(2),
    lambda d: d["a"][1]["b"].append(9),
    lambda d: d["c"].__setitem__("d", 1),
]


@pytest.mark.parametrize("change", CHANGES)
def test_frozen_data_refuses_every_change(change: Callable[[Any], object]) -> None:
    frozen = freeze(DATA)
    with pytest.raises(TypeError, match="shared and read-only"):
        change(frozen)
    assert frozen == freeze(DATA) == DATA


def test_frozen_data_reads_writes_and_copies_as_plain_data() -> None:
    frozen = freeze(DATA)
    assert isinstance(frozen, dict)
    assert isinstance(frozen["a"], list)
    assert isinstance(frozen["a"][1], FrozenDict)
    assert isinstance(frozen["e"][1], FrozenList)
    assert json.dumps(frozen) == json.dumps(DATA)
    assert pickle.loads(pickle.dumps(frozen)) == frozen  # noqa: S301 (our own bytes)
    assert copy.copy(frozen) is frozen
    own = copy.deepcopy(frozen)
    own["a"][1]["b"].append(4)  # a deep copy is the caller's to change
    assert type(own) is dict
    assert type(own["a"]) is list
    assert frozen["a"][1]["b"] == [2, 3]
    assert thaw(frozen) == DATA


def _assert_frozen(value: object, where: str) -> None:
    if isinstance(value, dict):
        assert isinstance(value, FrozenDict), where
        for key, item in value.items():
            _assert_frozen(item, f"{where}.{key}")
    elif isinstance(value, list):
        assert isinstance(value, FrozenList), where
        for i, item in enumerate(value):
            _assert_frozen(item, f"{where}[{i}]")


def test_the_catalogue_is_frozen_all_the_way_down_and_handed_out_uncopied() -> None:
    catalog = MarketCatalog.default()
    for symbol in catalog.symbols:
        _assert_frozen(catalog.market(symbol), symbol)
        assert catalog.market(symbol) is catalog.markets[symbol]
    assert catalog.all_markets() is catalog.all_markets()
    assert list(catalog.all_markets()) == catalog.symbols
    with pytest.raises(TypeError):
        catalog.reference_prices["BTC/USDT"] = 1  # type: ignore[index]
