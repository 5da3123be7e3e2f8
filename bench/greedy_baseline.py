"""The greedy heuristics as they were before the sparse rewrite (issue 15): the named
baseline of ``bench_siting.py --greedy``, which checks the new ones give the same sites.

Dense: every pick recomputes every gain with one matrix product over all demand points.
Kept verbatim (import path aside); do not optimise.

Greedy heuristics for large siting instances.

Each function returns the positions (among candidates) of the sites it opens, in the
order it added them. They run in O(p × nnz) with array operations and no solver; the exact
models of :mod:`maillage.analysis.siting.models` bound how far they are from the optimum
(``SitingResult.gap`` when both run).
"""

from __future__ import annotations

import numpy as np

from maillage.analysis.siting.instance import SitingInstance


def _pick(scores: np.ndarray, taken: np.ndarray, ties: np.ndarray | None = None) -> int:
    """Best untaken candidate: highest score, then lowest tie-breaker, then lowest position."""
    scores = np.where(taken, -np.inf, scores)
    if ties is None:
        return int(np.argmax(scores))
    best = np.flatnonzero(scores == scores.max())
    return int(best[np.argmin(ties[best])])


def greedy_mclp(inst: SitingInstance, threshold: float, p: int) -> list[int]:
    """Add, p times, the candidate covering the most children not yet covered within T."""
    reach = inst.within(threshold)[:, inst.n_existing:]
    uncovered = np.where(inst.existing_reach(threshold), 0.0, inst.weights)
    taken = np.zeros(inst.n_candidates, dtype=bool)
    chosen = []
    for _ in range(p):
        j = _pick(uncovered @ reach, taken)
        chosen.append(j)
        taken[j] = True
        uncovered = np.where(reach[:, j], 0.0, uncovered)
    return chosen


def greedy_capacitated_mclp(inst: SitingInstance, threshold: float, p: int,
                            residual: np.ndarray) -> list[int]:
    """Add, p times, the candidate that can serve the most unserved children within T.

    ``residual`` (children per demand point) is what the existing sites leave unserved.
    A new site serves min(places, unserved children in reach), nearest points first.
    """
    ne = inst.n_existing
    reach = inst.within(threshold)[:, ne:]
    places = inst.capacity[ne:]
    residual = residual.astype(float).copy()
    taken = np.zeros(inst.n_candidates, dtype=bool)
    chosen = []
    for _ in range(p):
        gain = np.minimum(places, residual @ reach)
        j = _pick(gain, taken)
        chosen.append(j)
        taken[j] = True
        left = places[j]
        for i in np.argsort(inst.cost[:, ne + j], kind="stable"):
            if left <= 0 or not reach[i, j]:
                break
            served = min(left, residual[i])
            residual[i] -= served
            left -= served
    return chosen


def _child_cost(inst: SitingInstance, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each candidate added to the current best costs: (unreachable children, child-cost)."""
    cand = inst.cost[:, inst.n_existing:]
    after = np.minimum(best[:, None], cand)
    unreachable = inst.weights @ ~np.isfinite(after)
    finite = np.where(np.isfinite(after), after, 0.0)
    return unreachable, inst.weights @ finite


def _existing_best(inst: SitingInstance) -> np.ndarray:
    ne = inst.n_existing
    return inst.cost[:, :ne].min(axis=1) if ne else np.full(len(inst.weights), np.inf)


def greedy_p_median(inst: SitingInstance, p: int, max_passes: int = 5) -> list[int]:
    """Add, p times, the candidate that lowers demand-weighted cost the most, then swap.

    Children left with no reachable site count first (fewest unreachable wins), then the
    demand-weighted cost of the others. The interchange step (Teitz & Bart 1968) then
    replaces any chosen site by an unchosen candidate while that lowers the cost, for at
    most ``max_passes`` passes.
    """
    ne = inst.n_existing
    best = _existing_best(inst)
    taken = np.zeros(inst.n_candidates, dtype=bool)
    chosen = []
    for _ in range(p):
        unreachable, cost = _child_cost(inst, best)
        j = _pick(-unreachable, taken, ties=cost)
        chosen.append(j)
        taken[j] = True
        best = np.minimum(best, inst.cost[:, ne + j])
    return _interchange(inst, chosen, max_passes)


def _interchange(inst: SitingInstance, chosen: list[int], max_passes: int) -> list[int]:
    ne = inst.n_existing
    chosen = list(chosen)

    def score(sites) -> tuple[float, float]:
        best = np.minimum.reduce([_existing_best(inst), *(inst.cost[:, ne + j] for j in sites)])
        reachable = np.isfinite(best)
        return (inst.weights @ ~reachable, inst.weights @ np.where(reachable, best, 0.0))

    current = score(chosen)
    for _ in range(max_passes):
        improved = False
        for k in range(len(chosen)):
            others = chosen[:k] + chosen[k + 1:]
            base = np.minimum.reduce([_existing_best(inst), *(inst.cost[:, ne + j] for j in others)])
            unreachable, cost = _child_cost(inst, base)
            taken = np.zeros(inst.n_candidates, dtype=bool)
            taken[others] = True
            j = _pick(-unreachable, taken, ties=cost)
            if (unreachable[j], cost[j]) < (current[0], current[1] - 1e-9):
                chosen[k] = j
                current = (unreachable[j], cost[j])
                improved = True
        if not improved:
            break
    return chosen


def greedy_set_cover(inst: SitingInstance, threshold: float) -> list[int]:
    """Add candidates covering the most uncovered demand points until all are covered.

    Assumes every point with children can be covered (checked beforehand).
    """
    reach = inst.within(threshold)[:, inst.n_existing:]
    uncovered = ((inst.weights > 0) & ~inst.existing_reach(threshold)).astype(float)
    taken = np.zeros(inst.n_candidates, dtype=bool)
    chosen = []
    while uncovered.any():
        j = _pick(uncovered @ reach, taken, ties=None)
        chosen.append(j)
        taken[j] = True
        uncovered = np.where(reach[:, j], 0.0, uncovered)
    return chosen


def swap_mclp(inst: SitingInstance, threshold: float, chosen: list[int],
              max_passes: int = 10) -> list[int]:
    """Improve an MCLP choice by swaps: replace a chosen site while that covers more children.

    For each chosen site in turn, the unchosen candidate (or the site itself) that covers
    the most children left uncovered by the others takes its place when it covers strictly
    more; at most ``max_passes`` passes over the sites. Never covers fewer children than
    ``chosen``.
    """
    chosen = list(chosen)
    if not chosen:
        return chosen
    reach = inst.within(threshold)[:, inst.n_existing:]
    weights = np.where(inst.existing_reach(threshold), 0.0, inst.weights)
    count = reach[:, chosen].sum(axis=1)
    for _ in range(max_passes):
        improved = False
        for k, site in enumerate(list(chosen)):
            alone = np.where(count - reach[:, site] == 0, weights, 0.0)  # uncovered without it
            gains = alone @ reach
            taken = np.zeros(inst.n_candidates, dtype=bool)
            taken[chosen] = True
            taken[site] = False
            best = _pick(gains, taken)
            if gains[best] > gains[site] + 1e-9 * max(1.0, abs(gains[site])):
                count += reach[:, best].astype(count.dtype) - reach[:, site]
                chosen[k] = best
                improved = True
        if not improved:
            break
    return chosen


def prune_set_cover(inst: SitingInstance, threshold: float, chosen: list[int]) -> list[int]:
    """Drop from a set cover every site the others make useless (last added first)."""
    reach = inst.within(threshold)[:, inst.n_existing:]
    need = (inst.weights > 0) & ~inst.existing_reach(threshold)
    chosen = list(chosen)
    count = reach[:, chosen].sum(axis=1)
    for site in reversed(list(chosen)):
        if not (need & reach[:, site] & (count == 1)).any():
            chosen.remove(site)
            count -= reach[:, site]
    return chosen
