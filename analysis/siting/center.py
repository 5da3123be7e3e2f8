"""Minimax and maximin siting: p-center and p-dispersion (HiGHS).

- :func:`p_center` (Hakimi 1964; spopt ``PCenter``): p new sites minimising the *longest*
  trip of any demand point with children to its nearest open site — the answer to "no
  family more than W minutes away, with W as small as possible".
- :func:`p_dispersion` (Kuby 1987; spopt ``PDispersion``): p sites as far from each other
  as possible (largest smallest distance between two open sites) — spreading itinerant
  stops or France services points over a territory; it needs no demand.

Both follow the life cycle of :mod:`.problems`: checked inputs, an exact MIP solved by
HiGHS within ``time_limit`` seconds, a :class:`SitingResult`. Existing sites stay open
(spopt's ``predefined_facilities_arr``); ``p`` counts new sites only.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from maillage.errors import InputError, SolverError

from ..arguments import number
from .evaluate import evaluate_uncapacitated
from .highs import INF, MipBuilder
from .instance import SitingInstance, build_instance
from .models import _cardinality, _site_variables
from .problems import SitingResult, _check_p, _check_reachable


def p_center_model(inst: SitingInstance, p: int, fixed=None):
    """p-center model, min W: sum_j x_ij = 1, x_ij <= y_j, sum_j d_ij x_ij <= W, sum_j y_j = p.

    Given the sites, the best assignment is to the nearest open site, so ``x`` may stay
    continuous; arcs farther than the nearest existing site are dropped. Returns
    (builder, y columns).
    """
    ne, d = inst.n_existing, inst.cost
    active = np.flatnonzero(inst.weights > 0)
    sub = d[active]
    best = sub[:, :ne].min(axis=1) if ne else np.full(len(active), np.inf)
    r_c, c_c = np.nonzero((sub[:, ne:] < best[:, None]) & np.isfinite(sub[:, ne:]))
    r_e = np.flatnonzero(np.isfinite(best))
    c_e = sub[r_e, :ne].argmin(axis=1) if ne else np.zeros(0, dtype=int)
    r, c = np.r_[r_e, r_c], np.r_[c_e, c_c + ne]
    builder = MipBuilder()
    y = _site_variables(builder, inst, fixed)
    radius = builder.variables(1, 1.0, 0.0, INF)
    x = builder.variables(len(r), 0.0, 0.0, 1.0)
    builder.rows(r, x, 1.0, 1.0, 1.0, count=len(active))
    cand = np.flatnonzero(c >= ne)
    k = len(cand)
    builder.rows(np.r_[np.arange(k), np.arange(k)], np.r_[x[cand], y[c[cand] - ne]],
                 np.r_[np.ones(k), -np.ones(k)], -INF, 0.0, count=k)
    builder.rows(np.r_[r, np.arange(len(active))], np.r_[x, np.repeat(radius, len(active))],
                 np.r_[sub[r, c], -np.ones(len(active))], -INF, 0.0, count=len(active))
    _cardinality(builder, y, p)
    return builder, y


def _result(model, inst, chosen, solution, objective, threshold, seconds) -> SitingResult:
    open_sites = np.r_[np.ones(inst.n_existing, dtype=bool), np.zeros(inst.n_candidates, bool)]
    open_sites[inst.n_existing + np.asarray(chosen, dtype=int)] = True
    evaluation = evaluate_uncapacitated(inst, open_sites, threshold)
    candidates = inst.site_ids[inst.n_existing:]
    return SitingResult(
        model=model, selected=[candidates[j] for j in sorted(chosen)],
        existing=inst.site_ids[: inst.n_existing], covered_demand=evaluation.covered_demand,
        total_demand=inst.total_demand, assignment=evaluation.assignment,
        total_cost=evaluation.total_cost, objective=float(objective), method="exact",
        solve_seconds=seconds, optimal=solution is None or solution.optimal,
        mip_gap=0.0 if solution is None else solution.mip_gap, threshold=threshold)


def p_center(demand, cost, p, candidates=None, existing=None, *, threshold=None,
             time_limit=60.0, progress: Callable[[str], None] | None = None) -> SitingResult:
    """Choose ``p`` new sites minimising the longest trip to the nearest open site (p-center).

    Every demand point with children counts the same, however many children it has (a
    worst-case criterion); points without children are ignored.

    Parameters
    ----------
    demand : pandas.Series
        Children per demand point.
    cost : pandas.DataFrame
        Cost from demand points (rows) to sites (columns), minutes or metres; ``inf`` when
        unreachable.
    p : int
        Number of new sites.
    candidates, existing : list, optional
        As :func:`maillage.analysis.siting.maximal_coverage`.
    threshold : float, optional
        Only sets how ``covered_demand`` is reported (minutes or metres).
    time_limit : float
        HiGHS time limit, seconds.
    progress : callable, optional
        Receives French status lines during the solve.

    Returns
    -------
    SitingResult
        ``objective`` = the longest trip (minutes or metres) to the nearest open site.

    Raises
    ------
    SolverError
        A demand point reaches no site (with p = 0: no existing site).

    Examples
    --------
    Cahors has an ALSH; a second one at Calamane shortens the longest trip to 14 minutes (Catus),
    one at Catus would leave Nuzéjouls 16 minutes away:

    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 100.0, "Calamane": 20.0, "Nuzejouls": 10.0,
    ...                       "Catus": 30.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [0, 12, 16, 25], "Calamane": [12, 0, 5, 14],
    ...                         "Catus": [25, 14, 18, 0]}, index=children.index, dtype=float)
    >>> result = p_center(children, minutes, 1, candidates=["Calamane", "Catus"],
    ...                   existing=["alsh-cahors"])
    >>> result.selected, result.objective
    (['Calamane'], 14.0)
    """
    inst = build_instance(demand, cost, candidates, existing)
    p = _check_p(inst, p)
    threshold = None if threshold is None else number(threshold, "threshold", minimum=0)
    _check_reachable(inst, None, existing_only=p == 0)
    start = time.perf_counter()
    if p == 0 or inst.n_candidates == 0 or not (inst.weights > 0).any():
        chosen, solution = [], None
    else:
        builder, y = p_center_model(inst, p)
        solution = builder.solve(maximize=False, time_limit=number(time_limit, "time_limit",
                                                                   minimum=0),
                                 progress=progress)
        chosen = list(np.flatnonzero(solution.values[y] > 0.5))
    result = _result("p-center", inst, chosen, solution, 0.0, threshold,
                     time.perf_counter() - start)
    open_cost = np.where(np.r_[np.ones(inst.n_existing, bool),
                               np.isin(np.arange(inst.n_candidates), chosen)][None, :],
                         inst.cost, np.inf).min(axis=1)
    active = inst.weights > 0
    result.objective = float(open_cost[active].max()) if active.any() else 0.0
    return result


def _site_matrix(cost) -> tuple[list, np.ndarray]:
    if not isinstance(cost, pd.DataFrame) or list(cost.index) != list(cost.columns):
        raise InputError("p-dispersion : la matrice doit être sites × sites (mêmes identifiants "
                         "en lignes et en colonnes, dans le même ordre)", column="cost",
                         fix="calculer timer.matrix(sites, sites)")
    d = cost.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(d).any() or (d < 0).any():
        raise InputError("coût manquant (NaN) ou négatif entre deux sites", column="cost",
                         fix="mettre inf pour deux sites sans liaison, jamais NaN")
    return list(cost.index), np.minimum(d, d.T)


def p_dispersion(cost, p, candidates=None, existing=None, *, time_limit=60.0,
                 progress: Callable[[str], None] | None = None) -> SitingResult:
    """Choose ``p`` new sites as far as possible from each other (p-dispersion).

    Maximises D, the smallest cost between a new site and any other open site (new or
    existing): ``D <= d_ij + M (2 - y_i - y_j)`` for every such pair (Kuby 1987), M = the
    largest finite cost. Two existing sites close to each other (two ALSH in Cahors) do not
    bound D, unlike spopt's ``predefined_facilities_arr`` (same answer with at most one
    existing site).

    Parameters
    ----------
    cost : pandas.DataFrame
        Cost between sites (sites × sites, same ids in rows and columns), minutes or metres;
        an asymmetric matrix is read as ``min(d_ij, d_ji)``.
    p : int
        Number of new sites (existing sites count as open on top of them).
    candidates, existing : list, optional
        Eligible and already open sites (default: every site not existing is a candidate).
    time_limit : float
        HiGHS time limit, seconds.
    progress : callable, optional
        Receives French status lines during the solve.

    Returns
    -------
    SitingResult
        ``objective`` = the smallest cost between a new site and another open site.
        No demand: coverage fields are 0.

    Examples
    --------
    Two new sites as far as possible from each other and from the ALSH of Cahors (minutes
    between sites):

    >>> import pandas as pd
    >>> sites = ["alsh-cahors", "Calamane", "Nuzejouls", "Catus", "Gourdon"]
    >>> minutes = pd.DataFrame([[0, 12, 16, 25, 45], [12, 0, 5, 14, 38], [16, 5, 0, 18, 40],
    ...                         [25, 14, 18, 0, 28], [45, 38, 40, 28, 0]],
    ...                        index=sites, columns=sites, dtype=float)
    >>> result = p_dispersion(minutes, 2, existing=["alsh-cahors"])
    >>> sorted(result.selected), result.objective
    (['Catus', 'Gourdon'], 25.0)
    """
    ids, d = _site_matrix(cost)
    demand = pd.Series(0.0, index=pd.Index(ids, name="site"))
    inst = build_instance(demand, cost, candidates, existing)
    p = _check_p(inst, p)
    order = [ids.index(s) for s in inst.site_ids]
    d = d[np.ix_(order, order)]
    ne, m = inst.n_existing, len(order)
    if p == 0 or ne + p < 2:
        raise SolverError(f"p-dispersion : {p} nouveau(x) site(s) et {ne} existant(s) : il faut "
                          f"au moins un nouveau site et deux sites ouverts pour mesurer un "
                          f"écart. Correction : augmenter p")
    finite = d[np.isfinite(d)]
    far = 2 * float(finite.max()) + 1 if finite.size else 1.0
    d = np.where(np.isfinite(d), d, far)  # sites without a link count as very far apart
    big = float(d.max())
    i, j = np.triu_indices(m, 1)
    new_i, new_j = i >= ne, j >= ne
    keep = new_i | new_j  # two existing sites are as they are: they do not bound D
    i, j, new_i, new_j = i[keep], j[keep], new_i[keep], new_j[keep]
    start = time.perf_counter()
    builder = MipBuilder()
    y = builder.variables(inst.n_candidates, 0.0, 0.0, 1.0, integer=True)
    spread = builder.variables(1, 1.0, 0.0, INF)
    # D + M y_i + M y_j <= d_ij + M × (new sites in the pair)
    rows = np.arange(len(i))
    builder.rows(np.r_[rows, rows[new_i], rows[new_j]],
                 np.r_[np.repeat(spread, len(i)), y[i[new_i] - ne], y[j[new_j] - ne]],
                 np.r_[np.ones(len(i)), np.full(new_i.sum(), big), np.full(new_j.sum(), big)],
                 -INF, d[i, j] + big * (new_i.astype(float) + new_j), count=len(i))
    _cardinality(builder, y, p)
    solution = builder.solve(maximize=True, time_limit=number(time_limit, "time_limit",
                                                              minimum=0), progress=progress)
    chosen = list(np.flatnonzero(solution.values[y] > 0.5))
    open_ = np.r_[np.arange(ne), ne + np.asarray(chosen, dtype=int)]
    a, b = np.triu_indices(len(open_), 1)
    new_pair = (a >= ne) | (b >= ne)
    pair = d[open_[a[new_pair]], open_[b[new_pair]]]
    result = _result("p-dispersion", inst, chosen, solution, pair.min(), None,
                     time.perf_counter() - start)
    result.covered_demand = result.total_demand = result.total_cost = 0.0
    return result
