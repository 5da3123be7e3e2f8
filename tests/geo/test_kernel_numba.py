"""The numba binary-heap Dijkstra measured in bench/bench_engine_kernel.py gives scipy's times
bit for bit (random graphs with ties and unreachable nodes, limits, the Lot graph)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from tests import paths

pytest.importorskip("numba")


@pytest.fixture(scope="module")
def kernel():
    path = paths.TESTS.parent / "bench" / "bench_engine_kernel.py"
    spec = importlib.util.spec_from_file_location("bench_engine_kernel", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("seed", range(6))
def test_numba_kernel_equals_scipy_on_random_graphs(kernel, seed):
    rng = np.random.default_rng(seed)
    n, m = 150, 500
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    seconds = rng.integers(1, 30, m) * (rng.random(m) < 0.5) + rng.random(m)  # ties and fractions
    graph = sp.csr_matrix((seconds, (u, v)), shape=(n, n))
    for limit in (np.inf, 10.0, 40.0):
        expected = dijkstra(graph, indices=np.arange(n), limit=limit)
        assert np.array_equal(kernel.dijkstra_numba(graph, np.arange(n), limit), expected)
    assert np.isinf(expected).any()


def test_numba_kernel_equals_scipy_on_the_lot(kernel, shared_data):
    from maillage.geo import compile_graph, load_edge_list

    road = compile_graph(load_edge_list(shared_data / "roads" / "travelmapping_edges_lot_bbox.csv"))
    sources = np.random.default_rng(4).choice(road.n_nodes, 60, replace=False)
    for matrix in (road.matrix, road.reverse):
        for limit in (np.inf, 900.0):
            expected = dijkstra(matrix, indices=sources, limit=limit)
            assert np.array_equal(kernel.dijkstra_numba(matrix, sources, limit), expected)
