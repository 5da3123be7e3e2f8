"""How does each candidate site rank if it alone were opened?

Answers the planner's question "how does Calamane rank among the alternatives?": for every
candidate, the children it would newly cover within T, the children it would actually
serve within its places (when places are given), and the child-minutes it would save.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .instance import SitingInstance, build_instance, check_threshold
from .models import capacitated_mclp_model


def _served(inst: SitingInstance, threshold: float, open_candidate: bool) -> float:
    """Children served within places by the existing sites (+ the single candidate)."""
    fixed = np.ones(inst.n_candidates) if open_candidate else np.zeros(inst.n_candidates)
    builder, _, x, _ = capacitated_mclp_model(inst, threshold, int(fixed.sum()), fixed=fixed)
    if not len(x):
        return 0.0
    return builder.solve(maximize=True).objective


def _served_gain(inst: SitingInstance, threshold: float) -> np.ndarray:
    base = _served(inst.with_candidates([]), threshold, False)
    return np.array([
        _served(inst.with_candidates([j]), threshold, True) - base
        for j in range(inst.n_candidates)
    ])


def _minutes_saved(inst: SitingInstance) -> np.ndarray:
    """Child-minutes saved per candidate: sum_i w_i max(0, current_i - d_ij).

    A child with no reachable existing site counts as travelling the longest finite cost of
    the matrix today.
    """
    finite = inst.cost[np.isfinite(inst.cost)]
    worst = finite.max() if finite.size else 0.0
    ne = inst.n_existing
    current = inst.cost[:, :ne].min(axis=1) if ne else np.full(len(inst.weights), np.inf)
    current = np.minimum(current, worst)
    saved = np.maximum(current[:, None] - inst.cost[:, ne:], 0.0)
    return inst.weights @ saved


def _ranks(*keys: np.ndarray) -> np.ndarray:
    """Competition ranks (1 = best, ties share a rank) on the keys, all descending."""
    table = pd.DataFrame({k: np.round(key, 6) for k, key in enumerate(keys)})
    order = table.sort_values(list(table.columns), ascending=False, kind="stable")
    tuples = list(order.itertuples(index=False, name=None))
    ranks = np.empty(len(table), dtype=int)
    rank = 0
    for position, (index, current) in enumerate(zip(order.index, tuples), start=1):
        if position == 1 or current != tuples[position - 2]:
            rank = position
        ranks[index] = rank
    return ranks


def rank_candidates(demand, cost, threshold, existing=None, candidates=None, *,
                    capacity=None) -> pd.DataFrame:
    """Rank every candidate site by what it alone would add to the existing sites.

    Parameters
    ----------
    demand : pandas.Series
        Children per demand point.
    cost : pandas.DataFrame
        Cost (minutes or metres) from demand points (rows) to sites (columns).
    threshold : float
        Coverage threshold, same unit as ``cost``.
    existing : list, optional
        Sites already open.
    candidates : list, optional
        Sites to rank (default: every column not in ``existing``).
    capacity : float or mapping, optional
        Places per site (existing ones included when a mapping). When given, candidates
        are ranked by children actually served within places first.

    Returns
    -------
    pandas.DataFrame
        Indexed by candidate site id: ``children_covered`` (children newly within
        ``threshold``), ``share_of_uncovered`` (0–1), ``children_served`` (with capacity:
        extra children served within places, existing sites' places included),
        ``child_minutes_saved`` (demand-weighted cost saved, child-minutes),
        ``minutes_saved_per_child`` (over all children), ``rank`` (1 = best, by children
        served, then children covered, then child-minutes saved; ties share a rank),
        sorted by rank. ``attrs`` hold ``total_children``,
        ``children_covered_by_existing`` and ``threshold``.

    Examples
    --------
    >>> import pandas as pd
    >>> children = pd.Series({"Cahors": 100.0, "Calamane": 20.0, "Nuzejouls": 10.0,
    ...                       "Catus": 30.0})
    >>> minutes = pd.DataFrame({"alsh-cahors": [0, 12, 16, 25], "Calamane": [12, 0, 5, 14],
    ...                         "Catus": [25, 14, 18, 0]}, index=children.index, dtype=float)
    >>> ranking = rank_candidates(children, minutes, 10, existing=["alsh-cahors"])
    >>> ranking[["children_covered", "rank"]]
              children_covered  rank
    site
    Catus                 30.0     1
    Calamane              30.0     2
    """
    threshold = check_threshold(threshold)
    inst = build_instance(demand, cost, candidates, existing, capacity)
    ne = inst.n_existing
    uncovered = np.where(inst.existing_reach(threshold), 0.0, inst.weights)
    covered = uncovered @ inst.within(threshold)[:, ne:]
    saved = _minutes_saved(inst)
    table = pd.DataFrame(index=pd.Index(inst.site_ids[ne:], name="site"))
    table["children_covered"] = covered
    table["share_of_uncovered"] = covered / uncovered.sum() if uncovered.sum() else 0.0
    keys = [covered, saved]
    if inst.capacity is not None:
        table["children_served"] = _served_gain(inst, threshold)
        keys.insert(0, table["children_served"].to_numpy())
    table["child_minutes_saved"] = saved
    table["minutes_saved_per_child"] = saved / inst.total_demand if inst.total_demand else 0.0
    table["rank"] = _ranks(*keys)
    table = table.sort_values(["rank"], kind="stable")
    table.attrs.update(
        total_children=inst.total_demand,
        children_covered_by_existing=float(inst.total_demand - uncovered.sum()),
        threshold=threshold,
    )
    return table
