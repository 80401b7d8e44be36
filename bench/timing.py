"""Timing helpers the benchmarks share: run a call n times, and say its p50 and p90."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def ms(samples: list[float], digits: int = 1) -> str:
    """``samples`` (seconds) as "p50 … ms  p90 … ms"."""
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))] * 1000
    return f"p50 {p50:8.{digits}f} ms  p90 {p90:8.{digits}f} ms"


def timed(fn: Callable[[], Any], n: int) -> tuple[list[float], Any]:
    """Call ``fn`` ``n`` times: each call's seconds, and the last call's result."""
    samples, result = [], None
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return samples, result
