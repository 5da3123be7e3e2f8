"""The sparse, incremental greedy heuristics pick the same sites, in the same order, as the
plain definitions written below with loops (hypothesis, random instances).

Weights and costs are whole numbers, so every sum is exact and the comparison is equality:
same sites, same order, same tie-breaking (best gain, then lowest cost when the model has
one, then lowest candidate position).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.analysis.siting import greedy
from maillage.analysis.siting.instance import SitingInstance

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
INF = math.inf


@st.composite
def instances(draw, capacity: bool = False):
    """Up to 25 demand points × (0–3 existing + 1–10 candidates), whole minutes, some inf."""
    n = draw(st.integers(1, 25))
    n_existing = draw(st.integers(0, 3))
    m = n_existing + draw(st.integers(1, 10))
    minutes = st.one_of(st.integers(0, 30), st.just(INF))
    cost = np.array(draw(st.lists(minutes, min_size=n * m, max_size=n * m)),
                    dtype=float).reshape(n, m)
    weights = np.array(draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)), dtype=float)
    places = (np.array(draw(st.lists(st.integers(0, 80), min_size=m, max_size=m)), dtype=float)
              if capacity else None)
    return SitingInstance(demand_ids=pd.Index(range(n)), weights=weights,
                          site_ids=list(range(m)), n_existing=n_existing, cost=cost,
                          capacity=places)


def best_untaken(values, taken, ties=None):
    """Position of the highest value among untaken ones: lowest tie, then lowest position."""
    best = None
    for j, value in enumerate(values):
        if taken[j]:
            continue
        key = (-value, 0 if ties is None else ties[j], j)
        if best is None or key < best[0]:
            best = (key, j)
    return best[1]


def covered_by(inst, threshold, j):
    return [i for i in range(len(inst.weights)) if inst.cost[i, inst.n_existing + j] <= threshold]


def already_covered(inst, threshold, i):
    return any(inst.cost[i, e] <= threshold for e in range(inst.n_existing))


def reference_cover(inst, threshold, uncovered, steps):
    chosen, taken = [], [False] * inst.n_candidates
    while (len(chosen) < steps) if steps is not None else any(uncovered):
        gains = [sum(uncovered[i] for i in covered_by(inst, threshold, j))
                 for j in range(inst.n_candidates)]
        j = best_untaken(gains, taken)
        chosen.append(j)
        taken[j] = True
        for i in covered_by(inst, threshold, j):
            uncovered[i] = 0.0
    return chosen


def reference_mclp(inst, threshold, p):
    uncovered = [0.0 if already_covered(inst, threshold, i) else w
                 for i, w in enumerate(inst.weights)]
    return reference_cover(inst, threshold, uncovered, p)


def reference_set_cover(inst, threshold):
    uncovered = [1.0 if w > 0 and not already_covered(inst, threshold, i) else 0.0
                 for i, w in enumerate(inst.weights)]
    return reference_cover(inst, threshold, uncovered, None)


def reference_capacitated(inst, threshold, p, residual):
    ne, residual = inst.n_existing, list(residual)
    chosen, taken = [], [False] * inst.n_candidates
    for _ in range(p):
        gains = [min(inst.capacity[ne + j], sum(residual[i] for i in covered_by(inst, threshold, j)))
                 for j in range(inst.n_candidates)]
        j = best_untaken(gains, taken)
        chosen.append(j)
        taken[j] = True
        left = inst.capacity[ne + j]
        for i in sorted(covered_by(inst, threshold, j), key=lambda i: (inst.cost[i, ne + j], i)):
            if left <= 0:
                break
            served = min(left, residual[i])
            residual[i] -= served
            left -= served
    return chosen


def child_cost(inst, sites):
    """(children with no reachable site, child-minutes of the others) with ``sites`` open."""
    ne, unreachable, total = inst.n_existing, 0.0, 0.0
    for i, w in enumerate(inst.weights):
        nearest = min([inst.cost[i, e] for e in range(ne)]
                      + [inst.cost[i, ne + j] for j in sites], default=INF)
        if math.isinf(nearest):
            unreachable += w
        else:
            total += w * nearest
    return unreachable, total


def reference_p_median(inst, p, max_passes=5):
    chosen, taken = [], [False] * inst.n_candidates
    for _ in range(p):
        scores = [child_cost(inst, [*chosen, j]) for j in range(inst.n_candidates)]
        j = best_untaken([-s[0] for s in scores], taken, ties=[s[1] for s in scores])
        chosen.append(j)
        taken[j] = True
    current = child_cost(inst, chosen)
    for _ in range(max_passes):
        improved = False
        for k in range(len(chosen)):
            others = chosen[:k] + chosen[k + 1:]
            scores = [child_cost(inst, [*others, j]) for j in range(inst.n_candidates)]
            taken = [j in others for j in range(inst.n_candidates)]
            j = best_untaken([-s[0] for s in scores], taken, ties=[s[1] for s in scores])
            if scores[j] < (current[0], current[1] - 1e-9):
                chosen[k], current, improved = j, scores[j], True
        if not improved:
            break
    return chosen


def coverage(inst, threshold, sites):
    return sum(w for i, w in enumerate(inst.weights)
               if not already_covered(inst, threshold, i)
               and any(inst.cost[i, inst.n_existing + j] <= threshold for j in sites))


def reference_swap(inst, threshold, chosen, max_passes=10):
    chosen = list(chosen)
    for _ in range(max_passes):
        improved = False
        for k, site in enumerate(list(chosen)):
            others = [s for s in chosen if s != site]
            gains = [coverage(inst, threshold, [*others, j]) for j in range(inst.n_candidates)]
            taken = [j in others for j in range(inst.n_candidates)]
            best = best_untaken(gains, taken)
            if gains[best] > gains[site] + 1e-9 * max(1.0, abs(gains[site])):
                chosen[k], improved = best, True
        if not improved:
            break
    return chosen


def reference_prune(inst, threshold, chosen):
    need = [w > 0 and not already_covered(inst, threshold, i) for i, w in enumerate(inst.weights)]
    chosen = list(chosen)
    for site in reversed(list(chosen)):
        others = [s for s in chosen if s != site]
        if all(not need[i] or any(inst.cost[i, inst.n_existing + j] <= threshold for j in others)
               for i in covered_by(inst, threshold, site)):
            chosen.remove(site)
    return chosen


thresholds = st.integers(0, 30).map(float)


@SETTINGS
@given(instances(), thresholds, st.data())
def test_maximal_coverage_picks_the_sites_of_the_definition(inst, threshold, data):
    p = data.draw(st.integers(0, inst.n_candidates))
    chosen = greedy.greedy_mclp(inst, threshold, p)
    assert chosen == reference_mclp(inst, threshold, p)
    assert greedy.swap_mclp(inst, threshold, chosen) == reference_swap(inst, threshold, chosen)


@SETTINGS
@given(instances(), thresholds)
def test_set_cover_picks_the_sites_of_the_definition(inst, threshold):
    coverable = (inst.cost <= threshold).any(axis=1)
    inst.weights[~coverable] = 0.0  # the models check this beforehand
    chosen = greedy.greedy_set_cover(inst, threshold)
    assert chosen == reference_set_cover(inst, threshold)
    assert greedy.prune_set_cover(inst, threshold, chosen) == reference_prune(inst, threshold,
                                                                              chosen)


@SETTINGS
@given(instances(capacity=True), thresholds, st.data())
def test_capacitated_coverage_picks_the_sites_of_the_definition(inst, threshold, data):
    p = data.draw(st.integers(0, inst.n_candidates))
    residual = inst.weights * data.draw(st.sampled_from([1.0, 0.5]))  # halves stay exact
    assert (greedy.greedy_capacitated_mclp(inst, threshold, p, residual)
            == reference_capacitated(inst, threshold, p, residual))


@SETTINGS
@given(instances(), st.data())
def test_p_median_picks_and_swaps_the_sites_of_the_definition(inst, data):
    p = data.draw(st.integers(0, inst.n_candidates))
    assert greedy.greedy_p_median(inst, p) == reference_p_median(inst, p)


def test_ties_go_to_the_lowest_position():
    """Three candidates cover the same two villages: the first one opens."""
    cost = np.array([[5.0, 5.0, 5.0, 20.0], [5.0, 5.0, 5.0, 20.0], [20.0, 20.0, 20.0, 5.0]])
    inst = SitingInstance(demand_ids=pd.Index(["a", "b", "c"]), weights=np.array([10., 10., 20.]),
                          site_ids=["s0", "s1", "s2", "s3"], n_existing=0, cost=cost)
    assert greedy.greedy_mclp(inst, 10.0, 2) == [0, 3]
    assert greedy.greedy_set_cover(inst, 10.0) == [0, 3]
    assert greedy.greedy_p_median(inst, 1) == [0]


@pytest.mark.parametrize("seed", range(6))
def test_p_median_with_fractional_children_and_unreachable_pairs(seed):
    """Children as INSEE estimates (fractions), a third of the pairs unreachable, a few open
    sites: sums are no longer exact, yet the picks are those of the definition (the child-costs
    are corrected incrementally, the candidates within rounding of the best summed afresh)."""
    rng = np.random.default_rng(seed)
    n, n_existing, m = 120, int(rng.integers(0, 4)), 30
    villages, sites = rng.uniform(0, 40, (n, 2)), rng.uniform(0, 40, (n_existing + m, 2))
    cost = np.hypot(*(villages[:, None] - sites[None]).transpose(2, 0, 1))
    cost[rng.random(cost.shape) < 0.35] = np.inf
    weights = rng.gamma(2.0, 20.0, n) * (rng.random(n) > 0.1)
    inst = SitingInstance(demand_ids=pd.Index(range(n)), weights=weights,
                          site_ids=list(range(n_existing + m)), n_existing=n_existing,
                          cost=cost)
    assert greedy.greedy_p_median(inst, 4) == reference_p_median(inst, 4)


@pytest.mark.parametrize("seed", range(4))
def test_coverage_with_fractional_children(seed):
    """The same with fractional children for the coverage models (gains summed afresh)."""
    rng = np.random.default_rng(seed)
    n, n_existing, m = 150, 2, 30
    villages, sites = rng.uniform(0, 40, (n, 2)), rng.uniform(0, 40, (n_existing + m, 2))
    cost = np.hypot(*(villages[:, None] - sites[None]).transpose(2, 0, 1))
    weights = rng.gamma(2.0, 20.0, n)
    inst = SitingInstance(demand_ids=pd.Index(range(n)), weights=weights,
                          site_ids=list(range(n_existing + m)), n_existing=n_existing,
                          cost=cost, capacity=rng.uniform(50, 300, n_existing + m))
    chosen = greedy.greedy_mclp(inst, 8.0, 6)
    assert chosen == reference_mclp(inst, 8.0, 6)
    assert greedy.swap_mclp(inst, 8.0, chosen) == reference_swap(inst, 8.0, chosen)
    assert (greedy.greedy_capacitated_mclp(inst, 8.0, 6, weights)
            == reference_capacitated(inst, 8.0, 6, weights))
