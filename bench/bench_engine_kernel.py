"""Benchmark: a binary-heap Dijkstra compiled with numba against scipy's on the same CSR arrays.

Not a test: a script that prints a table. ``python bench/bench_engine_kernel.py [--quick]``
(needs numba; the Lot graph of ``../shared/data`` is used when present).

The kernel (:func:`dijkstra_numba`) reads the ``indptr``/``indices``/``data`` arrays of the
same :class:`scipy.sparse.csr_matrix` that scipy's :func:`~scipy.sparse.csgraph.dijkstra` gets
(scipy: a Fibonacci heap, in Cython). Binary heap with lazy deletion (a node is pushed again
when its time improves, stale entries are skipped when popped), relaxation with a strict ``<``
and the same ``limit`` rule as scipy (times above it are ``inf``): it computes the same
float sums, so the times are identical bit for bit (checked here on every graph and in
``tests/geo/test_kernel_numba.py``). Named baseline, same run: scipy's ``dijkstra`` from the
same sources. Figures: seconds, nanoseconds per settled node (reached node), ratio scipy ÷ numba
(> 1: numba faster). Compilation time is printed apart (once per process, not timed).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from scipy.sparse.csgraph import dijkstra

try:
    from numba import njit
except ImportError:  # pragma: no cover - the bench says so
    njit = None


def _kernel(indptr, indices, data, sources, limit, out):
    """Fill ``out[k]`` with the times from ``sources[k]`` (seconds, inf beyond ``limit``)."""
    n = len(indptr) - 1
    capacity = len(data) + 1
    heap_time = np.empty(capacity)
    heap_node = np.empty(capacity, np.int64)
    done = np.zeros(n, np.bool_)
    for k in range(len(sources)):
        dist = out[k]
        dist[:] = np.inf
        done[:] = False
        source = sources[k]
        dist[source] = 0.0
        heap_time[0] = 0.0
        heap_node[0] = source
        size = 1
        while size > 0:
            t = heap_time[0]
            u = heap_node[0]
            size -= 1
            if size > 0:  # move the last entry to the root and sift it down
                last_t = heap_time[size]
                last_n = heap_node[size]
                i = 0
                while True:
                    child = 2 * i + 1
                    if child >= size:
                        break
                    if child + 1 < size and heap_time[child + 1] < heap_time[child]:
                        child += 1
                    if heap_time[child] < last_t:
                        heap_time[i] = heap_time[child]
                        heap_node[i] = heap_node[child]
                        i = child
                    else:
                        break
                heap_time[i] = last_t
                heap_node[i] = last_n
            if done[u] or t > dist[u]:
                continue  # a stale entry
            done[u] = True
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if done[v]:
                    continue
                candidate = t + data[e]
                if candidate < dist[v] and candidate <= limit:
                    dist[v] = candidate
                    i = size  # push and sift up
                    size += 1
                    while i > 0:
                        parent = (i - 1) // 2
                        if heap_time[parent] > candidate:
                            heap_time[i] = heap_time[parent]
                            heap_node[i] = heap_node[parent]
                            i = parent
                        else:
                            break
                    heap_time[i] = candidate
                    heap_node[i] = v
    return out


_compiled = None


def dijkstra_numba(matrix, sources, limit: float = np.inf) -> np.ndarray:
    """Times (seconds) from each source to every node, ``len(sources) × n``, as scipy's."""
    global _compiled
    if njit is None:
        raise ImportError("numba n'est pas installé")
    if _compiled is None:
        _compiled = njit(cache=False, nogil=True)(_kernel)
    sources = np.asarray(sources, dtype=np.int64)
    out = np.empty((len(sources), matrix.shape[0]))
    return _compiled(matrix.indptr.astype(np.int64), matrix.indices.astype(np.int64), matrix.data.astype(np.float64),
                     sources, float(limit), out)


def compare(name, matrix, n_sources, limit, repeat):
    rng = np.random.default_rng(3)
    sources = rng.choice(matrix.shape[0], n_sources, replace=False)
    best_scipy = best_numba = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        expected = dijkstra(matrix, indices=sources, limit=limit)
        best_scipy = min(best_scipy, time.perf_counter() - start)
        start = time.perf_counter()
        got = dijkstra_numba(matrix, sources, limit)
        best_numba = min(best_numba, time.perf_counter() - start)
    settled = int(np.isfinite(expected).sum())
    same = "oui" if np.array_equal(expected, got) else "NON"
    limit_txt = "-" if np.isinf(limit) else f"{limit / 60:.0f} min"
    print(f"{name:24} {matrix.shape[0]:>10,} {n_sources:>8} {limit_txt:>7} {best_scipy:9.3f} {best_numba:9.3f} "
          f"{1e9 * best_scipy / settled:10.0f} {1e9 * best_numba / settled:10.0f} {best_scipy / best_numba:7.2f} "
          f"{same:>9}  charge {os.getloadavg()[0]:.1f}".replace(",", " "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller graphs, one repeat")
    args = parser.parse_args()
    if njit is None:
        raise SystemExit("numba absent: pip install numba")
    from bench_engine_cores import road_like_grid  # the same grid as the cores bench

    start = time.perf_counter()
    dijkstra_numba(road_like_grid(3).matrix, [0])
    print(f"compilation numba : {time.perf_counter() - start:.1f} s ; {os.cpu_count()} cœurs")
    repeat = 1 if args.quick else 3
    print(f"{'réseau':24} {'nœuds':>10} {'sources':>8} {'limite':>7} {'scipy s':>9} {'numba s':>9} "
          f"{'ns/nœud sc':>10} {'ns/nœud nb':>10} {'× numba':>7} {'identique':>9}")
    from maillage.settings import shared_data_dir

    shared = shared_data_dir()
    if shared is not None:
        from maillage.geo import compile_graph, load_edge_list

        lot = compile_graph(load_edge_list(shared / "roads" / "travelmapping_edges_lot_bbox.csv"))
        compare("Lot A/N/D", lot.matrix, 500, np.inf, repeat)
        compare("Lot A/N/D", lot.matrix, 500, 900.0, repeat)
    for side in ([300, 1000] if args.quick else [300, 1000, 2000]):
        grid = road_like_grid(side).matrix
        compare(f"grille {side}×{side}", grid, 20 if side <= 1000 else 4, np.inf, repeat)
        compare(f"grille {side}×{side}", grid, 200, 900.0, repeat)


if __name__ == "__main__":
    main()
