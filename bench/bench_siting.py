"""Benchmark: maillage's siting models (HiGHS through highspy, sparse model) against spopt.

Same instances, same run: spopt's San Francisco test instance (205 tracts × 16 stores,
metres) and random plains of villages (minutes). For each model (MCLP, p-median, set cover)
prints both wall-clock times (model build + solve), the ratio spopt / maillage, and whether
the objective values are equal. The baseline is spopt 0.7 solved with CBC through PuLP (as
spopt's tests do) and, for a solver-neutral comparison, spopt with HiGHS through PuLP.

Run: ``python bench/bench_siting.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.simplefilter("ignore", DeprecationWarning)

import pulp  # noqa: E402
from spopt.locate import LSCP, MCLP, PMedian  # noqa: E402

from maillage.analysis.siting import maximal_coverage, p_median, set_cover  # noqa: E402


def plain(n_points: int, n_sites: int, seed: int = 0):
    """Villages and candidate sites on a square plain; minutes at 60 km/h."""
    rng = np.random.default_rng(seed)
    side = 4 * np.sqrt(n_points)
    villages = rng.uniform(0, side, (n_points, 2))
    sites = rng.uniform(0, side, (n_sites, 2))
    minutes = np.hypot(*(villages[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    weights = rng.integers(1, 100, n_points).astype(float)
    return weights, minutes


def san_francisco():
    import spopt.locate

    folder = Path(spopt.locate.__file__).parent.parent / "tests" / "test_locate" / "data"
    table = pd.read_csv(folder / "SF_network_distance_candidateStore_16_censusTract_205_new.csv")
    distances = table.pivot_table(values="distance", index="DestinationName", columns="name")
    tracts = pd.read_csv(folder / "SF_demand_205_centroid_uniform_weight.csv").sort_values("NAME")
    return tracts["POP2000"].to_numpy(dtype=float), distances.to_numpy()


def timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def ours(model: str, weights, distances, radius: float, p: int) -> float:
    cost = pd.DataFrame(distances)
    demand = pd.Series(weights, index=cost.index)
    if model == "MCLP":
        return maximal_coverage(demand, cost, radius, p, time_limit=300).objective
    if model == "p-median":
        return p_median(demand, cost, p, time_limit=300).objective
    return set_cover(pd.Series(1.0, index=cost.index), cost, radius, time_limit=300).objective


def theirs(model: str, weights, distances, radius: float, p: int, solver) -> float:
    if model == "MCLP":
        problem = MCLP.from_cost_matrix(distances, weights, radius, p)
    elif model == "p-median":
        problem = PMedian.from_cost_matrix(distances, weights, p)
    else:
        problem = LSCP.from_cost_matrix(distances, radius)
    problem.solve(solver)
    return problem.problem.objective.value()


def cover_radius(distances) -> float:
    """Smallest radius (rounded up) at which every demand point has a site: set cover feasible."""
    return float(np.ceil(distances.min(axis=1).max() * 1.2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small instances only")
    args = parser.parse_args()
    instances = [("San Francisco 205×16", *san_francisco(), 5000.0, 4)]
    sizes = [(100, 50), (300, 150)] if args.quick else [(100, 50), (300, 150), (600, 300)]
    for n, m in sizes:
        instances.append((f"plaine {n}×{m}", *plain(n, m), 10.0, max(2, m // 25)))
    warm = instances[0]
    ours("MCLP", warm[1], warm[2], warm[3], warm[4])  # imports and HiGHS start-up, not timed
    theirs("MCLP", warm[1], warm[2], warm[3], warm[4], pulp.PULP_CBC_CMD(msg=False))
    baselines = {"spopt+CBC": pulp.PULP_CBC_CMD(msg=False), "spopt+HiGHS": pulp.HiGHS(msg=False)}
    header = f"{'instance':<22} {'modèle':<9} {'maillage s':>10}"
    for name in baselines:
        header += f" {name + ' s':>14} {'ratio':>7} {'égal':>5}"
    print(header)
    for label, weights, distances, radius, p in instances:
        for model in ("MCLP", "p-median", "set cover"):
            if model == "p-median" and distances.size > 50_000:
                continue  # spopt's PuLP model build alone takes minutes at this size
            r = cover_radius(distances) if model == "set cover" and "plaine" in label else radius
            value, seconds = timed(lambda: ours(model, weights, distances, r, p))
            line = f"{label:<22} {model:<9} {seconds:>10.3f}"
            for solver in baselines.values():
                other, other_seconds = timed(lambda: theirs(model, weights, distances, r, p, solver))
                equal = np.isclose(value, other, rtol=1e-9)
                line += f" {other_seconds:>14.3f} {other_seconds / seconds:>7.1f} {'oui' if equal else 'NON':>5}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
