"""What-if snapshots built once: a bounded LRU of (market, book) pairs for simulations.

A simulation's book is fixed by its order-book seed, its instant, the symbol and the
what-if scenario, so the (frozen, shared) snapshot for those is built once and reused by
every later simulation that asks for the same: no book walk to ccxt shape, no scenario
applied, per request. At most ``capacity`` snapshots are kept (the least recently used
goes first); one is a few kilobytes (the simulator reads 50 levels a side), so the default
1,024 stays under about 10 MB.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from execution.venues.frozen import freeze

__all__ = ["Snapshot", "SnapshotCache"]

Snapshot = tuple[Mapping[str, Any], Mapping[str, Any]]  # (market, book), ccxt shapes


class SnapshotCache:
    """A bounded LRU of frozen :data:`Snapshot` by key; thread-safe."""

    def __init__(self, capacity: int = 1024) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity!r}")
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Snapshot] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, build: Callable[[], Snapshot]) -> Snapshot:
        """The snapshot of ``key``, built (and frozen) by ``build`` the first time. Two
        threads asking for a new key at once may both build it (the same answer: it is
        deterministic); the build runs outside the lock, so nobody waits on another's."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        market, book = build()
        snapshot: Snapshot = (freeze(market), freeze(book))
        with self._lock:
            self._entries[key] = snapshot
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return snapshot
