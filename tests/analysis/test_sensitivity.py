"""Sensitivity of the headline indicators to the threshold and the decay, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from maillage.analysis.sensitivity import ACCESS, GINI, NO_OFFER, WITHIN, sensitivity


def case():
    """Catus (40 children) at 5 min of a 30-place ALSH; Lherm (10 children) at 15 min."""
    demand = pd.Series({"catus": 40.0, "lherm": 10.0})
    supply = pd.Series({"alsh": 30.0})
    cost = pd.DataFrame({"alsh": [5.0, 15.0]}, index=demand.index)
    return demand, supply, cost


def test_lherm_enters_the_catchment_between_10_and_20_minutes():
    table = sensitivity(*case(), baseline_threshold=10, thresholds=(10, 20), decays={})
    value = table.set_index(["setting", "indicator"])["value"]
    # 10 min: only Catus reaches: 30/40 per child → mean 100·(40·0.75)/50 = 60 per 100;
    # Lherm (10 of 50 children) has none → 20 %; Gini: values 0.75 (40) and 0 (10) → the
    # bottom 20 % hold nothing: G = 1 − (0.2·0 + 0.8·(0 + 1)) = 0.2.
    assert value[("10 min", ACCESS)] == pytest.approx(60.0)
    assert value[("10 min", NO_OFFER)] == pytest.approx(0.2)
    assert value[("10 min", WITHIN)] == pytest.approx(0.8)
    assert value[("10 min", GINI)] == pytest.approx(0.2)
    # 20 min: both reach: 30/50 each → 60 per 100 still, nobody without offer, Gini 0.
    assert value[("20 min", ACCESS)] == pytest.approx(60.0)
    assert value[("20 min", NO_OFFER)] == 0.0
    assert value[("20 min", GINI)] == pytest.approx(0.0)
    change = table.set_index(["setting", "indicator"])["change"]
    assert change[("20 min", NO_OFFER)] == pytest.approx(-0.2)
    assert table.attrs["baseline"] == "seuil 10 min, sans décroissance"


def test_decay_changes_are_rows_of_the_same_table():
    table = sensitivity(*case(), baseline_threshold=20, thresholds=(),
                        decays={"paliers": {10: 1.0, 20: 0.5}})
    row = table[(table["parameter"] == "décroissance") & (table["indicator"] == GINI)].iloc[0]
    # Weights Catus 1, Lherm 0.5: R = 30 / (40 + 5) = 2/3; Catus 2/3, Lherm 1/3 per child.
    # Lorenz: Lherm holds 10·(1/3) = 10/3 of 30 places → L(0.2) = 1/9.
    # G = 1 − (0.2·(1/9) + 0.8·(1/9 + 1)) = 1 − 0.2/9 − 0.8·10/9 = 1 − 8.2/9.
    assert row["value"] == pytest.approx(1 - 8.2 / 9)
    assert row["change"] == pytest.approx(1 - 8.2 / 9)
