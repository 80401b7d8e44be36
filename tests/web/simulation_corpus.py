"""A corpus of simulation requests and the exact bytes the API answered them with.

``tests/web/data/simulation_corpus.json`` was recorded from the API before the simulation
path was made fast (issue 14: a shared frozen market catalogue, cached books, responses
serialised by pydantic-core); :mod:`tests.web.test_simulation_corpus` checks that every
request still gets byte for byte the same answer.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

CORPUS_PATH = Path(__file__).parent / "data" / "simulation_corpus.json"

_RICH = {"USDT": "25000", "USD": "10000", "ETH": "3", "BTC": "0.5", "SOL": "40", "HKD": "50000"}
_TEXTS = (
    "buy 0.01 BTC",
    "sell 1 ETH at 3250",
    "convert 1 ETH to SOL",
    "buy 500 USDT of ETH",
    "buy $500 of ETH",
    "buy 30 ETH",
    "buy $1,500 of ETH and set tp 4200 sl 3400",
    "buy $100 of bitcoin if it dips below 60k",
    "buy $100 of BTC every week for 4 weeks",
    "sell half my ETH",
    "卖掉一半的以太坊",
    "買 0.1 個比特幣",
    "buy 5 DOGE with HKD",
    "buy some ETH",
    "what is my balance",
    "sell 100 BTC",
    "buy 1000 BTC",
    "buy $1.5k sol",
    "sell 2 SOL at 500",
    "buy 0.2 BTC with HKD",
)


def corpus_requests() -> list[dict[str, Any]]:
    """Every text on rich balances, then seeds, instants, scenarios and short balances."""
    requests: list[dict[str, Any]] = [{"text": t, "balances": _RICH} for t in _TEXTS]
    requests += [
        {"text": "buy 30 ETH", "balances": {"USDT": "1000000"}, "seed": seed}
        for seed in (1, 7, 11, 12)
    ]
    requests += [
        {"text": "buy 0.5 BTC", "balances": _RICH, "as_of": "2026-06-01T12:00:00Z"},
        {"text": "buy 0.5 BTC", "balances": _RICH, "as_of": "2026-01-01T08:00:00+08:00"},
        {
            "text": "buy $500 of ETH",
            "balances": {"USD": "10000"},
            "scenario": {"ETH/USD": {"shock_pct": "-10"}},
        },
        {
            "text": "buy 20 ETH",
            "balances": {"USDT": "1000000"},
            "scenario": {"ETH/USDT": {"spread_mult": "3", "depth_mult": "0.25"}},
        },
        {
            "text": "convert 1 ETH to SOL",
            "balances": {"ETH": "2"},
            "seed": 5,
            "scenario": {"SOL/USDT": {"shock_pct": "7.5"}},
        },
        {"text": "buy 0.01 BTC", "balances": {}},
        {"text": "buy 0.01 BTC", "balances": {"USDT": "1"}},
        {"text": "buy $500 of ETH", "scenario": {"FOO/BAR": {}}},
    ]
    return requests


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def load_corpus() -> list[dict[str, Any]]:
    """The recorded answers: ``{"request", "status", "sha256", "body"}`` each."""
    recorded: list[dict[str, Any]] = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))
    return recorded
