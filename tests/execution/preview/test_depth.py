"""The book side a preview walked, as its card draws it (execution.preview.depth)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from execution.preview.depth import MAX_LEVELS, PAST_WORST, market_mid, walked_depth

BOOK: dict[str, Any] = {
    "timestamp": 1,
    "bids": [[99.5, 1.0], [99.0, 2.0], [98.0, 3.0], [97.0, 4.0], [96.0, 5.0], [95.0, 6.0]],
    "asks": [[100.5, 1.0], [101.0, 2.0], [102.0, 3.0], [103.0, 4.0], [104.0, 5.0], [105, 6]],
}


def test_a_buy_walks_the_asks_up_to_its_worst_price_and_a_few_beyond() -> None:
    depth = walked_depth("buy", Decimal("101"), BOOK)

    assert depth == [["100.5", "1"], ["101", "2"], ["102", "3"], ["103", "4"], ["104", "5"]]
    beyond = [level for level in depth or [] if Decimal(level[0]) > 101]
    assert len(beyond) == PAST_WORST


def test_a_sell_walks_the_bids_down() -> None:
    depth = walked_depth("sell", "99.0", BOOK)

    assert depth == [["99.5", "1"], ["99", "2"], ["98", "3"], ["97", "4"], ["96", "5"]]
    assert [Decimal(p) for p, _ in depth or []] == sorted(
        (Decimal(p) for p, _ in depth or []), reverse=True
    )


def test_a_deep_walk_is_capped() -> None:
    asks = [[100 + i, 1] for i in range(60)]

    depth = walked_depth("buy", Decimal(159), {"bids": [], "asks": asks})

    assert depth is not None
    assert len(depth) == MAX_LEVELS
    assert depth[0] == ["100", "1"]
    assert depth[-1] == [str(100 + MAX_LEVELS - 1), "1"]


@pytest.mark.parametrize(
    ("side", "worst", "book"),
    [
        ("buy", None, BOOK),  # nothing walked
        ("buy", Decimal(100), BOOK),  # a limit buy below the asks: it would rest
        ("sell", Decimal(100), BOOK),  # a limit sell above the bids
        ("buy", Decimal(101), None),  # no book journaled (an older entry)
        ("cancel", Decimal(101), BOOK),
        ("buy", Decimal(101), {"bids": [], "asks": []}),
        ("buy", "NaN", BOOK),
    ],
)
def test_nothing_to_draw_is_none(side: str, worst: Any, book: Any) -> None:
    assert walked_depth(side, worst, book) is None


def test_levels_are_decimal_strings_without_exponents() -> None:
    book = {"asks": [["0.00001234", "120000"], [6e-05, 1e6]], "bids": []}

    assert walked_depth("buy", "0.00006", book) == [
        ["0.00001234", "120000"],
        ["0.00006", "1000000"],
    ]


def test_the_market_mid_is_halfway_between_the_best_bid_and_ask() -> None:
    assert market_mid(BOOK) == "100"
    assert market_mid({"bids": [[99.5, 1]], "asks": [[100, 1]]}) == "99.75"
    assert market_mid({"bids": [], "asks": [[100, 1]]}) is None
    assert market_mid(None) is None
