"""The measures PySAL ``access`` has, on ``access``'s own test data, with the same numbers.

``access``'s tests build an n × n grid of points (ids 1…n², Euclidean costs between every
pair, optionally random values 1–200 with ``random.seed(44)``) and a three-tract "hospital"
example with four traffic scenarios; both are rebuilt here exactly as its
``tests/util.py`` and ``tests/test_hospital_example.py`` do.
"""

from __future__ import annotations

import math
import random
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from maillage.analysis import (
    combined_score,
    fca_ratio,
    gravity_weights,
    normalised,
    raam,
    three_step_fca,
    two_step_fca,
    weighted_catchment,
)

from maillage.errors import InputError

access = pytest.importorskip("access")
weights = pytest.importorskip("access.weights")

pytestmark = pytest.mark.filterwarnings("ignore")


def nxn_grid(n: int, random_values: bool = False, seed: int = 44) -> pd.DataFrame:
    """``access``'s ``create_nxn_grid``: ids 1…n², x, y, value (1, or random 1–200)."""
    random.seed(seed)
    rows, ident = [], 0
    for x in range(n):
        for y in range(n):
            ident += 1
            rows.append((ident, x, y, random.randint(1, 200) if random_values else 1))
    return pd.DataFrame(rows, columns=["id", "x", "y", "value"])


def grid_cost(grid: pd.DataFrame) -> pd.DataFrame:
    """Euclidean distance between every pair of grid points (``create_cost_matrix``)."""
    xy = grid[["x", "y"]].to_numpy(dtype=float)
    metres = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    return pd.DataFrame(metres, index=grid["id"].to_numpy(), columns=grid["id"].to_numpy())


def long(cost: pd.DataFrame) -> pd.DataFrame:
    return cost.stack().rename("cost").rename_axis(["origin", "dest"]).reset_index()


def access_model(demand: pd.Series, supply: pd.Series, cost: pd.DataFrame):
    """An ``access.Access`` on our Series / matrix (neighbour costs = the same matrix)."""
    table = long(cost[np.isfinite(cost)].fillna(np.inf))
    table = table[np.isfinite(table["cost"])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return access.Access(
            demand_df=demand.rename("value").rename_axis("id").to_frame(), demand_index=True,
            demand_value="value",
            supply_df=supply.rename("value").rename_axis("id").to_frame(), supply_index=True,
            supply_value="value", cost_df=table, cost_origin="origin", cost_dest="dest",
            cost_name="cost", neighbor_cost_df=table, neighbor_cost_origin="origin",
            neighbor_cost_dest="dest", neighbor_cost_name="cost")


def same(ours: pd.Series, theirs: pd.Series, rtol: float = 1e-12) -> None:
    theirs = theirs.reindex(ours.index)
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=rtol, atol=1e-15)


@pytest.fixture
def grid():
    """5 × 5 grid, value 1 everywhere (demand = supply), as access's tests."""
    table = nxn_grid(5)
    values = table.set_index("id")["value"].astype(float)
    return values, values.copy(), grid_cost(table)


@pytest.fixture
def random_grid():
    """6 × 6 grid with access's random values as demand, other values as supply."""
    table = nxn_grid(6, random_values=True)
    demand = table.set_index("id")["value"].astype(float)
    supply = pd.Series(demand.to_numpy()[::-1] // 3 + 1, index=demand.index)
    return demand, supply, grid_cost(table)


# --- FCA ratio -----------------------------------------------------------------------------


def test_fca_ratio_on_access_grid_cases(grid):
    demand, supply, cost = grid
    sample = demand.sample(5, random_state=0)  # access samples 5 demand points
    sub = cost.loc[sample.index]
    # Large catchment: everyone sees all the supply and all the demand.
    assert fca_ratio(sample, supply, sub, None, demand_cost=cost).iloc[0] == pytest.approx(
        supply.sum() / sample.sum())
    # Catchment 0.9: each point sees only itself, 1 place for 1 child.
    assert (fca_ratio(sample, supply, sub, 0.9, demand_cost=cost) == 1).all()
    assert (fca_ratio(sample, supply, sub, None, demand_cost=cost, normalize=True) == 1).all()


@pytest.mark.parametrize("max_cost", [1.5, 2.5, 4.0])
def test_fca_ratio_equals_access(random_grid, max_cost):
    demand, supply, cost = random_grid
    theirs = access_model(demand, supply, cost).fca_ratio(name="f", max_cost=max_cost)
    same(fca_ratio(demand, supply, cost, max_cost), theirs["f_value"])
    theirs = access_model(demand, supply, cost).fca_ratio(name="f", max_cost=max_cost,
                                                          normalize=True)
    same(fca_ratio(demand, supply, cost, max_cost, normalize=True), theirs["f_value"])


def test_fca_ratio_needs_times_between_origins():
    cost = pd.DataFrame({"alsh": [5.0, 10.0]}, index=["Catus", "Calamane"])
    with pytest.raises(InputError, match="demand_cost"):
        fca_ratio(pd.Series({"Catus": 4.0, "Calamane": 2.0}), pd.Series({"alsh": 3.0}), cost, 20)


# --- weighted catchment / cumulative opportunities -----------------------------------------


@pytest.mark.parametrize(("limit", "weight", "expected"), [(0.5, 1, 1), (0.5, 0.5, 0.5),
                                                           (10, 1, 25)])
def test_weighted_catchment_on_access_grid_cases(grid, limit, weight, expected):
    _, supply, cost = grid
    one = cost.loc[[13]]
    assert weighted_catchment(supply, one, weights={limit: weight}).iloc[0] == expected
    assert weighted_catchment(supply, one, weights=weights.step_fn({limit: weight})).iloc[0] \
        == expected


def test_gravity_potential_equals_access_expected_values(grid):
    _, supply, cost = grid
    result = weighted_catchment(supply, cost, weights=gravity_weights(60, 1))
    expected = {1: 1.322340210, 5: 1.322340210, 13: 0.780985109, 19: 0.925540119,
                24: 1.133733026}  # access's test_weighted_catchment_with_gravity_weights
    assert result[list(expected)].to_numpy() == pytest.approx(list(expected.values()))


@pytest.mark.parametrize("decay", ["step", "gravity", "cumulative"])
def test_weighted_catchment_equals_access(random_grid, decay):
    demand, supply, cost = random_grid
    ours_decay, their_decay, limit = {
        "step": ({1: 1.0, 2: 0.6, 3: 0.2}, weights.step_fn({1: 1.0, 2: 0.6, 3: 0.2}), None),
        "gravity": (gravity_weights(2, -1.5, min_minutes=0.5),
                    weights.gravity(2, -1.5, min_dist=0.5), 4.0),
        "cumulative": (None, None, 2.5),
    }[decay]
    model = access_model(demand, supply, cost)
    theirs = model.weighted_catchment(name="w", weight_fn=their_decay, max_cost=limit)
    same(weighted_catchment(supply, cost, limit, ours_decay), theirs["w_value"])
    theirs = model.weighted_catchment(name="w", weight_fn=their_decay, max_cost=limit,
                                      normalize=True)
    same(weighted_catchment(supply, cost, limit, ours_decay, normalize=True, demand=demand),
         theirs["w_value"])


# --- RAAM ----------------------------------------------------------------------------------


def test_raam_single_demand_location_equals_sum_of_supply(grid):
    """access's test: one demand point alone bears the congestion of every place (τ = 60)."""
    demand, supply, cost = grid
    one = demand.loc[[7]]
    for options in ({}, {"initial_step": 1}, {"min_step": 1}):
        assert raam(one, supply, cost.loc[[7]], **options).iloc[0] == supply.sum()


@pytest.mark.parametrize(("tau", "options"), [(60, {}), (2, {}), (1, {"initial_step": 3}),
                                              (0.5, {"max_cycles": 40, "half_life": 10})])
def test_raam_equals_access(random_grid, tau, options):
    demand, supply, cost = random_grid
    theirs = access_model(demand, supply, cost).raam(name="r", tau=tau, **options)
    same(raam(demand, supply, cost, tau=tau, **options), theirs["r_value"])
    theirs = access_model(demand, supply, cost).raam(name="r", tau=tau, normalize=True,
                                                     **options)
    same(normalised(raam(demand, supply, cost, tau=tau, **options), demand), theirs["r_value"])


def test_raam_gives_a_value_to_origins_without_children(random_grid):
    demand, supply, cost = random_grid
    demand = demand.copy()
    demand.iloc[:3] = 0.0
    result = raam(demand, supply, cost, tau=2)
    assert np.isfinite(result).all()


# --- normalisation and combined score ------------------------------------------------------


def test_combined_score_equals_access_score(random_grid):
    demand, supply, cost = random_grid
    model = access_model(demand, supply, cost)
    model.two_stage_fca(name="a", max_cost=2.5)
    model.raam(name="r", tau=2)
    theirs = model.score(col_dict={"a_value": 0.8, "r_value": 0.2})
    measures = {"a": two_step_fca(demand, supply, cost, 2.5),
                "r": raam(demand, supply, cost, tau=2)}
    same(combined_score(measures, {"a": 0.8, "r": 0.2}, demand), theirs)
    half = combined_score(measures, {"r": 0.5}, demand)
    same(half, normalised(measures["r"], demand) / 2)
    with pytest.raises(InputError, match="inconnue"):
        combined_score(measures, {"eaje": 1.0}, demand)


# --- 3SFCA: both normalisations of the selection weights -----------------------------------


def hospital_costs():
    """access's hospital example: 3 tracts, costs of scenario 0…3 (gridlock, toll lanes…)."""
    scenarios = [(40, 40, 80), (20, 40, 80), (40, 20, 80), (20, 20, 40)]
    tables = []
    for inbound, outbound, cross in scenarios:
        minutes = np.array([[1, cross, inbound], [cross, 1, inbound],
                            [outbound, outbound, 1]], dtype=float)
        tables.append(pd.DataFrame(minutes, index=[1, 2, 3], columns=[1, 2, 3]))
    return tables


@pytest.mark.parametrize("scenario", range(4))
def test_three_step_selection_all_equals_access_hospital_example(scenario):
    demand = pd.Series({1: 100.0, 2: 50.0, 3: 10.0})
    supply = pd.Series({1: 15.0, 2: 20.0, 3: 100.0})
    cost = hospital_costs()[scenario]
    model = access_model(demand, supply, cost)
    theirs = model.three_stage_fca(name="t", weight_fn=weights.gravity(1, -1), max_cost=61)
    gravity = gravity_weights(1, -1)
    # access's max_cost keeps t <= 61; its reference code keeps t < 61: same here.
    ours = three_step_fca(demand, supply, cost, 61, gravity, selection="all")
    same(ours, theirs["t_value"], rtol=1e-10)
    two = model.two_stage_fca(name="s", weight_fn=weights.gravity(1, -1), max_cost=61)
    same(two_step_fca(demand, supply, cost, 61, gravity), two["s_value"], rtol=1e-10)
    # Within the catchment only, the 80-minute cross-city trips no longer dilute G.
    catchment = three_step_fca(demand, supply, cost, 61, gravity)
    if (cost > 61).any().any():
        assert not np.allclose(catchment, ours)
    else:
        np.testing.assert_allclose(catchment, ours)


def test_three_step_unknown_selection_is_an_input_error():
    cost = hospital_costs()[0]
    with pytest.raises(InputError, match="selection"):
        three_step_fca(pd.Series({1: 1.0, 2: 1.0, 3: 1.0}), pd.Series({1: 1.0}), cost,
                       selection="toutes")


# --- Euclidean costs -----------------------------------------------------------------------


def test_straight_line_metres_equals_access_euclidean(lot_points):
    from maillage.geo import straight_line_metres

    from maillage.settings import METRIC_CRS

    points = lot_points.to_crs(METRIC_CRS).iloc[:40]
    people = gpd.GeoDataFrame({"value": np.arange(1, 41, dtype=float)},
                              geometry=points.geometry.to_numpy(), index=points.index,
                              crs=METRIC_CRS).rename_axis("id")
    sites = people.iloc[::7].copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = access.Access(demand_df=people, demand_index=True, demand_value="value",
                              supply_df=sites, supply_index=True, supply_value="value")
        model.create_euclidean_distance(threshold=15_000)
    theirs = model.cost_df.pivot(index="origin", columns="dest", values="euclidean")
    ours = straight_line_metres(people, sites, max_metres=15_000)
    assert ours.attrs["unit"] == "m"
    # access keeps pairs strictly below its threshold; ours marks the others unreachable.
    theirs = theirs.reindex(index=ours.index, columns=ours.columns).fillna(np.inf)
    theirs = theirs.where(theirs < 15_000, np.inf)
    np.testing.assert_allclose(ours.where(ours < 15_000, np.inf), theirs, rtol=1e-12)
    assert math.isinf(ours.max().max())
    # The same study without a network: 2SFCA on straight-line metres.
    result = two_step_fca(people["value"], sites["value"], ours, 10_000)
    assert (result >= 0).all()
