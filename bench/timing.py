"""Timing and memory helpers shared by the benchmarks (run as ``python bench/bench_*.py``)."""

from __future__ import annotations

import os
import time
import tracemalloc
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


def best_cpu(function: Callable[[], object], repeat: int = 1) -> float:
    """Best CPU time of this thread over ``repeat`` runs of ``function``, seconds (a busy
    machine moves it much less than wall time)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.thread_time()
        function()
        best = min(best, time.thread_time() - start)
    return best


def peak_mib(function: Callable[[], object]) -> float:
    """Peak Python/numpy memory allocated while ``function`` runs, MiB (tracemalloc)."""
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def load() -> str:
    """The machine's load average and cores, as the benches print it beside their times."""
    one, five, _ = os.getloadavg()
    return f"charge moyenne {one:.1f} (1 min), {five:.1f} (5 min), {os.cpu_count()} cœurs"
