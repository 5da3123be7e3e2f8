"""Benchmark: building the compiled road graph from a file, without networkx vs through networkx.

Not a test: a script that prints a table. ``python bench/bench_graph_build.py`` (options:
``--sizes 250000 1000000 4000000``, ``--networkx-max 1000000``, ``--folder DIR``).

Synthetic road-like ``.osm.pbf`` files (``bench/synthetic_osm.py``: ≈ 2.2 arcs per node, as
real unsimplified OSM drive graphs) of each size are written once (kept in ``--folder``).
Each build runs in a fresh child process (its peak resident memory is then its own,
``ru_maxrss``, imports included; the child is capped at ``--max-gb`` of address space and
``--timeout`` seconds). Methods, same files, same run:

- ``pbf``: :func:`maillage.geo.road_graph_from_osm_file` (pyosmium C++ passes + numpy);
- ``networkx``: the networkx route, ``graph_from_osm_file(path, simplify=False)`` (osmnx
  ``graph_from_xml``) then ``compile_graph`` — only up to ``--networkx-max`` nodes;
- ``graphml``: :func:`maillage.geo.road_graph_from_graphml` on a GraphML written from the
  same graph (osmnx layout: node x/y, edge length/highway/travel_time), and
  ``graphml-networkx``: ``load_network`` + ``compile_graph`` on it (up to ``--networkx-max``).

Each child also reports the times from three fixed OSM nodes to every node (sum and count
of finite times): equal sums say the routes build the same graph. The networkx child reports
the resident memory held by the networkx graph alone (bytes per node), and every child the
bytes of the compiled arrays (CSR both ways, coordinates, ids): the memory model of
docs/engine.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def rss_mb() -> float:
    """Current resident memory of this process, MiB."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def road_bytes(road) -> dict:
    """Bytes of the compiled graph's arrays (the reverse CSR built as the engine builds it)."""
    _ = road.reverse
    csr = sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in (road.matrix, road.reverse))
    nodes = sum(a.nbytes for a in (road.lon, road.lat, road.x, road.y, road.reaches_main,
                                   road.reached_from_main))
    ids = road.node_ids.nbytes
    return {"csr_bytes": csr, "node_bytes": nodes, "id_bytes": ids}


def child(method: str, path: Path) -> dict:
    """Build the graph with ``method``; report time, memory, size and a checksum of times."""
    import numpy as np

    from maillage.geo import (
        compile_graph,
        graph_from_osm_file,
        load_network,
        road_graph_from_graphml,
        road_graph_from_osm_file,
    )

    gc.collect()
    base = rss_mb()
    report: dict = {"method": method, "baseline_mb": base}
    start = time.perf_counter()
    if method == "pbf":
        road = road_graph_from_osm_file(path)
    elif method == "graphml":
        road = road_graph_from_graphml(path)
    else:
        graph = graph_from_osm_file(path, simplify=False) if method == "networkx" else load_network(path)
        report["graph_seconds"] = time.perf_counter() - start
        gc.collect()
        report["networkx_graph_mb"] = rss_mb() - base
        report["networkx_bytes_per_node"] = report["networkx_graph_mb"] * 2**20 / len(graph)
        road = compile_graph(graph)
    report["seconds"] = time.perf_counter() - start
    report["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.update(nodes=road.n_nodes, arcs=int(road.matrix.nnz), **road_bytes(road))
    ids = np.asarray(road.node_ids.tolist(), dtype=np.int64)
    order = np.argsort(ids)
    sources = order[[0, len(ids) // 2, len(ids) - 1]]
    times = road.times(sources)
    finite = np.isfinite(times)
    report.update(check_sum=float(times[finite].sum()), check_count=int(finite.sum()))
    if method == "pbf" and os.environ.get("BENCH_WRITE_GRAPHML"):
        write_graphml(road, Path(os.environ["BENCH_WRITE_GRAPHML"]))
    return report


def write_graphml(road, target: Path) -> None:
    """A GraphML in osmnx's layout (node x/y, edge length/highway/travel_time) from a RoadGraph."""
    coo = road.matrix.tocoo()
    with open(target, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n'
                  '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
                  '<key id="d0" for="graph" attr.name="crs" attr.type="string"/>\n'
                  '<key id="d1" for="node" attr.name="y" attr.type="string"/>\n'
                  '<key id="d2" for="node" attr.name="x" attr.type="string"/>\n'
                  '<key id="d3" for="edge" attr.name="highway" attr.type="string"/>\n'
                  '<key id="d4" for="edge" attr.name="travel_time" attr.type="string"/>\n'
                  '<graph edgedefault="directed"><data key="d0">epsg:4326</data>\n')
        ids = road.node_ids.tolist()
        for node, x, y in zip(ids, road.lon.tolist(), road.lat.tolist()):
            out.write(f'<node id="{node}"><data key="d1">{y!r}</data><data key="d2">{x!r}</data></node>\n')
        for u, v, w in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist()):
            out.write(f'<edge source="{ids[u]}" target="{ids[v]}"><data key="d3">residential</data>'
                      f'<data key="d4">{w!r}</data></edge>\n')
        out.write("</graph></graphml>\n")


def run_child(method: str, path: Path, max_gb: float, timeout: float, env=None) -> dict:
    """Run :func:`child` in a fresh, memory-capped process."""
    limit = int(max_gb * 2**30)

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    command = [sys.executable, __file__, "--child", method, str(path)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              preexec_fn=cap, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        return {"method": method, "error": f"plus de {timeout:.0f} s"}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"method": method, "error": tail[:120]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250_000, 1_000_000, 4_000_000])
    parser.add_argument("--networkx-max", type=int, default=1_000_000)
    parser.add_argument("--graphml-max", type=int, default=1_000_000)
    parser.add_argument("--graphml-networkx-max", type=int, default=None,
                        help="largest size for load_network on the GraphML (default --networkx-max)")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/maillage-bench-graph"))
    parser.add_argument("--max-gb", type=float, default=9.0)
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return
    sys.path.insert(0, str(HERE))
    from synthetic_osm import synthetic_osm

    args.folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        pbf = args.folder / f"synthetic-{size}.osm.pbf"
        if not pbf.exists():
            made = synthetic_osm(pbf, size)
            print(f"écrit {pbf.name}: {made['nodes']:,} nœuds, {made['ways']:,} voies, "
                  f"{made['seconds']:.1f} s", flush=True)
        graphml = args.folder / f"synthetic-{size}.graphml"
        env = {"BENCH_WRITE_GRAPHML": str(graphml)} if size <= args.graphml_max and \
            not graphml.exists() else None
        runs = [("pbf", pbf, env)]
        if size <= args.networkx_max:
            runs.append(("networkx", pbf, None))
        if size <= args.graphml_max:
            runs += [("graphml", graphml, None)]
            limit = args.networkx_max if args.graphml_networkx_max is None else args.graphml_networkx_max
            if size <= limit:
                runs.append(("graphml-networkx", graphml, None))
        for method, path, extra in runs:
            result = run_child(method, path, args.max_gb, args.timeout, extra)
            result["size"] = size
            rows.append(result)
            print(json.dumps(result), flush=True)
    print("\n| size | method | nodes | arcs | build s | peak MiB (imports incl.) | peak − baseline | "
          "compiled B/node | networkx graph B/node | checksum |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['size']:,} | {r['method']} | — | — | {r['error']} | | | | | |")
            continue
        per_node = (r["csr_bytes"] + r["node_bytes"] + r["id_bytes"]) / r["nodes"]
        nx_bytes = f"{r['networkx_bytes_per_node']:,.0f}" if "networkx_bytes_per_node" in r else ""
        print(f"| {r['size']:,} | {r['method']} | {r['nodes']:,} | {r['arcs']:,} | {r['seconds']:.1f} | "
              f"{r['peak_mb']:,.0f} | {r['peak_mb'] - r['baseline_mb']:,.0f} | {per_node:.0f} | {nx_bytes} | "
              f"{r['check_sum']:.6e}/{r['check_count']} |")
    for size in args.sizes:
        by = {r["method"]: r for r in rows if r["size"] == size and "error" not in r}
        for ours, theirs in (("pbf", "networkx"), ("graphml", "graphml-networkx")):
            if ours in by and theirs in by:
                a, b = by[ours], by[theirs]
                same = a["check_sum"] == b["check_sum"] and a["check_count"] == b["check_count"]
                print(f"{size:,} {ours} vs {theirs}: {b['seconds'] / a['seconds']:.1f}× faster, "
                      f"peak {b['peak_mb'] / a['peak_mb']:.1f}× lower; same times: {same}")


if __name__ == "__main__":
    main()
