"""Benchmark: many-to-many on large road-like graphs — full and bounded Dijkstra vs pandana (CH).

Not a test: a script that prints tables. ``python bench/bench_many_to_many.py`` (options:
``--nodes 500000``, ``--points 300``, ``--tree-sizes 250000 1000000 4000000``,
``--folder DIR``; needs the ``bench`` extra for pandana).

Graph: a synthetic road-like OSM drive network (``bench/synthetic_osm.py``, unsimplified,
≈ 2.2 arcs per node) built with :func:`maillage.geo.road_graph_from_osm_file`. Same run:

1. ``points × points`` full matrix between random nodes: maillage's engine
   (:meth:`RoadGraph.times`: one scipy Dijkstra per source, all nodes), the same bounded by
   15, 30 and 45 minutes (``limit``: what the mission's indicators need), and pandana
   (contraction hierarchies, C++/OpenMP): its preprocessing, then ``shortest_path_lengths``
   on the ``points²`` pairs; the largest gap to exact Dijkstra; the number of such
   matrices after which pandana's preprocessing is paid back.
2. Per-source full-tree Dijkstra time against graph size (the national estimate of
   docs/engine.md): ms per source and ns per node.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
from timing import best_of

HERE = Path(__file__).resolve().parent


def graph_of(folder: Path, size: int):
    """The compiled synthetic graph of about ``size`` nodes (its .osm.pbf written once)."""
    sys.path.insert(0, str(HERE))
    from synthetic_osm import synthetic_osm

    from maillage.geo import road_graph_from_osm_file

    pbf = folder / f"synthetic-{size}.osm.pbf"
    if not pbf.exists():
        synthetic_osm(pbf, size)
    return road_graph_from_osm_file(pbf)


def many_to_many(road, points: int, repeat: int) -> None:
    rng = np.random.default_rng(15)
    main = np.flatnonzero(road.reaches_main & road.reached_from_main)
    chosen = rng.choice(main, 2 * points, replace=False)
    origins, destinations = chosen[:points], chosen[points:]
    print(f"\n## {points} × {points} on {road.n_nodes:,} nodes, {road.matrix.nnz:,} arcs\n")
    print("| method | seconds | note |\n|---|---|---|")
    full_s, exact = best_of(lambda: road.times(origins, destinations), repeat)
    print(f"| maillage, full Dijkstra per source | {full_s:.1f} | {full_s / points * 1000:.0f} ms per source |")
    for minutes in (15, 30, 45):
        bounded_s, bounded = best_of(lambda m=minutes: road.times(origins, destinations, limit=m * 60), repeat)
        within = exact <= minutes * 60
        same = np.array_equal(bounded[within], exact[within]) and np.isinf(bounded[~within]).all()
        print(f"| maillage, bounded {minutes} min | {bounded_s:.2f} | "
              f"{full_s / bounded_s:.0f}× faster than full; {within.mean():.1%} of pairs within; "
              f"identical: {same} |")
    try:
        import pandana
        import pandas as pd
    except ImportError:
        print("| pandana | — | not installed |")
        return
    coo = road.matrix.tocoo()
    build_s, net = best_of(lambda: pandana.Network(
        pd.Series(road.lon), pd.Series(road.lat), pd.Series(coo.row), pd.Series(coo.col),
        pd.DataFrame({"travel_time": coo.data}), twoway=False))
    a, b = np.repeat(origins, points), np.tile(destinations, points)
    with warnings.catch_warnings():  # pandana warns about unreachable pairs
        warnings.simplefilter("ignore", UserWarning)
        query_s, lengths = best_of(lambda: net.shortest_path_lengths(a, b), repeat)
    lengths = np.asarray(lengths, dtype=float).reshape(points, points)
    finite = np.isfinite(exact)
    gap = np.max(np.abs(lengths[finite] - exact[finite])) / 60
    print(f"| pandana preprocessing (contraction hierarchy) | {build_s:.1f} | once per graph |")
    print(f"| pandana shortest_path_lengths, {points * points:,} pairs | {query_s:.2f} | "
          f"largest gap to exact {gap:.2e} min |")
    saving = full_s - query_s
    if saving > 0:
        print(f"\npandana pays its preprocessing back after {build_s / saving:.1f} full "
              f"{points} × {points} matrices (vs maillage unbounded); vs maillage bounded at "
              f"30 min it never does if its query is slower than the bounded search.")


def per_source(folder: Path, sizes, sources: int) -> None:
    from scipy.sparse.csgraph import dijkstra

    print("\n## Full-tree Dijkstra per source against graph size\n")
    print("| nodes | arcs | ms per source (engine) | ms per source (raw scipy) | ns per node |")
    print("|---|---|---|---|---|")
    for size in sizes:
        road = graph_of(folder, size)
        rng = np.random.default_rng(1)
        picked = rng.choice(road.n_nodes, sources, replace=False)
        engine_s, _ = best_of(lambda: road.times(picked[:1]))  # warm-up (reverse, caches)
        engine_s, _ = best_of(lambda: [road.times([s]) for s in picked])
        raw_s, _ = best_of(lambda: [dijkstra(road.matrix, directed=True, indices=[s]) for s in picked])
        per = engine_s / sources
        print(f"| {road.n_nodes:,} | {road.matrix.nnz:,} | {per * 1000:.0f} | "
              f"{raw_s / sources * 1000:.0f} | {per / road.n_nodes * 1e9:.0f} |", flush=True)
        road = None  # free it before building the next size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500_000)
    parser.add_argument("--points", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--tree-sizes", type=int, nargs="*", default=[250_000, 1_000_000, 4_000_000])
    parser.add_argument("--tree-sources", type=int, default=10)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/maillage-bench-graph"))
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    if args.nodes:
        many_to_many(graph_of(args.folder, args.nodes), args.points, args.repeat)
    if args.tree_sizes:
        per_source(args.folder, args.tree_sizes, args.tree_sources)


if __name__ == "__main__":
    main()
