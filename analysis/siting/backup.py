"""Backup coverage (LSCP-B, Church & Murray 2018; spopt ``LSCPB``).

First the fewest new sites putting every child within T (:func:`set_cover`); then, among
choices of that many sites, the one leaving the most children within T of *two* open
sites — a second service if the first one is full or closed (Hogan & ReVelle 1986).

Children are counted as backed up only where a second site is possible: spopt's LSCPB
counts every client that has fewer than two sites in reach as backed up (its constraint
``Σ a_ij y_j ≥ 1 + U_i`` is written ``≥ 1`` for them, leaving ``U_i`` free); here they are not.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ..arguments import number
from .center import _result
from .highs import INF, MipBuilder
from .instance import SitingInstance, build_instance, check_threshold
from .models import _cardinality
from .problems import SitingResult, _check_p, _check_reachable, set_cover


def backup_model(inst: SitingInstance, threshold: float, p: int):
    """Backup model, max Σ w_i u_i: Σ_j a_ij y_j + (existing in reach) >= 1 + u_i, u_i <= 1, Σ y = p.

    ``u_i`` exists only for points with children and at least two sites in reach.
    Returns (builder, y columns, u columns, rows of u).
    """
    ne = inst.n_existing
    reach = inst.within(threshold)
    have = reach[:, :ne].sum(axis=1)
    need = np.flatnonzero(inst.weights > 0)
    twice = need[reach[need].sum(axis=1) >= 2]
    builder = MipBuilder()
    y = builder.variables(inst.n_candidates, 0.0, 0.0, 1.0, integer=True)
    u = builder.variables(len(twice), inst.weights[twice], 0.0, 1.0)
    # Single cover: Σ_j a_ij y_j >= 1 - existing in reach.
    r, c = np.nonzero(reach[need, ne:])
    builder.rows(r, y[c], 1.0, 1.0 - have[need], INF, count=len(need))
    # Double cover: Σ_j a_ij y_j - u_i >= 1 - existing in reach.
    r, c = np.nonzero(reach[twice, ne:])
    k = len(twice)
    builder.rows(np.r_[r, np.arange(k)], np.r_[y[c], u], np.r_[np.ones(len(r)), -np.ones(k)],
                 1.0 - have[twice], INF, count=k)
    _cardinality(builder, y, p)
    return builder, y, u, twice


def backup_coverage(demand, cost, threshold, candidates=None, existing=None, *, p=None,
                    time_limit=60.0,
                    progress: Callable[[str], None] | None = None) -> SitingResult:
    """Cover every child within ``threshold`` and back up as many as possible (LSCP-B).

    Parameters
    ----------
    demand : pandas.Series
        Children per demand point.
    cost : pandas.DataFrame
        Cost from demand points (rows) to sites (columns), minutes or metres.
    threshold : float
        Coverage threshold, same unit as ``cost``.
    candidates, existing : list, optional
        As :func:`maillage.analysis.siting.set_cover`.
    p : int, optional
        Number of new sites; default the fewest that cover everyone (the set cover), as
        spopt's LSCPB does.
    time_limit : float
        HiGHS time limit per solve, seconds.
    progress : callable, optional
        Receives French status lines during the solves.

    Returns
    -------
    SitingResult
        ``objective`` = children within ``threshold`` of at least two open sites;
        ``covered_demand`` = children within ``threshold`` of one (all of them).

    Raises
    ------
    SolverError
        Some demand point has no site within ``threshold``, or ``p`` sites cannot cover
        everyone.

    Examples
    --------
    One new site covers every child within 15 minutes (Calamane); the children of Cahors and
    Calamane are then within 15 minutes of two sites:

    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 100.0, "Calamane": 20.0, "Nuzejouls": 10.0,
    ...                       "Catus": 30.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [0, 12, 16, 25], "Calamane": [12, 0, 5, 14],
    ...                         "Catus": [25, 14, 18, 0]}, index=children.index, dtype=float)
    >>> result = backup_coverage(children, minutes, 15, candidates=["Calamane", "Catus"],
    ...                          existing=["alsh-cahors"])
    >>> result.selected, result.covered_demand, result.objective
    (['Calamane'], 160.0, 120.0)
    """
    threshold = check_threshold(threshold)
    time_limit = number(time_limit, "time_limit", minimum=0)
    start = time.perf_counter()
    if p is None:
        p = set_cover(demand, cost, threshold, candidates, existing,
                      time_limit=time_limit, progress=progress).count
    inst = build_instance(demand, cost, candidates, existing)

    p = _check_p(inst, p)
    _check_reachable(inst, threshold)
    builder, y, _, _ = backup_model(inst, threshold, p)
    solution = builder.solve(maximize=True, time_limit=time_limit, progress=progress)
    chosen = list(np.flatnonzero(solution.values[y] > 0.5))
    open_ = np.r_[np.ones(inst.n_existing, bool), np.isin(np.arange(inst.n_candidates), chosen)]
    twice = (inst.within(threshold)[:, open_].sum(axis=1) >= 2) & (inst.weights > 0)
    return _result("backup-cover", inst, chosen, solution, inst.weights[twice].sum(), threshold,
                   time.perf_counter() - start)
