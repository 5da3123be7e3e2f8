"""Benchmark: maillage's per-point overhead over the raw scipy Dijkstra it wraps.

Not a test: a script that prints a table. ``python bench/bench_engine_overhead.py [--quick]``
(needs ``../shared/data``: the Lot's A/N/D graph and the Andorra OSM extract).

For each graph, size and cutoff, in the same process, one after the other (best of N runs):

- ``maillage``: :func:`maillage.geo.travel_time_matrix` (snapping, access legs, local trips,
  cutoff, DataFrame, diagnostics) and :func:`maillage.geo.nearest`.
- ``scipy``: the raw :func:`scipy.sparse.csgraph.dijkstra` call maillage makes — from the
  unique snapped nodes of the smaller side (on the reversed graph when it is the destinations'),
  with ``limit=`` for a cutoff; for ``nearest`` one ``min_only=True`` run from the destinations'
  nodes on the reversed graph.
- ``scipy + take``: the raw call plus ``np.take`` of the other side's point columns: the least
  any wrapper must do to return one value per (origin, destination) pair.

Ratios: maillage ÷ scipy and maillage ÷ (scipy + take). Peak memory of maillage's call
(tracemalloc) is printed against the size of its result (``origins × destinations × 8`` bytes).
The load average of the machine is printed with every table: on a shared machine the absolute
times move, the ratios (same process, same minute) much less.
"""

from __future__ import annotations

import argparse
import os
import tracemalloc

import geopandas as gpd
import numpy as np
from scipy.sparse.csgraph import dijkstra

from maillage.geo import compile_graph, graph_from_osm_file, load_edge_list, nearest, travel_time_matrix
from maillage.geo.snapping import snap
from maillage.settings import shared_data_dir
from timing import best_of


def peak_mib(function) -> float:
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def points_near_nodes(road, count: int, seed: int) -> gpd.GeoSeries:
    """Points 0–400 m from random nodes (stand-ins for addresses and cells), EPSG:4326."""
    rng = np.random.default_rng(seed)
    at = rng.integers(0, road.n_nodes, count)
    lon = road.lon[at] + rng.uniform(-4e-3, 4e-3, count)
    lat = road.lat[at] + rng.uniform(-3e-3, 3e-3, count)
    return gpd.GeoSeries.from_xy(lon, lat, crs="EPSG:4326", index=[f"p{i}" for i in range(count)])


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"charge moyenne {one:.1f} (1 min), {five:.1f} (5 min), {os.cpu_count()} cœurs"


def run(name, road, sizes, cutoffs, repeat):
    print(f"\n## {name} : {road.n_nodes:,} nœuds, {road.matrix.nnz:,} arcs ; {load()}".replace(",", " "))
    print(f"{'appel':10} {'taille':>14} {'limite':>7} {'maillage s':>11} {'scipy s':>9} {'+take s':>9} "
          f"{'÷ scipy':>8} {'÷ +take':>8} {'pic MiB':>8} {'résultat MiB':>13}")
    for n_orig, n_dest in sizes:
        origins, destinations = points_near_nodes(road, n_orig, 1), points_near_nodes(road, n_dest, 2)
        o = snap(road, origins, check_components=False)["node"].to_numpy()
        d = snap(road, destinations, role="destination", check_components=False)["node"].to_numpy()
        o_u, d_u = np.unique(o), np.unique(d)
        for cutoff in cutoffs:
            limit = np.inf if cutoff is None else cutoff * 60.0
            if len(d_u) < len(o_u):
                raw = lambda: dijkstra(road.reverse, indices=d_u, limit=limit)
                floor = lambda: np.take(dijkstra(road.reverse, indices=d_u, limit=limit), o, axis=1)
            else:
                raw = lambda: dijkstra(road.matrix, indices=o_u, limit=limit)
                floor = lambda: np.take(dijkstra(road.matrix, indices=o_u, limit=limit), d, axis=1)
            ours = lambda: travel_time_matrix(road, origins, destinations, cutoff=cutoff, check_components=False)
            ours()  # warm caches (k-d tree, reversed graph)
            t_ours, t_raw, t_floor = (best_of(f, repeat)[0] for f in (ours, raw, floor))
            mib = peak_mib(ours)
            print(f"{'matrice':10} {f'{n_orig}×{n_dest}':>14} {str(cutoff or '-'):>7} {t_ours:11.3f} {t_raw:9.3f} "
                  f"{t_floor:9.3f} {t_ours / t_raw:8.2f} {t_ours / t_floor:8.2f} {mib:8.0f} "
                  f"{n_orig * n_dest * 8 / 2**20:13.0f}")
            near = lambda: nearest(road, origins, destinations, cutoff=cutoff, check_components=False)
            near()
            raw_near = lambda: dijkstra(road.reverse, indices=d_u, limit=limit, min_only=True)
            t_near, t_raw_near = best_of(near, repeat)[0], best_of(raw_near, repeat)[0]
            print(f"{'plus proche':10} {f'{n_orig}×{n_dest}':>14} {str(cutoff or '-'):>7} {t_near:11.3f} "
                  f"{t_raw_near:9.3f} {'':>9} {t_near / t_raw_near:8.2f} {'':>8} {peak_mib(near):8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args()
    shared = shared_data_dir()
    if shared is None:
        raise SystemExit("shared/data absent: the benchmark needs the Lot graph and the Andorra extract")
    repeat = 2 if args.quick else 5
    sizes = [(300, 300), (3000, 300)] if args.quick else [(300, 300), (30_000, 300), (300, 30_000)]
    lot = compile_graph(load_edge_list(shared / "roads" / "travelmapping_edges_lot_bbox.csv"))
    run("Lot A/N/D", lot, sizes, [None, 15.0], repeat)
    andorra = compile_graph(graph_from_osm_file(shared / "osm" / "andorra.osm.gz", simplify=False))
    run("Andorre OSM drive (non simplifié)", andorra, sizes, [None, 10.0], repeat)


if __name__ == "__main__":
    main()
