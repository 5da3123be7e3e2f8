"""Siting: where should the next places go?

Four model families share one life cycle (inputs checked → exact MIP and/or greedy →
evaluated the same way → :class:`SitingResult`):

- :func:`maximal_coverage` (MCLP): p new sites maximising children within T;
- :func:`p_median`: p new sites minimising demand-weighted travel cost;
- with ``capacity=``, both become capacitated: each site serves at most its places, children
  of a demand point may be split between sites (fractional assignment), coverage is counted
  in children served, never in demand points;
- :func:`set_cover`: the fewest new sites putting every child within T.

Existing sites stay open and free: children they already cover count as covered, their
costs count for the p-median. Exact solutions come from HiGHS (``highspy``) within
``time_limit`` seconds; ``method="greedy"`` is the heuristic for large instances and
``method="both"`` runs both and reports the greedy's optimality gap.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from maillage.errors import InputError, SolverError

from ..arguments import choice, count, number
from . import greedy, models
from .evaluate import (
    Evaluation,
    evaluate_capacitated_assignment,
    evaluate_capacitated_coverage,
    evaluate_uncapacitated,
)
from .highs import TimeLimitError
from .instance import SitingInstance, build_instance, check_threshold

METHODS = ("exact", "greedy", "both")
#: How a capacitated p-median assigns a demand point's children: split between sites, or
#: all to one site (spopt's PMedian with capacities).
ASSIGNMENTS = ("split", "single")
COVERS = ("set-cover", "capacitated-set-cover")
MAXIMISED = {"mclp", "capacitated-mclp"}


@dataclass
class SitingResult:
    """The sites a model opens and what they achieve.

    Attributes
    ----------
    model : str
        "mclp", "capacitated-mclp", "p-median", "capacitated-p-median", "set-cover",
        "capacitated-set-cover", "p-center", "p-dispersion" or "backup-cover".
    selected : list
        Ids of the new sites, in the cost matrix's column order.
    existing : list
        Ids of the sites already open (kept open).
    covered_demand : float
        Children within the threshold of an open site (capacitated: children served
        within their places).
    total_demand : float
        All children of the demand points.
    assignment : pandas.Series
        Demand point -> site serving it (the site serving most of its children when
        capacitated), NaN when none.
    total_cost : float
        Demand-weighted cost (child-minutes or child-metres) to the assigned sites.
    objective : float
        The model's objective: children covered (MCLP), child-minutes (p-median),
        number of new sites (set cover), longest trip (p-center), smallest distance between
        sites (p-dispersion) or children covered twice (backup cover).
    method : str
        "exact", "greedy" or "both" (then the sites are the exact ones).
    solve_seconds : float
        Time spent in the solver(s), seconds.
    optimal : bool
        False when the time limit stopped HiGHS before proving optimality.
    mip_gap : float
        HiGHS's own relative gap at the end (0 when optimal).
    gap : float or None
        Relative gap of the greedy solution to the exact one (``method="both"``), e.g. 0.02
        means the greedy is 2 % worse.
    greedy_objective, greedy_selected : optional
        The greedy solution when ``method="both"``.
    threshold : float or None
        The coverage threshold (minutes or metres).
    flows : pandas.DataFrame or None
        Capacitated models: ``demand_point``, ``site``, ``children``, ``cost`` per served pair.
    bound : float or None
        Best bound on the optimal ``objective`` HiGHS proved (children, child-minutes or
        sites): the optimum is at most it when maximising, at least it when minimising;
        ``objective`` when optimal, None when HiGHS did not run.
    time_limit : float or None
        The solver's time limit, seconds (None when HiGHS did not run).

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 100.0, "Calamane": 20.0, "Nuzejouls": 10.0,
    ...                       "Catus": 30.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [0, 12, 16, 25], "Calamane": [12, 0, 5, 14],
    ...                         "Catus": [25, 14, 18, 0]}, index=children.index, dtype=float)
    >>> result = p_median(children, minutes, 1, candidates=["Calamane", "Catus"],
    ...                   existing=["alsh-cahors"])

    Catus opens; the children of Calamane (20 × 12 min) and Nuzéjouls (10 × 16 min) still go
    to Cahors: 400 child-minutes in all.

    >>> result.model, result.selected, result.existing, result.total_cost
    ('p-median', ['Catus'], ['alsh-cahors'], 400.0)
    >>> result.assignment.to_dict()
    {'Cahors': 'alsh-cahors', 'Calamane': 'alsh-cahors', 'Nuzejouls': 'alsh-cahors', 'Catus': 'Catus'}
    """

    model: str
    selected: list
    existing: list
    covered_demand: float
    total_demand: float
    assignment: pd.Series
    total_cost: float
    objective: float
    method: str
    solve_seconds: float
    optimal: bool = True
    mip_gap: float = 0.0
    gap: float | None = None
    greedy_objective: float | None = None
    greedy_selected: list | None = None
    threshold: float | None = None
    flows: pd.DataFrame | None = None
    bound: float | None = None
    time_limit: float | None = None

    @property
    def optimality_gap(self) -> float:
        """At most how far the solution is from the optimum, relative (0–1).

        0 when proven optimal; else ``|objective - bound| / |bound|`` (maximising: the
        optimum is at most ``bound``, so the solution reaches at least ``1 - gap`` of it;
        minimising: it costs at most ``1 + gap`` times the optimum); ``inf`` when no bound is
        known (greedy method, or HiGHS stopped without one).
        """
        if self.optimal:
            return 0.0
        if self.bound is None or not np.isfinite(self.bound):
            return float("inf")
        loss = (self.bound - self.objective if self.model in MAXIMISED
                else self.objective - self.bound)
        if loss <= 0:
            return 0.0
        return float(loss / abs(self.bound)) if self.bound else float("inf")

    @property
    def quality(self) -> str:
        """How far from optimal the solution is, in French (CLI and reports)."""
        if self.optimal:
            return "solution optimale"
        if self.method == "greedy":
            return "solution gloutonne, sans garantie d'optimalité"
        gap = self.optimality_gap
        stopped = (f" (arrêt à la limite de temps de {self.time_limit:g} s)"
                   if self.time_limit is not None else "")
        if not np.isfinite(gap):
            return "solution sans borne connue : écart à l'optimum inconnu" + stopped
        percent = f"{np.ceil(1000 * gap) / 10:.1f}".replace(".", ",")
        return f"solution à {percent} % de l'optimum au plus" + stopped

    @property
    def coverage_share(self) -> float:
        """Share of children covered, 0–1 (NaN without children)."""
        return self.covered_demand / self.total_demand if self.total_demand else float("nan")

    @property
    def count(self) -> int:
        """Number of new sites (the set cover's answer)."""
        return len(self.selected)


def _check_p(inst: SitingInstance, p) -> int:
    p = count(p, "p", fix="donner un nombre entier de nouveaux sites, positif ou nul")
    if p > inst.n_candidates:
        raise SolverError(
            f"{int(p)} nouveau(x) site(s) demandé(s) mais seulement {inst.n_candidates} "
            f"candidat(s). Correction : réduire p ou ajouter des sites candidats"
        )
    return int(p)


def _unit(inst: SitingInstance) -> str:
    return f" {inst.unit}" if inst.unit else ""


def _point_list(inst: SitingInstance, rows: np.ndarray, nearest: np.ndarray) -> str:
    shown = [f"{inst.label(i)} (site le plus proche à "
             f"{nearest[i]:.1f}".replace(".", ",") + f"{_unit(inst)})"
             if np.isfinite(nearest[i]) else f"{inst.label(i)} (aucun site joignable)"
             for i in rows[:10]]
    more = f" et {len(rows) - 10} autre(s)" if len(rows) > 10 else ""
    return ", ".join(shown) + more


def _check_reachable(inst: SitingInstance, threshold: float | None,
                     existing_only: bool = False) -> None:
    """Every point with children must reach some site (within ``threshold`` when given).

    ``existing_only``: only the existing sites count (no new site will open, p = 0).
    """
    cost = inst.cost[:, : inst.n_existing] if existing_only else inst.cost
    nearest = cost.min(axis=1) if cost.shape[1] else np.full(len(inst.weights), np.inf)
    limit = np.inf if threshold is None else threshold
    bad = np.flatnonzero((inst.weights > 0) & ~(np.isfinite(nearest) & (nearest <= limit)))
    if not len(bad):
        return
    if threshold is None and existing_only:
        raise SolverError(
            f"aucun nouveau site (p = 0) et {len(bad)} point(s) de demande sans site existant "
            f"joignable : {_point_list(inst, bad, nearest)}. Le modèle n'a pas de solution. "
            f"Correction : demander au moins un nouveau site (p ≥ 1) ou donner les sites "
            f"existants (existing=)")
    if threshold is None:
        raise SolverError(
            f"{len(bad)} point(s) de demande sans aucun site joignable : "
            f"{_point_list(inst, bad, nearest)}. Correction : vérifier le réseau routier "
            f"ou ajouter un site candidat joignable depuis ces points")
    need = float(np.ceil(nearest[bad][np.isfinite(nearest[bad])].max(initial=0)))
    raise SolverError(
        f"impossible de couvrir tout le monde à moins de {threshold:g}{_unit(inst)} : "
        f"{len(bad)} point(s) de demande n'ont aucun site à cette distance : "
        f"{_point_list(inst, bad, nearest)}. Correction : relever le seuil à au moins "
        f"{need:g}{_unit(inst)} ou ajouter des sites candidats près de ces points")


def _check_capacity(inst: SitingInstance, p: int) -> None:
    ne = inst.n_existing
    best = inst.capacity[:ne].sum() + np.sort(inst.capacity[ne:])[::-1][:p].sum()
    if best + 1e-9 < inst.total_demand:
        raise SolverError(
            f"capacité insuffisante : au plus {best:.0f} places pour {inst.total_demand:.0f} "
            f"enfants à affecter. Correction : augmenter les places ou le nombre de sites p, "
            f"ou chercher une couverture partielle (maximal_coverage avec capacity=)")


def _check_fillable(inst: SitingInstance) -> None:
    places = float(inst.capacity[: inst.n_existing].sum())
    if places > inst.total_demand + 1e-9:
        raise SolverError(
            f"impossible de remplir les sites existants : {places:.0f} places pour "
            f"{inst.total_demand:.0f} enfants. Correction : retirer fill_existing ou des sites "
            f"existants")


def _exact(model: str, inst, p, threshold, time_limit, progress, start=None, options=None):
    options = options or {}
    if model == "mclp":
        builder, y = models.mclp_model(inst, threshold, p)
    elif model == "capacitated-mclp":
        builder, y, _, _ = models.capacitated_mclp_model(inst, threshold, p)
    elif model == "p-median":
        builder, y = models.p_median_model(inst, p)
    elif model == "capacitated-p-median":
        builder, y, _, _ = models.capacitated_p_median_model(inst, p, **options)
    elif model == "capacitated-set-cover":
        builder, y, _, _ = models.capacitated_set_cover_model(inst, threshold)
    else:
        builder, y = models.set_cover_model(inst, threshold)
    if start is not None:
        values = np.zeros(len(y))
        values[list(start)] = 1.0
        start = (y, values)
    solution = builder.solve(maximize=model in MAXIMISED, time_limit=time_limit,
                             progress=progress, start=start)
    return np.flatnonzero(solution.values[y] > 0.5), solution


def _greedy(model: str, inst: SitingInstance, p, threshold) -> list[int]:
    """The heuristic: greedy, then local search (swaps, interchange or pruning)."""
    if model == "mclp":
        return greedy.swap_mclp(inst, threshold, greedy.greedy_mclp(inst, threshold, p))
    if model == "set-cover":
        return greedy.prune_set_cover(inst, threshold, greedy.greedy_set_cover(inst, threshold))
    if model == "capacitated-mclp":
        served = evaluate_capacitated_coverage(inst, np.zeros(inst.n_candidates), threshold)
        taken = served.flows.groupby("demand_point")["children"].sum()
        residual = inst.weights - taken.reindex(inst.demand_ids, fill_value=0.0).to_numpy()
        return greedy.greedy_capacitated_mclp(inst, threshold, p, residual)
    if model in ("p-median", "capacitated-p-median"):
        return greedy.greedy_p_median(inst, p)
    return greedy.greedy_set_cover(inst, threshold)


def _evaluate(model: str, inst: SitingInstance, chosen, threshold, options=None) -> Evaluation:
    open_candidates = np.zeros(inst.n_candidates)
    open_candidates[list(chosen)] = 1.0
    if model in ("capacitated-mclp", "capacitated-set-cover"):
        return evaluate_capacitated_coverage(inst, open_candidates, threshold)
    if model == "capacitated-p-median":
        result = evaluate_capacitated_assignment(inst, open_candidates, **(options or {}))
        if threshold is not None:
            flows = result.flows
            result.covered_demand = float(flows.loc[flows["cost"] <= threshold, "children"].sum())
        return result
    open_sites = np.r_[np.ones(inst.n_existing, dtype=bool), open_candidates > 0.5]
    return evaluate_uncapacitated(inst, open_sites, threshold)


def _objective(model: str, evaluation: Evaluation, chosen) -> float:
    if model in MAXIMISED:
        return evaluation.covered_demand
    if model in COVERS:
        return float(len(chosen))
    return evaluation.total_cost


def _relative_gap(model: str, exact: float, heuristic: float) -> float:
    loss = exact - heuristic if model in MAXIMISED else heuristic - exact
    return float(loss / abs(exact)) if exact else float(loss != 0)


def _mip_offset(model: str, inst: SitingInstance, threshold) -> float:
    """``objective`` minus the MIP's objective: children the existing sites already cover
    (the MCLP model leaves them out), 0 for the other models."""
    if model != "mclp":
        return 0.0
    return float(inst.weights[inst.existing_reach(threshold)].sum())


def _proved_bound(model: str, inst: SitingInstance, threshold, dual_bound: float) -> float:
    """HiGHS's bound in ``objective`` units, rounded to what integer objectives allow."""
    bound = dual_bound + _mip_offset(model, inst, threshold)
    if not np.isfinite(bound):
        return float("nan")
    if model in COVERS:  # a number of sites
        return float(np.ceil(bound - 1e-6))
    if model == "mclp" and np.all(inst.weights == np.round(inst.weights)):
        return float(np.floor(bound + 1e-6))
    return bound


def _simple_bound(model: str, inst: SitingInstance, p: int, threshold) -> float:
    """A bound on the optimum that needs no solver (for a run stopped before HiGHS has one).

    MCLP: children already covered plus the p largest coverages of single candidates (never
    more than every child some site reaches). Set cover: the points to cover divided by the
    most any one candidate covers, rounded up. NaN for the other models.
    """
    if model not in ("mclp", "set-cover"):
        return float("nan")
    reach = inst.within(threshold)[:, inst.n_existing:]
    done = inst.existing_reach(threshold)
    if model == "mclp":
        alone = np.where(done, 0.0, inst.weights) @ reach
        reachable = float(inst.weights[done | reach.any(axis=1)].sum())
        return min(reachable, float(inst.weights[done].sum() + np.sort(alone)[::-1][:p].sum()))
    need = (inst.weights > 0) & ~done
    most = float((need.astype(float) @ reach).max(initial=0.0))
    return float(np.ceil(need.sum() / most)) if most else 0.0


def _tighter(model: str, one: float, two: float) -> float:
    """The tighter of two bounds on the optimum (NaN: none)."""
    bounds = [b for b in (one, two) if np.isfinite(b)]
    if not bounds:
        return float("nan")
    return min(bounds) if model in MAXIMISED else max(bounds)


def _better(model: str, one: float, two: float) -> bool:
    """True when objective ``one`` is strictly better than ``two``."""
    return one > two if model in MAXIMISED else one < two


def _run(model: str, inst: SitingInstance, *, p=0, threshold=None, method="exact",
         time_limit=60.0, progress=None, options=None) -> SitingResult:
    choice(method, "method", METHODS)
    time_limit = number(time_limit, "time_limit", minimum=0, unit="secondes")
    exact = heuristic = solver = None
    bound = float("nan")
    seconds = 0.0
    trivial = inst.n_candidates == 0 or (model not in COVERS and p == 0)
    warm = method == "exact" and not trivial and model != "capacitated-set-cover"
    if method in ("greedy", "both") or warm:  # the exact solve starts from the heuristic
        start = time.perf_counter()
        heuristic = [] if trivial else _greedy(model, inst, p, threshold)
        seconds += time.perf_counter() - start
    if method in ("exact", "both"):
        if trivial:
            exact = np.zeros(0, dtype=int)
        else:
            try:
                exact, solver = _exact(model, inst, p, threshold, time_limit, progress,
                                       start=heuristic, options=options)
                seconds += solver.seconds
                bound = solver.dual_bound
            except TimeLimitError as exc:
                if heuristic is None:
                    raise
                seconds += time_limit
                bound = exc.dual_bound
    chosen = exact if exact is not None else heuristic
    evaluation = _evaluate(model, inst, chosen, threshold, options)
    objective = _objective(model, evaluation, chosen)
    if solver is not None and not solver.optimal and heuristic is not None and len(heuristic):
        start_eval = _evaluate(model, inst, heuristic, threshold, options)
        if _better(model, _objective(model, start_eval, heuristic), objective):
            chosen, evaluation = heuristic, start_eval  # HiGHS stopped before matching it
            objective = _objective(model, evaluation, chosen)
    if not np.isfinite(objective):
        raise SolverError(
            f"aucune solution trouvée avec {p} nouveau(x) site(s) : des enfants restent sans "
            f"site joignable (coût infini). Correction : augmenter p, ajouter des sites "
            f"candidats ou utiliser la résolution exacte (method='exact')")
    candidates = inst.site_ids[inst.n_existing:]
    result = SitingResult(
        model=model,
        selected=[candidates[j] for j in sorted(chosen)],
        existing=inst.site_ids[: inst.n_existing],
        covered_demand=evaluation.covered_demand,
        total_demand=inst.total_demand,
        assignment=evaluation.assignment,
        total_cost=evaluation.total_cost,
        objective=objective,
        method=method,
        solve_seconds=seconds,
        optimal=trivial or (solver is not None and solver.optimal),
        mip_gap=0.0 if trivial else (solver.mip_gap if solver else float("nan")),
        threshold=threshold,
        flows=evaluation.flows,
        bound=(None if method == "greedy" else objective if trivial else
               _tighter(model, _proved_bound(model, inst, threshold, bound),
                        _simple_bound(model, inst, p, threshold))),
        time_limit=None if method == "greedy" else time_limit,
    )
    if method == "both" and exact is not None:
        greedy_eval = _evaluate(model, inst, heuristic, threshold, options)
        result.greedy_objective = _objective(model, greedy_eval, heuristic)
        result.greedy_selected = [candidates[j] for j in heuristic]
        result.gap = _relative_gap(model, objective, result.greedy_objective)
    return result


def maximal_coverage(demand, cost, threshold, p, candidates=None, existing=None, *,
                     capacity=None, method="exact", time_limit=60.0,
                     progress: Callable[[str], None] | None = None) -> SitingResult:
    """Choose ``p`` new sites maximising the children within ``threshold`` of a site (MCLP).

    Parameters
    ----------
    demand : pandas.Series
        Children per demand point (e.g. per commune code).
    cost : pandas.DataFrame
        Cost from demand points (rows) to sites (columns), minutes or metres (the unit of
        ``threshold``); ``inf`` when unreachable.
    threshold : float
        Coverage threshold, minutes (or metres): a point is covered when ``cost <= threshold``.
    p : int
        Number of new sites.
    candidates : list, optional
        Columns eligible for new sites (default: every column not in ``existing``).
    existing : list, optional
        Columns already open: their coverage counts, they stay open.
    capacity : float or mapping, optional
        Places per site (one number, or site id -> places, existing sites included): the
        capacitated MCLP, coverage = children served within places (fractional assignment).
    method : {"exact", "greedy", "both"}
        HiGHS MIP, greedy heuristic, or both (exact sites, greedy gap in ``.gap``).
    time_limit : float
        HiGHS time limit, seconds; past it the best solution found is returned with
        ``optimal=False`` and ``mip_gap`` set.
    progress : callable, optional
        Receives French status lines during the exact solve.

    Returns
    -------
    SitingResult
        ``objective`` = ``covered_demand`` (children).

    Raises
    ------
    InputError
        Inconsistent inputs (unknown site ids, missing demand, NaN costs).
    SolverError
        p larger than the number of candidates, or no solution within the time limit.

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 100.0, "Calamane": 20.0, "Nuzejouls": 10.0,
    ...                       "Catus": 30.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [0, 12, 16, 25], "Calamane": [12, 0, 5, 14],
    ...                         "Catus": [25, 14, 18, 0]}, index=children.index, dtype=float)
    >>> result = maximal_coverage(children, minutes, threshold=10, p=1,
    ...                           candidates=["Calamane", "Catus"], existing=["alsh-cahors"])
    >>> result.selected, result.covered_demand
    (['Catus'], 130.0)
    """
    inst = build_instance(demand, cost, candidates, existing, capacity)
    threshold = check_threshold(threshold)
    p = _check_p(inst, p)
    model = "mclp" if capacity is None else "capacitated-mclp"
    return _run(model, inst, p=p, threshold=threshold, method=method,
                time_limit=time_limit, progress=progress)


def capacitated_maximal_coverage(demand, cost, threshold, p, capacity, candidates=None,
                                 existing=None, **options) -> SitingResult:
    """Capacitated MCLP: :func:`maximal_coverage` with places per site (``capacity``, places).

    Each site serves at most its places; the children of a demand point may be split
    between several sites within ``threshold``. Coverage is in children served.

    Parameters
    ----------
    demand : pandas.Series
        Children per demand point (e.g. per commune code).
    cost : pandas.DataFrame
        Cost from demand points (rows) to sites (columns), minutes or metres (the unit of
        ``threshold``); ``inf`` when unreachable.
    threshold : float
        Coverage threshold, minutes (or metres).
    p : int
        Number of new sites.
    capacity : float or mapping
        Places per site (one number, or site id -> places, existing sites included).
    candidates : list, optional
        Columns eligible for new sites (default: every column not in ``existing``).
    existing : list, optional
        Columns already open: their coverage counts, they stay open.
    **options
        ``method``, ``time_limit``, ``progress`` as :func:`maximal_coverage`.

    Returns
    -------
    SitingResult
        ``objective`` = ``covered_demand`` (children served within places).

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 100.0, "Calamane": 20.0, "Nuzejouls": 10.0,
    ...                       "Catus": 30.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [0, 12, 16, 25], "Calamane": [12, 0, 5, 14],
    ...                         "Catus": [25, 14, 18, 0]}, index=children.index, dtype=float)
    >>> result = capacitated_maximal_coverage(children, minutes, 15, 1, capacity=60,
    ...                                       candidates=["Calamane", "Catus"],
    ...                                       existing=["alsh-cahors"])
    >>> result.selected, round(result.covered_demand)
    (['Calamane'], 120)
    """
    return maximal_coverage(demand, cost, threshold, p, candidates, existing,
                            capacity=capacity, **options)


def p_median(demand, cost, p, candidates=None, existing=None, *, capacity=None,
             assignment="split", fill_existing=False, threshold=None, method="exact",
             time_limit=60.0, progress: Callable[[str], None] | None = None) -> SitingResult:
    """Choose ``p`` new sites minimising demand-weighted travel cost (p-median).

    Existing sites are available for free. With ``capacity`` every child must be assigned
    within the sites' places.

    Capacitated options:

    - ``assignment="split"`` (default): the children of a demand point may be shared
      between sites (they are individuals; the commune is only where they live);
      ``"single"``: each demand point goes to one site, as spopt's ``PMedian`` with
      ``facility_capacities`` (costs at least as much: 102.38 vs 89.69 on spopt's example);
    - ``fill_existing=True``: existing sites serve exactly their places (spopt's
      ``fulfill_predefined_fac``: "the schools already open must be full").

    Parameters
    ----------
    demand : pandas.Series
        Children per demand point (e.g. per commune code).
    cost : pandas.DataFrame
        Cost from demand points (rows) to sites (columns), minutes or metres (the unit of
        ``threshold``); ``inf`` when unreachable.
    p : int
        Number of new sites.
    candidates : list, optional
        Columns eligible for new sites (default: every column not in ``existing``).
    existing : list, optional
        Columns already open: their coverage counts, they stay open.
    capacity : float or mapping, optional
        Places per site (one number, or site id -> places, existing sites included).
    assignment : {"split", "single"}
        Capacitated: children of a demand point shared between sites, or all at one site.
    fill_existing : bool
        Capacitated: existing sites must serve exactly their places.
    threshold : float, optional
        Minutes (or metres): only sets how ``covered_demand`` is reported.
    method : {"exact", "greedy", "both"}
        HiGHS MIP, greedy heuristic, or both (exact sites, greedy gap in ``.gap``).
    time_limit : float
        HiGHS time limit, seconds.
    progress : callable, optional
        Receives French status lines during the exact solve.

    Returns
    -------
    SitingResult
        ``objective`` = ``total_cost`` (child-minutes or child-metres).

    Raises
    ------
    SolverError
        A demand point reaches no site, or (capacitated) too few places for every child,
        or existing sites that cannot be filled.
    InputError
        ``fill_existing`` without ``capacity``, unknown ``assignment``.

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 100.0, "Calamane": 20.0, "Nuzejouls": 10.0,
    ...                       "Catus": 30.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [0, 12, 16, 25], "Calamane": [12, 0, 5, 14],
    ...                         "Catus": [25, 14, 18, 0]}, index=children.index, dtype=float)
    >>> result = p_median(children, minutes, p=1, candidates=["Calamane", "Catus"],
    ...                   existing=["alsh-cahors"])
    >>> result.selected, result.objective
    (['Catus'], 400.0)
    """
    choice(assignment, "assignment", ASSIGNMENTS)
    if fill_existing and capacity is None:
        raise InputError("remplir les sites existants suppose leurs places", column="capacity",
                         fix="donner capacity= (places par site) avec fill_existing=True")
    inst = build_instance(demand, cost, candidates, existing, capacity)
    p = _check_p(inst, p)
    threshold = None if threshold is None else check_threshold(threshold)
    _check_reachable(inst, None, existing_only=p == 0)
    if capacity is not None:
        _check_capacity(inst, p)
    if fill_existing:
        _check_fillable(inst)
    model = "p-median" if capacity is None else "capacitated-p-median"
    options = {"single": assignment == "single", "fill": bool(fill_existing)}
    return _run(model, inst, p=p, threshold=threshold, method=method,
                time_limit=time_limit, progress=progress,
                options=options if capacity is not None else None)


def set_cover(demand, cost, threshold, candidates=None, existing=None, *, capacity=None,
              method="exact", time_limit=60.0,
              progress: Callable[[str], None] | None = None) -> SitingResult:
    """The fewest new sites putting every child within ``threshold`` of a site (set cover).

    Demand points without children need no cover. ``result.count`` is the answer,
    ``result.selected`` the sites. With ``capacity`` (places per site, existing included),
    every child must also get a place within ``threshold`` (children of a demand point may
    be split between sites: spopt's CLSCP-SO); exact method only.

    Parameters
    ----------
    demand : pandas.Series
        Children per demand point (e.g. per commune code).
    cost : pandas.DataFrame
        Cost from demand points (rows) to sites (columns), minutes or metres (the unit of
        ``threshold``); ``inf`` when unreachable.
    threshold : float
        Coverage threshold, minutes (or metres): a point is covered when ``cost <= threshold``.
    candidates : list, optional
        Columns eligible for new sites (default: every column not in ``existing``).
    existing : list, optional
        Columns already open: their coverage counts, they stay open.
    capacity : float or mapping, optional
        Places per site (one number, or site id -> places, existing sites included): every
        child must get a place within ``threshold`` (exact method only).
    method : {"exact", "greedy", "both"}
        HiGHS MIP, greedy heuristic, or both (exact sites, greedy gap in ``.gap``).
    time_limit : float
        HiGHS time limit, seconds.
    progress : callable, optional
        Receives French status lines during the exact solve.

    Returns
    -------
    SitingResult
        ``objective`` = the number of new sites.

    Raises
    ------
    SolverError
        Some demand point has no site within ``threshold``: the message names the points,
        their distance to the nearest site and the threshold that would do.

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 100.0, "Calamane": 20.0, "Nuzejouls": 10.0,
    ...                       "Catus": 30.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [0, 12, 16, 25], "Calamane": [12, 0, 5, 14],
    ...                         "Catus": [25, 14, 18, 0]}, index=children.index, dtype=float)
    >>> result = set_cover(children, minutes, threshold=15, candidates=["Calamane", "Catus"],
    ...                    existing=["alsh-cahors"])
    >>> result.selected
    ['Calamane']
    """
    inst = build_instance(demand, cost, candidates, existing, capacity)
    threshold = check_threshold(threshold)
    _check_reachable(inst, threshold)
    if capacity is None:
        return _run("set-cover", inst, threshold=threshold, method=method,
                    time_limit=time_limit, progress=progress)
    if choice(method, "method", METHODS) != "exact":
        raise InputError("la couverture avec capacités n'a pas de méthode gloutonne",
                         column="method", fix="utiliser method='exact'")
    _check_capacity(inst, inst.n_candidates)
    return _run("capacitated-set-cover", inst, threshold=threshold, method=method,
                time_limit=time_limit, progress=progress)
