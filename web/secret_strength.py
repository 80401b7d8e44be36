"""How much a secret could be guessed: a conservative estimate of its entropy in bits.

Production refuses a ``TRADEASSIST_SECRET_KEY`` under :data:`MIN_SECRET_BITS` (web/settings.py).
The estimate is the least of three readings, each an upper bound on what an attacker must
guess, so a low-variety, repeated or word-made secret reads low whichever way it is weak:

- the characters' Shannon entropy times the length (32 x ``a`` is 0 bits, ``abab...`` 1 a
  character);
- a greedy LZ77 parse: a run of three or more characters already seen costs one reference
  (position and length), not its characters (a random 12-character block repeated four
  times is worth about one block), and so does a run of consecutive characters (``abcdef``,
  ``98765``);
- a passphrase reading: each lowercase or capitalised word between separators costs a
  Diceware word (12.9 bits), however long it is (``dev-only-secret-key-...`` is 8 words).

``secrets.token_urlsafe(48)`` reads about 330 bits; ``secrets.token_hex(32)`` about 245.
"""

from __future__ import annotations

import math
import re
from collections import Counter

#: The least estimated entropy production accepts for the secret key.
MIN_SECRET_BITS = 128
#: The least length in bytes (UTF-8) production accepts for the secret key.
MIN_SECRET_BYTES = 32
#: How to make one, as the refusal says.
GENERATE_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'

#: A word chosen at random from the 7,776 of a Diceware list.
_WORD_BITS = math.log2(7776)
#: Only the first characters are read: beyond them, a secret that is still weak is rare,
#: and the parse stays quick.
_READ = 256
_MIN_MATCH = 3
_TOKENS = re.compile(r"[A-Za-z0-9]+")
_WORD = re.compile(r"[a-z]+|[A-Z][a-z]+")


def _bits_per_char(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _sequence(text: str, i: int) -> int:
    """The length of the run of consecutive characters (``abcd``, ``9876``) at ``i``."""
    if i + 1 >= len(text):
        return 1
    step = ord(text[i + 1]) - ord(text[i])
    if step not in (1, -1):
        return 1
    length = 2
    while i + length < len(text) and ord(text[i + length]) - ord(text[i + length - 1]) == step:
        length += 1
    return length


def _lz_bits(text: str, per_char: float) -> float:
    """A greedy LZ77 parse: literals cost ``per_char``, a repeat costs one reference."""
    n = len(text)
    reference = 2 * math.log2(max(n, 2))
    bits, i = 0.0, 0
    while i < n:
        longest = 0
        for start in range(i):
            length = 0
            while i + length < n and text[start + length] == text[i + length]:
                length += 1
            longest = max(longest, length)
        longest = max(longest, _sequence(text, i))
        if longest >= _MIN_MATCH and reference < longest * per_char:
            bits += reference
            i += longest
        else:
            bits += per_char
            i += 1
    return bits


def _passphrase_bits(text: str, per_char: float) -> float:
    """Words cost a Diceware word each; other runs their characters; separators nothing."""
    bits = 0.0
    for token in _TOKENS.findall(text):
        cost = _lz_bits(token, per_char)
        if _WORD.fullmatch(token):
            cost = min(cost, _WORD_BITS)
        bits += cost
    return bits


def estimated_bits(secret: str) -> float:
    """A conservative estimate of ``secret``'s entropy in bits (see the module's notes)."""
    text = secret[:_READ]
    if not text:
        return 0.0
    per_char = _bits_per_char(text)
    least = min(
        per_char * len(text),
        _lz_bits(text, per_char),
        _passphrase_bits(text, per_char),
    )
    return max(0.0, least)  # 0.0, not -0.0 (a one-character alphabet)


def weakness(secret: str) -> str | None:
    """Why ``secret`` is too weak for production, or None; never quotes the secret."""
    size = len(secret.encode())
    if size < MIN_SECRET_BYTES:
        return f"is {size} bytes long (at least {MIN_SECRET_BYTES} needed)"
    bits = estimated_bits(secret)
    if bits < MIN_SECRET_BITS:
        return (
            f"has about {bits:.0f} bits of entropy (at least {MIN_SECRET_BITS} needed: it is "
            "low-variety, repeats itself or is made of words)"
        )
    return None
