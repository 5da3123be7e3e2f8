"""Benchmark: Dijkstra on several processes (shared-memory CSR) against one process.

Not a test: a script that prints a table. ``python bench/bench_engine_cores.py [--quick]``
(the Lot graph needs ``../shared/data``; the synthetic grids do not).

Named baseline, same run, same process: ``RoadGraph.times(..., workers=1)`` (scipy's Dijkstra,
which holds the GIL: one core). Against it ``workers=2`` (and every core of the machine when
there are more): the sources split in chunks over worker processes that map the graph's CSR
and the result from :mod:`multiprocessing.shared_memory`; pool start-up and the copy of the
graph into shared memory are *included* in the parallel time. Every row checks that the
results are identical bit for bit. The machine's load average is printed with each row: on a
shared machine the ratio is depressed (the other processes take the second core); re-run it on
an idle machine for the real figure.

A last table sets the time per full source against networkx's best usage,
``nx.single_source_dijkstra_path_length`` from a few sources of the same grid (a ``DiGraph``
with the same arcs and weights; the times checked equal to maillage's, bit for bit).
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from maillage.geo import compile_graph, graph_from_arrays, load_edge_list
from maillage.settings import shared_data_dir
from timing import best_of


def road_like_grid(side: int, seed: int = 0):
    """A side × side grid of junctions 150 m apart, 30–90 km/h streets, 20 % one-way."""
    rng = np.random.default_rng(seed)
    n = side * side
    i, j = np.divmod(np.arange(n), side)
    u, v = [], []
    for di, dj in [(1, 0), (0, 1)]:
        ok = np.flatnonzero((i + di < side) & (j + dj < side))
        u.append(ok), v.append(ok + di * side + dj)
        both = rng.random(len(ok)) > 0.2
        u.append(ok[both] + di * side + dj), v.append(ok[both])
    u, v = np.concatenate(u), np.concatenate(v)
    seconds = 150.0 / (rng.uniform(30, 90, len(u)) / 3.6)
    return graph_from_arrays(np.arange(n), 1.0 + 0.0019 * i, 44.0 + 0.00135 * j, u, v, seconds)


def row(name, road, n_sources, n_targets, limit, workers, repeat):
    rng = np.random.default_rng(1)
    sources = rng.choice(road.n_nodes, n_sources, replace=False)
    targets = rng.integers(0, road.n_nodes, n_targets)
    one_s, one = best_of(lambda: road.times(sources, targets, limit=limit, workers=1), repeat)
    load = os.getloadavg()[0]
    cells = []
    for count in workers:
        many_s, many = best_of(lambda: road.times(sources, targets, limit=limit, workers=count), repeat)
        same = "oui" if np.array_equal(one, many) else "NON"
        cells.append(f"{count} proc. {many_s:7.2f} s  × {one_s / many_s:4.2f} ({same})")
    limit_txt = "-" if np.isinf(limit) else f"{limit / 60:.0f} min"
    print(f"{name:26} {road.n_nodes:>10,} {f'{n_sources}×{n_targets}':>12} {limit_txt:>7} {one_s:8.2f} s  "
          f"{'  '.join(cells)}  charge {load:.1f}".replace(",", " "))


def versus_networkx(road, n_sources: int, workers, repeat: int) -> None:
    """Seconds per full source: networkx single-source against maillage on 1 and more processes."""
    import networkx as nx

    graph = nx.DiGraph()
    coo = road.matrix.tocoo()
    graph.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()),
                                  weight="travel_time")
    rng = np.random.default_rng(2)
    sample = rng.choice(road.n_nodes, 5, replace=False)
    nx_s, lengths = best_of(lambda: [nx.single_source_dijkstra_path_length(graph, int(s), weight="travel_time")
                                     for s in sample], 1)
    ours = road.times(sample)
    same = all(np.array_equal(ours[k, list(d)], list(d.values())) and np.isfinite(ours[k]).sum() == len(d)
               for k, d in enumerate(lengths))
    per_nx = nx_s / len(sample)
    sources = rng.choice(road.n_nodes, n_sources, replace=False)
    cells = [f"networkx {per_nx * 1000:7.1f} ms/source (égal : {'oui' if same else 'NON'})"]
    for count in [1, *workers]:
        t, _ = best_of(lambda: road.times(sources, workers=count), repeat)
        cells.append(f"{count} proc. {t / n_sources * 1000:6.2f} ms/source, × {per_nx / (t / n_sources):5.1f}")
    print(f"{'':26} {road.n_nodes:>10,} ".replace(",", " ") + "  ".join(cells)
          + f"  charge {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller graphs, one repeat")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    workers = sorted({2, os.cpu_count() or 1} - {1})
    print(f"{os.cpu_count()} cœurs ; charge moyenne au départ {os.getloadavg()[0]:.1f}")
    print(f"{'réseau':26} {'nœuds':>10} {'sources×cibles':>12} {'limite':>7} {'1 processus':>10}  parallèle")
    shared = shared_data_dir()
    if shared is not None:
        lot = compile_graph(load_edge_list(shared / "roads" / "travelmapping_edges_lot_bbox.csv"))
        row("Lot A/N/D", lot, 2000, 4595, np.inf, workers, repeat)
    for side in ([300] if args.quick else [300, 700]):
        grid = road_like_grid(side)
        name = f"grille {side}×{side}"
        row(name, grid, 200 if args.quick else 400, 3000, np.inf, workers, repeat)
        row(name, grid, 2000 if args.quick else 4000, 3000, 900.0, workers, repeat)
    print("\nPar source complète, contre networkx (single_source_dijkstra_path_length) :")
    versus_networkx(road_like_grid(300), 200 if args.quick else 400, workers, repeat)


if __name__ == "__main__":
    main()
