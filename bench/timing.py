"""Wall-clock timing shared by the benchmarks (run as ``python bench/bench_*.py``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def best_of(function: Callable[[], T], repeat: int = 1) -> tuple[float, T | None]:
    """Best wall time of ``repeat`` runs of ``function`` (seconds) and the last result.

    The previous result is released before each run, so that two results are never held
    at once while timing.
    """
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result
