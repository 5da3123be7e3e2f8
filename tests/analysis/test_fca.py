"""Floating catchment: hand-computed cases and agreement with PySAL ``access``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from maillage.analysis.fca import (
    enhanced_two_step_fca,
    gaussian_weights,
    spatial_availability,
    step_weights,
    three_step_fca,
    two_step_fca,
)
from maillage.errors import InputError

# access itself calls DataFrame.drop(inplace=True), deprecated in pandas 3.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")


def two_villages_one_centre():
    """Catus (40 children) and Calamane (20) reach an ALSH of 30 places; Lherm (10) does not.

    cost (minutes)   alsh_catus  alsh_cahors
    catus                 5          25
    calamane             12          15
    lherm                40          35
    """
    demand = pd.Series({"catus": 40.0, "calamane": 20.0, "lherm": 10.0})
    supply = pd.Series({"alsh_catus": 30.0, "alsh_cahors": 60.0})
    cost = pd.DataFrame([[5, 25], [12, 15], [40, 35]], index=demand.index,
                        columns=["alsh_catus", "alsh_cahors"], dtype=float)
    return demand, supply, cost


def test_two_step_fca_by_hand():
    demand, supply, cost = two_villages_one_centre()
    # Threshold 20 min. alsh_catus reaches catus (5) and calamane (12): R = 30 / 60 = 0.5.
    # alsh_cahors reaches calamane (15) only: R = 60 / 20 = 3.
    # catus: 0.5; calamane: 0.5 + 3 = 3.5; lherm: nothing within 20 min → 0.
    result = two_step_fca(demand, supply, cost, threshold=20)
    assert result.to_dict() == pytest.approx({"catus": 0.5, "calamane": 3.5, "lherm": 0.0})
    # Every place is reached by someone: Σ children × access = 90 places.
    assert (result * demand).sum() == pytest.approx(90.0)


def test_enhanced_two_step_fca_by_hand():
    demand, supply, cost = two_villages_one_centre()
    # Weights ≤10: 1, ≤20: 0.68, ≤30: 0.22, threshold 30.
    # alsh_catus: catus 5 → 1, calamane 12 → 0.68: demand 40 + 13.6 = 53.6, R = 30 / 53.6.
    # alsh_cahors: catus 25 → 0.22, calamane 15 → 0.68: demand 8.8 + 13.6 = 22.4, R = 60 / 22.4.
    r1, r2 = 30 / 53.6, 60 / 22.4
    result = enhanced_two_step_fca(demand, supply, cost, threshold=30)
    assert result["catus"] == pytest.approx(1 * r1 + 0.22 * r2)
    assert result["calamane"] == pytest.approx(0.68 * r1 + 0.68 * r2)
    assert result["lherm"] == 0.0


def test_three_step_fca_by_hand():
    demand, supply, cost = two_villages_one_centre()
    # Steps ≤10: 1, ≤20: 0.5, threshold 20.
    # catus reaches alsh_catus only (W 1) → G = 1. calamane reaches both with W 0.5 → G = 0.5 each.
    # alsh_catus: demand 40·1·1 + 20·0.5·0.5 = 45, R = 30/45. alsh_cahors: 20·0.5·0.5 = 5, R = 12.
    # catus: 1·1·(30/45) = 2/3; calamane: 0.25·(30/45) + 0.25·12 = 1/6 + 3.
    result = three_step_fca(demand, supply, cost, threshold=20, weights={10: 1.0, 20: 0.5})
    assert result.to_dict() == pytest.approx({"catus": 2 / 3, "calamane": 1 / 6 + 3, "lherm": 0.0})


def test_spatial_availability_shares_every_place_once():
    demand, supply, cost = two_villages_one_centre()
    # Threshold 20: alsh_catus's 30 places split 40:20 → catus 20, calamane 10;
    # alsh_cahors's 60 places all to calamane → calamane 70; lherm 0. Total 90.
    result = spatial_availability(demand, supply, cost, threshold=20)
    assert result["places"].to_dict() == pytest.approx({"catus": 20, "calamane": 70, "lherm": 0})
    assert result["places_per_child"].to_numpy() == pytest.approx(
        two_step_fca(demand, supply, cost, 20).to_numpy())


def test_facility_reaching_no_child_offers_nothing():
    demand, supply, cost = two_villages_one_centre()
    demand["calamane"] = 0.0
    # alsh_cahors reaches only calamane, which has no children: its places go to nobody.
    result = two_step_fca(demand, supply, cost, threshold=20)
    assert np.isfinite(result).all()
    assert result["catus"] == pytest.approx(30 / 40)


def test_step_weights_edges_match_access_step_fn():
    from access import weights

    ours = step_weights({20: 1, 40: 0.68, 60: 0.22})
    theirs = weights.step_fn({20: 1, 40: 0.68, 60: 0.22})
    minutes = np.array([0, 10, 20, 20.5, 40, 41, 60, 61, 90])
    assert ours(minutes) == pytest.approx([theirs(m) for m in minutes])
    assert gaussian_weights(20)(np.array([0, 20]))[1] == pytest.approx(np.exp(-0.5))


def test_unknown_origin_or_negative_supply_is_an_input_error():
    demand, supply, cost = two_villages_one_centre()
    with pytest.raises(InputError, match="origine"):
        two_step_fca(demand.drop("lherm"), supply, cost, 20)
    with pytest.raises(InputError, match="négative"):
        two_step_fca(demand, supply.replace(30.0, -1.0), cost, 20)
    with pytest.raises(InputError, match="colonne"):
        two_step_fca(demand, pd.Series({"ailleurs": 5.0}), cost, 20)


# --- agreement with PySAL access ---------------------------------------------------------


def _access(demand, supply, cost):
    from access import Access

    long = cost.stack().rename("cost").rename_axis(["origin", "dest"]).reset_index()
    long = long[np.isfinite(long["cost"])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Access(demand_df=demand.rename("children").rename_axis("geoid").to_frame(),
                      demand_index=True, demand_value="children",
                      supply_df=supply.rename("places").rename_axis("geoid").to_frame(),
                      supply_index=True, supply_value="places",
                      cost_df=long, cost_origin="origin", cost_dest="dest", cost_name="cost")


def _random_case(seed, n_origins=25, n_sites=8):
    rng = np.random.default_rng(seed)
    origins = [f"o{i}" for i in range(n_origins)]
    sites = [f"s{j}" for j in range(n_sites)]
    demand = pd.Series(rng.integers(1, 300, n_origins).astype(float), index=origins)
    supply = pd.Series(rng.integers(5, 120, n_sites).astype(float), index=sites)
    cost = pd.DataFrame(rng.uniform(0, 60, (n_origins, n_sites)), index=origins, columns=sites)
    return demand, supply, cost


def _lot_case():
    """A real-ish case: Lot communes (centroids, populations 2026) and 6 seats with places.

    Times are straight-line at 60 km/h with a 1.3 detour, from the shared contours.
    """
    from maillage.settings import METRIC_CRS, shared_data_dir

    root = shared_data_dir()
    if root is None:
        pytest.skip("../shared/data absent : pas de cas réel du Lot")
    import geopandas as gpd

    shapes = gpd.read_file(root / "communes" / "communes-46-lot.geojson").to_crs(METRIC_CRS)
    points = shapes.set_index("code").geometry.centroid
    rng = np.random.default_rng(46)
    demand = pd.Series(rng.integers(5, 400, len(points)).astype(float), index=points.index)
    seats = ["46042", "46102", "46046", "46201", "46127", "46029"]
    seats = [s for s in seats if s in points.index]
    supply = pd.Series(np.linspace(20, 130, len(seats)), index=seats)
    xy = np.c_[points.x, points.y]
    metres = np.hypot(*(xy[:, None, :] - xy[[points.index.get_loc(s) for s in seats]][None]).T)
    cost = pd.DataFrame(metres.T * 1.3 / 1000, index=points.index, columns=seats)
    return demand, supply, cost


def _case(name):
    return _lot_case() if name == "lot" else _random_case(int(name[-1]))


def _same(ours, theirs):
    """Our Series equals access's column (origins with nothing in reach: access NaN, ours 0)."""
    pd.testing.assert_series_equal(ours.sort_index(), theirs.fillna(0).sort_index(),
                                   check_names=False, rtol=1e-9)


@pytest.mark.parametrize("case", ["random-1", "random-2", "lot"])
def test_two_step_and_enhanced_match_access(case):
    from access import weights

    demand, supply, cost = _case(case)
    acc = _access(demand, supply, cost)
    _same(two_step_fca(demand, supply, cost, threshold=20),
          acc.two_stage_fca(name="a", max_cost=20)["a_places"])
    _same(enhanced_two_step_fca(demand, supply, cost, threshold=30),
          acc.enhanced_two_stage_fca(name="e", max_cost=30)["e_places"])
    _same(enhanced_two_step_fca(demand, supply, cost, threshold=25, weights=("gaussian", 12)),
          acc.enhanced_two_stage_fca(name="g", max_cost=25,
                                     weight_fn=weights.gaussian(12))["g_places"])
    # access's own scalar step function is accepted as a decay too.
    steps = weights.step_fn({5: 1.0, 15: 0.5, 25: 0.1})
    _same(two_step_fca(demand, supply, cost, threshold=25, weights=steps),
          acc.enhanced_two_stage_fca(name="s", max_cost=25, weight_fn=steps)["s_places"])


@pytest.mark.parametrize("case", ["random-3", "lot"])
def test_three_step_matches_access(case):
    demand, supply, cost = _case(case)
    acc = _access(demand, supply, cost)
    # Wan's steps end at 60 minutes: weights are 0 beyond, so both definitions of G agree.
    _same(three_step_fca(demand, supply, cost, threshold=60),
          acc.three_stage_fca(name="t", max_cost=60)["t_places"])
