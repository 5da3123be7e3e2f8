"""Dijkstra on several processes: the same times bit for bit as one process, and nothing left
behind (no shared-memory segment, no worker process) after a run, even a failed one."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from maillage.geo import graph_from_arrays, travel_time_matrix
from maillage.geo._parallel import SEGMENT_PREFIX, default_workers


def grid_graph(side: int, seed: int):
    """A road-like grid, 25 % one-way streets, a few cut-off corners (unreachable pairs)."""
    rng = np.random.default_rng(seed)
    i, j = np.divmod(np.arange(side * side), side)
    u, v = [], []
    for di, dj in [(1, 0), (0, 1)]:
        ok = (i + di < side) & (j + dj < side)
        a, b = np.flatnonzero(ok), np.flatnonzero(ok) + di * side + dj
        u.append(a), v.append(b)
        both = rng.random(len(a)) > 0.25
        u.append(b[both]), v.append(a[both])
    u, v = np.concatenate(u), np.concatenate(v)
    keep = rng.random(len(u)) > 0.02
    u, v = u[keep], v[keep]
    lon, lat = 1.40 + 0.002 * i, 44.40 + 0.0015 * j
    # three more nodes far off, with no road: unreachable from and to everything else
    lon, lat = np.r_[lon, 1.6, 1.61, 1.62], np.r_[lat, 44.7, 44.7, 44.7]
    return graph_from_arrays(np.arange(side * side + 3), lon, lat, u, v, rng.uniform(5, 60, len(u)))


def leftovers() -> list[str]:
    shm = Path("/dev/shm")
    mine = f"{SEGMENT_PREFIX}{os.getpid()}_"
    return sorted(p.name for p in shm.iterdir() if p.name.startswith(mine)) if shm.is_dir() else []


@pytest.fixture(scope="module")
def grid():
    return grid_graph(40, 3)


@pytest.mark.parametrize("limit", [np.inf, 600.0])
@pytest.mark.parametrize("reverse", [False, True])
def test_two_workers_give_the_single_process_times_bit_for_bit(grid, limit, reverse):
    rng = np.random.default_rng(1)
    sources = rng.choice(grid.n_nodes, 37, replace=False)
    targets = np.r_[rng.integers(0, grid.n_nodes, 500), grid.n_nodes - 1]
    one = grid.times(sources, targets, limit=limit, reverse=reverse, workers=1)
    two = grid.times(sources, targets, limit=limit, reverse=reverse, workers=2)
    assert np.array_equal(one, two)
    assert np.isinf(one).any() and np.isfinite(one).any()
    full = grid.times(sources[:5], limit=limit, reverse=reverse, workers=2)
    assert np.array_equal(full, grid.times(sources[:5], limit=limit, reverse=reverse, workers=1))
    assert leftovers() == [] and multiprocessing.active_children() == []


@pytest.mark.parametrize("cutoff", [None, 6.0])
def test_a_matrix_on_two_workers_is_the_same_frame(grid, cutoff):
    rng = np.random.default_rng(2)
    def points(count, prefix):
        at = rng.integers(0, grid.n_nodes, count)
        return gpd.GeoSeries.from_xy(grid.lon[at] + rng.normal(0, 3e-4, count), grid.lat[at],
                                     crs="EPSG:4326", index=[f"{prefix}{k}" for k in range(count)])
    origins, destinations = points(300, "o"), points(40, "d")
    one = travel_time_matrix(grid, origins, destinations, cutoff=cutoff, check_components=False, workers=1)
    two = travel_time_matrix(grid, origins, destinations, cutoff=cutoff, check_components=False, workers=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert leftovers() == []


def test_a_failing_run_still_removes_its_segments_and_workers(grid):
    with pytest.raises(ValueError):
        grid.times(np.array([0, 1, grid.n_nodes + 5]), [0, 1], workers=2)
    assert leftovers() == [] and multiprocessing.active_children() == []


def test_small_problems_stay_in_one_process():
    assert default_workers(10, 5_000) == 1
    assert default_workers(2_000, 1_000_000) == max(1, min(os.cpu_count() or 1, 2_000))


def _report_default(queue):
    queue.put(default_workers(2_000, 1_000_000))


def test_inside_a_daemonic_worker_the_default_is_one_process():
    # Dask's and multiprocessing's workers are daemonic: they may not start a pool.
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    worker = context.Process(target=_report_default, args=(queue,), daemon=True)
    worker.start()
    assert queue.get(timeout=60) == 1
    worker.join(timeout=60)


def test_a_compiled_graph_pickles_for_worker_processes(grid):
    import pickle

    grid.nearest_seconds([0, 5], [0.0, 30.0])  # fills the per-process buffers
    copy = pickle.loads(pickle.dumps(grid))
    assert np.array_equal(copy.times([0, 7]), grid.times([0, 7]))
    assert np.array_equal(copy.nearest_seconds([0, 5], [0.0, 30.0])[0],
                          grid.nearest_seconds([0, 5], [0.0, 30.0])[0])
