"""Greedy heuristics for large siting instances.

Each function returns the positions (among candidates) of the sites it opens, in the
order it added them; the exact models of :mod:`maillage.analysis.siting.models` bound how
far they are from the optimum (``SitingResult.gap`` when both run).

Coverage models work on a sparse boolean demand × candidate matrix (scipy.sparse, one
entry per pair within the threshold). After each pick only the candidates sharing a newly
covered point get their gain recomputed, always by the same sparse column sum, so the
picks (and ties: highest gain, then lowest position) are those of the plain definition
"recompute every gain, take the best". The p-median keeps each candidate's child-cost and
corrects it only on the demand points whose nearest site changed; before each pick, the
children left unreachable and the child-costs of the candidates within rounding of the best
are summed afresh, so that ties go as in the definition too. The dense implementations they
replaced are kept in ``bench/greedy_baseline.py`` (``bench_siting.py --greedy``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .instance import SitingInstance

#: Demand points per block when the p-median scans the cost matrix (bounds the memory
#: of one block to rows × candidates × 8 bytes).
_ROWS_PER_BLOCK = 2048


def _pick(scores: np.ndarray, taken: np.ndarray, ties: np.ndarray | None = None) -> int:
    """Best untaken candidate: highest score, then lowest tie-breaker, then lowest position."""
    scores = np.where(taken, -np.inf, scores)
    if ties is None:
        return int(np.argmax(scores))
    best = np.flatnonzero(scores == scores.max())
    return int(best[np.argmin(ties[best])])


class _Coverage:
    """Which candidates reach which demand points within the threshold, as sparse arrays.

    ``by_site`` (CSC, demand × candidates, float ones) lists the points of each candidate
    in ascending order; ``by_point`` (CSR) the candidates of each point.
    """

    def __init__(self, inst: SitingInstance, threshold: float) -> None:
        rows, cols = np.nonzero(inst.cost[:, inst.n_existing:] <= threshold)
        shape = (len(inst.weights), inst.n_candidates)
        ones = np.ones(len(rows))
        self.by_site = sp.csc_matrix((ones, (rows, cols)), shape=shape)
        self.by_point = self.by_site.tocsr()

    def points(self, site: int) -> np.ndarray:
        """Demand points (rows) within the threshold of candidate ``site``, ascending."""
        start, end = self.by_site.indptr[site], self.by_site.indptr[site + 1]
        return self.by_site.indices[start:end]

    def sites_of(self, points: np.ndarray) -> np.ndarray:
        """Candidates reaching any of ``points`` (sorted, unique)."""
        return np.unique(self.by_point[points].indices)

    def gains(self, weights: np.ndarray, sites: np.ndarray | None = None) -> np.ndarray:
        """Sum of ``weights`` over the points of each candidate (of ``sites`` when given)."""
        block = self.by_site if sites is None else self.by_site[:, sites]
        return block.T @ weights

    def count(self, sites) -> np.ndarray:
        """How many of ``sites`` reach each demand point."""
        count = np.zeros(self.by_site.shape[0], dtype=np.int64)
        for site in sites:
            count[self.points(site)] += 1
        return count


def _greedy_cover(cover: _Coverage, uncovered: np.ndarray, steps: int | None) -> list[int]:
    """Add the candidate with the most uncovered weight, ``steps`` times or until none is left.

    ``uncovered`` (weight per demand point, 0 once covered) is updated in place.
    """
    gains = cover.gains(uncovered)
    taken = np.zeros(len(gains), dtype=bool)
    chosen: list[int] = []
    while (len(chosen) < steps) if steps is not None else uncovered.any():
        if taken.all():
            break
        j = _pick(gains, taken)
        chosen.append(j)
        taken[j] = True
        rows = cover.points(j)
        fresh = rows[uncovered[rows] != 0]
        if len(fresh):
            uncovered[fresh] = 0.0
            affected = cover.sites_of(fresh)
            gains[affected] = cover.gains(uncovered, affected)
    return chosen


def greedy_mclp(inst: SitingInstance, threshold: float, p: int) -> list[int]:
    """Add, p times, the candidate covering the most children not yet covered within T."""
    uncovered = np.where(inst.existing_reach(threshold), 0.0, inst.weights)
    return _greedy_cover(_Coverage(inst, threshold), uncovered, p)


def greedy_set_cover(inst: SitingInstance, threshold: float) -> list[int]:
    """Add candidates covering the most uncovered demand points until all are covered.

    Assumes every point with children can be covered (checked beforehand).
    """
    need = (inst.weights > 0) & ~inst.existing_reach(threshold)
    return _greedy_cover(_Coverage(inst, threshold), need.astype(float), None)


def greedy_capacitated_mclp(inst: SitingInstance, threshold: float, p: int,
                            residual: np.ndarray) -> list[int]:
    """Add, p times, the candidate that can serve the most unserved children within T.

    ``residual`` (children per demand point) is what the existing sites leave unserved.
    A new site serves min(places, unserved children in reach), nearest points first
    (ties: lowest row first).
    """
    ne = inst.n_existing
    cover = _Coverage(inst, threshold)
    places = inst.capacity[ne:]
    residual = residual.astype(float).copy()
    gains = np.minimum(places, cover.gains(residual))
    taken = np.zeros(inst.n_candidates, dtype=bool)
    chosen = []
    for _ in range(p):
        j = _pick(gains, taken)
        chosen.append(j)
        taken[j] = True
        rows = cover.points(j)
        left = places[j]
        served_rows = []
        for i in rows[np.argsort(inst.cost[rows, ne + j], kind="stable")]:
            if left <= 0:
                break
            served = min(left, residual[i])
            residual[i] -= served
            left -= served
            if served:
                served_rows.append(i)
        if served_rows:
            affected = cover.sites_of(np.asarray(served_rows))
            gains[affected] = np.minimum(places[affected], cover.gains(residual, affected))
    return chosen


class _ChildCosts:
    """What each candidate added to given best costs achieves, for the p-median greedy.

    For best costs b (minutes per demand point, inf: no site yet) and candidate j, the greedy
    compares (children with min(b_i, c_ij) infinite, sum of w_i min(b_i, c_ij) over the
    others). The children left unreachable are summed afresh at each pick over the points
    still without a site (none, once every point has one: then exactly 0 for every
    candidate). The child-costs are kept up to date: :meth:`change` corrects them on the
    points whose best cost changed, so a pick or a swap costs rows × candidates, not the
    whole matrix; the candidates within rounding of the best are summed afresh before the
    pick, so ties go as in the plain definition. The candidate costs are copied once in row
    order (fast row gathers).
    """

    def __init__(self, inst: SitingInstance) -> None:
        self.columns = inst.cost[:, inst.n_existing:]
        self.cand = np.ascontiguousarray(self.columns)
        self.weights = inst.weights
        shape = (min(_ROWS_PER_BLOCK, len(self.weights)), self.cand.shape[1])
        self._gathered = np.empty(shape)
        self._capped = np.empty(shape)

    def _capped_block(self, best: np.ndarray, out: np.ndarray) -> None:
        """``out`` = min(best, gathered costs), inf set to 0 (only rows without a site)."""
        np.minimum(self._gathered[: len(best)], best[:, None], out=out)
        open_rows = np.flatnonzero(np.isinf(best))
        if len(open_rows):
            sub = out[open_rows]
            np.copyto(sub, 0.0, where=np.isinf(sub))
            out[open_rows] = sub

    def change(self, before: np.ndarray | None, after: np.ndarray,
               rows: np.ndarray | None = None) -> np.ndarray:
        """Change in child-cost per candidate when the best costs go from ``before`` to
        ``after`` on ``rows`` (all rows by default); ``before`` None: the child-costs."""
        rows = np.arange(len(self.weights)) if rows is None else rows
        cost = np.zeros(self.cand.shape[1])
        for start in range(0, len(rows), _ROWS_PER_BLOCK):
            block = rows[start:start + _ROWS_PER_BLOCK]
            np.take(self.cand, block, axis=0, out=self._gathered[: len(block)])
            capped = self._capped[: len(block)]
            self._capped_block(after[block], capped)
            if before is not None:  # the gathered block becomes the old capped costs
                old = self._gathered[: len(block)]
                self._capped_block(before[block], old)
                capped -= old
            cost += self.weights[block] @ capped
        return cost

    def unreachable(self, best: np.ndarray) -> np.ndarray:
        """Children left without a reachable site, per candidate added to ``best``."""
        unreachable = np.zeros(self.cand.shape[1])
        open_rows = np.flatnonzero(np.isinf(best))
        for start in range(0, len(open_rows), _ROWS_PER_BLOCK):
            block = open_rows[start:start + _ROWS_PER_BLOCK]
            unreachable += self.weights[block] @ np.isinf(self.cand[block])
        return unreachable

    def exact_cost(self, best: np.ndarray, site: int) -> float:
        """Child-cost of ``site`` added to ``best``, summed afresh over every point."""
        after = np.minimum(best, self.columns[:, site])
        return float(self.weights @ np.where(np.isfinite(after), after, 0.0))

    def pick(self, best: np.ndarray, cost: np.ndarray,
             taken: np.ndarray) -> tuple[int, float, float]:
        """Best untaken candidate added to ``best``: fewest unreachable children, then lowest
        child-cost, then lowest position; with its (unreachable, child-cost)."""
        unreachable = self.unreachable(best)
        scores = np.where(taken, -np.inf, -unreachable)
        tied = np.flatnonzero(scores == scores.max())
        low = cost[tied].min()
        near = tied[cost[tied] <= low + 1e-9 * max(1.0, abs(low))]
        exact = [self.exact_cost(best, site) for site in near]
        site = int(near[int(np.argmin(exact))])
        return site, float(unreachable[site]), min(exact)


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
    costs = _ChildCosts(inst)
    best = _existing_best(inst)
    cost = costs.change(None, best)
    taken = np.zeros(inst.n_candidates, dtype=bool)
    chosen = []
    for _ in range(p):
        j, _, _ = costs.pick(best, cost, taken)
        chosen.append(j)
        taken[j] = True
        after = np.minimum(best, inst.cost[:, ne + j])
        rows = np.flatnonzero(after < best)
        if 2 * len(rows) > len(best):  # cheaper to start again than to correct
            cost = costs.change(None, after)
        else:
            cost += costs.change(best, after, rows)
        best = after
    return _interchange(inst, chosen, max_passes, costs)


def _interchange(inst: SitingInstance, chosen: list[int], max_passes: int,
                 costs: _ChildCosts) -> list[int]:
    """Teitz & Bart: for each chosen site, the best replacement among the other candidates.

    Without site k, only the points whose nearest site was k get a new best cost: the
    child-costs of every candidate are corrected on those points alone.
    """
    ne = inst.n_existing
    chosen = list(chosen)
    existing = _existing_best(inst)
    best = existing.copy()
    if chosen:
        best = np.minimum(existing, inst.cost[:, ne + np.asarray(chosen)].min(axis=1))
    reachable = np.isfinite(best)
    current = (inst.weights @ ~reachable, inst.weights @ np.where(reachable, best, 0.0))
    cost = costs.change(None, best)
    for _ in range(max_passes):
        improved = False
        for k in range(len(chosen)):
            others = chosen[:k] + chosen[k + 1:]
            rows = np.flatnonzero(inst.cost[:, ne + chosen[k]] <= best)
            rows = rows[np.isfinite(best[rows])]
            base = best.copy()
            if others:
                nearest = inst.cost[np.ix_(rows, ne + np.asarray(others))].min(axis=1)
                base[rows] = np.minimum(existing[rows], nearest)
            else:
                base[rows] = existing[rows]
            without = cost + costs.change(best, base, rows)
            taken = np.zeros(inst.n_candidates, dtype=bool)
            taken[others] = True
            j, unreachable, child_cost = costs.pick(base, without, taken)
            if (unreachable, child_cost) < (current[0], current[1] - 1e-9):
                current = (unreachable, child_cost)
                improved = True
                if j != chosen[k]:  # the child-costs follow the new best costs
                    chosen[k] = j
                    after = np.minimum(base, inst.cost[:, ne + j])
                    closer = np.flatnonzero(after < base)
                    cost = without + costs.change(base, after, closer)
                    best = after
        if not improved:
            break
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
    cover = _Coverage(inst, threshold)
    weights = np.where(inst.existing_reach(threshold), 0.0, inst.weights)
    count = cover.count(chosen)
    for _ in range(max_passes):
        improved = False
        for k, site in enumerate(list(chosen)):
            alone = count == 0  # uncovered, or (below) covered by this site only
            rows = cover.points(site)
            alone[rows] = count[rows] == 1
            gains = cover.gains(np.where(alone, weights, 0.0))
            taken = np.zeros(inst.n_candidates, dtype=bool)
            taken[chosen] = True
            taken[site] = False
            best = _pick(gains, taken)
            if gains[best] > gains[site] + 1e-9 * max(1.0, abs(gains[site])):
                count[cover.points(best)] += 1
                count[rows] -= 1
                chosen[k] = best
                improved = True
        if not improved:
            break
    return chosen


def prune_set_cover(inst: SitingInstance, threshold: float, chosen: list[int]) -> list[int]:
    """Drop from a set cover every site the others make useless (last added first)."""
    need = (inst.weights > 0) & ~inst.existing_reach(threshold)
    chosen = list(chosen)
    reach = inst.cost[:, inst.n_existing + np.asarray(chosen, dtype=int)] <= threshold
    count = reach.sum(axis=1)
    for column in reversed(range(len(chosen))):
        rows = np.flatnonzero(reach[:, column])
        if not (need[rows] & (count[rows] == 1)).any():
            del chosen[column]
            count[rows] -= 1
    return chosen
