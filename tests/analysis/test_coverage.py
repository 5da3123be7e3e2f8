"""Coverage within N minutes, weighted times, zones blanches, France Services target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from maillage.analysis.coverage import (
    coverage,
    france_services_target,
    time_summary,
    time_to_nearest,
    weighted_quantile,
    zones_blanches,
)
from maillage.errors import InputError


def four_communes():
    """Minutes to the nearest France Services and inhabitants.

    cahors 2 min (20,000), catus 14 (900), lherm 22 (300), montcabrier 34 (400).
    """
    times = pd.Series({"cahors": 2.0, "catus": 14.0, "lherm": 22.0, "montcabrier": 34.0})
    people = pd.Series({"cahors": 20000.0, "catus": 900.0, "lherm": 300.0, "montcabrier": 400.0})
    return times, people


def test_coverage_by_hand():
    times, people = four_communes()
    table = coverage(times, people)
    # Total 21,600. ≤10: 20,000; ≤15: 20,900; ≤20: 20,900; ≤30: 21,200.
    assert table["population_within"].tolist() == [20000, 20900, 20900, 21200]
    assert table.loc[30, "share_within"] == pytest.approx(21200 / 21600)
    assert table.loc[15, "origins_beyond"] == 2
    assert table.loc[10, "population_beyond"] == 1600


def test_threshold_is_inclusive():
    table = coverage(pd.Series({"a": 15.0}), pd.Series({"a": 10.0}), thresholds=(15,))
    assert table.loc[15, "share_within"] == 1.0


def test_time_summary_by_hand():
    times, people = four_communes()
    summary = time_summary(times, people)
    # Mean = (2·20000 + 14·900 + 22·300 + 34·400) / 21600 = 72800 / 21600.
    assert summary["mean_minutes"] == pytest.approx(72800 / 21600)
    # 90 % of 21,600 = 19,440 people: reached within Cahors' 20,000 → p90 = 2 min.
    assert summary["p90_minutes"] == 2.0
    assert summary["population_unreachable"] == 0


def test_weighted_quantile_inverse_distribution():
    values, weights = np.array([20.0, 5.0]), np.array([90.0, 10.0])
    # 10 people at 5 min, 90 at 20 min: q=0.1 → 5, q=0.11 → 20.
    assert weighted_quantile(values, weights, 0.10) == 5.0
    assert weighted_quantile(values, weights, 0.11) == 20.0


def test_unreachable_people_make_the_mean_infinite():
    times, people = four_communes()
    times["montcabrier"] = np.inf
    summary = time_summary(times, people)
    assert summary["mean_minutes"] == np.inf
    assert summary["population_unreachable"] == 400


def test_time_to_nearest_takes_the_row_minimum():
    cost = pd.DataFrame({"fs_catus": [14.0, 30.0], "bus": [20.0, 22.0]}, index=["catus", "lherm"])
    assert time_to_nearest(cost).tolist() == [14.0, 22.0]


def test_zones_blanches_lists_the_farthest_first():
    times, people = four_communes()
    communes = pd.DataFrame({"name": ["Cahors", "Catus", "Lherm", "Montcabrier"],
                             "epci": ["a", "a", "a", "b"]}, index=times.index)
    table = zones_blanches(times, 20, communes, people)
    assert table.index.tolist() == ["montcabrier", "lherm"]
    assert table.loc["lherm", "name"] == "Lherm"
    assert table.loc["montcabrier", "population"] == 400


def test_france_services_target_fails_for_montcabrier():
    times, people = four_communes()
    check = france_services_target(times, people)
    # Montcabrier at 34 min holds 400 of 21,600 inhabitants.
    assert not check.passed
    assert check.failing.index.tolist() == ["montcabrier"]
    assert check.population_beyond == 400
    assert check.text() == ("Objectif non atteint : 400 habitants (1,9\u00a0%) dans 1 "
                            "commune(s) à plus de 30 min.")
    times["montcabrier"] = 29.0
    assert france_services_target(times, people).passed


def test_missing_population_is_an_input_error():
    times, people = four_communes()
    with pytest.raises(InputError, match="lherm"):
        coverage(times, people.drop("lherm"))
