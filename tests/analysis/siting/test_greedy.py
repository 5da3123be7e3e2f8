"""Greedy heuristics against the exact models, capacities and time limits on random plains."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from maillage.analysis.siting import maximal_coverage, p_median, set_cover
from maillage.errors import SolverError

SEEDS = [1, 2, 3, 4]


def plain(seed: int, n_points: int = 60, n_sites: int = 25, n_existing: int = 3):
    """Villages on a 40 × 40 km plain; minutes at 60 km/h (1 km = 1 minute)."""
    rng = np.random.default_rng(seed)
    villages = rng.uniform(0, 40, (n_points, 2))
    sites = rng.uniform(0, 40, (n_sites, 2))
    minutes = np.hypot(*(villages[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    names = [f"site-{j}" for j in range(n_sites)]
    cost = pd.DataFrame(minutes, index=[f"v{i}" for i in range(n_points)], columns=names)
    demand = pd.Series(rng.integers(0, 80, n_points).astype(float), index=cost.index)
    return demand, cost, names[:n_existing]


@pytest.mark.parametrize("seed", SEEDS)
def test_greedy_never_beats_exact_maximal_coverage(seed):
    demand, cost, existing = plain(seed)
    result = maximal_coverage(demand, cost, 8, 4, existing=existing, method="both")
    assert result.greedy_objective <= result.objective + 1e-9
    assert result.gap >= -1e-12
    alone = maximal_coverage(demand, cost, 8, 4, existing=existing, method="greedy")
    assert alone.covered_demand == pytest.approx(result.greedy_objective)


@pytest.mark.parametrize("seed", SEEDS)
def test_greedy_never_beats_exact_p_median(seed):
    demand, cost, existing = plain(seed)
    result = p_median(demand, cost, 3, existing=existing, method="both")
    assert result.greedy_objective >= result.objective - 1e-6
    assert 0 <= result.gap < 0.2


@pytest.mark.parametrize("seed", SEEDS)
def test_greedy_set_cover_needs_at_least_as_many_sites(seed):
    demand, cost, existing = plain(seed)
    threshold = float(cost.min(axis=1).max()) + 1
    result = set_cover(demand, cost, threshold, existing=existing, method="both")
    assert len(result.greedy_selected) >= result.count
    assert result.coverage_share == 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_capacitated_coverage_respects_places_and_reach(seed):
    demand, cost, existing = plain(seed)
    places = pd.Series(60.0, index=cost.columns)
    result = maximal_coverage(demand, cost, 10, 3, existing=existing, capacity=places,
                              method="both")
    flows = result.flows
    assert (flows["cost"] <= 10).all()
    assert set(flows["site"]) <= set(existing) | set(result.selected)
    assert (flows.groupby("site")["children"].sum() <= 60 + 1e-6).all()
    per_village = flows.groupby("demand_point")["children"].sum()
    assert (per_village <= demand.reindex(per_village.index) + 1e-6).all()
    assert result.covered_demand == pytest.approx(flows["children"].sum())
    assert result.covered_demand <= 60 * (len(existing) + 3) + 1e-6
    assert result.greedy_objective <= result.objective + 1e-6
    uncapacitated = maximal_coverage(demand, cost, 10, 3, existing=existing)
    assert result.covered_demand <= uncapacitated.covered_demand + 1e-6


def test_a_zero_time_limit_still_returns_the_greedy_sites_flagged_not_optimal():
    demand, cost, existing = plain(7, n_points=200, n_sites=120)
    result = p_median(demand, cost, 6, existing=existing, method="both", time_limit=0.0)
    assert not result.optimal
    assert len(result.selected) == 6


def test_a_zero_time_limit_with_the_exact_method_gives_the_warm_start_and_says_so():
    demand, cost, existing = plain(7, n_points=200, n_sites=120)
    result = p_median(demand, cost, 6, existing=existing, time_limit=0.0)
    heuristic = p_median(demand, cost, 6, existing=existing, method="greedy")
    assert not result.optimal and len(result.selected) == 6
    assert result.objective <= heuristic.objective  # never worse than the greedy start
    assert result.quality.endswith("(arrêt à la limite de temps de 0 s)")


def test_progress_receives_french_status_lines():
    demand, cost, existing = plain(8, n_points=120, n_sites=60)
    lines = []
    maximal_coverage(demand, cost, 6, 5, existing=existing, progress=lines.append)
    assert lines
    assert all(line.startswith("meilleure solution") for line in lines)
    # Numbers as the reports write them: « 1 234,5 », « 0,00 % » (no decimal point).
    number = r"\d{1,3}(\u202f\d{3})*,\d"
    gap = rf"({number}\d\u00a0%|inconnu : pas encore de borne)"
    assert all(re.fullmatch(rf"meilleure solution {number} \(écart {gap}\)", line)
               for line in lines), lines


def test_a_zero_time_limit_without_a_warm_start_says_what_to_do():
    demand, cost, existing = plain(7, n_points=200, n_sites=120)
    threshold = float(np.ceil(cost.min(axis=1).max())) + 1
    with pytest.raises(SolverError, match="augmenter la limite de temps"):
        set_cover(demand, cost, threshold, existing=existing, capacity=10_000, time_limit=0.0)
