"""Benchmark: maillage's siting models (HiGHS through highspy, sparse model) against spopt.

Same instances, same run: spopt's San Francisco test instance (205 tracts × 16 stores,
metres) and random plains of villages (minutes). For each model (MCLP, p-median, set cover)
prints both wall-clock times (model build + solve), the ratio spopt / maillage, and whether
the objective values are equal. The baseline is spopt 0.7 solved with CBC through PuLP (as
spopt's tests do) and, for a solver-neutral comparison, spopt with HiGHS through PuLP.

``--scale`` instead measures siting at scale (issue 15): 10,000 demand points × 500
candidates on a plain, MCLP and set cover with a time limit (``--time-limit``, default 30 s).
For each model, in the same run: the greedy heuristic alone (the baseline a stopped run must
never fall below), greedy + local search, HiGHS without warm start (the model as it was) and
maillage's solve (HiGHS started from greedy + local search), each with its objective, the
bound proved on the optimum and the gap « solution à X % de l'optimum au plus ».

``--greedy`` times the greedy heuristics and their local searches at scale, each against
the dense implementation they replaced (``bench/greedy_baseline.py``, the named baseline), in
the same run on the same plains (10,000 × 500 and 30,000 × 2,000 by default): seconds old,
seconds new, ratio old / new, and whether both chose the same sites in the same order.

Run: ``python bench/bench_siting.py [--quick]``, ``python bench/bench_siting.py --scale
[--points 10000] [--sites 500] [--time-limit 30]`` or ``python bench/bench_siting.py --greedy
[--sizes 10000x500,30000x2000]``.
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
from timing import best_of  # noqa: E402
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


def _percent(gap: float) -> str:
    return "inconnu" if not np.isfinite(gap) else f"{100 * gap:.2f} %"


def at_scale(n_points: int, n_sites: int, time_limit: float) -> None:
    """Siting at scale: greedy, greedy + local search, HiGHS cold and warm, one time limit."""
    from maillage.analysis.siting import greedy, highs, models
    from maillage.analysis.siting.instance import build_instance
    from maillage.analysis.siting.problems import _proved_bound

    weights, minutes = plain(n_points, n_sites, seed=1)
    cost = pd.DataFrame(minutes)
    demand = pd.Series(weights, index=cost.index)
    inst = build_instance(demand, cost, None, None, None)
    radius = cover_radius(minutes)
    cases = (("MCLP", 15.0, 25), ("set cover", radius, None))
    print(f"{n_points:,} points de demande".replace(",", " ") + f" × {n_sites} candidats, "
          f"limite {time_limit:g} s (MCLP : 15 min, p = 25 ; set cover : {radius:g} min)")
    print(f"{'modèle':<10} {'méthode':<40} {'s':>7} {'objectif':>12} {'borne':>12} "
          f"{'écart max.':>11}")

    def line(model, method, seconds, objective, bound, gap):
        shown = f"{bound:>12,.1f}" if np.isfinite(bound) else f"{'':>12}"
        print(f"{model:<10} {method:<40} {seconds:>7.1f} {objective:>12,.0f} {shown} "
              f"{_percent(gap) if np.isfinite(bound) else '':>11}".replace(",", " "),
              flush=True)

    for model, threshold, p in cases:
        maximise = model == "MCLP"
        key = "mclp" if maximise else "set-cover"
        start = time.perf_counter()
        first = (greedy.greedy_mclp(inst, threshold, p) if maximise
                 else greedy.greedy_set_cover(inst, threshold))
        seconds = time.perf_counter() - start
        reach = inst.within(threshold)

        def value(sites):
            return (float(weights[reach[:, sites].any(axis=1)].sum()) if maximise
                    else float(len(sites)))

        line(model, "glouton seul (référence)", seconds, value(first), float("nan"),
             float("nan"))
        start = time.perf_counter()
        improved = (greedy.swap_mclp(inst, threshold, first) if maximise
                    else greedy.prune_set_cover(inst, threshold, first))
        line(model, "glouton + recherche locale", seconds + time.perf_counter() - start,
             value(improved), float("nan"), float("nan"))
        builder, _ = (models.mclp_model(inst, threshold, p) if maximise
                      else models.set_cover_model(inst, threshold))
        try:
            cold = builder.solve(maximize=maximise, time_limit=time_limit)
            bound = _proved_bound(key, inst, threshold, cold.dual_bound)
            objective = cold.objective + (float(weights[inst.existing_reach(threshold)].sum())
                                          if maximise else 0.0)
            gap = abs(bound - objective) / abs(bound) if bound else float("inf")
            line(model, "HiGHS sans démarrage (avant)", cold.seconds, objective, bound,
                 0.0 if cold.optimal else gap)
        except Exception as exc:  # stopped without a solution: say so
            print(f"{model:<10} {'HiGHS sans démarrage (avant)':<40} aucune solution ({exc})")
        reached = []  # when HiGHS gets the model and its warm start
        solve = highs.MipBuilder.solve

        def timed_solve(self, **options):
            reached.append(time.perf_counter())
            return solve(self, **options)

        highs.MipBuilder.solve = timed_solve
        start = time.perf_counter()
        try:
            result = (maximal_coverage(demand, cost, threshold, p, time_limit=time_limit)
                      if maximise else set_cover(demand, cost, threshold, time_limit=time_limit))
        finally:
            highs.MipBuilder.solve = solve
        line(model, "maillage (démarrage glouton + recherche)", time.perf_counter() - start,
             result.objective, result.bound, result.optimality_gap)
        print(f"{'':<10} → démarrage transmis à HiGHS après {reached[0] - start:.2f} s "
              f"(entrées vérifiées, glouton, recherche locale, modèle)", flush=True)
        better = (result.objective > value(first) if maximise
                  else result.objective < value(first))
        print(f"{'':<10} → {result.quality} ; glouton seul "
              f"{'dépassé' if better else 'égalé'}", flush=True)


def greedy_at_scale(sizes: list[tuple[int, int]]) -> None:
    """Greedy heuristics, sparse and incremental, against the dense baseline: same sites?"""
    import greedy_baseline as baseline

    from maillage.analysis.siting import greedy
    from maillage.analysis.siting.instance import build_instance

    print(f"{'instance':<14} {'heuristique':<34} {'avant s':>8} {'après s':>8} "
          f"{'ratio':>7} {'mêmes sites':>11}")
    for n_points, n_sites in sizes:
        weights, minutes = plain(n_points, n_sites, seed=1)
        cost = pd.DataFrame(minutes)
        inst = build_instance(pd.Series(weights, index=cost.index), cost, capacity=500.0)
        del minutes
        radius = cover_radius(inst.cost)
        label = f"{n_points}×{n_sites}"
        cases = [
            ("MCLP 15 min, p = 25", lambda g: g.greedy_mclp(inst, 15.0, 25),
             lambda g, first: g.swap_mclp(inst, 15.0, first)),
            (f"set cover {radius:g} min", lambda g: g.greedy_set_cover(inst, radius),
             lambda g, first: g.prune_set_cover(inst, radius, first)),
            ("MCLP capacitaire 500 places, p = 25",
             lambda g: g.greedy_capacitated_mclp(inst, 15.0, 25, inst.weights), None),
            ("p-médiane p = 10 (+ échanges)", lambda g: g.greedy_p_median(inst, 10), None),
        ]
        for name, first, then in cases:
            old_seconds, old = best_of(lambda: first(baseline))
            new_seconds, new = best_of(lambda: first(greedy))
            print(f"{label:<14} {name:<34} {old_seconds:>8.2f} {new_seconds:>8.3f} "
                  f"{old_seconds / new_seconds:>7.1f} {'oui' if old == new else 'NON':>11}",
                  flush=True)
            if then is not None:
                old_seconds, old_then = best_of(lambda: then(baseline, old))
                new_seconds, new_then = best_of(lambda: then(greedy, new))
                search = "  + échanges" if "MCLP" in name else "  + élagage"
                print(f"{label:<14} {search:<34} {old_seconds:>8.2f} {new_seconds:>8.3f} "
                      f"{old_seconds / new_seconds:>7.1f} "
                      f"{'oui' if old_then == new_then else 'NON':>11}", flush=True)


def _sizes(text: str) -> list[tuple[int, int]]:
    return [tuple(int(x) for x in size.split("x")) for size in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small instances only")
    parser.add_argument("--scale", action="store_true", help="10,000 × 500 with a time limit")
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--greedy", action="store_true",
                        help="greedy heuristics against the dense baseline (same run)")
    parser.add_argument("--sizes", type=_sizes, default=[(10_000, 500), (30_000, 2_000)],
                        help="points×candidates for --greedy, e.g. 10000x500,30000x2000")
    args = parser.parse_args()
    if args.greedy:
        greedy_at_scale(args.sizes)
        return
    if args.scale:
        at_scale(args.points, args.sites, args.time_limit)
        return
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
