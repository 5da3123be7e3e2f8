"""Regression tests of the three defects of issue 12 (and the scalar decay function).

- a p-median with p = 0 and no existing site has no solution: ``SolverError``, never
  ``objective=inf`` reported as optimal;
- a decay infinite at 0 minutes (gravity on a commune-to-itself pair) is refused with a
  clear ``InputError``, never NaN; with a minimum time it equals ``access``;
- a wrong argument, whatever its type, gives one error across the public API: ``InputError``
  with a French message naming the argument;
- a decay that only takes one number is called once per distinct time, not once per cell.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from maillage.analysis import (
    coverage,
    enhanced_two_step_fca,
    gaussian_weights,
    gravity_weights,
    maximal_coverage,
    p_median,
    set_cover,
    spatial_availability,
    step_weights,
    three_step_fca,
    two_step_fca,
    zones_blanches,
)

from maillage.errors import InputError, SolverError

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")


@pytest.fixture
def villages():
    """Three communes, each with an ALSH at its own point (0 minutes), 10–20 min apart."""
    ids = ["Catus", "Calamane", "Lherm"]
    demand = pd.Series([40.0, 20.0, 10.0], index=ids)
    supply = pd.Series([30.0, 10.0, 5.0], index=ids)
    cost = pd.DataFrame([[0, 12, 20], [12, 0, 15], [20, 15, 0]], index=ids, columns=ids,
                        dtype=float)
    return demand, supply, cost


# --- p = 0 and nothing open ----------------------------------------------------------------


def test_p_median_with_p_zero_and_no_existing_site_is_a_solver_error(villages):
    demand, _, cost = villages
    with pytest.raises(SolverError, match="p = 0"):
        p_median(demand, cost, 0)
    for method in ("greedy", "both"):
        with pytest.raises(SolverError, match="p = 0"):
            p_median(demand, cost, 0, method=method)
    with pytest.raises(SolverError):
        p_median(demand, cost, 0, capacity=100.0)


def test_p_median_with_p_zero_and_existing_sites_still_answers(villages):
    demand, _, cost = villages
    result = p_median(demand, cost, 0, existing=["Catus", "Lherm"])
    assert result.selected == []
    assert result.objective == pytest.approx(20 * 12)  # Calamane → Catus, 12 min
    assert np.isfinite(result.objective) and result.optimal


def test_p_median_with_p_zero_and_an_unreached_point_is_a_solver_error(villages):
    demand, _, cost = villages
    cost = cost.copy()
    cost.loc["Lherm", "Catus"] = np.inf
    with pytest.raises(SolverError, match="Lherm"):
        p_median(demand, cost, 0, existing=["Catus"])


def test_no_solver_entry_point_reports_an_infinite_objective(villages):
    demand, _, cost = villages
    far = cost.where(cost == 0, np.inf)  # each commune reaches only its own site
    # Two sites cannot serve three isolated communes: infeasible, for every method.
    for method in ("exact", "greedy", "both"):
        with pytest.raises(SolverError):
            p_median(demand, far, 2, method=method)
    with pytest.raises(SolverError):
        set_cover(demand, far.drop(columns="Lherm"), 10)
    # MCLP answers with what it covers: a finite number of children, never inf.
    result = maximal_coverage(demand, far, 10, 0)
    assert result.objective == 0 and result.covered_demand == 0


# --- decay infinite at 0 minutes -----------------------------------------------------------


@pytest.mark.parametrize("measure", [two_step_fca, enhanced_two_step_fca, three_step_fca])
def test_gravity_decay_at_zero_minutes_is_refused_not_nan(villages, measure):
    demand, supply, cost = villages
    with pytest.raises(InputError, match="min_minutes") as error:
        measure(demand, supply, cost, 30, weights=gravity_weights(1, -1))
    assert "Catus" in str(error.value)
    with pytest.raises(InputError, match="fini"):
        spatial_availability(demand, supply, cost, 30, weights=lambda t: 1 / t)


def _access(demand, supply, cost):
    from access import Access

    long = cost.stack().rename("cost").rename_axis(["origin", "dest"]).reset_index()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Access(demand_df=demand.rename("pop").rename_axis("geoid").to_frame(),
                      demand_index=True, demand_value="pop",
                      supply_df=supply.rename("doc").rename_axis("geoid").to_frame(),
                      supply_index=True, supply_value="doc",
                      cost_df=long, cost_origin="origin", cost_dest="dest", cost_name="cost")


def test_access_loses_every_place_where_we_refuse_and_the_same_numbers_with_a_minimum_time(villages):
    weights = pytest.importorskip("access.weights")
    demand, supply, cost = villages
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _access(demand, supply, cost).two_stage_fca(
            name="g", max_cost=30, weight_fn=weights.gravity(1, -1))["g_doc"]
        # 0 × inf: every place vanishes (NaN, or 0 once pandas skips the NaN in its sum).
        assert (theirs.fillna(0) == 0).all()
        theirs = _access(demand, supply, cost).two_stage_fca(
            name="g", max_cost=30, weight_fn=weights.gravity(1, -1, min_dist=1))["g_doc"]
    ours = two_step_fca(demand, supply, cost, 30, weights=gravity_weights(1, -1, min_minutes=1))
    pd.testing.assert_series_equal(ours.sort_index(), theirs.sort_index(), check_names=False,
                                   rtol=1e-12)
    # access's own scalar gravity function (max() of one number) gives the same numbers.
    scalar = two_step_fca(demand, supply, cost, 30, weights=weights.gravity(1, -1, min_dist=1))
    pd.testing.assert_series_equal(scalar, ours)


# --- one error for bad arguments -----------------------------------------------------------


BAD_CALLS = {
    "step_weights('a')": lambda d, s, c: step_weights("a"),
    "step_weights(5)": lambda d, s, c: step_weights(5),
    "step_weights({'a': 1})": lambda d, s, c: step_weights({"a": 1}),
    "step_weights({10: 'x'})": lambda d, s, c: step_weights({10: "x"}),
    "gaussian_weights('a')": lambda d, s, c: gaussian_weights("a"),
    "gaussian_weights(0)": lambda d, s, c: gaussian_weights(0),
    "gravity_weights(None, -1)": lambda d, s, c: gravity_weights(None, -1),
    "threshold='a'": lambda d, s, c: two_step_fca(d, s, c, "a"),
    "threshold=-1": lambda d, s, c: two_step_fca(d, s, c, -1),
    "demand=list": lambda d, s, c: two_step_fca(list(d), s, c, 10),
    "cost=array": lambda d, s, c: two_step_fca(d, s, c.to_numpy(), 10),
    "weights=('gaussian', 'a')": lambda d, s, c: two_step_fca(d, s, c, 10,
                                                              weights=("gaussian", "a")),
    "weights=5": lambda d, s, c: two_step_fca(d, s, c, 10, weights=5),
    "alpha='a'": lambda d, s, c: spatial_availability(d, s, c, 10, alpha="a"),
    "p='a'": lambda d, s, c: maximal_coverage(d, c, 10, "a"),
    "p=None": lambda d, s, c: p_median(d, c, None),
    "p=1.5": lambda d, s, c: p_median(d, c, 1.5),
    "p=True": lambda d, s, c: p_median(d, c, True),
    "mclp threshold='a'": lambda d, s, c: maximal_coverage(d, c, "a", 1),
    "method=3": lambda d, s, c: p_median(d, c, 1, method=3),
    "time_limit='a'": lambda d, s, c: p_median(d, c, 1, time_limit="a"),
    "coverage thresholds='a'": lambda d, s, c: coverage(c.min(axis=1), d, "a"),
    "coverage times=list": lambda d, s, c: coverage([1.0], d),
    "zones_blanches threshold='x'": lambda d, s, c: zones_blanches(c.min(axis=1), "x"),
}


@pytest.mark.parametrize("call", list(BAD_CALLS), ids=list(BAD_CALLS))
def test_a_bad_argument_is_an_input_error_in_french(villages, call):
    with pytest.raises(InputError) as error:
        BAD_CALLS[call](*villages)
    message = str(error.value)
    assert "Correction" in message
    assert "could not convert" not in message and "not supported" not in message


# --- scalar decay functions ----------------------------------------------------------------


def test_a_scalar_only_decay_is_called_once_per_distinct_time(villages):
    demand, supply, cost = villages
    calls = []

    def scalar_steps(minutes):  # refuses arrays, as access.weights.step_fn does
        calls.append(minutes)
        return 1.0 if minutes <= 10 else 0.5

    result = two_step_fca(demand, supply, cost, 30, weights=scalar_steps)
    expected = two_step_fca(demand, supply, cost, 30, weights={10: 1.0, 30: 0.5})
    pd.testing.assert_series_equal(result, expected)
    assert len(calls) == 1 + len(np.unique(cost.to_numpy()))  # one array try, then per time
