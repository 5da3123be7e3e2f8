"""Benchmark: full travel-time matrices on real road networks, maillage vs named baselines.

Not a test: a script that prints a table. Run ``python bench/bench_travel_times.py``
(``--quick`` for a smaller run). Needs ``../shared/data`` and the ``bench`` extra
(``pip install -e ".[bench]"``: python-igraph).

Every method runs in the same process on the same machine, one after the other:

- ``maillage``: :func:`maillage.geo.travel_time_matrix` (snapping + access legs included),
  graph compiled beforehand (compile time printed apart).
- ``scipy csgraph``: the raw :func:`scipy.sparse.csgraph.dijkstra` call on the same CSR
  matrix and snapped nodes (no snapping, no DataFrame): the kernel maillage orchestrates.
- ``igraph``: ``Graph.distances`` (C, Dijkstra) from the same nodes (graph build not timed).
- ``pandana``: ``Network.shortest_path_lengths`` (contraction hierarchies, C++) on the same
  matrix given as a list of pairs; its preprocessing is printed apart, not timed.
- ``networkx per pair``: ``nx.shortest_path_length(G, o, d, weight="travel_time")`` for each
  pair, as in the osmnx tutorials; timed on a sample of pairs, extrapolated to the matrix.
- ``networkx per source``: ``nx.single_source_dijkstra_path_length`` once per destination on
  the reversed graph; timed on a sample of sources, extrapolated.

Extrapolated rows say so. The sampled networkx times are checked against maillage's matrix.
"""

from __future__ import annotations

import argparse
import warnings

import geopandas as gpd
import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from maillage.geo import compile_graph, graph_from_osm_file, load_edge_list, population_points, travel_time_matrix
from maillage.geo.snapping import snap
from maillage.settings import shared_data_dir
from timing import best_of, peak_mib


def jittered_nodes(graph, count: int, seed: int) -> gpd.GeoSeries:
    """Points 0–50 m away from random graph nodes (stand-ins for addresses), EPSG:4326."""
    rng = np.random.default_rng(seed)
    nodes = rng.choice(list(graph.nodes), count, replace=False)
    x = np.array([graph.nodes[n]["x"] for n in nodes]) + rng.uniform(-4e-4, 4e-4, count)
    y = np.array([graph.nodes[n]["y"] for n in nodes]) + rng.uniform(-3e-4, 3e-4, count)
    return gpd.GeoSeries.from_xy(x, y, crs="EPSG:4326", index=[f"p{i}" for i in range(count)])


def cases(shared, quick: bool):
    """(name, graph, origins, destinations, description) of each benchmark network."""
    lot = load_edge_list(shared / "roads" / "travelmapping_edges_lot_bbox.csv")
    communes = gpd.read_file(shared / "communes" / "communes-46-lot.geojson").set_index("code")
    cells = population_points(communes, shared / "population" / "filosofi2015_1km_lot.csv")
    centres = communes.representative_point()
    yield "Lot A/N/D", lot, cells, centres, "4 595 carreaux 1 km habités × 320 chefs-lieux de commune"
    osm = shared / "osm" / "andorra.osm.gz"
    n_orig, n_dest = (500, 100) if quick else (2000, 300)
    for kind in ("drive", "walk"):
        graph = graph_from_osm_file(osm, simplify=False, network_type=kind)
        yield (f"Andorre OSM {kind} (non simplifié)", graph, jittered_nodes(graph, n_orig, 1),
               jittered_nodes(graph, n_dest, 2), f"{n_orig} points × {n_dest} points")  # fmt: skip


def networkx_rates(graph, orig_nodes, dest_nodes, minutes, sample: int, rng):
    """Pairs/s of networkx per pair and per source, and the largest gap to maillage (minutes)."""
    o_idx = rng.integers(0, len(orig_nodes), sample)
    d_idx = rng.integers(0, len(dest_nodes), sample)

    def per_pair():
        out = []
        for i, j in zip(o_idx, d_idx):
            try:
                out.append(nx.shortest_path_length(graph, orig_nodes[i], dest_nodes[j], weight="travel_time"))
            except nx.NetworkXNoPath:
                out.append(np.inf)
        return np.array(out)

    pair_s, pair_seconds = best_of(per_pair)
    reverse = graph.reverse(copy=False)
    sources = rng.choice(len(dest_nodes), min(sample // 10, len(dest_nodes)), replace=False)
    source_s, _ = best_of(lambda: [nx.single_source_dijkstra_path_length(reverse, dest_nodes[j], weight="travel_time")
                                 for j in sources])  # fmt: skip
    network_min = minutes.to_numpy() - minutes.attrs["_access"]
    ours, theirs = network_min[o_idx, d_idx], pair_seconds / 60.0
    assert np.array_equal(np.isinf(ours), np.isinf(theirs)), "maillage and networkx disagree on reachability"
    finite = np.isfinite(theirs)
    gap = np.max(np.abs(ours[finite] - theirs[finite]), initial=0.0)
    return sample / pair_s, len(sources) * len(orig_nodes) / source_s, gap


def pandana_row(road, o_u, d_u, pairs: int, repeat: int):
    """pandana (contraction hierarchies, C++/OpenMP): the same matrix as a list of pairs."""
    try:
        import pandana
    except ImportError:
        return ("pandana shortest_path_lengths", np.nan, pairs, "", "non installé")
    import pandas as pd

    coo = road.matrix.tocoo()
    weights = pd.DataFrame({"travel_time": coo.data})
    build_s, net = best_of(lambda: pandana.Network(pd.Series(road.lon), pd.Series(road.lat), pd.Series(coo.row),
                                                 pd.Series(coo.col), weights, twoway=False))  # fmt: skip
    sources, targets = np.repeat(d_u, len(o_u)), np.tile(o_u, len(d_u))
    with warnings.catch_warnings():  # pandana warns (with every pair listed) about unreachable pairs
        warnings.simplefilter("ignore", UserWarning)
        query_s, lengths = best_of(lambda: net.shortest_path_lengths(targets, sources), repeat)
    expected = dijkstra(road.matrix, indices=o_u)[:, d_u].T.ravel()
    finite = np.isfinite(expected)
    gap = np.max(np.abs(np.asarray(lengths)[finite] - expected[finite]), initial=0.0) / 60.0
    return ("pandana shortest_path_lengths", query_s, pairs, "", f"prétraitement {build_s:.1f} s ; écart {gap:.1e} min")


def run_case(name, graph, origins, destinations, what, sample: int, repeat: int):
    rows = []
    pairs = len(origins) * len(destinations)
    compile_s, road = best_of(lambda: compile_graph(graph))
    engine_s, minutes = best_of(lambda: travel_time_matrix(road, origins, destinations, check_components=False), repeat)
    snapping = minutes.attrs["snapping"]
    access = snapping["access_min"].to_numpy()
    minutes.attrs["_access"] = access[: len(origins), None] + access[None, len(origins) :]
    engine_mib = peak_mib(lambda: travel_time_matrix(road, origins, destinations, check_components=False))
    o = snap(road, origins, check_components=False)["node"].to_numpy()
    d = snap(road, destinations, role="destination", check_components=False)["node"].to_numpy()
    o_u, d_u = np.unique(o), np.unique(d)
    scipy_s, _ = best_of(lambda: dijkstra(road.reverse, indices=d_u)[:, o_u], repeat)
    rows.append(("maillage travel_time_matrix", engine_s, pairs, f"{engine_mib:.0f}", ""))
    rows.append(("scipy csgraph dijkstra (brut)", scipy_s, pairs, "", ""))
    try:
        import igraph as ig

        coo = road.matrix.tocoo()
        ig_graph = ig.Graph(n=road.n_nodes, edges=np.column_stack([coo.row, coo.col]).tolist(), directed=True)
        weights = coo.data.tolist()
        igraph_s, _ = best_of(lambda: ig_graph.distances(source=d_u.tolist(), target=o_u.tolist(), weights=weights, mode="in"), repeat)  # fmt: skip
        rows.append(("igraph distances", igraph_s, pairs, "", ""))
    except ImportError:
        rows.append(("igraph distances", np.nan, pairs, "", "non installé"))
    rows.append(pandana_row(road, o_u, d_u, pairs, repeat))
    ids = road.node_ids
    pair_rate, source_rate, gap = networkx_rates(graph, ids[o], ids[d], minutes, sample, np.random.default_rng(7))
    rows.append(("networkx par paire (tutoriels osmnx)", pairs / pair_rate, pairs, "", f"extrapolé ({sample} paires)"))
    rows.append(("networkx par source (graphe inversé)", pairs / source_rate, pairs, "", "extrapolé (échantillon)"))
    header = (f"\n## {name} : {road.n_nodes:,} nœuds, {road.matrix.nnz:,} arcs ; {what} = {pairs:,} paires ; "
              f"compilation {compile_s:.2f} s ; écart max. à networkx {gap:.1e} min")  # fmt: skip
    print(header.replace(",", " "))
    print(f"{'méthode':40} {'secondes':>10} {'paires/s':>14} {'× networkx/paire':>17} {'× maillage':>11} {'pic MiB':>8}  note")
    reference, ours = rows[4][1], rows[0][1]
    for label, seconds, n, mib, note in rows:
        rate = n / seconds if seconds else np.nan
        print(f"{label:40} {seconds:10.3f} {rate:14,.0f} {reference / seconds:17.1f} {seconds / ours:11.2f} {mib:>8}  {note}")
    return road.n_nodes, road.matrix.nnz, len(d_u), scipy_s


def scaling(results, graphs):
    """Per-source Dijkstra time against graph size, and a cutoff run."""
    print("\n## Passage à l'échelle (scipy, un Dijkstra complet par source)")
    print(f"{'réseau':40} {'nœuds':>8} {'arcs':>8} {'ms/source':>10} {'ms/source, limite 15 min':>25}")
    for (name, graph), (n, m, sources, seconds) in zip(graphs, results):
        road = compile_graph(graph)
        starts = np.arange(0, road.n_nodes, max(1, road.n_nodes // 200))[:200]
        cut_s, _ = best_of(lambda: dijkstra(road.matrix, indices=starts, limit=900.0))
        print(f"{name:40} {n:8,} {m:8,} {1000 * seconds / sources:10.2f} {1000 * cut_s / len(starts):25.2f}".replace(",", " "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples, one repeat")
    args = parser.parse_args()
    shared = shared_data_dir()
    if shared is None:
        raise SystemExit("shared/data absent: the benchmark needs the real networks of ../shared/data")
    sample, repeat = (200, 1) if args.quick else (1000, 5)
    results, graphs = [], []
    for name, graph, origins, destinations, what in cases(shared, args.quick):
        results.append(run_case(name, graph, origins, destinations, what, sample, repeat))
        graphs.append((name, graph))
    scaling(results, graphs)


if __name__ == "__main__":
    main()
