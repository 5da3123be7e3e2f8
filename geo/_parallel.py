"""Dijkstra from many sources on several cores: worker processes sharing the read-only CSR.

scipy's :func:`~scipy.sparse.csgraph.dijkstra` holds the GIL, so threads do not help. Here the
sources are split into chunks run by worker processes; the graph's CSR arrays (``indptr``,
``indices``, ``data``), the sources, the targets and the result live in
:mod:`multiprocessing.shared_memory` segments that every worker maps (no copy per worker, no
result sent back through a pipe). Each worker runs exactly the single-process code on its rows:
the result is the same bit for bit.

Segments are named ``maillage_dij_<pid>_<token>_<array>`` and unlinked when the call ends,
whatever happens; the pool is shut down (workers joined) at the end of every call.
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from multiprocessing import shared_memory

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

#: Prefix of the shared-memory segments' names (``/dev/shm/<prefix>…`` on Linux).
SEGMENT_PREFIX = "maillage_dij_"
#: Below this many node visits (sources × nodes) one process is faster than starting a pool.
PARALLEL_MIN_WORK = 20_000_000


def default_workers(n_sources: int, n_nodes: int) -> int:
    """Worker processes for a run: 1 for small problems, every core for large ones.

    Always 1 inside a daemonic process (a Dask or multiprocessing worker), which may not
    start children of its own.
    """
    if n_sources * n_nodes < PARALLEL_MIN_WORK or multiprocessing.current_process().daemon:
        return 1
    return max(1, min(os.cpu_count() or 1, n_sources))


def _context():
    """The start method: fork where it exists (workers start in milliseconds), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


class _Shared:
    """Named shared-memory arrays, created here and unlinked on close."""

    def __init__(self, stack: ExitStack):
        self.token = f"{SEGMENT_PREFIX}{os.getpid()}_{secrets.token_hex(4)}_"
        self.specs: dict[str, tuple[str, tuple, str]] = {}
        self.stack = stack

    def put(self, key: str, array: np.ndarray | None = None, *, shape=None, dtype=None):
        shape = array.shape if array is not None else shape
        dtype = np.dtype(array.dtype if array is not None else dtype)
        size = max(1, int(np.prod(shape)) * dtype.itemsize)
        segment = shared_memory.SharedMemory(name=self.token + key, create=True, size=size)
        self.stack.callback(_release, segment)
        view = np.ndarray(shape, dtype, buffer=segment.buf)
        if array is not None:
            view[...] = array
        self.specs[key] = (segment.name, tuple(shape), dtype.str)
        return view


def _release(segment: shared_memory.SharedMemory) -> None:
    _close(segment)
    segment.unlink()


def _close(segment: shared_memory.SharedMemory) -> None:
    try:
        segment.close()
    except BufferError:  # a view is still alive (an exception is unwinding): the mapping goes
        pass  # with the process or the last view; the name is unlinked all the same


def _attach(specs: dict, stack: ExitStack) -> dict[str, np.ndarray]:
    """Map the parent's segments in a worker (the parent alone owns and unlinks them)."""
    arrays = {}
    for key, (name, shape, dtype) in specs.items():
        # Workers share the parent's resource tracker: registering the name again is a no-op,
        # and the parent's unlink unregisters it.
        segment = shared_memory.SharedMemory(name=name)
        stack.callback(_close, segment)
        arrays[key] = np.ndarray(shape, np.dtype(dtype), buffer=segment.buf)
    return arrays


def _run_rows(specs: dict, n: int, limit: float, start: int, stop: int, step: int) -> int:
    """Worker: Dijkstra from ``sources[start:stop]``, written into ``out[start:stop]``."""
    with ExitStack() as stack:
        arrays = _attach(specs, stack)
        graph = sp.csr_matrix((arrays["data"], arrays["indices"], arrays["indptr"]), shape=(n, n))
        sources, out = arrays["sources"], arrays["out"]
        targets = arrays.get("targets")
        for first in range(start, stop, step):
            last = min(first + step, stop)
            block = dijkstra(graph, directed=True, indices=sources[first:last], limit=limit)
            if targets is None:
                out[first:last] = block
            else:
                np.take(block, targets, axis=1, out=out[first:last], mode="clip")
            del block
        del graph, sources, out, targets, arrays
    return stop - start


def parallel_times(
    graph: sp.csr_matrix,
    sources: np.ndarray,
    targets: np.ndarray | None,
    limit: float,
    out: np.ndarray,
    workers: int,
    block_bytes: int,
) -> np.ndarray:
    """Fill ``out`` (``len(sources) × width``) with Dijkstra times, sources split over workers.

    Same values as the single-process loop of :meth:`RoadGraph.times`, bit for bit.
    """
    n = graph.shape[0]
    # Rows per Dijkstra call in a worker: the per-process block stays within block_bytes/workers.
    step = max(1, block_bytes // (8 * max(n, 1) * workers))
    # A few chunks per worker, so that one slow chunk does not leave the other cores idle.
    chunks = np.array_split(np.arange(len(sources)), min(len(sources), 4 * workers))
    with ExitStack() as stack:
        shared = _Shared(stack)
        shared.put("indptr", graph.indptr)
        shared.put("indices", graph.indices)
        shared.put("data", graph.data)
        shared.put("sources", np.asarray(sources, dtype=np.int64))
        if targets is not None:
            shared.put("targets", np.asarray(targets, dtype=np.int64))
        result = shared.put("out", shape=out.shape, dtype=np.float64)
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
        stack.callback(pool.shutdown, wait=True, cancel_futures=True)
        futures = [
            pool.submit(_run_rows, shared.specs, n, limit, int(chunk[0]), int(chunk[-1]) + 1, step)
            for chunk in chunks
            if len(chunk)
        ]
        for future in futures:
            future.result()
        out[...] = result
        del result
    return out
