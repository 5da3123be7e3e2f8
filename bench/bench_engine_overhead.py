"""Benchmark: maillage's per-point overhead over the raw scipy Dijkstra it wraps.

Not a test: a script that prints a table. ``python bench/bench_engine_overhead.py [--quick]``
(needs ``../shared/data``: the Lot's A/N/D graph and the Andorra OSM extract).

For each graph, size and cutoff, in the same process, one after the other (best of N runs,
wall-clock and CPU time of this thread):

- ``maillage``: :func:`maillage.geo.travel_time_matrix` (dense; snapping, access legs, local
  trips, cutoff, DataFrame, diagnostics), :func:`maillage.geo.pairs_within` (long format, the
  pairs within the cutoff only) and :func:`maillage.geo.nearest`.
- ``scipy``: the raw :func:`scipy.sparse.csgraph.dijkstra` call maillage makes — from the
  unique snapped nodes of the side with fewer of them (on the reversed graph when it is the
  destinations'), with ``limit=`` for a cutoff; for ``nearest`` one ``min_only=True`` run from
  the destinations' nodes on the reversed graph.
- ``plancher`` (floor): the least any exact wrapper must do, with scipy and numpy only:
  project both point sets to metres (pyproj) and find each one's nearest node (a prebuilt
  ``cKDTree``), the raw call, then produce the result from it — one ``np.take`` of the
  other side's point columns (dense matrix), ``np.nonzero`` of the reached cells at the
  other side's nodes (pairs), or one gather of the origins' nodes (nearest).

Ratios: maillage ÷ scipy and maillage ÷ floor, on CPU time (a busy machine moves wall time
much more than CPU time; both are printed). Peak memory of maillage's call (tracemalloc)
is printed against the size of its result (dense: origins × destinations × 8 bytes; pairs:
24 bytes per pair plus the two id columns). The load average is printed with every table.
"""

from __future__ import annotations

import argparse

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from maillage.geo import (
    compile_graph,
    graph_from_osm_file,
    load_edge_list,
    nearest,
    pairs_within,
    travel_time_matrix,
)
from maillage.settings import METRIC_CRS, shared_data_dir
from timing import best_cpu, best_of, load, peak_mib


def points_near_nodes(road, count: int, seed: int) -> gpd.GeoSeries:
    """Points 0–400 m from random nodes (stand-ins for addresses and cells), EPSG:4326."""
    rng = np.random.default_rng(seed)
    at = rng.integers(0, road.n_nodes, count)
    lon = road.lon[at] + rng.uniform(-4e-3, 4e-3, count)
    lat = road.lat[at] + rng.uniform(-3e-3, 3e-3, count)
    return gpd.GeoSeries.from_xy(lon, lat, crs="EPSG:4326", index=[f"p{i}" for i in range(count)])


class Floor:
    """The floor's pieces: snapping with pyproj + a prebuilt k-d tree of the nodes."""

    def __init__(self, road):
        self.road = road
        self.tree = cKDTree(np.column_stack([road.x, road.y]))
        self.to_metres = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)

    def snap(self, points) -> np.ndarray:
        xy = shapely.get_coordinates(points.array._data)
        x, y = self.to_metres.transform(xy[:, 0], xy[:, 1])
        return self.tree.query(np.column_stack([x, y]))[1]


def run(name, road, sizes, cutoffs, repeat):
    print(f"\n## {name} : {road.n_nodes:,} nœuds, {road.matrix.nnz:,} arcs ; {load()}".replace(",", " "))
    print(f"{'appel':11} {'taille':>11} {'limite':>6} {'maillage s':>10} {'CPU s':>7} {'scipy s':>8} "
          f"{'plancher s':>10} {'÷ scipy':>8} {'÷ plancher':>10} {'pic MiB':>8} {'résultat MiB':>13}")
    floor = Floor(road)

    def line(call, size, cutoff, wall, cpu, raw, low, mib, result_mib):
        print(f"{call:11} {size:>11} {str(cutoff or '-'):>6} {wall:10.3f} {cpu:7.3f} {raw:8.4f} "
              f"{low:10.4f} {cpu / raw:8.2f} {cpu / low:10.2f} {mib:8.0f} {result_mib:13.1f}")

    for n_orig, n_dest in sizes:
        origins, destinations = points_near_nodes(road, n_orig, 1), points_near_nodes(road, n_dest, 2)
        size = f"{n_orig}×{n_dest}"
        o, d = floor.snap(origins), floor.snap(destinations)
        o_u, d_u = np.unique(o), np.unique(d)
        reverse = len(d_u) < len(o_u)
        graph, sources, other = (road.reverse, d_u, o) if reverse else (road.matrix, o_u, d)
        other_nodes = np.unique(other)
        for cutoff in cutoffs:
            limit = np.inf if cutoff is None else cutoff * 60.0
            raw = lambda: dijkstra(graph, indices=sources, limit=limit)

            def dense_floor():
                floor.snap(origins), floor.snap(destinations)
                return np.take(raw(), other, axis=1)

            ours = lambda: travel_time_matrix(road, origins, destinations, cutoff=cutoff,
                                              check_components=False)
            ours()  # warm caches (k-d tree, reversed graph)
            t_raw = best_cpu(raw, repeat)
            t_wall, t_cpu = best_of(ours, repeat)[0], best_cpu(ours, repeat)
            line("matrice", size, cutoff, t_wall, t_cpu, t_raw, best_cpu(dense_floor, repeat),
                 peak_mib(ours), n_orig * n_dest * 8 / 2**20)
            if cutoff is not None:
                def pairs_floor():
                    floor.snap(origins), floor.snap(destinations)
                    return np.nonzero(np.take(raw(), other_nodes, axis=1) <= limit)

                pairs = lambda: pairs_within(road, origins, destinations, cutoff,
                                             check_components=False)
                found = pairs()
                t_wall, t_cpu = best_of(pairs, repeat)[0], best_cpu(pairs, repeat)
                line("paires", size, cutoff, t_wall, t_cpu, t_raw, best_cpu(pairs_floor, repeat),
                     peak_mib(pairs), len(found) * 24 / 2**20)
                print(f"{'':11} {'':>11} {'':>6} {len(found):,} paires, {len(found) / (n_orig * n_dest):.1%} "
                      f"des cellules".replace(",", " "))
            near = lambda: nearest(road, origins, destinations, cutoff=cutoff, check_components=False)
            near()
            raw_near = lambda: dijkstra(road.reverse, indices=d_u, limit=limit, min_only=True)

            def near_floor():
                origin_nodes, _ = floor.snap(origins), floor.snap(destinations)
                return raw_near()[origin_nodes]

            t_raw_near = best_cpu(raw_near, repeat)
            t_wall, t_cpu = best_of(near, repeat)[0], best_cpu(near, repeat)
            line("plus proche", size, cutoff, t_wall, t_cpu, t_raw_near, best_cpu(near_floor, repeat),
                 peak_mib(near), n_orig * 8 / 2**20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args()
    shared = shared_data_dir()
    if shared is None:
        raise SystemExit("shared/data absent: the benchmark needs the Lot graph and the Andorra extract")
    repeat = 2 if args.quick else 7
    sizes = [(300, 300), (3000, 300)] if args.quick else [(300, 300), (30_000, 300), (300, 30_000)]
    lot = compile_graph(load_edge_list(shared / "roads" / "travelmapping_edges_lot_bbox.csv"))
    run("Lot A/N/D", lot, sizes, [None, 15.0], repeat)
    andorra = compile_graph(graph_from_osm_file(shared / "osm" / "andorra.osm.gz", simplify=False))
    run("Andorre OSM drive (non simplifié)", andorra, sizes, [None, 10.0], repeat)


if __name__ == "__main__":
    main()
