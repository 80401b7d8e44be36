"""Venues: where orders go. The protocol every venue speaks (ccxt's unified API,
:mod:`.protocol`), the adapter around a real ccxt exchange (:mod:`.ccxt_adapter`), the
exchange's market filters as pure checks (:mod:`.filters`), whose account is which
(:mod:`.accounts`) and the seeded sandbox exchange (:mod:`.sandbox`).

Only the protocol is imported here: the rest imports ccxt, which is slow to import.
"""

from execution.venues.protocol import Venue

__all__ = ["Venue"]
