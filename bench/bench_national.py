"""Benchmark: the national batch by département (halo partitions, Dask) and its projection to France.

Not a test: a script that prints tables. ``python bench/bench_national.py [--spacing 250]
[--no-dask]``. Needs ``../shared/data`` (commune contours of seven départements, the ANCT
France services list, the Lot's Filosofi 200 m cells).

Part 1, the seven départements of ``shared/data/communes`` (2,161 commune points) on the
synthetic road-like network (``maillage.geo.ROAD_LIKE``, 1 km step, ``--spacing1 250`` for
partitions of national-resolution size): France services within 30 min (nearest + every pair within
30 min) and nearest EAJE (proxy), all in the same run:

- baseline A: the whole territory as ONE partition in this process (one graph, every site);
- partitions by département with the 30-min halo, one after the other in this process;
- the same on a Dask LocalCluster of 2 worker processes (cluster start-up timed apart);
- the same on a TCP cluster of separate OS processes started with distributed's ``dask``
  command, as on remote machines (``dask scheduler`` + 2 × ``dask worker --nworkers 1
  --nthreads 1`` on 127.0.0.1; start-up, imports and the worker checks timed apart).

Results are checked equal (bit for bit) across the three.

Part 2, one département at national resolution, for the projection: the Lot's 23,676
inhabited Filosofi 200 m cells (real) as origins, on a synthetic network of ``--spacing``
metres (250 m: ≈ 0.6 M nodes in the partition, the size of a simplified OSM drive graph of a
département plus its halo), real France services, EAJE proxy. Per-step times, pairs within
30 min, Parquet and GeoPackage bytes per pair and write times, peak memory (tracemalloc).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import pandas as pd

from maillage.analysis import make_partitions, merge_partitions, run_partition, whole_territory
from maillage.geo import synthetic_road_graph
from maillage.national import (
    eaje_sites,
    france_services_sites,
    national_inputs,
    run_partitions,
    write_pairs,
    write_parquet,
)
from maillage.settings import METRIC_CRS, shared_data_dir

MINUTES = 30.0


def part_one(use_dask: bool, use_tcp: bool = True, spacing: float = 1000.0) -> None:
    print(f"## Seven départements, synthetic road-like {spacing:g} m network, 30 min\n")
    clock = time.perf_counter()
    inputs = national_inputs(spacing_m=spacing)
    print(f"inputs (communes, FS, EAJE proxy, synthetic graph {inputs.road.n_nodes:,} nodes): "
          f"{time.perf_counter() - clock:.1f} s\n")
    services = inputs.services

    clock = time.perf_counter()
    whole = run_partition(whole_territory(inputs.road, inputs.origins, services, MINUTES,
                                          pairs_kinds=["france_services"]))
    t_whole = time.perf_counter() - clock

    clock = time.perf_counter()
    parts = make_partitions(inputs.road, inputs.origins, services, MINUTES,
                            pairs_kinds=["france_services"])
    t_cut = time.perf_counter() - clock
    clock = time.perf_counter()
    sequential = run_partitions(parts, workers=1)
    t_seq = time.perf_counter() - clock
    same = merge_partitions(sequential).equals(merge_partitions([whole]))
    print("| run | seconds | ratio to baseline A |\n|---|---|---|")
    print(f"| A: whole territory, one partition, this process | {t_whole:.2f} | 1.00 |")
    print(f"| cutting into {len(parts)} partitions (halo {parts[0].halo_m / 1000:.1f} km) | "
          f"{t_cut:.2f} | |")
    print(f"| partitions one after the other, this process | {t_seq:.2f} | "
          f"{t_whole / t_seq:.2f} |")
    if use_dask:
        for label, t_start, t_import, t_check, t_cold, t_warm, rounds in (
                dask_runs(parts, tcp=use_tcp)):
            for results in rounds:
                same &= merge_partitions(results).equals(merge_partitions([whole]))
            print(f"| {label} (start {t_start:.1f} s + imports {t_import:.1f} s + worker "
                  f"checks {t_check:.2f} s apart): first round | {t_cold:.2f} | "
                  f"{t_whole / t_cold:.2f} |")
            print(f"| the same, second round (warm workers) | {t_warm:.2f} | "
                  f"{t_whole / t_warm:.2f} |")
    print(f"\nresults equal bit for bit: {same}\n")
    print("| département | communes | nodes | sites | pairs ≤ 30 min | nearest FS s | pairs FS s "
          "| nearest EAJE s | total s |\n|---|---|---|---|---|---|---|---|---|")
    for r in sequential:
        s = r.seconds
        print(f"| {r.name} | {r.sizes['origins']} | {r.sizes['nodes']:,} | {r.sizes['sites']} | "
              f"{r.sizes['pairs']:,} | {s['nearest_france_services']:.2f} | "
              f"{s['pairs_france_services']:.2f} | {s['nearest_eaje']:.2f} | {s['total']:.2f} |")
    print()


def _timed_dask(client, parts) -> tuple[float, float, float, list]:
    """Worker checks, then every partition's task twice: the first round on fresh workers
    (first uses: lazy imports, PROJ database…), the second warm.
    (check s, first round s, second round s, results of both rounds)."""
    from maillage.cluster import check_workers
    from maillage.national import partition_task

    clock = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        check_workers(client, folder)
    t_check = time.perf_counter() - clock
    rounds, results = [], []
    for _ in range(2):
        clock = time.perf_counter()
        results.append(client.gather(client.map(partition_task, parts, pure=False)))
        rounds.append(time.perf_counter() - clock)
    return t_check, rounds[0], rounds[1], results


def dask_runs(parts, *, tcp: bool):
    """The partitions on a LocalCluster of 2 processes, then on a TCP cluster of separate OS
    processes (``dask scheduler`` + 2 × ``dask worker --nworkers 1 --nthreads 1``, as on
    remote machines): (label, start s, imports s, checks s, first round s, second round s,
    results of both rounds) each."""
    from maillage.national import dask_client

    def warm(client) -> float:
        clock = time.perf_counter()
        client.run(lambda: __import__("maillage.national") and None)
        return time.perf_counter() - clock

    clock = time.perf_counter()
    with dask_client(workers=2) as client:
        t_start = time.perf_counter() - clock
        t_import = warm(client)
        yield ("Dask LocalCluster, 2 worker processes", t_start, t_import,
               *_timed_dask(client, parts))
    if not tcp:
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.base.dask_processes import DASK, ProcessCluster

    if DASK is None:
        print("| TCP cluster: « dask » command absent, not measured | | |")
        return
    with tempfile.TemporaryDirectory() as folder:
        processes = ProcessCluster(Path(folder))
        try:
            clock = time.perf_counter()
            processes.start_scheduler()
            processes.start_worker("w1")
            processes.start_worker("w2")
            processes.wait_workers(2)
            t_start = time.perf_counter() - clock
            with dask_client(processes.address) as client:
                t_import = warm(client)
                yield (f"Dask TCP cluster {processes.address}: dask scheduler + 2 dask "
                       "worker processes", t_start, t_import, *_timed_dask(client, parts))
        finally:
            processes.close()


def lot_cells(shared: Path) -> gpd.GeoDataFrame:
    cells = pd.read_csv(shared / "population" / "filosofi2021_200m_lot.csv",
                        dtype={"code_insee": str, "epci_siren": str})
    points = gpd.GeoSeries(gpd.points_from_xy(cells["x"], cells["y"]), crs="EPSG:3035")
    return gpd.GeoDataFrame({
        "commune": cells["code_insee"].to_numpy(), "departement": "46",
        "epci": cells["epci_siren"].to_numpy(), "population": cells["ind"].to_numpy(float)},
        index=pd.Index([f"c{i}" for i in range(len(cells))], dtype="str"),
        geometry=points.to_crs("EPSG:4326").to_numpy(), crs="EPSG:4326")


def part_two(spacing: float) -> None:
    shared = shared_data_dir()
    origins = lot_cells(shared)
    print(f"## One département at national resolution: the Lot's {len(origins):,} Filosofi "
          f"200 m cells, synthetic {spacing:g} m network\n")
    xmin, ymin, xmax, ymax = origins.to_crs(METRIC_CRS).total_bounds
    margin = 52_000.0
    clock = time.perf_counter()
    road = synthetic_road_graph((xmin - margin, ymin - margin, xmax + margin, ymax + margin),
                                spacing_m=spacing)
    t_graph = time.perf_counter() - clock
    fs = france_services_sites(shared)
    eaje, _ = eaje_sites(origins.drop_duplicates("commune"), fs)
    tracemalloc.start()
    clock = time.perf_counter()
    (part,) = make_partitions(road, origins, {"france_services": fs, "eaje": eaje}, MINUTES,
                              pairs_kinds=["france_services"])
    t_cut = time.perf_counter() - clock
    result = run_partition(part)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    with tempfile.TemporaryDirectory() as tmp:
        clock = time.perf_counter()
        path = write_parquet(result.pairs["france_services"], Path(tmp) / "p.parquet")
        t_write = time.perf_counter() - clock
        size = os.path.getsize(path)
        clock = time.perf_counter()
        path = write_pairs(result.pairs["france_services"], tmp, "p", "gpkg",
                           origins=part.origins, minutes=MINUTES)
        t_gpkg = time.perf_counter() - clock
        gpkg_size = os.path.getsize(path)
        tracemalloc.start()  # again, for memory only (tracemalloc slows allocations)
        write_pairs(result.pairs["france_services"], tmp, "p", "gpkg", origins=part.origins,
                    minutes=MINUTES)
        gpkg_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    pairs = result.sizes["pairs"]
    s = result.seconds
    print("| step | value |\n|---|---|")
    print(f"| synthetic graph built ({road.n_nodes:,} nodes, {road.matrix.nnz:,} arcs) | "
          f"{t_graph:.1f} s |")
    print(f"| partition cut (halo {part.halo_m / 1000:.1f} km): {part.road.n_nodes:,} nodes, "
          f"{part.road.matrix.nnz:,} arcs, {len(part.services['france_services'])} FS, "
          f"{len(part.services['eaje'])} EAJE | {t_cut:.1f} s |")
    print(f"| nearest France services, {len(origins):,} cells | "
          f"{s['nearest_france_services']:.2f} s |")
    print(f"| every pair cell × FS within 30 min ({pairs:,} pairs) | "
          f"{s['pairs_france_services']:.2f} s |")
    print(f"| nearest EAJE | {s['nearest_eaje']:.2f} s |")
    print(f"| partition total | {s['total']:.2f} s |")
    print(f"| Parquet write | {t_write:.2f} s, {size / max(pairs, 1):.1f} bytes per pair |")
    print(f"| GeoPackage write (pairs at their origin's point, spatial index) | {t_gpkg:.2f} s, "
          f"{gpkg_size / max(pairs, 1):.1f} bytes per pair, peak Python memory "
          f"{gpkg_peak / 2**20:.0f} MiB |")
    print(f"| peak Python memory (tracemalloc, cut + run) | {peak / 2**20:.0f} MiB |")
    france_cells, france_parts = 2_300_000, 96
    per_part = s["total"] + t_cut
    print(f"\nProjection to France ({france_parts} partitions like this one, ≈ "
          f"{france_cells / 1e6:.1f} M cells): {france_parts} × {per_part:.0f} s = "
          f"{france_parts * per_part / 60:.0f} min on one core, "
          f"{france_parts * per_part / 60 / 2:.0f} min on 2 workers, "
          f"{france_parts * per_part / 60 / 32:.1f} min on 32; "
          f"{pairs / len(origins):.1f} pairs per cell → "
          f"{pairs / len(origins) * france_cells / 1e6:.0f} M pairs, "
          f"{pairs / len(origins) * france_cells * size / max(pairs, 1) / 2**30:.2f} GiB of Parquet.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spacing", type=float, default=250.0)
    parser.add_argument("--spacing1", type=float, default=1000.0,
                        help="step of part 1's synthetic network, metres")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--no-tcp", action="store_true",
                        help="skip the TCP cluster of dask scheduler/worker processes")
    parser.add_argument("--part", type=int, choices=[1, 2])
    args = parser.parse_args()
    if args.part in (None, 1):
        part_one(not args.no_dask, not args.no_tcp, args.spacing1)
    if args.part in (None, 2):
        part_two(args.spacing)


if __name__ == "__main__":
    main()
