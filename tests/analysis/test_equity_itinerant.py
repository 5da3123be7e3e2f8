"""Equity indices and presence-weighted coverage of itinerant services, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from maillage.analysis.equity import equity_summary, gini, lorenz, palma, share_below
from maillage.analysis.itinerant import (
    FIXED_SITE_DAYS_PER_MONTH,
    days_within,
    presence_coverage,
    presence_points,
)
from maillage.errors import InputError

# --- equity ------------------------------------------------------------------------------


def test_gini_of_equal_values_is_zero_and_of_one_holder_is_near_one():
    ones = pd.Series(1.0, index=list("abcd"))
    assert gini(ones * 7, ones) == pytest.approx(0.0)
    # Four communes of equal population, one holds everything: G = 1 − 1/4 = 0.75.
    assert gini(pd.Series([0, 0, 0, 8.0], index=list("abcd")), ones) == pytest.approx(0.75)


def test_gini_weighted_by_hand():
    # Values 1 (weight 1) and 3 (weight 3): μ = (1 + 9)/4 = 2.5.
    # Σ w_i w_j |x_i − x_j| = 2 · 1 · 3 · 2 = 12 → G = 12 / (2 · 16 · 2.5) = 0.15.
    values = pd.Series({"a": 1.0, "b": 3.0})
    weights = pd.Series({"a": 1.0, "b": 3.0})
    assert gini(values, weights) == pytest.approx(0.15)


def test_palma_by_hand():
    # Ten communes of equal population with values 1..10 (total 55).
    # Bottom 40 % hold 1+2+3+4 = 10; top 10 % hold 10 → Palma = 10/10 = 1.
    values = pd.Series(np.arange(1.0, 11.0), index=list("abcdefghij"))
    weights = pd.Series(1.0, index=values.index)
    assert palma(values, weights) == pytest.approx(1.0)
    p, share = lorenz(values, weights)
    assert share[4] == pytest.approx(10 / 55)


def test_share_below_median_by_hand():
    # Places per 100 children 5, 10, 30 with children 100, 300, 100: weighted median is 10
    # (cumulative 100, 400 ≥ 250). Below 10: only the 100 children at 5 → 20 %.
    values = pd.Series({"a": 5.0, "b": 10.0, "c": 30.0})
    weights = pd.Series({"a": 100.0, "b": 300.0, "c": 100.0})
    assert share_below(values, weights) == pytest.approx(0.2)
    # Against a département median of 12: 400 of 500 children below → 80 %.
    summary = equity_summary(values, weights, reference=12.0)
    assert summary["share_below_median"] == pytest.approx(0.8)
    assert summary["median"] == 12.0


def test_negative_values_are_refused():
    with pytest.raises(InputError):
        gini(pd.Series({"a": -1.0, "b": 2.0}), pd.Series({"a": 1.0, "b": 1.0}))


# --- itinerant ---------------------------------------------------------------------------


def registry():
    facilities = pd.DataFrame(
        {"id": ["fs-catus", "gc-fs-bus", "alsh"], "kind": ["france_services"] * 2 + ["alsh"],
         "itinerant": [False, True, False], "lon": [1.33, 1.44, 1.40],
         "lat": [44.55, 44.45, 44.50]}).set_index("id", drop=False)
    stops = pd.DataFrame({"service_id": ["gc-fs-bus", "gc-fs-bus"],
                          "stop_id": ["bus-calamane", "bus-lherm"], "lon": [1.41, 1.23],
                          "lat": [44.52, 44.56], "days_per_month": [2.0, 1.0]})
    return facilities, stops


def test_presence_points_fixed_sites_count_every_weekday():
    points = presence_points(*registry())
    # The fixed site counts 21.7 days; the bus's two stops 2 and 1; the bus base is no point.
    assert points["days_per_month"].to_dict() == {
        "fs-catus": FIXED_SITE_DAYS_PER_MONTH, "bus-calamane": 2.0, "bus-lherm": 1.0}
    assert points.loc["bus-lherm", "service_id"] == "gc-fs-bus"


def test_presence_coverage_a_monthly_stop_is_not_a_weekday_site():
    """Catus has the fixed site at 5 min; Calamane a stop 2 days/month at 3 min (the fixed
    site at 25); Lherm a stop 1 day/month at 8 min (the fixed site at 18)."""
    cost = pd.DataFrame({"fs-catus": [5.0, 25.0, 18.0], "bus-calamane": [20.0, 3.0, 30.0],
                         "bus-lherm": [30.0, 30.0, 8.0]}, index=["catus", "calamane", "lherm"])
    people = pd.Series({"catus": 900.0, "calamane": 200.0, "lherm": 300.0})
    days = presence_points(*registry())["days_per_month"]
    table = presence_coverage(cost, people, days, thresholds=(10, 20), min_days=(0, 2, 21.7))
    at = table.set_index(["minutes", "min_days_per_month"])["population_within"]
    # Within 10 min of any point: everyone (1,400). Of a point ≥ 2 days: Catus + Calamane
    # (1,100). Of a weekday site: Catus (900).
    assert at[(10, 0)] == 1400 and at[(10, 2)] == 1100 and at[(10, 21.7)] == 900
    # Within 20 min, Lherm also reaches the fixed site (18 min): 900 + 300 = 1,200.
    assert at[(20, 21.7)] == 1200
    # Days reachable within 10 min: Catus 21.7 (capped), Calamane 2, Lherm 1 →
    # mean (900·21.7 + 200·2 + 300·1) / 1400.
    mean = table.loc[table["minutes"] == 10, "mean_days_within"].iloc[0]
    assert mean == pytest.approx((900 * 21.7 + 400 + 300) / 1400)
    # Within 20 min Lherm adds both: 1 + 21.7 → capped at 21.7.
    assert days_within(cost, days, 20)["lherm"] == pytest.approx(21.7)


def test_stop_without_days_counts_as_a_stop_but_never_as_a_regular_point():
    # The documents give no day for some relais stops: such a stop is a place where the
    # service can be met (K = 0), but it never counts as "open at least 1 day a month".
    facilities, stops = registry()
    stops.loc[1, "days_per_month"] = np.nan
    points = presence_points(facilities, stops)
    assert np.isnan(points.loc["bus-lherm", "days_per_month"])
    cost = pd.DataFrame({pid: [5.0] for pid in points.index}, index=["lherm"])
    days = points["days_per_month"]
    alone = cost[["bus-lherm"]]
    table = presence_coverage(alone, pd.Series({"lherm": 100.0}), days, thresholds=(10,),
                              min_days=(0, 1)).set_index("min_days_per_month")
    assert table.loc[0, "population_within"] == 100.0
    assert table.loc[1, "population_within"] == 0.0


def test_stop_with_negative_days_is_an_input_error():
    facilities, stops = registry()
    stops.loc[1, "days_per_month"] = -2.0
    with pytest.raises(InputError, match="bus-lherm"):
        presence_points(facilities, stops)
