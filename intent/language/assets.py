"""The asset universe: the coins customers name, far beyond any one venue's markets.

``assets.json`` lists about 320 coins by approximate market capitalisation, each with its
ticker, English names and common Chinese names (see its ``source``). The parser reads any of
them; the planner then refuses a coin the venue does not list, saying so, instead of the
parser asking "which asset?" about a coin it has simply never heard of.

Some names are also ordinary words ("near", "one", "gas", "ape"). Those are *clashing*
aliases: the parser takes them for a coin only in capitals or in a clear asset position
(see :mod:`intent.rules`). A misspelt name is corrected only when it is unambiguous, at
most one edit off (two for names of eight letters or more; swapping two neighbouring
letters is one edit, and two letters swapped apart, "cardona" for cardano, is allowed in
names of six letters or more), four letters or longer, and not itself a common English word
(``common_words.txt``): "bitcoiin" is Bitcoin, "done" is not Dogecoin. Nor is a word ever
corrected to a four-letter name that is itself a word: "musk" is not Mask, "liao" not Lido.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

#: Shortest alias a typo may be corrected to, and the longest distance by alias length.
FUZZY_MIN_LEN = 4
_LONG_NAME = 8


@dataclass(frozen=True, slots=True)
class Asset:
    """One coin of the universe: ``code`` and the name it is shown with."""

    code: str
    name: str
    rank: int


def _read(name: str) -> str:
    return resources.files("intent.language").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _rows() -> list[dict[str, Any]]:
    """The coins of ``assets.json``, read once."""
    rows: list[dict[str, Any]] = json.loads(_read("assets.json"))["assets"]
    return rows


@lru_cache(maxsize=1)
def universe() -> dict[str, Asset]:
    """Every coin of ``assets.json`` by code."""
    out: dict[str, Asset] = {}
    for rank, row in enumerate(_rows(), 1):
        names = row["names"]
        out[row["code"]] = Asset(row["code"], names[0].title() if names else row["code"], rank)
    return out


@lru_cache(maxsize=1)
def aliases() -> tuple[dict[str, str], frozenset[str]]:
    """(alias → code, clashing aliases): tickers, English names (lower case) and Chinese
    names of the whole universe. Chinese names that are ordinary words are left out."""
    table: dict[str, str] = {}
    clash: set[str] = set()
    words = common_words()
    for row in _rows():
        code: str = row["code"]
        flagged = set(row["clash"])
        for alias in (code.lower(), *row["names"], *row["zh"]):
            if alias.isascii():
                if alias in flagged or alias in words:
                    clash.add(alias)
            elif alias in flagged:
                continue  # 雪崩, 沙盒: ordinary Chinese words, never a coin on their own
            table.setdefault(alias, code)
    return table, frozenset(clash)


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Frequent English words (four letters or more) that are never typo-corrected."""
    return frozenset(
        line.strip()
        for line in _read("common_words.txt").splitlines()
        if line.strip() and not line.startswith("#")
    )


@lru_cache(maxsize=1)
def _fuzzy_choices() -> dict[str, str]:
    table, clash = aliases()
    return {
        alias: code
        for alias, code in table.items()
        if alias.isascii()
        and alias.isalpha()
        and len(alias) >= FUZZY_MIN_LEN
        and not (len(alias) == FUZZY_MIN_LEN and alias in clash)
    }


@lru_cache(maxsize=8192)
def correct(word: str, known: frozenset[str] = frozenset()) -> Asset | None:
    """The coin a misspelt ``word`` (lower case) unambiguously means, else ``None``.

    ``known`` holds words that mean something else (the grammar's own vocabulary): they are
    never corrected, nor are exact aliases and common English words.
    """
    if len(word) < FUZZY_MIN_LEN or not word.isalpha() or word in known:
        return None
    table, clash = aliases()
    if word in table or word in common_words():
        return None
    plural = word[:-1]
    if word[-1] == "s" and plural in table and plural not in clash:
        # "eths at 3.2k rn": a plural or a possessive typed without its apostrophe is that
        # coin, never another one letter off (ETHW)
        return universe()[table[plural]]
    choices = _fuzzy_choices()
    found = [
        (alias, distance)
        for alias, distance, _ in process.extract(
            word, choices.keys(), scorer=OSA.distance, score_cutoff=2, limit=None
        )
        if (distance <= _allowed(word) and distance <= _allowed(alias))
        # two letters swapped, even apart ("cardona" for cardano): the same letters
        or (distance == 2 and len(word) >= 6 and sorted(word) == sorted(alias))
    ]
    if not found:
        return None
    best = min(distance for _, distance in found)
    codes = {choices[alias] for alias, distance in found if distance == best}
    if len(codes) > 1:
        # a first letter is rarely the one mistyped: "litcoin" is litecoin, not bitcoin
        codes = {
            choices[alias] for alias, distance in found if distance == best and alias[0] == word[0]
        }
    if len(codes) != 1:
        return None  # two coins as close: never pick one
    # a grammar word as close as the coin ("cancle ordr for bonk": order, not ORDI)
    names = aliases()[0]
    words = (k for k in known if len(k) >= FUZZY_MIN_LEN and k not in names)
    if process.extractOne(word, words, scorer=OSA.distance, score_cutoff=best) is not None:
        return None
    return universe()[codes.pop()]


def _allowed(name: str) -> int:
    return 2 if len(name) >= _LONG_NAME else 1
