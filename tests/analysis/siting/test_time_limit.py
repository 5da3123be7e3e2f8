"""Siting at scale: a time limit, the warm start, and how far from optimal a stopped run is.

A plain of villages (minutes at 60 km/h) large enough that HiGHS cannot prove optimality in
a few milliseconds: stopped by the limit, the result is still a feasible choice of sites,
says its gap and is never worse than the greedy start; without a limit, the same optimum as
a solve without warm start (the model before it existed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from maillage.analysis.siting import maximal_coverage, set_cover
from maillage.analysis.siting.greedy import greedy_mclp, greedy_set_cover, prune_set_cover, swap_mclp
from maillage.analysis.siting.instance import build_instance
from maillage.analysis.siting import models


def plain(n_points: int, n_sites: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    side = 4 * np.sqrt(n_points)
    villages = rng.uniform(0, side, (n_points, 2))
    sites = rng.uniform(0, side, (n_sites, 2))
    minutes = np.hypot(*(villages[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    children = pd.Series(rng.integers(1, 100, n_points).astype(float),
                         index=[f"v{i}" for i in range(n_points)])
    return children, pd.DataFrame(minutes, index=children.index,
                                  columns=[f"s{j}" for j in range(n_sites)])


@pytest.fixture(scope="module")
def large():
    return plain(1500, 200)


def _covered(children, minutes, sites, threshold):
    return float(children[(minutes[sites] <= threshold).any(axis=1)].sum())


def test_a_stopped_mclp_is_feasible_reports_its_gap_and_beats_the_greedy(large):
    children, minutes = large
    result = maximal_coverage(children, minutes, threshold=6, p=12, time_limit=0.01)
    assert len(result.selected) == 12 and set(result.selected) <= set(minutes.columns)
    assert result.covered_demand == _covered(children, minutes, result.selected, 6)
    assert result.optimality_gap >= 0
    inst = build_instance(children, minutes, None, None, None)
    greedy_sites = [minutes.columns[j] for j in greedy_mclp(inst, 6, 12)]
    assert result.objective >= _covered(children, minutes, greedy_sites, 6)
    if not result.optimal:
        assert result.bound >= result.objective
        assert "de l'optimum au plus" in result.quality
        assert "limite de temps de 0.01 s" in result.quality


def test_without_a_limit_the_gap_is_0_and_the_optimum_is_the_cold_one():
    children, minutes = plain(300, 60, seed=3)
    result = maximal_coverage(children, minutes, threshold=6, p=5, time_limit=600)
    inst = build_instance(children, minutes, None, None, None)
    builder, y = models.mclp_model(inst, 6.0, 5)
    cold = builder.solve(maximize=True, time_limit=600)  # no start: the model alone
    offset = float(inst.weights[inst.existing_reach(6.0)].sum())
    assert result.optimal and result.optimality_gap == 0 and result.quality == "solution optimale"
    assert result.objective == pytest.approx(cold.objective + offset)
    assert result.bound == result.objective


def test_a_stopped_set_cover_covers_everyone_and_reports_its_gap(large):
    children, minutes = large
    threshold = float(np.ceil(minutes.min(axis=1).max())) + 1
    result = set_cover(children, minutes, threshold, time_limit=0.01)
    assert (minutes[result.selected] <= threshold).any(axis=1).all()  # feasible
    inst = build_instance(children, minutes, None, None, None)
    assert result.count <= len(greedy_set_cover(inst, threshold))
    assert result.optimality_gap >= 0
    exact = set_cover(children, minutes, threshold, time_limit=600)
    assert exact.optimal and exact.optimality_gap == 0
    if not result.optimal:
        assert result.bound <= exact.count <= result.count


def test_local_search_never_loses_children_nor_leaves_anyone_uncovered(large):
    children, minutes = large
    inst = build_instance(children, minutes, None, None, None)
    start = greedy_mclp(inst, 6.0, 12)
    improved = swap_mclp(inst, 6.0, start)
    assert len(set(improved)) == 12
    names = list(minutes.columns)
    assert (_covered(children, minutes, [names[j] for j in improved], 6)
            >= _covered(children, minutes, [names[j] for j in start], 6))
    threshold = float(np.ceil(minutes.min(axis=1).max())) + 1
    cover = greedy_set_cover(inst, threshold)
    pruned = prune_set_cover(inst, threshold, cover)
    assert len(pruned) <= len(cover)
    assert (minutes[[names[j] for j in pruned]] <= threshold).any(axis=1).all()


def test_the_quality_sentence_says_how_far_from_optimal_at_most():
    children, minutes = plain(40, 10, seed=1)
    result = maximal_coverage(children, minutes, threshold=6, p=2)
    result.optimal, result.bound, result.time_limit = False, result.objective * 1.0123, 30.0
    assert result.optimality_gap == pytest.approx(0.0123 / 1.0123)
    assert result.quality == ("solution à 1,3 % de l'optimum au plus (arrêt à la limite de "
                              "temps de 30 s)")
    result.bound = None
    assert result.optimality_gap == float("inf")
    assert result.quality.startswith("solution sans borne connue")
    greedy = maximal_coverage(children, minutes, threshold=6, p=2, method="greedy")
    assert greedy.quality == "solution gloutonne, sans garantie d'optimalité"
