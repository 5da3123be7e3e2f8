"""The fast paths of travel_time_matrix and nearest give, bit for bit, what the straightforward
formulas give (kept here as the reference): on random one-way graphs with unreachable pairs,
points snapped several to a node, points on each other, with and without a cutoff."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from maillage.geo import graph_from_arrays, nearest, pairs_within, travel_time_matrix
from maillage.geo import routing
from maillage.geo.snapping import points_metric, snap

SPEED = 20.0


def reference_local_trips(orig, dest):
    reach = float(orig["snap_m"].max() + dest["snap_m"].max())
    pairs = cKDTree(orig[["x_m", "y_m"]].to_numpy()).sparse_distance_matrix(
        cKDTree(dest[["x_m", "y_m"]].to_numpy()), reach, output_type="ndarray")
    rows, cols, metres = pairs["i"], pairs["j"], pairs["v"]
    keep = metres <= orig["snap_m"].to_numpy()[rows] + dest["snap_m"].to_numpy()[cols]
    return rows[keep], cols[keep], metres[keep] / (SPEED / 3.6) / 60.0


def reference_matrix(road, orig, dest, cutoff):
    """The former formula: np.ix_ gather, broadcast add, local trips, cutoff."""
    limit = np.inf if cutoff is None else cutoff * 60.0
    o_nodes, o_pos = np.unique(orig["node"].to_numpy(), return_inverse=True)
    d_nodes, d_pos = np.unique(dest["node"].to_numpy(), return_inverse=True)
    if len(d_nodes) < len(o_nodes):
        seconds = dijkstra(road.reverse, indices=d_nodes, limit=limit)[:, o_nodes].T
    else:
        seconds = dijkstra(road.matrix, indices=o_nodes, limit=limit)[:, d_nodes]
    minutes = seconds[np.ix_(o_pos, d_pos)] / 60.0
    minutes += orig["access_min"].to_numpy()[:, None] + dest["access_min"].to_numpy()[None, :]
    rows, cols, local = reference_local_trips(orig, dest)
    minutes[rows, cols] = np.minimum(minutes[rows, cols], local)
    if cutoff is not None:
        minutes[minutes > cutoff] = np.inf
    return minutes


def reference_nearest(road, orig, dest, cutoff):
    """The former nearest: one virtual source, predecessor tree, pointer jumping."""
    best = dest.reset_index(names="id").sort_values("access_min", kind="stable").drop_duplicates("node")
    n = road.n_nodes
    start = sp.csr_matrix(
        (best["access_min"].to_numpy() * 60.0, (np.full(len(best), n), best["node"].to_numpy())),
        shape=(n + 1, n + 1))
    augmented = sp.vstack([sp.hstack([road.reverse, sp.csr_matrix((n, 1))]), start[n]]).tocsr()
    limit = np.inf if cutoff is None else cutoff * 60.0
    seconds, pred = dijkstra(augmented, indices=n, limit=limit, return_predecessors=True)
    root = pred.astype(np.int64)
    root[root < 0] = -1
    hop = np.flatnonzero(root == n)
    root[hop] = hop
    root[n] = -1
    while True:
        nxt = np.where(root >= 0, root[np.maximum(root, 0)], -1)
        if np.array_equal(nxt, root):
            break
        root = nxt
    nodes = orig["node"].to_numpy()
    minutes = seconds[nodes] / 60.0 + orig["access_min"].to_numpy()
    owner = pd.Series(best["id"].to_numpy(), index=best["node"].to_numpy())
    found = np.isfinite(minutes) & (root[nodes] >= 0)
    names = np.full(len(nodes), None, dtype=object)
    names[found] = owner.reindex(root[nodes][found]).to_numpy()
    rows, cols, local = reference_local_trips(orig, dest)
    for r, c, m in sorted(zip(rows, cols, local), key=lambda t: (t[0], t[2])):
        if m < (minutes[r] if found[r] else np.inf):
            minutes[r], found[r], names[r] = m, True, dest.index[c]
    if cutoff is not None:
        found &= minutes <= cutoff
    return np.where(found, minutes, np.inf), np.where(found, names, None)


def random_case(seed, n_orig, n_dest):
    """A random one-way road graph (continuous weights: no ties) and random points near it."""
    rng = np.random.default_rng(seed)
    n = 120
    lon, lat = 1.40 + rng.random(n) * 0.3, 44.40 + rng.random(n) * 0.2
    m = 360
    u, v = rng.integers(0, n, m), rng.integers(0, n, m)
    road = graph_from_arrays(np.arange(n) * 3 + 1, lon, lat, u, v, rng.uniform(20, 900, m))

    def points(count, prefix):
        at = rng.integers(0, n, count)
        x = lon[at] + rng.normal(0, 0.004, count) * (rng.random(count) < 0.8)
        y = lat[at] + rng.normal(0, 0.003, count) * (rng.random(count) < 0.8)
        return gpd.GeoSeries.from_xy(x, y, crs="EPSG:4326", index=[f"{prefix}{i}" for i in range(count)])

    origins, destinations = points(n_orig, "o"), points(n_dest, "d")
    # a few destinations exactly on origins: local trips of 0 minutes
    shared = min(3, n_orig, n_dest)
    destinations.iloc[:shared] = origins.iloc[:shared].to_numpy()
    return road, origins, destinations


@pytest.mark.parametrize(
    "seed, n_orig, n_dest", [(1, 60, 15), (2, 15, 60), (3, 40, 40), (4, 200, 7), (5, 1, 30)])
@pytest.mark.parametrize("cutoff", [None, 12.0, 3.0])
def test_matrix_fast_path_equals_the_former_formula_bit_for_bit(seed, n_orig, n_dest, cutoff):
    road, origins, destinations = random_case(seed, n_orig, n_dest)
    got = travel_time_matrix(road, origins, destinations, cutoff=cutoff, check_components=False)
    orig = snap(road, origins, check_components=False)
    dest = snap(road, destinations, role="destination", check_components=False)
    expected = reference_matrix(road, orig, dest, cutoff)
    assert np.array_equal(got.to_numpy(), expected)
    assert list(got.index) == list(origins.index) and list(got.columns) == list(destinations.index)
    assert np.isinf(expected).any() and np.isfinite(expected).any()
    assert (expected == 0).any(), "points on each other: 0 minutes"
    assert not np.isnan(got.to_numpy()).any()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
@pytest.mark.parametrize("cutoff", [None, 12.0, 3.0])
def test_nearest_fast_path_equals_the_former_formula_bit_for_bit(seed, cutoff):
    road, origins, destinations = random_case(seed, 80, 12)
    got = nearest(road, origins, destinations, cutoff=cutoff, check_components=False)
    orig = snap(road, origins, check_components=False)
    dest = snap(road, destinations, role="destination", check_components=False)
    minutes, names = reference_nearest(road, orig, dest, cutoff)
    assert np.array_equal(got["minutes"].to_numpy(), minutes)
    assert [None if pd.isna(x) else x for x in got["destination"]] == list(names)
    assert np.isinf(minutes).any() and np.isfinite(minutes).any()


def test_snapping_coordinates_are_those_of_geopandas_to_crs():
    road, origins, _ = random_case(6, 50, 5)
    table = snap(road, origins, check_components=False)
    metric = points_metric(origins)
    assert np.array_equal(table["x_m"].to_numpy(), metric.x.to_numpy())
    assert np.array_equal(table["y_m"].to_numpy(), metric.y.to_numpy())
    polygons = gpd.GeoDataFrame(geometry=origins.to_crs("EPSG:2154").buffer(300), index=origins.index)
    mixed = snap(road, polygons, check_components=False)  # polygons: representative points
    assert np.array_equal(mixed["x_m"].to_numpy(), points_metric(polygons).x.to_numpy())


def test_the_snapping_table_is_the_former_concatenation():
    road, origins, destinations = random_case(7, 30, 10)
    destinations.index = range(10)  # int ids next to str ids: object column, as before
    got = travel_time_matrix(road, origins, destinations, check_components=False).attrs["snapping"]
    orig = snap(road, origins, check_components=False)
    dest = snap(road, destinations, role="destination", check_components=False)
    expected = pd.concat([orig.reset_index(names="id"), dest.reset_index(names="id")], ignore_index=True)
    pd.testing.assert_frame_equal(got, expected[["id", "role", "node_id", "snap_m", "access_min"]])
    near = nearest(road, origins, destinations, check_components=False)
    pd.testing.assert_frame_equal(near.attrs["snapping"], got)
    assert near["destination"].dtype == object and near["snap_m"].dtype == np.float64


@pytest.mark.parametrize(
    "seed, n_orig, n_dest", [(1, 60, 15), (2, 15, 60), (3, 40, 40), (4, 200, 7), (5, 1, 30)])
@pytest.mark.parametrize("cutoff", [12.0, 3.0])
@pytest.mark.parametrize("max_cells", [1, 500, 10**9])
@pytest.mark.parametrize("dense_share", [0.0, np.inf], ids=["dense-blocks", "node-pairs"])
def test_pairs_within_are_the_finite_cells_of_the_dense_matrix_bit_for_bit(
        seed, n_orig, n_dest, cutoff, max_cells, dense_share, monkeypatch):
    # Both ways of turning a block of searches into pairs: finished as dense rows, or
    # expanded from the node pairs within reach.
    monkeypatch.setattr(routing, "_DENSE_SHARE", dense_share)
    road, origins, destinations = random_case(seed, n_orig, n_dest)
    dense = travel_time_matrix(road, origins, destinations, cutoff=cutoff,
                               check_components=False).to_numpy()
    rows, cols = np.nonzero(np.isfinite(dense))
    got = pairs_within(road, origins, destinations, cutoff, max_cells=max_cells,
                       check_components=False)
    assert list(got["origin"]) == list(origins.index[rows])
    assert list(got["destination"]) == list(destinations.index[cols])
    assert np.array_equal(got["minutes"].to_numpy(), dense[rows, cols])
    assert str(got["origin"].dtype) == "str" and got["minutes"].dtype == np.float64


def test_pairs_within_keeps_local_trips_the_network_does_not_reach():
    """Two points on each other, snapped to a node from which nothing is reachable: the pair
    exists only through the off-network trip (0 minutes), among network pairs."""
    road, origins, destinations = random_case(8, 50, 20)
    dense = travel_time_matrix(road, origins, destinations, cutoff=12.0, check_components=False)
    got = pairs_within(road, origins, destinations, 12.0, check_components=False)
    assert len(got) == np.isfinite(dense.to_numpy()).sum()
    assert (got["minutes"] == 0).sum() >= 3


def test_wide_rows_with_shared_sources_are_gathered_straight_bit_for_bit():
    """More than a chunk of columns and several search-side points per node: the direct path."""
    road, origins, destinations = random_case(9, 9000, 40)
    for cutoff in (None, 8.0):
        got = travel_time_matrix(road, origins, destinations, cutoff=cutoff, check_components=False)
        orig = snap(road, origins, check_components=False)
        dest = snap(road, destinations, role="destination", check_components=False)
        assert np.array_equal(got.to_numpy(), reference_matrix(road, orig, dest, cutoff))


def test_pairs_within_memory_follows_the_pairs_not_the_dense_matrix():
    """4,000 × 3,000 points (a 96 MB dense matrix), few pairs within 2 minutes: the call's
    peak stays a fraction of the dense size (here mostly the 127k off-network trip pairs of
    points scattered far from a sparse graph; the former blocks held the 96 MB whole)."""
    import tracemalloc

    road, origins, destinations = random_case(10, 4000, 3000)
    tracemalloc.start()
    got = pairs_within(road, origins, destinations, 2.0, check_components=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    dense_bytes = 4000 * 3000 * 8
    assert 0 < len(got) < 0.05 * 4000 * 3000
    assert peak < 0.25 * dense_bytes, f"peak {peak / 2**20:.0f} MiB"


def test_pairs_within_on_two_processes_equal_one_process():
    road, origins, destinations = random_case(11, 300, 40)
    one = pairs_within(road, origins, destinations, 12.0, check_components=False, workers=1)
    two = pairs_within(road, origins, destinations, 12.0, check_components=False, workers=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert len(one) > 100


def test_pairs_within_with_no_origin_or_no_destination_is_an_empty_table():
    road, origins, destinations = random_case(3, 20, 10)
    for some_origins, some_destinations in ((origins.iloc[:0], destinations),
                                            (origins, destinations.iloc[:0])):
        got = pairs_within(road, some_origins, some_destinations, 5.0, check_components=False)
        assert got.empty and list(got.columns) == ["origin", "destination", "minutes"]
        assert got["minutes"].dtype == np.float64
