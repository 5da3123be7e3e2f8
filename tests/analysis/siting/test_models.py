"""Siting models on a hand-computed Grand Cahors case.

Four communes (children 3–10 years) and the Cahors ALSH already open; Calamane and Catus
are the candidate sites. Minutes by road (illustrative):

                 alsh-cahors  Calamane  Catus
    Cahors (100)       0          12      25
    Calamane (20)     12           0      14
    Nuzéjouls (10)    16           5      18
    Catus (30)        25          14       0
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from maillage.analysis.siting import maximal_coverage, p_median, set_cover
from maillage.analysis.siting.rank import rank_candidates
from maillage.errors import InputError, SolverError

EXISTING = ["alsh-cahors"]


@pytest.fixture
def demand():
    return pd.Series({"Cahors": 100.0, "Calamane": 20.0, "Nuzéjouls": 10.0, "Catus": 30.0})


@pytest.fixture
def minutes():
    return pd.DataFrame(
        [[0, 12, 25], [12, 0, 14], [16, 5, 18], [25, 14, 0]],
        index=["Cahors", "Calamane", "Nuzéjouls", "Catus"],
        columns=["alsh-cahors", "Calamane", "Catus"],
        dtype=float,
    )


def test_calamane_covers_the_most_children_within_15_minutes(demand, minutes):
    result = maximal_coverage(demand, minutes, 15, 1, existing=EXISTING)
    # Cahors' ALSH already covers Cahors and Calamane (120); Calamane adds Nuzéjouls and Catus.
    assert result.selected == ["Calamane"]
    assert result.covered_demand == 160
    assert result.coverage_share == 1.0
    assert result.assignment["Catus"] == "Calamane"
    assert result.assignment["Cahors"] == "alsh-cahors"


def test_without_a_new_site_only_the_existing_coverage_counts(demand, minutes):
    result = maximal_coverage(demand, minutes, 15, 0, existing=EXISTING)
    assert result.selected == []
    assert result.covered_demand == 120
    assert pd.isna(result.assignment["Catus"])


def test_places_change_the_answer_catus_with_40_places_beats_calamane_with_20(demand, minutes):
    capacity = {"alsh-cahors": 120, "Calamane": 20, "Catus": 40}
    result = maximal_coverage(demand, minutes, 15, 1, existing=EXISTING, capacity=capacity)
    # Calamane would reach 40 uncovered children but has 20 places; Catus serves its 30.
    assert result.selected == ["Catus"]
    assert result.covered_demand == pytest.approx(150)
    served = result.flows.groupby("site")["children"].sum()
    assert served["alsh-cahors"] == pytest.approx(120)
    assert served["Catus"] == pytest.approx(30)


def test_p_median_prefers_catus_which_saves_more_child_minutes(demand, minutes):
    result = p_median(demand, minutes, 1, existing=EXISTING)
    # with Catus: 20 × 12 (Calamane→Cahors) + 10 × 16 (Nuzéjouls→Cahors) = 400 child-minutes
    assert result.selected == ["Catus"]
    assert result.total_cost == pytest.approx(400)
    assert result.objective == result.total_cost
    assert result.assignment["Nuzéjouls"] == "alsh-cahors"


def test_capacitated_p_median_splits_children_between_sites(demand, minutes):
    capacity = {"alsh-cahors": 100, "Calamane": 60, "Catus": 60}
    result = p_median(demand, minutes, 1, existing=EXISTING, capacity=capacity)
    served = result.flows.groupby("site")["children"].sum()
    assert (served <= pd.Series(capacity).reindex(served.index) + 1e-6).all()
    assert served.sum() == pytest.approx(160)
    # Cahors' 100 places are taken by its own children: with Catus open, Calamane's and
    # Nuzéjouls' children go to Catus (460 child-minutes); with Calamane open, Catus'
    # children would drive 14 minutes (470).
    assert result.selected == ["Catus"]
    assert result.total_cost == pytest.approx(20 * 14 + 10 * 18)


def test_one_site_covers_everyone_within_15_minutes_two_within_10(demand, minutes):
    assert set_cover(demand, minutes, 15, existing=EXISTING).count == 1
    result = set_cover(demand, minutes, 10, existing=EXISTING)
    assert result.count == 2
    assert result.coverage_share == 1.0


def test_set_cover_within_4_minutes_is_infeasible_and_names_nuzejouls(demand, minutes):
    with pytest.raises(SolverError) as error:
        set_cover(demand, minutes, 4, existing=EXISTING)
    message = str(error.value)
    assert "Nuzéjouls" in message
    assert "au moins 5" in message
    assert "site le plus proche à 5,0" in message


def test_too_few_places_for_every_child_is_reported(demand, minutes):
    with pytest.raises(SolverError, match="capacité insuffisante : au plus 140 places pour 160"):
        p_median(demand, minutes, 1, existing=EXISTING,
                 capacity={"alsh-cahors": 100, "Calamane": 40, "Catus": 40})


def test_more_sites_than_candidates_is_reported(demand, minutes):
    with pytest.raises(SolverError, match="3 nouveau"):
        maximal_coverage(demand, minutes, 15, 3, existing=EXISTING)


def test_existing_sites_are_never_selected_and_stay_free(demand, minutes):
    result = maximal_coverage(demand, minutes, 30, 2, existing=EXISTING)
    assert set(result.selected) == {"Calamane", "Catus"}
    assert result.existing == EXISTING


def test_ranking_answers_how_calamane_ranks(demand, minutes):
    table = rank_candidates(demand, minutes, 15, existing=EXISTING)
    assert table.loc["Calamane", "children_covered"] == 40
    assert table.loc["Catus", "children_covered"] == 30
    assert table.loc["Calamane", "rank"] == 1
    # minutes saved: Calamane 20×12 + 10×11 + 30×11 = 680; Catus 30×25 = 750
    assert table.loc["Calamane", "child_minutes_saved"] == pytest.approx(680)
    assert table.loc["Catus", "child_minutes_saved"] == pytest.approx(750)
    assert table.attrs["children_covered_by_existing"] == 120


def test_ranking_with_places_counts_children_actually_served(demand, minutes):
    capacity = {"alsh-cahors": 120, "Calamane": 20, "Catus": 40}
    table = rank_candidates(demand, minutes, 15, existing=EXISTING, capacity=capacity)
    assert table.loc["Calamane", "children_served"] == pytest.approx(20)
    assert table.loc["Catus", "children_served"] == pytest.approx(30)
    assert table.index[0] == "Catus"


def test_nan_cost_is_an_input_error(demand, minutes):
    broken = minutes.copy()
    broken.loc["Catus", "Catus"] = np.nan
    with pytest.raises(InputError, match="NaN"):
        maximal_coverage(demand, broken, 15, 1, existing=EXISTING)


def test_unknown_existing_site_is_an_input_error(demand, minutes):
    with pytest.raises(InputError, match="alsh-catus"):
        maximal_coverage(demand, minutes, 15, 1, existing=["alsh-catus"])


def test_unreachable_commune_makes_p_median_infeasible(demand, minutes):
    cut = minutes.copy()
    cut.loc["Catus"] = np.inf
    with pytest.raises(SolverError, match="Catus"):
        p_median(demand, cut, 1, existing=EXISTING)


def test_unknown_method_is_an_input_error(demand, minutes):
    with pytest.raises(InputError, match="« method » = .magique. inconnu"):
        maximal_coverage(demand, minutes, 15, 1, existing=EXISTING, method="magique")
